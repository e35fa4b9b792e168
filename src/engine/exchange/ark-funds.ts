// Money in and out through Ark: every credit names the Ark tx that paid the operator's liquidity key,
// every withdrawal the request the server pays with an Ark tx of its own. The credited txids and the
// withdrawals are engine state (and in the snapshot), so a txid is credited once however often the
// server, after a restart, submits it again.
//
// A withdrawal's amount waits in ARK_WITHDRAWALS (still owed, so still a liability) until the server
// reports the Ark tx that paid it (then it leaves to the world) or that the operator refused the tx
// (then it goes back to the account).
import type { ArkDepositCommand, ArkWithdrawalCommand, ArkWithdrawalFailedCommand, ArkWithdrawalSettledCommand } from '../commands.js';
import type { EngineEvent } from '../events.js';
import { WORLD } from '../ledger/ledger.js';
import { Rejection } from '../rejection.js';
import { MSAT_PER_SAT } from '../../units/money.js';
import { checkWithdrawable } from './funds.js';
import { cmp, ownerOf, type EngineState } from './state.js';
import { checkAccount, checkAmount } from './validation.js';

/** The ledger account holding withdrawals requested and not yet paid. */
export const ARK_WITHDRAWALS = 'ark:withdrawals';

export type ArkWithdrawalStatus = 'pending' | 'settled' | 'failed';

export interface ArkWithdrawalRecord {
  requestId: string;
  account: string;
  amountSat: number;
  /** Hex output script the Ark tx pays. */
  toScript: string;
  status: ArkWithdrawalStatus;
  /** Settled: the Ark tx that paid it. */
  arkTxid?: string;
  /** Failed: why. */
  reason?: string;
}

export interface ArkDepositRecord { arkTxid: string; account: string; amountSat: number }

export interface ArkFundsState {
  /** Credited Ark txids. */
  readonly deposits: Map<string, ArkDepositRecord>;
  readonly withdrawals: Map<string, ArkWithdrawalRecord>;
}

export const createArkFunds = (): ArkFundsState => ({ deposits: new Map(), withdrawals: new Map() });

const TXID = /^[0-9a-f]{64}$/;
const REQUEST_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
/** A segwit v0/v1 output script (what an Ark address pays), hex: OP_n, one push of 20 or 32 bytes. */
const SCRIPT = /^(00|5[1-9a-f]|60)(14[0-9a-f]{40}|20[0-9a-f]{64})$/;

function checkTxid(v: unknown): Rejection | undefined {
  return typeof v === 'string' && TXID.test(v) ? undefined : new Rejection('invalid_argument', 'arkTxid must be 64 lower-case hex digits', 'arkTxid');
}

function checkRequestId(v: unknown): Rejection | undefined {
  return typeof v === 'string' && REQUEST_ID.test(v) ? undefined : new Rejection('invalid_argument', 'requestId must be 1..64 characters of [A-Za-z0-9_.:-]', 'requestId');
}

export function arkDeposit(s: EngineState, c: ArkDepositCommand, out: EngineEvent[]): Rejection | undefined {
  const bad = checkAccount(c.account) ?? checkAmount(c.amountSat) ?? checkTxid(c.arkTxid);
  if (bad) return bad;
  if (s.ark.deposits.has(c.arkTxid)) return new Rejection('duplicate_ark_tx', `Ark tx ${c.arkTxid} is already credited`, 'arkTxid');
  s.ark.deposits.set(c.arkTxid, { arkTxid: c.arkTxid, account: c.account, amountSat: c.amountSat });
  out.push({ type: 'ArkDeposit', account: c.account, amountSat: c.amountSat, arkTxid: c.arkTxid });
  s.ledger.transfer(WORLD, ownerOf(s, c.account), BigInt(c.amountSat) * MSAT_PER_SAT, 'deposit', out);
  return undefined;
}

