import { HPI_PERP } from '../../../src/engine/products/perp/spec.js';
import { InvalidArgumentError } from '../../../src/units/errors.js';

/**
 * HPI-PERP margin arithmetic (DESIGN.md "Products"): lot = 1 TH/s·day = 0.001 PH·day, price in sat/PH/day,
 * so notional = lots × price / 1000 sat = lots × price msat exactly. Rates are parts per million so no float
 * touches money.
 */
export const PPM = 1_000_000n;
// The engine's own contract parameters (10 % IM, 5 % MM, 0.2 % taker, 0 % maker), so the preview cannot drift from them.
export const INITIAL_MARGIN_PPM = BigInt(HPI_PERP.initialMarginPpm);
export const MAINTENANCE_MARGIN_PPM = BigInt(HPI_PERP.maintenanceMarginPpm);
export const TAKER_FEE_PPM = BigInt(HPI_PERP.takerFeePpm);
export const MAKER_FEE_PPM = BigInt(HPI_PERP.makerFeePpm);

export type Side = 'buy' | 'sell';

function lotsPrice(lots: number, price: number): [bigint, bigint] {
  if (!Number.isSafeInteger(lots) || lots <= 0) throw new InvalidArgumentError('qty', `expected a positive whole number of lots, got ${String(lots)}`);
  if (!Number.isSafeInteger(price) || price <= 0) throw new InvalidArgumentError('price', `expected a positive integer tick (sat/PH/day), got ${String(price)}`);
  return [BigInt(lots), BigInt(price)];
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? (a + b - 1n) / b : a / b);

export function notionalMsat(lots: number, price: number): bigint {
  const [l, p] = lotsPrice(lots, price);
  return l * p;
}

/** Margin is rounded up to the msat so a preview never promises less than the engine asks. */
export function initialMarginMsat(lots: number, price: number): bigint {
  return ceilDiv(notionalMsat(lots, price) * INITIAL_MARGIN_PPM, PPM);
}

export function maintenanceMarginMsat(lots: number, price: number): bigint {
  return ceilDiv(notionalMsat(lots, price) * MAINTENANCE_MARGIN_PPM, PPM);
}

export function feeMsat(lots: number, price: number, liquidity: 'taker' | 'maker'): bigint {
  return ceilDiv(notionalMsat(lots, price) * (liquidity === 'taker' ? TAKER_FEE_PPM : MAKER_FEE_PPM), PPM);
}

/**
 * The first whole tick at which a position opened at `entry` with `collateralMsat` posted (isolated) is below
 * maintenance: equity = C + side·lots·(P − entry) msat < 5 % × lots × P.
 *   long : P < (lots·entry − C) / (lots·(1 − m))  -> highest such tick
 *   short: P > (lots·entry + C) / (lots·(1 + m))  -> lowest such tick
 * null when a long is collateralised so fully that no positive price liquidates it.
 */
export function liquidationPrice(side: Side, lots: number, entry: number, collateralMsat: bigint): number | null {
  const [l, e] = lotsPrice(lots, entry);
  if (collateralMsat < 0n) throw new InvalidArgumentError('collateral', 'must not be negative');
  if (side === 'buy') {
    const num = (l * e - collateralMsat) * PPM;
    const den = l * (PPM - MAINTENANCE_MARGIN_PPM);
    if (num <= 0n) return null;
    const highest = ceilDiv(num, den) - 1n; // strictly below the break point
    return highest >= 1n ? Number(highest) : null;
  }
  const num = (l * e + collateralMsat) * PPM;
  const den = l * (PPM + MAINTENANCE_MARGIN_PPM);
  return Number(num / den + 1n); // strictly above the break point
}

/** PnL of a position in msat at `price`: lots × Δprice, signed by side. */
export function pnlMsat(side: Side, lots: number, entry: number, price: number): bigint {
  const [l, e] = lotsPrice(lots, entry);
  const [, p] = lotsPrice(lots, price);
  return side === 'buy' ? l * (p - e) : l * (e - p);
}

export interface OrderPreview {
  notionalMsat: bigint;
  initialMarginMsat: bigint;
  feeMsat: bigint;
  /** Margin plus fee: what the free balance must cover. Zero margin for reduce-only orders. */
  requiredMsat: bigint;
  liquidationPrice: number | null;
}

/**
 * What an order costs before it is sent, assuming it fills in full at `price` and is margined alone at
 * initial margin (the engine's cross margin can only make liquidation further away, never nearer).
 */
export function previewOrder(o: { side: Side; qty: number; price: number; liquidity: 'taker' | 'maker'; reduceOnly: boolean }): OrderPreview {
  const n = notionalMsat(o.qty, o.price);
  const im = o.reduceOnly ? 0n : initialMarginMsat(o.qty, o.price);
  const fee = feeMsat(o.qty, o.price, o.liquidity);
  return {
    notionalMsat: n,
    initialMarginMsat: im,
    feeMsat: fee,
    requiredMsat: im + fee,
    liquidationPrice: o.reduceOnly ? null : liquidationPrice(o.side, o.qty, o.price, initialMarginMsat(o.qty, o.price)),
  };
}
