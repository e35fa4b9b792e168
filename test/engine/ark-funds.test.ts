// Money in and out through Ark in the engine: each Ark txid credited once, each withdrawal request
// once, held until settled (paid to the world) or failed (back to the account), all of it in the
// snapshot so a restore continues at the same state hash.
import { describe, expect, it } from 'vitest';
import { ARK_WITHDRAWALS, arkFundsOf } from '../../src/engine/index.js';
import { Exchange } from '../../src/engine/exchange.js';
import type { Command } from '../../src/engine/commands.js';
import { Harness, block, limit, market, ofType } from './helpers.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const TX1 = '11'.repeat(32);
const TX2 = '22'.repeat(32);
const SCRIPT = '5120' + 'cd'.repeat(32);
const dep = (account: string, amountSat: number, arkTxid: string): Command => ({ type: 'ArkDeposit', account, amountSat, arkTxid });
const wd = (account: string, amountSat: number, requestId: string, toScript = SCRIPT): Command => ({ type: 'ArkWithdrawal', account, amountSat, requestId, toScript });
const settled = (requestId: string, arkTxid: string): Command => ({ type: 'ArkWithdrawalSettled', requestId, arkTxid });
const failed = (requestId: string, reason: string): Command => ({ type: 'ArkWithdrawalFailed', requestId, reason });
const reasonOf = (evs: ReturnType<Harness['run']>) => ofType(evs, 'CommandRejected')[0];

describe('ArkDeposit', () => {
  it('credits the account from the world once per Ark txid; a second credit of the same tx is refused and changes nothing', () => {
    const h = new Harness();
    const evs = h.run(dep(A, 50_000, TX1));
    expect(ofType(evs, 'ArkDeposit')).toEqual([{ type: 'ArkDeposit', account: A, amountSat: 50_000, arkTxid: TX1 }]);
    expect(h.bal(A)).toBe(50_000_000n);
    expect(h.bal('world')).toBe(-50_000_000n);
    const hash = h.ex.stateHash();
    // Same txid, even for another account or amount: refused.
    for (const c of [dep(A, 50_000, TX1), dep(B, 1, TX1)]) expect(reasonOf(h.run(c))).toMatchObject({ reason: 'duplicate_ark_tx', field: 'arkTxid' });
    expect(h.ex.stateHash()).toBe(hash);
    h.run(dep(A, 1_000, TX2));
    expect(h.bal(A)).toBe(51_000_000n);
  });

  it('refuses malformed fields, naming them', () => {
    const h = new Harness();
    expect(reasonOf(h.run(dep(A, 0, TX1)))).toMatchObject({ reason: 'invalid_argument', field: 'amountSat' });
    expect(reasonOf(h.run(dep(A, 5, 'XY')))).toMatchObject({ reason: 'invalid_argument', field: 'arkTxid' });
    expect(reasonOf(h.run(dep(A, 5, 'AB'.repeat(32))))).toMatchObject({ reason: 'invalid_argument', field: 'arkTxid' });
    expect(reasonOf(h.run(dep('', 5, TX1)))).toMatchObject({ reason: 'invalid_argument', field: 'account' });
    expect(arkFundsOf(h.ex).deposits).toEqual([]);
  });
});

