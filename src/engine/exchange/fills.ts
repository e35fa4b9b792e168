// Books what the order book returned for a taker: self-trade expiries, each fill (positions, maker and
// taker or liquidation fees, trade events), the taker's remainder, then every touched position once.
import type { Fill, RestingOrder, SubmitResult } from '../book/types.js';
import type { EngineEvent } from '../events.js';
import * as ledgerModule from '../ledger/ledger.js';
import * as math from '../math.js';
import * as ppm from '../ppm.js';
import * as orders from './orders.js';
import * as positions from './positions.js';
import { accountOf, cmp, type EngineState, type MarketState, type OrderMeta } from './state.js';

// Bound once (see positions.ts).
const { maxBig, minBig, mulBig } = math;
const { floorPpm } = ppm;
const { FEES, INSURANCE } = ledgerModule;
const { addResting, enforceReduceOnly, reduceResting, removeResting } = orders;
const { applyFill, gc } = positions;

/** Books a SubmitResult: STP expiries, fills (positions, fees), then the taker's remainder. */
export function processResult(s: EngineState, m: MarketState, taker: OrderMeta, res: SubmitResult, liquidation: boolean, out: EngineEvent[]): void {
  for (const e of res.expired) expire(s, m, e, out);
  for (const f of res.fills) bookFill(s, m, f, liquidation, out);
  if (res.restingQty > 0) {
    taker.qty = res.restingQty;
    addResting(s, m, taker);
    out.push({ type: 'OrderResting', orderId: taker.id, account: accountOf(taker.owner), market: m.spec.id, side: taker.side, price: taker.price, qty: taker.qty });
  } else if (res.cancelledQty > 0) {
    out.push({ type: 'OrderCancelled', orderId: taker.id, account: accountOf(taker.owner), market: m.spec.id, remainingQty: res.cancelledQty, reason: 'ioc_remainder' });
  } else {
    out.push({ type: 'OrderFilled', orderId: taker.id, account: accountOf(taker.owner), market: m.spec.id });
  }
  if (res.fills.length === 0) return;
  const touched = [taker.owner];
  for (const f of res.fills) if (!touched.includes(f.makerAccount)) touched.push(f.makerAccount);
  // Distinct owners in name order; two (one maker) is the common case and needs no sort() call.
  if (touched.length === 2) {
    const a = touched[0] as string, b = touched[1] as string;
    if (b < a) { touched[0] = b; touched[1] = a; }
  } else if (touched.length > 2) {
    touched.sort(cmp);
  }
  for (let i = 0; i < touched.length; i++) {
    const owner = touched[i] as string;
    const p = m.positions.get(owner);
    out.push({ type: 'PositionChanged', account: accountOf(owner), market: m.spec.id, qty: p?.qty ?? 0, costMsat: p?.cost ?? 0n });
    if (p === undefined) continue; // no position: nothing to trim or collect
    if (p.reduceOnlyIds !== undefined) enforceReduceOnly(s, m, owner, out);
    gc(m, owner);
  }
}

function expire(s: EngineState, m: MarketState, e: RestingOrder, out: EngineEvent[]): void {
  const meta = m.orders.get(e.id) as OrderMeta;
  removeResting(s, m, meta);
  out.push({ type: 'OrderExpired', orderId: e.id, account: accountOf(e.account), market: m.spec.id, remainingQty: e.qty, reason: 'self_trade' });
}

function bookFill(s: EngineState, m: MarketState, f: Fill, liquidation: boolean, out: EngineEvent[]): void {
  const maker = m.orders.get(f.makerId) as OrderMeta;
  if (f.makerRemaining === 0) {
    reduceResting(m, maker, 0);
    removeResting(s, m, maker);
  } else {
    reduceResting(m, maker, f.makerRemaining);
  }
  const dq = f.takerSide === 'buy' ? f.qty : -f.qty;
  const notional = mulBig(f.qty, f.price); // once per fill: both positions and the fees use it
  applyFill(m, f.takerAccount, dq, f.price, notional);
  applyFill(m, f.makerAccount, -dq, f.price, notional);
  const spec = m.spec;
  const ledger = s.ledger;
  let takerFee: bigint;
  if (liquidation) {
    takerFee = minBig(floorPpm(f.qty, f.price, spec.liquidationFeePpm, m.rates.liquidationFeePpm), maxBig(0n, ledger.balance(f.takerAccount)));
  } else {
    takerFee = floorPpm(f.qty, f.price, spec.takerFeePpm, m.rates.takerFeePpm);
  }
  const makerFee = spec.makerFeePpm === 0 ? 0n
    : minBig(floorPpm(f.qty, f.price, spec.makerFeePpm, m.rates.makerFeePpm), ledger.balance(f.makerAccount));
  out.push({
    type: 'Trade', market: m.spec.id, price: f.price, qty: f.qty, takerSide: f.takerSide, makerOrderId: f.makerId,
    takerOrderId: f.takerId, maker: accountOf(f.makerAccount), taker: accountOf(f.takerAccount),
    makerFeeMsat: makerFee, takerFeeMsat: takerFee, liquidation,
  });
  ledger.transfer(f.takerAccount, liquidation ? INSURANCE : FEES, takerFee, liquidation ? 'liquidation_fee' : 'taker_fee', out, m.spec.id);
  if (makerFee > 0n) ledger.transfer(f.makerAccount, FEES, makerFee, 'maker_fee', out, m.spec.id);
  if (f.makerRemaining === 0) out.push({ type: 'OrderFilled', orderId: f.makerId, account: accountOf(f.makerAccount), market: m.spec.id });
}
