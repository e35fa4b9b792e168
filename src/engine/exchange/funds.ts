// Money in and out of the exchange: deposits, withdrawals (never below initial margin) and the funding of
// the insurance fund and the vault. Amounts arrive in sat and are booked in msat.
import type { DepositCommand, FundSystemCommand, WithdrawCommand } from '../commands.js';
import type { EngineEvent } from '../events.js';
import { INSURANCE, VAULT, WORLD } from '../ledger/ledger.js';
import { Rejection } from '../rejection.js';
import { MSAT_PER_SAT } from '../../units/money.js';
import { equity, initialMargin } from './margin.js';
import { ownerOf, type EngineState } from './state.js';
import { checkAccount, checkAmount } from './validation.js';

export function deposit(s: EngineState, c: DepositCommand, out: EngineEvent[]): Rejection | undefined {
  const bad = checkAccount(c.account) ?? checkAmount(c.amountSat);
  if (bad) return bad;
  out.push({ type: 'Deposit', account: c.account, amountSat: c.amountSat });
  s.ledger.transfer(WORLD, ownerOf(s, c.account), BigInt(c.amountSat) * MSAT_PER_SAT, 'deposit', out);
  return undefined;
}

export function fundSystem(s: EngineState, c: FundSystemCommand, out: EngineEvent[]): Rejection | undefined {
  if (c.account !== 'insurance' && c.account !== 'vault') return new Rejection('invalid_argument', 'account must be insurance or vault', 'account');
  const bad = checkAmount(c.amountSat);
  if (bad) return bad;
  s.ledger.transfer(WORLD, c.account === 'vault' ? VAULT : INSURANCE, BigInt(c.amountSat) * MSAT_PER_SAT, 'system_funding', out);
  return undefined;
}

export function withdraw(s: EngineState, c: WithdrawCommand, out: EngineEvent[]): Rejection | undefined {
  const bad = checkAccount(c.account) ?? checkAmount(c.amountSat);
  if (bad) return bad;
  const owner = ownerOf(s, c.account);
  const amt = BigInt(c.amountSat) * MSAT_PER_SAT;
  const refused = checkWithdrawable(s, owner, amt);
  if (refused) return refused;
  out.push({ type: 'Withdrawal', account: c.account, amountSat: c.amountSat });
  s.ledger.transfer(owner, WORLD, amt, 'withdrawal', out);
  return undefined;
}

/** Whether `owner` may take `amt` msat out: within its balance, and leaving equity at or above initial margin. */
export function checkWithdrawable(s: EngineState, owner: string, amt: bigint): Rejection | undefined {
  if (s.ledger.balance(owner) < amt) return new Rejection('insufficient_balance', 'withdrawal exceeds the free balance', 'amountSat');
  if (equity(s, owner) - amt < initialMargin(s, owner)) return new Rejection('insufficient_margin', 'withdrawal would leave equity below initial margin', 'amountSat');
  return undefined;
}
