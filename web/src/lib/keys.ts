import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { InvalidArgumentError } from '../../../src/units/errors.js';

/** An account is a BIP-340 key; the secret never leaves this browser's storage. */
export interface AccountKey {
  secretKeyHex: string;
  /** x-only public key, 32 bytes hex: the account id the server knows. */
  publicKeyHex: string;
}

/** The part of `Storage` we use, so tests can pass a Map-backed one. */
export interface KeyStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export const STORAGE_KEY = 'hashperp.accountKey.v1';

export function keyFromSecretHex(hex: string): AccountKey {
  const t = hex.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(t)) throw new InvalidArgumentError('secretKey', 'expected 64 hexadecimal characters (32 bytes)');
  const sk = hexToBytes(t);
  if (!secp256k1.utils.isValidSecretKey(sk)) throw new InvalidArgumentError('secretKey', 'not a valid secp256k1 secret key (zero or not below the curve order)');
  return { secretKeyHex: t, publicKeyHex: bytesToHex(schnorr.getPublicKey(sk)) };
}

export function generateKey(): AccountKey {
  return keyFromSecretHex(bytesToHex(schnorr.utils.randomSecretKey()));
}

export function loadKey(storage: KeyStorage): AccountKey | undefined {
  const v = storage.getItem(STORAGE_KEY);
  if (v === null) return undefined;
  try {
    return keyFromSecretHex(v);
  } catch {
    return undefined; // a corrupted entry is treated as no key; the UI offers to create or import one
  }
}

export function saveKey(storage: KeyStorage, key: AccountKey): void {
  storage.setItem(STORAGE_KEY, key.secretKeyHex);
}

export function forgetKey(storage: KeyStorage): void {
  storage.removeItem(STORAGE_KEY);
}
