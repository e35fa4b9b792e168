/**
 * The demo's product quoters over the real engine and 300 replayed mainnet blocks: every command they send
 * is accepted, they are deterministic (two engines fed the same blocks get the same commands), idempotent
 * (quoting again on the state their commands produced sends nothing), series are listed 144 blocks apart
 * near even odds by the model, and the vault seed runs once.
 */
import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { Exchange, type Command } from '../../src/engine/index.js';
import { bdcChainStateAt, bdcModuleOf, seriesFairValue } from '../../src/engine/products/bdc/index.js';
import { confirmedBlockAt as blockCommandAt } from '../../src/index/confirmed-block.js';
import { bdcQuoter, forwardQuoter, newSeriesTerms, vaultSeeder } from '../../src/demo/product-quoters.js';

const chain = loadEmbeddedChain();
const START = chain.segments[chain.segments.length - 1].firstHeight + 144;
const A = 'demo-mm';

function run(blocks: number): { ex: Exchange; sent: Command[][] } {
  const ex = new Exchange();
  let seq = 0;
  const apply = (c: Command): void => {
    const ev = ex.apply(JSON.parse(JSON.stringify(c)) as Command, ++seq);
    const r = ev.find((e) => e.type === 'CommandRejected' || e.type === 'OrderRejected');
    if (r !== undefined) throw new Error(`${c.type} refused: ${JSON.stringify(r)}`);
  };
  apply({ type: 'Deposit', account: A, amountSat: 1_000_000_000 });
  const quoters = [forwardQuoter(chain), bdcQuoter(chain)];
  const sent: Command[][] = [];
  for (let h = START; h < START + blocks; h++) {
    apply(blockCommandAt(chain, h));
    const cmds = quoters.flatMap((q) => q.commands({ exchange: ex, account: A, height: h }));
    for (const c of cmds) apply(c);
    sent.push(cmds);
    // Idempotent: the state its commands made is the state it wants.
    expect(quoters.flatMap((q) => q.commands({ exchange: ex, account: A, height: h }))).toEqual([]);
  }
  return { ex, sent };
}

describe('demo product quoters', () => {
  it('300 real blocks: accepted, deterministic, idempotent; series 144 blocks apart, listed near even odds', () => {
    const a = run(300);
    const b = run(300);
    expect(b.sent).toEqual(a.sent);
    const lists = a.sent.flat().filter((c): c is Extract<Command, { type: 'BdcListSeries' }> => c.type === 'BdcListSeries');
    // Three at the first block (tip + 144, 288, 432), then one whenever a series is decided.
    expect(lists.slice(0, 3).map((l) => l.height)).toEqual([START + 144, START + 288, START + 432]);
    expect(lists.length).toBeGreaterThanOrEqual(4);
    const open = bdcModuleOf(a.ex).listSeries().filter((s) => s.status === 'open');
    expect(open).toHaveLength(3);
    // At listing the model's odds are near even (T is the expected time to mine the blocks).
    const ex = new Exchange();
    ex.apply(blockCommandAt(chain, START), 1);
    const tip = ex.productContext(0).chain;
    for (const k of [1, 2, 3]) {
      const t = newSeriesTerms(chain, { height: tip.height, mtp: tip.mtp }, k);
      expect(t.height).toBe(START + 144 * k);
      const f = seriesFairValue(t, bdcChainStateAt(chain, { height: tip.height, mtp: tip.mtp }), { paths: 2_000, seed: 3 });
      expect(f.decided).toBe(false);
      if (!f.decided) {
        expect(f.fair.fairBps).toBeGreaterThan(3_000);
        expect(f.fair.fairBps).toBeLessThan(7_000);
      }
    }
  });

  it('the vault seed runs only on an empty vault', () => {
    const ex = new Exchange();
    const seed = vaultSeeder(1_000_000);
    const ctx = { exchange: ex, account: A, height: -1 };
    const cmds = seed.setup!(ctx);
    expect(cmds).toEqual([{ type: 'FundSystem', account: 'vault', amountSat: 1_000_000 }]);
    ex.apply(cmds[0], 1);
    expect(seed.setup!(ctx)).toEqual([]);
  });
});
