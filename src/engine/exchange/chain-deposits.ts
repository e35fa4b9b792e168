// On-chain deposits credited by the custodial deposit addresses (src/server/custody.ts), once per
// outpoint: the outpoint is engine state (and in the snapshot), so the credit and the record that it
// happened are one journal entry. A crash between the credit and the server's own api_deposits row
// then cannot credit twice: the rescan's second credit is refused and the row is written.
import type { ChainDepositCommand } from '../commands.js';
import type { EngineEvent } from '../events.js';
import { WORLD } from '../ledger/ledger.js';
import { Rejection } from '../rejection.js';
import { MSAT_PER_SAT } from '../../units/money.js';
import { cmp, ownerOf, type EngineState } from './state.js';
import { checkAccount, checkAmount } from './validation.js';

const OUTPOINT = /^[0-9a-f]{64}:(0|[1-9][0-9]{0,5})$/;

export function chainDeposit(s: EngineState, c: ChainDepositCommand, out: EngineEvent[]): Rejection | undefined {
  const bad = checkAccount(c.account) ?? checkAmount(c.amountSat);
  if (bad) return bad;
  if (typeof c.outpoint !== 'string' || !OUTPOINT.test(c.outpoint)) return new Rejection('invalid_argument', 'outpoint must be <txid hex>:<vout>', 'outpoint');
  if (s.chainDeposits.has(c.outpoint)) return new Rejection('duplicate_deposit', `outpoint ${c.outpoint} is already credited`, 'outpoint');
  s.chainDeposits.set(c.outpoint, { account: c.account, amountSat: c.amountSat });
  out.push({ type: 'Deposit', account: c.account, amountSat: c.amountSat });
  s.ledger.transfer(WORLD, ownerOf(s, c.account), BigInt(c.amountSat) * MSAT_PER_SAT, 'deposit', out);
  return undefined;
}

/** Sorted rows; undefined while empty (older snapshots and their hashes stay as they were). */
export function chainDepositsSnapshot(m: EngineState['chainDeposits']): [string, string, number][] | undefined {
  if (m.size === 0) return undefined;
  return [...m.entries()].sort(([a], [b]) => cmp(a, b)).map(([o, d]) => [o, d.account, d.amountSat]);
}

export function restoreChainDeposits(m: EngineState['chainDeposits'], rows: [string, string, number][] | undefined): void {
  for (const [o, account, amountSat] of rows ?? []) m.set(o, { account, amountSat });
}
