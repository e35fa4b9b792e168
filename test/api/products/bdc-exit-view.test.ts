// The exit advice on a block-delta position: d and k from the contract document when there is one, else the
// stated assumptions; the numbers worked out by hand.
import { describe, expect, it } from 'vitest';
import { bdcExitView } from '../../../src/api/products/bdc-exit-view.js';
import type { ContractDocs } from '../../../src/api/products/port.js';

const pos = { positionId: 'BDC-900100-1700000000#1', height: 900_100, deadline: 1_700_000_000 };

function docs(doc: unknown): ContractDocs {
  return { contract: () => doc, exitPackage: () => '', record: () => { throw new Error('unused'); } } as unknown as ContractDocs;
}

describe('bdcExitView', () => {
  it('a batched contract: d = 144 blocks from its terms, k = its 3 exit steps; SLOW → 900,100 − 144 − 3 − 1 = 899,952', () => {
    const v = bdcExitView({ ...pos, side: 'SLOW' }, docs({ terms: { exitDelay: { type: 'blocks', value: '144' } }, exitPackage: { steps: [{}, {}, {}] } }));
    expect(v).toMatchObject({
      exitDelayBlocks: 144, exitDelaySource: 'contract', unrollTxs: 3, unrollTxsSource: 'exit package',
      latestStart: { kind: 'height', height: 899_952, pointOfNoReturn: 899_953 },
    });
  });

  it('no contract service: d = the default 86,528 s ≈ 145 blocks, k = 13 assumed; FAST → T − 158 × 600 − 3600 = 1,699,901,600', () => {
    const v = bdcExitView({ ...pos, side: 'FAST' }, undefined);
    expect(v).toMatchObject({ exitDelayBlocks: 145, unrollTxs: 13, latestStart: { kind: 'time', time: 1_699_901_600, estimate: true } });
    expect(v.exitDelaySource).toMatch(/^assumed/);
    expect(v.unrollTxsSource).toMatch(/^assumed/);
  });

  it('a position the contract service does not know (yet) falls back to the assumptions', () => {
    const throwing = { contract: () => { throw new Error('unknown_position'); } } as unknown as ContractDocs;
    expect(bdcExitView({ ...pos, side: 'SLOW' }, throwing)).toMatchObject({ exitDelayBlocks: 145, unrollTxs: 13, latestStart: { height: 900_100 - 145 - 13 - 1 } });
  });
});
