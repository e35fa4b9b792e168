// The contract guard, case by case (src/operator/block-delta/contract-guard.ts): which Ark txs spending a
// block-delta contract VTXO the operator co-signs. Each refusal is a cheater's attempt: the loser paying
// itself, an early settlement, a swap that shrinks the contract, an opening the batch does not outlive.
import { describe, expect, it } from 'vitest';
import { ArkRequestError } from '../../src/operator/ark/ports.js';
import { checkContractTx, checkIntentInput, outlives, type ContractTermsRecord, type GuardContext } from '../../src/operator/block-delta/contract-guard.js';

const H = 1_000;
const T = 1_800_000_000;
const terms = (script: string, side: 'FAST' | 'SLOW', user: string): ContractTermsRecord => ({
  script, user, operator: 'S', side, height: H, deadline: T, exitDelay: 144, payoutSat: 100_000n, series: `BDC-${H}-${T}`, registeredAt: 0,
});
const REG: Record<string, ContractTermsRecord> = {
  aliceFast: terms('aliceFast', 'FAST', 'A'),
  bobFast: terms('bobFast', 'FAST', 'B'),
  bobSlow: terms('bobSlow', 'SLOW', 'B'),
};
const ctx = (winner?: 'FAST' | 'SLOW', tip = { height: 900, mtp: T - 100_000 }): GuardContext => ({
  contractOf: (s) => REG[s],
  outcome: () => winner,
  isOperatorScript: (s) => s === 'L',
  window: { blocks: 23, seconds: 13_800 },
  tip: () => tip,
});
const input = (script: string, amount = 100_000n, expiresAt = 2_000) => ({ outpoint: `${script}:0`, script, amount, expiresAt });
const refusedWith = (f: () => unknown, pattern: RegExp): void => {
  let e: unknown;
  try {
    f();
  } catch (x) {
    e = x;
  }
  expect(e).toBeInstanceOf(ArkRequestError);
  expect((e as ArkRequestError).arkCode).toBe('CONTRACT_SPEND_REFUSED');
  expect((e as Error).message).toMatch(pattern);
};

describe('contract guard', () => {
  it('after the outcome: the winner directs its payout; the loser may only release it to the operator', () => {
    expect(() => checkContractTx([input('aliceFast')], [{ script: 'alice-wallet', amount: 100_000n }], ctx('FAST'))).not.toThrow();
    refusedWith(() => checkContractTx([input('bobSlow')], [{ script: 'bob-wallet', amount: 100_000n }], ctx('FAST')), /must pay the operator/);
    refusedWith(() => checkContractTx([input('bobSlow')], [{ script: 'L', amount: 50_000n }, { script: 'bob-wallet', amount: 50_000n }], ctx('FAST')), /output 1 must pay the operator/);
    expect(() => checkContractTx([input('bobSlow')], [{ script: 'L', amount: 100_000n }], ctx('FAST'))).not.toThrow();
  });

  it('before the outcome: only into the same contract held by someone else, whole', () => {
    refusedWith(() => checkContractTx([input('aliceFast')], [{ script: 'alice-wallet', amount: 100_000n }], ctx()), /same contract/);
    // A swap to bob's FAST contract of the same series keeps the whole value: allowed, with the payment beside it.
    expect(checkContractTx([input('aliceFast'), input('bob-coin', 60_000n)], [{ script: 'bobFast', amount: 100_000n }, { script: 'alice-wallet', amount: 60_000n }], ctx())).toEqual([]);
    // Shrunk by a sat, or into the other side, or twice into one output: refused.
    refusedWith(() => checkContractTx([input('aliceFast')], [{ script: 'bobFast', amount: 99_999n }, { script: 'x', amount: 1n }], ctx()), /same contract/);
    refusedWith(() => checkContractTx([input('aliceFast')], [{ script: 'bobSlow', amount: 100_000n }], ctx()), /same contract/);
    refusedWith(() => checkContractTx([input('aliceFast'), input('bobFast')], [{ script: 'aliceFast', amount: 100_000n }, { script: 'x', amount: 100_000n }], ctx()), /bobFast:0 is an undecided/);
  });

  it('opening: whole contracts only, never after the outcome, and only from coins that outlive the decision (the edge exactly)', () => {
    // H + window = 1,023: a coin expiring at height 1,023 may fund it, one at 1,022 may not (the time bound is far off here).
    expect(checkContractTx([input('coin', 100_000n, 1_023)], [{ script: 'aliceFast', amount: 100_000n }], ctx())).toHaveLength(1);
    refusedWith(() => checkContractTx([input('coin', 100_000n, 1_022)], [{ script: 'aliceFast', amount: 100_000n }], ctx()), /batch life/);
    refusedWith(() => checkContractTx([input('coin', 100_000n, 0)], [{ script: 'aliceFast', amount: 100_000n }], ctx()), /not confirmed/);
    refusedWith(() => checkContractTx([input('coin', 150_000n, 2_000)], [{ script: 'aliceFast', amount: 150_000n }], ctx()), /whole number/);
    refusedWith(() => checkContractTx([input('coin', 100_000n, 2_000)], [{ script: 'aliceFast', amount: 100_000n }], ctx('SLOW')), /already decided/);
  });

  it('either bound suffices: a height expiry converts to time at 600 s a block from the tip, and back', () => {
    const t = { height: 5_000, deadline: T };
    const tip = { height: 900, mtp: T - 100_000 };
    // Height bound fails (5,000 + 23 > 1,100); time bound: T + 13,800 ≤ MTP + (1,100 − 900) × 600 = T + 20,000.
    expect(outlives(1_100, t, { blocks: 23, seconds: 13_800 }, tip)).toBe(true);
    expect(outlives(1_060, t, { blocks: 23, seconds: 13_800 }, tip)).toBe(false); // T − 100,000 + 96,000 < T + 13,800
    // A time expiry: exact in seconds, the height bound converted.
    expect(outlives(T + 13_800, { height: 10_000, deadline: T }, { blocks: 23, seconds: 13_800 }, tip)).toBe(true);
    expect(outlives(T + 13_799, { height: 10_000, deadline: T }, { blocks: 23, seconds: 13_800 }, tip)).toBe(false);
  });

  it('contract VTXOs never join a batch', () => {
    refusedWith(() => checkIntentInput('aliceFast', 'aliceFast:0', { contractOf: (s) => REG[s] }), /never renewed/);
    expect(() => checkIntentInput('plain', 'plain:0', { contractOf: (s) => REG[s] })).not.toThrow();
  });
});
