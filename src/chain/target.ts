/** Compact "bits" <-> 256-bit target, work and difficulty, exactly as Bitcoin Core computes them. */

export const MAINNET_POW_LIMIT = (1n << 224n) - 1n; // 0x00000000ffff...ff
export const MAINNET_POW_LIMIT_BITS = 0x1d00ffff;
export const REGTEST_POW_LIMIT = (1n << 255n) - 1n; // 0x7fff...ff
export const TWO_256 = 1n << 256n;

/** arith_uint256::SetCompact. Negative or overflowing encodings are reported, not silently used. */
export function bitsToTarget(bits: number): { target: bigint; negative: boolean; overflow: boolean } {
  const size = bits >>> 24;
  let word = BigInt(bits & 0x007fffff);
  let target: bigint;
  if (size <= 3) {
    word >>= BigInt(8 * (3 - size));
    target = word;
  } else {
    target = word << BigInt(8 * (size - 3));
  }
  const negative = word !== 0n && (bits & 0x00800000) !== 0;
  const overflow = word !== 0n && (size > 34 || (word > 0xffn && size > 33) || (word > 0xffffn && size > 32));
  return { target: target & (TWO_256 - 1n), negative, overflow };
}

/** The target of bits that are known to be well formed. */
export function targetOf(bits: number): bigint {
  return bitsToTarget(bits).target;
}

/** arith_uint256::GetCompact. */
export function targetToBits(target: bigint): number {
  let size = byteLength(target);
  let compact: bigint;
  if (size <= 3) compact = target << BigInt(8 * (3 - size));
  else compact = target >> BigInt(8 * (size - 3));
  if (compact & 0x00800000n) {
    compact >>= 8n;
    size += 1;
  }
  return Number(compact | (BigInt(size) << 24n)) >>> 0;
}

function byteLength(x: bigint): number {
  let n = 0;
  while (x > 0n) {
    x >>= 8n;
    n++;
  }
  return n;
}

/** Expected hashes to find a block at this target (GetBlockProof): 2^256 / (target + 1). */
export function workOfTarget(target: bigint): bigint {
  return TWO_256 / (target + 1n);
}

export function workOfBits(bits: number): bigint {
  return workOfTarget(targetOf(bits));
}

/** Difficulty relative to the mainnet minimum (target of 0x1d00ffff), as a float for display/models. */
export function difficultyOfBits(bits: number): number {
  const t = targetOf(bits);
  const d1 = targetOf(MAINNET_POW_LIMIT_BITS);
  // Keep 15 significant digits: scale before the float division.
  const scaled = (d1 * 10n ** 18n) / t;
  return Number(scaled) / 1e18;
}

/** A header hash (display hex) as a number to compare with a target. */
export function hashToBigInt(displayHex: string): bigint {
  return BigInt('0x' + displayHex);
}