describe('ArkWithdrawal', () => {
  it('holds the amount in ark:withdrawals until settled, then it leaves to the world', () => {
    const h = new Harness();
    h.run(dep(A, 10_000, TX1));
    const evs = h.run(wd(A, 4_000, 'r1'));
    expect(ofType(evs, 'ArkWithdrawalRequested')).toEqual([{ type: 'ArkWithdrawalRequested', account: A, amountSat: 4_000, requestId: 'r1', toScript: SCRIPT }]);
    expect(h.bal(A)).toBe(6_000_000n);
    expect(h.bal(ARK_WITHDRAWALS)).toBe(4_000_000n);
    expect(h.bal('world')).toBe(-10_000_000n); // still owed: a liability until paid
    expect(ofType(h.run(settled('r1', TX2)), 'ArkWithdrawalSettled')).toEqual([{ type: 'ArkWithdrawalSettled', account: A, amountSat: 4_000, requestId: 'r1', arkTxid: TX2 }]);
    expect(h.bal(ARK_WITHDRAWALS)).toBe(0n);
    expect(h.bal('world')).toBe(-6_000_000n);
    expect(arkFundsOf(h.ex).withdrawals).toEqual([{ requestId: 'r1', account: A, amountSat: 4_000, toScript: SCRIPT, status: 'settled', arkTxid: TX2 }]);
    // Neither settled again nor failed after settling.
    expect(reasonOf(h.run(settled('r1', TX1)))).toMatchObject({ reason: 'already_settled', field: 'requestId' });
    expect(reasonOf(h.run(failed('r1', 'late')))).toMatchObject({ reason: 'already_settled', field: 'requestId' });
    expect(h.bal(A)).toBe(6_000_000n);
  });

  it('a failed withdrawal credits the amount back, once', () => {
    const h = new Harness();
    h.run(dep(A, 10_000, TX1), wd(A, 10_000, 'r1'));
    expect(h.bal(A)).toBe(0n);
    const evs = h.run(failed('r1', 'liquidity_short'));
    expect(ofType(evs, 'ArkWithdrawalFailed')).toEqual([{ type: 'ArkWithdrawalFailed', account: A, amountSat: 10_000, requestId: 'r1', reason: 'liquidity_short' }]);
    expect(ofType(evs, 'LedgerTransfer')).toEqual([{ type: 'LedgerTransfer', from: ARK_WITHDRAWALS, to: `user:${A}`, amountMsat: 10_000_000n, reason: 'withdrawal_reversal' }]);
    expect(h.bal(A)).toBe(10_000_000n);
    expect(reasonOf(h.run(failed('r1', 'again')))).toMatchObject({ reason: 'already_settled' });
    expect(reasonOf(h.run(settled('r1', TX2)))).toMatchObject({ reason: 'already_settled' });
    expect(h.bal(A)).toBe(10_000_000n);
    expect(reasonOf(h.run(failed('nope', 'x')))).toMatchObject({ reason: 'unknown_withdrawal', field: 'requestId' });
  });

  it('refuses a duplicate request id, more than the balance, and what would break initial margin', () => {
    const h = new Harness();
    h.run(dep(A, 10_000, TX1), wd(A, 1_000, 'r1'));
    expect(reasonOf(h.run(wd(A, 1_000, 'r1')))).toMatchObject({ reason: 'duplicate_request_id', field: 'requestId' });
    expect(reasonOf(h.run(wd(A, 9_001, 'r2')))).toMatchObject({ reason: 'insufficient_balance', field: 'amountSat' });
    expect(reasonOf(h.run(wd(A, 1, 'r3', 'zz')))).toMatchObject({ reason: 'invalid_argument', field: 'toScript' });
    expect(reasonOf(h.run(wd(A, 1, 'bad id')))).toMatchObject({ reason: 'invalid_argument', field: 'requestId' });
    expect(h.bal(A)).toBe(9_000_000n);
    // An open perp position: withdrawing what backs its initial margin is refused as Withdraw refuses it.
    const m = new Harness();
    m.run(block(1, 50_000), dep(A, 1_000_000, TX1), dep(B, 1_000_000, TX2), limit(B, 'sell', 50_000, 1_000), market(A, 'buy', 1_000));
    const withdraw = m.run({ type: 'Withdraw', account: A, amountSat: 999_000 });
    const ark = m.run(wd(A, 999_000, 'r1'));
    expect(reasonOf(withdraw)!.reason).toBe('insufficient_margin');
    expect(reasonOf(ark)).toMatchObject({ reason: 'insufficient_margin', field: 'amountSat' });
  });
});

describe('snapshot', () => {
  it('round-trips deposits and withdrawals in every state: the restore refuses the same duplicates and hashes the same', () => {
    const h = new Harness();
    const before = h.ex.snapshot();
    expect(before).not.toContain('"ark"'); // nothing through Ark: the snapshot is as it was before Ark funding existed
    h.run(dep(A, 10_000, TX1), dep(B, 20_000, TX2), wd(A, 1_000, 'r1'), wd(A, 2_000, 'r2'), wd(B, 3_000, 'r3'), settled('r1', '33'.repeat(32)), failed('r3', 'refused'));
    const snap = h.ex.snapshot();
    const r = Exchange.restore(snap);
    expect(r.snapshot()).toBe(snap);
    expect(r.stateHash()).toBe(h.ex.stateHash());
    expect(arkFundsOf(r)).toEqual(arkFundsOf(h.ex));
    const again = new Harness(r);
    expect(reasonOf(again.run(dep(A, 1, TX2)))).toMatchObject({ reason: 'duplicate_ark_tx' });
    expect(reasonOf(again.run(wd(A, 1, 'r1')))).toMatchObject({ reason: 'duplicate_request_id' });
    // r2 is still pending after the restore: it can settle there, with the same result as here.
    again.run(settled('r2', '44'.repeat(32)));
    h.run(settled('r2', '44'.repeat(32)));
    expect(again.ex.stateHash()).toBe(h.ex.stateHash());
    expect(again.bal(ARK_WITHDRAWALS)).toBe(0n);
  });
});

describe('ChainDeposit (custodial deposit addresses)', () => {
  it('credits an outpoint once; the refusal of a second credit changes nothing; the outpoints survive a snapshot', () => {
    const h = new Harness();
    const op = `${TX1}:1`;
    const cd = (account: string, amountSat: number, outpoint: string): Command => ({ type: 'ChainDeposit', account, amountSat, outpoint });
    expect(ofType(h.run(cd(A, 8_000, op)), 'Deposit')).toEqual([{ type: 'Deposit', account: A, amountSat: 8_000 }]);
    const hash = h.ex.stateHash();
    expect(reasonOf(h.run(cd(A, 8_000, op)))).toMatchObject({ reason: 'duplicate_deposit', field: 'outpoint' });
    expect(reasonOf(h.run(cd(A, 8_000, TX1)))).toMatchObject({ reason: 'invalid_argument', field: 'outpoint' });
    expect(h.ex.stateHash()).toBe(hash);
    expect(h.bal(A)).toBe(8_000_000n);
    const r = Exchange.restore(h.ex.snapshot());
    expect(r.stateHash()).toBe(hash);
    expect(reasonOf(new Harness(r).run(cd(B, 1, op)))).toMatchObject({ reason: 'duplicate_deposit' });
  });
});
