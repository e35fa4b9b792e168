// Integer helpers for the engine: rounding direction is explicit wherever a division happens.

/** floor(a / b) for bigint, b > 0. */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && (a < 0n) !== (b < 0n)) ? q - 1n : q;
}
/** ceil(a / b) for bigint, b > 0. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return -floorDiv(-a, b);
}
export function absBig(a: bigint): bigint {
  return a < 0n ? -a : a;
}
export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
export const PPM = 1_000_000n;

// Hot-path helpers. Each bigint operation allocates, and apply() runs a million times a second, so
// products of safe integers are taken in doubles when the result is exact (an integer product of at most
// 2^53 − 1 is exact in a double; a larger one fails Number.isSafeInteger) and converted to bigint once;
// otherwise they fall back to bigint arithmetic. The values are identical either way (test/engine/golden.test.ts).
const MICRO = 1_000_000;
const PPM_MINUS_1 = PPM - 1n;

/** BigInt(a) × BigInt(b) for safe integers a, b. */
export function mulBig(a: number, b: number): bigint {
  const p = a * b;
  return Number.isSafeInteger(p) ? BigInt(p) : BigInt(a) * BigInt(b);
}
/** floor(qty × price × ppm / 10^6) for safe integers; `ppmBig` is BigInt(ppm), converted once by the caller. */
export function floorPpm(qty: number, price: number, ppm: number, ppmBig: bigint): bigint {
  const n = qty * price;
  const x = n * ppm;
  if (x >= 0 && Number.isSafeInteger(n) && Number.isSafeInteger(x)) return BigInt((x - (x % MICRO)) / MICRO);
  return floorDiv(BigInt(qty) * BigInt(price) * ppmBig, PPM);
}
/** ceil(qty × price × ppm / 10^6) for safe integers; `ppmBig` is BigInt(ppm). */
export function ceilPpm(qty: number, price: number, ppm: number, ppmBig: bigint): bigint {
  const n = qty * price;
  const x = n * ppm;
  if (x >= 0 && Number.isSafeInteger(n) && Number.isSafeInteger(x)) {
    const r = x % MICRO;
    return BigInt((x - r) / MICRO + (r > 0 ? 1 : 0));
  }
  return ceilDiv(BigInt(qty) * BigInt(price) * ppmBig, PPM);
}
/** ceil(a × ppm / 10^6): one add and one division when the product is non-negative (margins). */
export function ceilPpmOf(a: bigint, ppmBig: bigint): bigint {
  const x = a * ppmBig;
  return x >= 0n ? (x + PPM_MINUS_1) / PPM : ceilDiv(x, PPM);
}
