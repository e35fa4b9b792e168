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
