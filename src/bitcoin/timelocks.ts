import { Script } from '@scure/btc-signer';
import type { RelativeTimelock } from '@arkade-os/sdk';
import { InvalidArgumentError } from '../units/errors.js';
import { invalidField } from '../units/checks.js';

/** nLockTime values at or above this are UNIX times (BIP-65 / consensus), below it block heights. */
export const LOCKTIME_THRESHOLD = 500_000_000;

export type AbsoluteKind = 'height' | 'time';

export function absoluteKind(v: bigint | number): AbsoluteKind {
  return BigInt(v) >= BigInt(LOCKTIME_THRESHOLD) ? 'time' : 'height';
}

export function assertHeight(field: string, h: number): number {
  if (!Number.isSafeInteger(h) || h < 1 || h >= LOCKTIME_THRESHOLD) throw invalidField(field, `a block height in [1, ${LOCKTIME_THRESHOLD})`, h);
  return h;
}

export function assertUnixTime(field: string, t: number): number {
  if (!Number.isSafeInteger(t) || t < LOCKTIME_THRESHOLD || t > 0xffffffff) throw invalidField(field, `a UNIX time in [${LOCKTIME_THRESHOLD}, 2^32)`, t);
  return t;
}

/** BIP-68 limits: 16-bit value; time-based locks count 512-second units. */
export function assertRelative(field: string, t: RelativeTimelock): RelativeTimelock {
  if (t.type === 'blocks') {
    if (t.value < 1n || t.value > 0xffffn) throw new InvalidArgumentError(field, `blocks must be in [1, 65535], got ${t.value}`);
  } else if (t.type === 'seconds') {
    if (t.value < 512n || t.value % 512n !== 0n || t.value / 512n > 0xffffn) throw new InvalidArgumentError(field, `seconds must be a positive multiple of 512 up to 65535*512, got ${t.value}`);
  } else {
    throw new InvalidArgumentError(field, 'type must be blocks or seconds');
  }
  return t;
}

/** The condition script `<n> OP_CHECKLOCKTIMEVERIFY`: leaves n on the stack, which the template's VERIFY consumes. */
export function cltvCondition(locktime: number): Uint8Array {
  return Script.encode([locktime, 'CHECKLOCKTIMEVERIFY']);
}

/** Reads `<n> OP_CHECKLOCKTIMEVERIFY` back; undefined for any other condition. */
export function parseCltvCondition(cond: Uint8Array): bigint | undefined {
  let ops: ReturnType<typeof Script.decode>;
  try {
    ops = Script.decode(cond);
  } catch {
    return undefined;
  }
  if (ops.length !== 2 || ops[1] !== 'CHECKLOCKTIMEVERIFY') return undefined;
  const n = ops[0];
  if (typeof n === 'number') return BigInt(n);
  if (n instanceof Uint8Array) return scriptNumToBigInt(n);
  return undefined;
}

function scriptNumToBigInt(b: Uint8Array): bigint | undefined {
  if (b.length === 0 || b.length > 5) return undefined;
  let v = 0n;
  for (let i = 0; i < b.length; i++) v |= BigInt(b[i]! & (i === b.length - 1 ? 0x7f : 0xff)) << BigInt(8 * i);
  if (b[b.length - 1]! & 0x80) return -v;
  return v;
}
