import { schnorr } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { InvalidArgumentError } from '../units/errors.js';
import { isXOnlyKey } from '../units/checks.js';

/** A BIP-340 key pair: 32-byte secret, 32-byte x-only public key. */
export interface KeyPair {
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function keyPairFromSecret(secretKey: Uint8Array): KeyPair {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) throw new InvalidArgumentError('secretKey', 'expected 32 bytes');
  return { secretKey, publicKey: schnorr.getPublicKey(secretKey) };
}

export function randomKeyPair(): KeyPair {
  return keyPairFromSecret(schnorr.utils.randomSecretKey());
}

/** Deterministic key for tests and regtest runs: never for real funds. */
export function keyPairFromSeedLabel(label: string): KeyPair {
  const seed = new TextEncoder().encode(label);
  const sk = schnorr.utils.taggedHash('HashPerp/regtest-key', seed);
  return keyPairFromSecret(sk);
}

export function parseXOnly(field: string, v: string | Uint8Array): Uint8Array {
  let b: Uint8Array;
  try {
    b = typeof v === 'string' ? hex.decode(v) : v;
  } catch {
    throw new InvalidArgumentError(field, 'not hex');
  }
  if (b.length === 33 && (b[0] === 2 || b[0] === 3)) b = b.subarray(1);
  if (b.length !== 32) throw new InvalidArgumentError(field, `expected a 32-byte x-only public key, got ${b.length} bytes`);
  if (!isXOnlyKey(b)) throw new InvalidArgumentError(field, 'not a point on secp256k1');
  return b;
}

export const toHex = (b: Uint8Array): string => hex.encode(b);
export const fromHex = (s: string): Uint8Array => hex.decode(s);
