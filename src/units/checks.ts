/**
 * Named-argument checks in the style of noble's `aInRange(title, n, min, max)`: each names the field it
 * refuses, so the caller's error says what was wrong and where. Pure (no I/O); assertSafeInteger
 * (errors.ts) is the integer one.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { InvalidArgumentError } from './errors.js';

/** How a refused value is shown: strings quoted (JSON), everything else as String() gives it. */
export function shown(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * The one refusal of a field: `<field>: expected <what>, got <value>`. Returns the error so the
 * caller writes `throw invalidField(...)` and the compiler sees the throw.
 */
export function invalidField(field: string, expected: string, got: unknown): InvalidArgumentError {
  return new InvalidArgumentError(field, `expected ${expected}, got ${shown(got)}`);
}

/** An account id on the wire: a BIP-340 x-only public key as 64 lower-case hex digits. */
export const ACCOUNT_ID_RE = /^[0-9a-f]{64}$/;

/** Whether `v` has the account-id form (64 lower-case hex digits); cheap, no curve arithmetic. */
export function isAccountId(v: unknown): v is string {
  return typeof v === 'string' && ACCOUNT_ID_RE.test(v);
}

/**
 * A ledger account name in the engine: 1..128 characters of [A-Za-z0-9_.-]. Wider than an account id
 * (every account id is one; system and demo accounts are names that are not keys).
 */
export const ACCOUNT_NAME_RE = /^[A-Za-z0-9_.-]{1,128}$/;

export function isAccountName(v: unknown): v is string {
  return typeof v === 'string' && ACCOUNT_NAME_RE.test(v);
}

/** Whether 32 bytes (or 64 hex digits) are the x coordinate of a point on secp256k1 (BIP-340 lift_x). */
export function isXOnlyKey(x: Uint8Array | string): boolean {
  const h = typeof x === 'string' ? x : Array.from(x, (b) => b.toString(16).padStart(2, '0')).join('');
  if (!/^[0-9a-fA-F]{64}$/.test(h)) return false;
  try {
    schnorr.utils.lift_x(BigInt('0x' + h));
    return true;
  } catch {
    return false;
  }
}

/**
 * The account-id check: `v` must be a 32-byte x-only BIP-340 public key in lower-case hex (the form
 * the API, the signatures and the ledger use). Returns `v`; refuses with InvalidArgumentError(field).
 */
export function accountId(field: string, v: unknown): string {
  if (!isAccountId(v)) throw invalidField(field, 'an account id (a BIP-340 x-only public key as 64 lower-case hex digits)', v);
  if (!isXOnlyKey(v)) throw invalidField(field, 'an account id on secp256k1 (no curve point has this x)', v);
  return v;
}
