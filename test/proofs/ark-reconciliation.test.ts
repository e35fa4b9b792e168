// The reconciliation of Ark flows, over hand-made Ark txs: each lie in the ledger's record is named,
// an honest record passes, and the memo rules decide what counts as a deposit.
import { describe, expect, it } from 'vitest';
import { hex } from '@scure/base';
import { reconcileArkFlows, type ArkSide, type ArkTxView, type LedgerArkFlows } from '../../src/proofs/ark-reconciliation.js';
import { depositOf, fundingMemoScript, parseMemo, withdrawalMemoScript } from '../../src/bitcoin/ark-memo.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const L = '5120' + '07'.repeat(32);
const U = '5120' + '09'.repeat(32);
const fund = (account: string) => hex.encode(fundingMemoScript(account));
const wdMemo = (id: string) => hex.encode(withdrawalMemoScript(id));
const tx = (txid: string, outputs: [string, bigint][], finalized = true): ArkTxView => ({ txid, finalized, outputs: outputs.map(([script, amount]) => ({ script, amount })) });

const T1 = '11'.repeat(32);
const T2 = '22'.repeat(32);
const T3 = '33'.repeat(32);
const T4 = '44'.repeat(32);
const txs = new Map<string, ArkTxView>([
  [T1, tx(T1, [[L, 50_000n], [fund(A), 0n], [U, 1_000n]])],
  [T2, tx(T2, [[U, 20_000n], [wdMemo('r1'), 0n], [L, 30_000n]])],
  [T3, tx(T3, [[L, 9_000n]])], // no memo: nobody's deposit
  [T4, tx(T4, [[L, 7_000n], [fund(B), 0n]], false)], // not finalized yet
]);
const side: ArkSide = { liquidityScript: L, tx: (t) => txs.get(t), txidsPayingLiquidity: [T1, T2, T3, T4] };
const honest: LedgerArkFlows = {
  deposits: [{ arkTxid: T1, account: A, amountSat: 50_000 }],
  withdrawals: [
    { requestId: 'r1', account: A, amountSat: 20_000, toScript: U, status: 'settled', arkTxid: T2 },
    { requestId: 'r2', account: A, amountSat: 5_000, toScript: U, status: 'pending' },
    { requestId: 'r3', account: A, amountSat: 5_000, toScript: U, status: 'failed' },
  ],
};

describe('reconcileArkFlows', () => {
  it('an honest record: ok, pending withdrawals listed, unfinalized and memo-less txs to L ignored', () => {
    expect(reconcileArkFlows(honest, side)).toEqual({ ok: true, problems: [], pending: [{ requestId: 'r2', account: A, amountSat: 5_000 }], deposits: 1, settledWithdrawals: 1 });
  });

  it('names a made-up txid, a wrong amount, another account, a tx credited twice and an uncredited memo tx', () => {
    const made = '55'.repeat(32);
    txs.set(T4, { ...txs.get(T4)!, finalized: true });
    try {
      const r = reconcileArkFlows(
        {
          deposits: [{ arkTxid: T1, account: B, amountSat: 50_001 }, { arkTxid: made, account: A, amountSat: 1 }, { arkTxid: T3, account: A, amountSat: 9_000 }],
          withdrawals: [
            { requestId: 'r1', account: A, amountSat: 20_000, toScript: U, status: 'settled', arkTxid: T2 },
            { requestId: 'r9', account: A, amountSat: 20_000, toScript: U, status: 'settled', arkTxid: T2 },
            { requestId: 'r8', account: A, amountSat: 1, toScript: U, status: 'settled', arkTxid: made },
          ],
        },
        side,
      );
      expect(r.ok).toBe(false);
      expect(r.problems).toEqual([
        `deposit ${T1} (50001 sat to ${B}): its memo names account ${A}`,
        `deposit ${T1} (50001 sat to ${B}): it pays the liquidity key 50000 sat`,
        `deposit ${made} (1 sat to ${A}): no such Ark tx in the operator's store`,
        `deposit ${T3} (9000 sat to ${A}): the Ark tx carries no single funding memo paying the liquidity key`,
        `withdrawal r9 (20000 sat from ${A}): Ark tx ${T2} already settles withdrawal r1`,
        `withdrawal r9 (20000 sat from ${A}): Ark tx ${T2} carries no memo for this request`,
        `withdrawal r8 (1 sat from ${A}): no such Ark tx ${made} in the operator's store`,
        `Ark tx ${T4} pays the liquidity key 7000 sat for account ${B} and is not credited`,
      ]);
    } finally {
      txs.set(T4, { ...txs.get(T4)!, finalized: false });
    }
  });

  it('a deposit credited before its tx was finalized is named', () => {
    const r = reconcileArkFlows({ deposits: [...honest.deposits, { arkTxid: T4, account: B, amountSat: 7_000 }], withdrawals: honest.withdrawals }, side);
    expect(r.problems).toEqual([`deposit ${T4} (7000 sat to ${B}): the Ark tx is not finalized`]);
  });
});

describe('memos', () => {
  it('round-trip, and only one funding memo naming an account id makes a deposit', () => {
    expect(parseMemo(fundingMemoScript(A))).toEqual({ kind: 'fund', account: A });
    expect(parseMemo(withdrawalMemoScript('r1'))).toEqual({ kind: 'withdrawal', requestId: 'r1' });
    // OP_RETURN <"hp:fund:" + 64 hex>: 0x6a, a one-byte push length (72), the text.
    expect(hex.encode(fundingMemoScript(A))).toBe('6a48' + hex.encode(new TextEncoder().encode('hp:fund:' + A)));
    expect(parseMemo(hex.decode('6a' + '20' + '00'.repeat(32)))).toBeUndefined();
    expect(parseMemo(hex.decode(L))).toBeUndefined();
    const o = (script: string, amount: bigint) => ({ script, amount });
    expect(depositOf([o(L, 5n), o(L, 6n), o(fund(A), 0n)], L)).toEqual({ account: A, amountSat: 11n });
    expect(depositOf([o(L, 5n), o(fund(A), 0n), o(fund(B), 0n)], L)).toBeUndefined();
    expect(depositOf([o(U, 5n), o(fund(A), 0n)], L)).toBeUndefined();
    expect(depositOf([o(L, 5n), o(hex.encode(fundingMemoScript('nobody')), 0n)], L)).toBeUndefined();
    expect(() => fundingMemoScript('x'.repeat(80))).toThrow(/account/);
  });
});
