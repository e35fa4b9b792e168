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

// Each bigint operation allocates, and apply() runs a million times a second, so products of safe
// integers are taken in doubles when the result is exact (an integer product of at most 2^53 − 1 is
// exact in a double; a larger one fails Number.isSafeInteger) and converted to bigint once.

/** BigInt(a) × BigInt(b) for safe integers a, b. */
export function mulBig(a: number, b: number): bigint {
  const p = a * b;
  return Number.isSafeInteger(p) ? BigInt(p) : BigInt(a) * BigInt(b);
}
