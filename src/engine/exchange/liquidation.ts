// Liquidations, swept at every block after settlement for every account below maintenance margin:
// cancel its orders → IOC close in the book within the band (fee to insurance) → the rest to the vault at
// the bankruptcy price if the vault stays above maintenance → otherwise ADL (adl.ts), the vault taking
// what ADL could not place.
import type { Side } from '../book/types.js';
import type { EngineEvent } from '../events.js';
import { INSURANCE, VAULT, settleAccount } from '../ledger/ledger.js';
import * as math from '../math.js';
import * as ppm from '../ppm.js';
import { bandEdge } from '../products/perp/pricing.js';
import { autoDeleverage } from './adl.js';
import { processResult } from './fills.js';
import { equity, maintenanceMargin, mmOf } from './margin.js';
import { cancelAllOf } from './orders.js';
import * as positions from './positions.js';
import { accountOf, cmp, markOf, type EngineState, type MarketState, type Position } from './state.js';
import { movePosition } from './transfers.js';

// Bound once (see positions.ts): the sweep visits every owner at every block.
const { floorDiv, maxBig, mulBig } = math;
const { ceilPpmOf } = ppm;
const { gc, ownersSorted } = positions;

/** Users with an open position in any market, in name order. */
function usersWithPositions(s: EngineState): string[] {
  const list = s.marketList;
  if (list.length === 1) {
    const m = list[0] as MarketState;
    return ownersSorted(m).filter((o) => (m.positions.get(o) as Position).qty !== 0 && o.startsWith('user:'));
  }
  const owners = new Set<string>();
  for (const m of list) {
    for (const [o, p] of m.positions) if (p.qty !== 0 && o.startsWith('user:')) owners.add(o);
  }
  return [...owners].sort(cmp);
}

export function liquidationSweep(s: EngineState, seq: number, out: EngineEvent[]): void {
  const owners = usersWithPositions(s);
  let k = 0;
  // Marks only move when a liquidation trades, so they are read once and again after each liquidation.
  const list = s.marketList;
  const marks = list.map((m) => markOf(m) ?? 0);
  for (const owner of owners) {
    let mm = 0n;
    let eq = s.ledger.balance(owner);
    for (let i = 0; i < list.length; i++) {
      const m = list[i] as MarketState;
      const p = m.positions.get(owner);
      if (p === undefined) continue;
      const pn = mulBig(p.qty, marks[i] as number);
      if (p.qty !== 0) mm += ceilPpmOf(pn < 0n ? -pn : pn, m.rates.maintenanceMarginPpm);
      eq += pn - p.cost;
    }
    if (mm === 0n || eq >= mm) continue;
    k = liquidate(s, owner, seq, k, out);
    for (let i = 0; i < list.length; i++) marks[i] = markOf(list[i] as MarketState) ?? 0;
  }
}

/**
 * The liquidation close's limit: the band edge around mark, but never beyond the bankruptcy price (BitMEX closes
 * at the bankruptcy price): with equity E over q lots at mark M, a sell no lower than M − E/q and a buy no higher
 * than M + E/q, so the book close itself never leaves a debt for the insurance fund to cover.
 */
function closeLimit(side: Side, mark: number, equityMsat: bigint, qty: number, m: MarketState): number {
  const tick = m.spec.tick;
  const band = bandEdge(side, mark, m.spec.liquidationBandPpm, tick);
  const q = BigInt(qty);
  if (side === 'sell') {
    const b = BigInt(mark) - floorDiv(equityMsat, q); // ceil(M − E/q)
    const t = BigInt(tick);
    const bt = Number(((b + t - 1n) / t) * t);
    return Math.max(band, bt);
  }
  const b = BigInt(mark) + floorDiv(equityMsat, q); // floor(M + E/q)
  const bt = Number(b - (((b % BigInt(tick)) + BigInt(tick)) % BigInt(tick)));
  return Math.max(tick, Math.min(band, bt));
}

/** Liquidates every position of `owner`; `k` numbers this block's liquidation orders (ids −(seq·1024 + k)). */
function liquidate(s: EngineState, owner: string, seq: number, k: number, out: EngineEvent[]): number {
  const ledger = s.ledger;
  for (const m of s.markets.values()) cancelAllOf(s, m, owner, 'liquidation', out);
  let escrowed = false;
  for (const m of s.markets.values()) {
    const p = m.positions.get(owner);
    if (p === undefined || p.qty === 0) continue;
    const mark = markOf(m) as number;
    const startQty = p.qty;
    const side: Side = p.qty > 0 ? 'sell' : 'buy';
    const limit = closeLimit(side, mark, equity(s, owner), Math.abs(p.qty), m);
    const id = -(seq * 1024 + ++k);
    const res = m.book.submit({ id, account: owner, side, price: limit, qty: Math.abs(p.qty), tif: 'IOC', postOnly: false });
    let feeMsat = 0n;
    if (res.accepted) {
      const before = ledger.balance(INSURANCE);
      processResult(s, m, { id, owner, market: m.spec.id, side, price: limit, qty: Math.abs(p.qty), reduceOnly: true }, res, true, out);
      feeMsat = ledger.balance(INSURANCE) - before;
    }
    const rest = m.positions.get(owner)?.qty ?? 0;
    let toVault = 0, toAdl = 0;
    if (rest !== 0) {
      const rp = m.positions.get(owner) as Position;
      if (!escrowed) {
        // Bankruptcy price: fold the remaining balance into the position's cost, so what moves on is worth
        // exactly the account's equity (negative when bankrupt). The balance goes to the settlement pool.
        const bal = maxBig(0n, ledger.balance(owner));
        ledger.transfer(owner, settleAccount(m.spec.id), bal, 'liquidation_to_vault', out, m.spec.id);
        rp.cost -= bal;
        escrowed = true;
      }
      const M = BigInt(mark);
      const value = BigInt(rp.qty) * M - rp.cost;
      const vp = m.positions.get(VAULT);
      const vaultQtyAfter = (vp?.qty ?? 0) + rp.qty;
      const vaultMmAfter = maintenanceMargin(s, VAULT) - (vp ? mmOf(m, vp.qty, M) : 0n) + mmOf(m, vaultQtyAfter, M);
      if (equity(s, VAULT) + value >= vaultMmAfter) {
        toVault = Math.abs(rp.qty);
        movePosition(s, m, owner, VAULT, rp.qty, out);
      } else {
        toAdl = autoDeleverage(s, m, owner, M, out);
        const left = m.positions.get(owner)?.qty ?? 0;
        if (left !== 0) {
          toVault = Math.abs(left);
          movePosition(s, m, owner, VAULT, left, out);
        }
      }
      gc(m, owner);
    }
    out.push({
      type: 'Liquidation', account: accountOf(owner), market: m.spec.id, mark, positionQty: startQty,
      closedInBook: Math.abs(startQty) - Math.abs(rest), toVault, toAdl, feeMsat, remainingBalanceMsat: ledger.balance(owner),
    });
  }
  return k;
}
