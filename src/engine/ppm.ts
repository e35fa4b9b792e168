// Parts per million: every rate in the engine (fees, margins, bands, spreads, basis, premiums) is an
// integer ppm and is applied through one of these, so each rounding direction is written once.
// The names say the rounding; "toward zero" is bigint division, which is the floor for the
// non-negative amounts it is used on. Number variants are exact while the products stay below 2^53.
import { ceilDiv, floorDiv } from './math.js';

export const PPM = 1_000_000n;
/** 10^6 as a number, for the rules computed in doubles (prices, basis, premiums). */
export const PPM_NUMBER = 1_000_000;
const PPM_MINUS_1 = PPM - 1n;

// ── bigint amounts (msat) ──

/** a × ppm / 10^6, toward zero. */
export function ppmOf(a: bigint, ppm: bigint): bigint {
  return (a * ppm) / PPM;
}
/** ceil(a × ppm / 10^6): one add and one division when the product is non-negative (margins). */
export function ceilPpmOf(a: bigint, ppm: bigint): bigint {
  const x = a * ppm;
  return x >= 0n ? (x + PPM_MINUS_1) / PPM : ceilDiv(x, PPM);
}
/** a × (10^6 + ppm) / 10^6, toward zero: a scaled down (ppm < 0) or up by a rate. */
export function scaleByPpm(a: bigint, ppm: number): bigint {
  return (a * BigInt(PPM_NUMBER + ppm)) / PPM;
}
/** a × (10^6 + ppm) / 10^6 rounded up, for a ≥ 0. */
export function scaleByPpmUp(a: bigint, ppm: number): bigint {
  return (a * BigInt(PPM_NUMBER + ppm) + PPM_MINUS_1) / PPM;
}

// ── fees on the order path: qty × price × ppm in doubles when exact, else bigint ──

/** floor(qty × price × ppm / 10^6) for safe integers; `ppmBig` is BigInt(ppm), converted once by the caller. */
export function floorPpm(qty: number, price: number, ppm: number, ppmBig: bigint): bigint {
  const n = qty * price;
  const x = n * ppm;
  if (x >= 0 && Number.isSafeInteger(n) && Number.isSafeInteger(x)) return BigInt((x - (x % PPM_NUMBER)) / PPM_NUMBER);
  return floorDiv(BigInt(qty) * BigInt(price) * ppmBig, PPM);
}
/** ceil(qty × price × ppm / 10^6) for safe integers; `ppmBig` is BigInt(ppm). */
export function ceilPpm(qty: number, price: number, ppm: number, ppmBig: bigint): bigint {
  const n = qty * price;
  const x = n * ppm;
  if (x >= 0 && Number.isSafeInteger(n) && Number.isSafeInteger(x)) {
    const r = x % PPM_NUMBER;
    return BigInt((x - r) / PPM_NUMBER + (r > 0 ? 1 : 0));
  }
  return ceilDiv(BigInt(qty) * BigInt(price) * ppmBig, PPM);
}

// ── prices and ratios (numbers) ──

/** floor(x × (10^6 + ppm) / 10^6). */
export function floorScaleByPpm(x: number, ppm: number): number {
  return Math.floor((x * (PPM_NUMBER + ppm)) / PPM_NUMBER);
}
/** ceil(x × (10^6 + ppm) / 10^6). */
export function ceilScaleByPpm(x: number, ppm: number): number {
  return Math.ceil((x * (PPM_NUMBER + ppm)) / PPM_NUMBER);
}
/** floor(a / b × 10^6): a ratio in ppm. */
export function floorRatioPpm(a: number, b: number): number {
  return Math.floor((a * PPM_NUMBER) / b);
}
