/**
 * API keys an account key authorises (created by a Schnorr-signed request). The secret is an
 * HMAC key; the hot trading path verifies an HMAC instead of a Schnorr signature.
 * MemoryApiKeyStore keeps them in memory; SqliteApiKeyStore extends it and writes through to disk.
 */
import { bytesToHex, randomBytes } from '@noble/hashes/utils.js';
import type { ApiKeyInfo, ApiKeyScope } from '../schemas.js';

export interface ApiKeyRecord extends ApiKeyInfo {
  account: string;
  secret: string;
}

export interface ApiKeyStore {
  create(account: string, label: string, scopes: ApiKeyScope[], nowMs: number): ApiKeyRecord;
  get(keyId: string): ApiKeyRecord | undefined;
  list(account: string): ApiKeyRecord[];
  /** false when the key does not exist or belongs to another account. */
  revoke(account: string, keyId: string): boolean;
}

export class MemoryApiKeyStore implements ApiKeyStore {
  /** The lookup the signed-request hot path reads; persistent stores load it at open and write through. */
  protected readonly keys = new Map<string, ApiKeyRecord>();
  constructor(readonly maxPerAccount = 20) {}

  create(account: string, label: string, scopes: ApiKeyScope[], nowMs: number): ApiKeyRecord {
    const rec: ApiKeyRecord = {
      keyId: bytesToHex(randomBytes(16)),
      secret: bytesToHex(randomBytes(32)),
      account,
      label,
      scopes: [...scopes],
      createdMs: nowMs,
    };
    this.saved(rec);
    this.keys.set(rec.keyId, rec);
    return rec;
  }
  get(keyId: string): ApiKeyRecord | undefined {
    return this.keys.get(keyId);
  }
  list(account: string): ApiKeyRecord[] {
    return [...this.keys.values()].filter((k) => k.account === account);
  }
  revoke(account: string, keyId: string): boolean {
    const k = this.keys.get(keyId);
    if (k === undefined || k.account !== account) return false;
    this.removed(keyId);
    this.keys.delete(keyId);
    return true;
  }

  /** Write-through hooks for persistent stores: called before the in-memory copy changes. */
  protected saved(_rec: ApiKeyRecord): void {}
  protected removed(_keyId: string): void {}
}
