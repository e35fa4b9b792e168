// Per-block mark settlement through the market's settlement pool (`settle:<market>`): every position is
// settled to the mark together with this block's funding, losers pay in first, then winners are paid out.
// A payer shortfall is covered by the insurance fund, then the vault, then winners are paid pro rata.
import type { EngineEvent } from '../events.js';
import { FEES, INSURANCE, VAULT, settleAccount } from '../ledger/ledger.js';
import * as math from '../math.js';
import { PPM } from '../ppm.js';
import * as positions from './positions.js';
import type { EngineState, MarketState, Position } from './state.js';

// Bound once (see positions.ts): settlement visits every position at every block.
const { ceilDiv, maxBig, minBig, mulBig } = math;
const { gc, ownersSorted } = positions;

/**
 * Settles every position of `m` to `mark` with this block's funding (1/fundingBlocks of the 8-hour rate).
 * Payers round up and receivers down (ceil of the signed amount), so the pool keeps the dust, which goes to fees.
 */
export function settle(s: EngineState, m: MarketState, mark: number, height: number, out: EngineEvent[]): void {
  const ledger = s.ledger;
  const pool = settleAccount(m.spec.id);
  const div = PPM * BigInt(m.spec.fundingBlocks);
  const rate = BigInt(m.rate8hPpm);
  const receivers: [string, bigint][] = [];
  let shortfall = 0n;
  const owners = ownersSorted(m); // never mutated: gc() below replaces the cache, it does not edit it
  for (let i = 0; i < owners.length; i++) {
    const owner = owners[i] as string;
    const p = m.positions.get(owner) as Position;
    if (p.qty === 0 && p.cost === 0n) continue;
    const value = p.qty === 0 ? 0n : mulBig(p.qty, mark);
    const funding = rate === 0n || value === 0n ? 0n : ceilDiv(value * rate, div);
    const sv = value - p.cost - funding;
    p.cost = value;
    if (sv < 0n) {
      const bal = ledger.balance(owner);
      const pay = minBig(-sv, bal > 0n ? bal : 0n);
      ledger.transfer(owner, pool, pay, 'pnl_settlement', out, m.spec.id);
      shortfall += -sv - pay;
    } else if (sv > 0n) {
      receivers.push([owner, sv]);
    }
    if (p.qty === 0) gc(m, owner);
  }
  let owed = 0n;
  for (const [, sv] of receivers) owed += sv;
  let covered = 0n, haircut = 0n;
  if (shortfall > 0n) {
    for (const src of [INSURANCE, VAULT]) {
      const need = owed - ledger.balance(pool);
      if (need <= 0n) break;
      const take = minBig(need, maxBig(0n, ledger.balance(src)));
      ledger.transfer(src, pool, take, 'shortfall_cover', out, m.spec.id);
      covered += take;
    }
  }
  const avail = ledger.balance(pool);
  const scale = avail < owed;
  for (const [owner, sv] of receivers) {
    const pay = scale ? (sv * avail) / owed : sv;
    haircut += sv - pay;
    ledger.transfer(pool, owner, pay, 'pnl_settlement', out, m.spec.id);
  }
  if (shortfall > 0n) out.push({ type: 'SettlementShortfall', market: m.spec.id, height, shortfallMsat: shortfall, coveredMsat: covered, haircutMsat: haircut });
  ledger.transfer(pool, FEES, ledger.balance(pool), 'settlement_dust', out, m.spec.id);
}