export function arkWithdrawal(s: EngineState, c: ArkWithdrawalCommand, out: EngineEvent[]): Rejection | undefined {
  const bad = checkAccount(c.account) ?? checkAmount(c.amountSat) ?? checkRequestId(c.requestId);
  if (bad) return bad;
  if (typeof c.toScript !== 'string' || !SCRIPT.test(c.toScript)) return new Rejection('invalid_argument', 'toScript must be a segwit output script in lower-case hex', 'toScript');
  if (s.ark.withdrawals.has(c.requestId)) return new Rejection('duplicate_request_id', `withdrawal ${c.requestId} already exists`, 'requestId');
  const owner = ownerOf(s, c.account);
  const amt = BigInt(c.amountSat) * MSAT_PER_SAT;
  const refused = checkWithdrawable(s, owner, amt);
  if (refused) return refused;
  s.ark.withdrawals.set(c.requestId, { requestId: c.requestId, account: c.account, amountSat: c.amountSat, toScript: c.toScript, status: 'pending' });
  out.push({ type: 'ArkWithdrawalRequested', account: c.account, amountSat: c.amountSat, requestId: c.requestId, toScript: c.toScript });
  s.ledger.transfer(owner, ARK_WITHDRAWALS, amt, 'withdrawal', out);
  return undefined;
}

function pendingWithdrawal(s: EngineState, requestId: unknown): ArkWithdrawalRecord | Rejection {
  const bad = checkRequestId(requestId);
  if (bad) return bad;
  const w = s.ark.withdrawals.get(requestId as string);
  if (w === undefined) return new Rejection('unknown_withdrawal', `no withdrawal ${String(requestId)}`, 'requestId');
  if (w.status !== 'pending') return new Rejection('already_settled', `withdrawal ${w.requestId} is already ${w.status}`, 'requestId');
  return w;
}

export function arkWithdrawalSettled(s: EngineState, c: ArkWithdrawalSettledCommand, out: EngineEvent[]): Rejection | undefined {
  const w = pendingWithdrawal(s, c.requestId);
  if (w instanceof Rejection) return w;
  const bad = checkTxid(c.arkTxid);
  if (bad) return bad;
  w.status = 'settled';
  w.arkTxid = c.arkTxid;
  out.push({ type: 'ArkWithdrawalSettled', account: w.account, amountSat: w.amountSat, requestId: w.requestId, arkTxid: c.arkTxid });
  s.ledger.transfer(ARK_WITHDRAWALS, WORLD, BigInt(w.amountSat) * MSAT_PER_SAT, 'withdrawal', out);
  return undefined;
}

export function arkWithdrawalFailed(s: EngineState, c: ArkWithdrawalFailedCommand, out: EngineEvent[]): Rejection | undefined {
  const w = pendingWithdrawal(s, c.requestId);
  if (w instanceof Rejection) return w;
  if (typeof c.reason !== 'string' || c.reason.length === 0 || c.reason.length > 500) return new Rejection('invalid_argument', 'reason must be 1..500 characters', 'reason');
  w.status = 'failed';
  w.reason = c.reason;
  out.push({ type: 'ArkWithdrawalFailed', account: w.account, amountSat: w.amountSat, requestId: w.requestId, reason: c.reason });
  s.ledger.transfer(ARK_WITHDRAWALS, ownerOf(s, w.account), BigInt(w.amountSat) * MSAT_PER_SAT, 'withdrawal_reversal', out);
  return undefined;
}

// ---- snapshot: sorted, so equal states give equal bytes ----

type WithdrawalRow = [string, string, number, string, ArkWithdrawalStatus, string | null, string | null];
export interface ArkFundsSnapshot { deposits: [string, string, number][]; withdrawals: WithdrawalRow[] }

/** Undefined while nothing went through Ark (older snapshots, and their hashes, stay as they were). */
export function arkFundsSnapshot(a: ArkFundsState): ArkFundsSnapshot | undefined {
  if (a.deposits.size === 0 && a.withdrawals.size === 0) return undefined;
  return {
    deposits: [...a.deposits.values()].sort((x, y) => cmp(x.arkTxid, y.arkTxid)).map((d) => [d.arkTxid, d.account, d.amountSat]),
    withdrawals: [...a.withdrawals.values()].sort((x, y) => cmp(x.requestId, y.requestId)).map((w) => [w.requestId, w.account, w.amountSat, w.toScript, w.status, w.arkTxid ?? null, w.reason ?? null]),
  };
}

export function restoreArkFunds(a: ArkFundsState, snap: ArkFundsSnapshot | undefined): void {
  for (const [arkTxid, account, amountSat] of snap?.deposits ?? []) a.deposits.set(arkTxid, { arkTxid, account, amountSat });
  for (const [requestId, account, amountSat, toScript, status, arkTxid, reason] of snap?.withdrawals ?? []) {
    const w: ArkWithdrawalRecord = { requestId, account, amountSat, toScript, status };
    if (arkTxid !== null) w.arkTxid = arkTxid;
    if (reason !== null) w.reason = reason;
    a.withdrawals.set(requestId, w);
  }
}
