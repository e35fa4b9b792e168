// The latest safe start of a block-delta unilateral exit (src/bitcoin/bdc-exit-window.ts): hand-computed
// numbers, and for the height race a block-by-block walk of the consensus rules as independent truth.
import { describe, expect, it } from 'vitest';
import { BDC_METASTABILITY, bdcExitWindow, exitDelayBlocks } from '../../src/bitcoin/bdc-exit-window.js';

describe('user SLOW: S (FAST) can claim from block H + 1', () => {
  it('H = 900,100, d = 144, k = 13: point of no return 900,100 − 144 − 13 = 899,943, advised 899,942', () => {
    // Tip 899,943: unroll txs confirm in 899,944 … 899,956 (= c, 13 blocks); CSV 144 → claim valid in block
    // c + 144 = 900,100 = H, one block before S's (nLockTime H is final in H + 1).
    expect(bdcExitWindow({ side: 'SLOW', height: 900_100, deadline: 1_700_000_000, exitDelayBlocks: 144, unrollTxs: 13 }))
      .toEqual({ latestStart: { kind: 'height', height: 899_942, pointOfNoReturn: 899_943 }, metastability: BDC_METASTABILITY });
  });

  it('regtest (d = 20): H = 300, k = 13 → 267 exact, 266 advised', () => {
    expect(bdcExitWindow({ side: 'SLOW', height: 300, deadline: 1_700_000_000, exitDelayBlocks: 20, unrollTxs: 13 }).latestStart)
      .toEqual({ kind: 'height', height: 266, pointOfNoReturn: 267 });
  });

  it('agrees with a block-by-block walk of CSV (valid at ≥ c + d) and CLTV height (valid at ≥ H + 1)', () => {
    for (const [H, d, k] of [[500, 20, 3], [1_000, 144, 13], [60, 1, 1]] as const) {
      let last = -Infinity;
      for (let s = 0; s < H; s++) {
        const c = s + k; // the contract VTXO: the k-th unroll tx, one per block after the tip s
        const userClaim = c + d; // first block the CSV allows
        const sClaim = Math.max(H + 1, c + d); // S's leaf: CLTV(H) and the same CSV
        if (userClaim < sClaim) last = s;
      }
      const w = bdcExitWindow({ side: 'SLOW', height: H, deadline: 1_700_000_000, exitDelayBlocks: d, unrollTxs: k }).latestStart;
      expect(w).toMatchObject({ kind: 'height', pointOfNoReturn: last, height: last - 1 });
    }
  });
});

describe('user FAST: S (SLOW) can claim once MTP ≥ T', () => {
  it('T = 1,700,000,000, d = 144, k = 13: T − 157 × 600 − 3600 = 1,699,902,200 (an estimate)', () => {
    expect(bdcExitWindow({ side: 'FAST', height: 900_100, deadline: 1_700_000_000, exitDelayBlocks: 144, unrollTxs: 13 }).latestStart)
      .toEqual({ kind: 'time', time: 1_699_902_200, estimate: true });
  });
});

describe('inputs', () => {
  it('the metastability sentence says the race', () => {
    expect(BDC_METASTABILITY).toContain('first confirmed claim wins');
  });

  it('a BIP-68 exit delay in blocks: blocks as they are, seconds at 600 s per block rounded up', () => {
    expect(exitDelayBlocks(20n)).toBe(20);
    expect(exitDelayBlocks(86_528n)).toBe(145); // 86,528 / 600 = 144.2 → 145
    expect(exitDelayBlocks({ type: 'blocks', value: 144n })).toBe(144);
    expect(exitDelayBlocks({ type: 'seconds', value: 1_200n })).toBe(2);
    expect(() => exitDelayBlocks(0n)).toThrow(/exitDelay/);
  });

  it('refuses bad input naming the field', () => {
    const ok = { side: 'FAST' as const, height: 100, deadline: 1_700_000_000, exitDelayBlocks: 10, unrollTxs: 3 };
    expect(() => bdcExitWindow({ ...ok, height: 500_000_000 })).toThrow(/height/);
    expect(() => bdcExitWindow({ ...ok, deadline: 100 })).toThrow(/deadline/);
    expect(() => bdcExitWindow({ ...ok, exitDelayBlocks: 0 })).toThrow(/exitDelayBlocks/);
    expect(() => bdcExitWindow({ ...ok, unrollTxs: 1.5 })).toThrow(/unrollTxs/);
    expect(() => bdcExitWindow({ ...ok, side: 'UP' as never })).toThrow(/side/);
  });
});
