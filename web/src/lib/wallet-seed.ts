import { entropyToMnemonic, generateMnemonic, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { InvalidArgumentError } from '../../../src/units/errors.js';

/**
 * The Ark wallet's seed: a BIP-39 phrase made or imported in this browser, kept in the browser's own storage and
 * never sent anywhere. It is unrelated to the account key that signs exchange API requests (lib/keys.ts): neither
 * is derived from the other, so losing or leaking one does not give away the other.
 */
export interface SeedRecord {
  version: 1;
  mnemonic: string;
  /** When the user confirmed writing the phrase down (ms since epoch); only then is the seed stored. */
  backedUpAtMs: number;
}

/** Where the record lives (IndexedDB in the browser, a Map in tests). `get` returns whatever was stored, unchecked. */
export interface SeedStore {
  get(): Promise<unknown>;
  put(record: SeedRecord): Promise<void>;
  clear(): Promise<void>;
}

export type LoadedSeed = { state: 'none' } | { state: 'ready'; record: SeedRecord } | { state: 'corrupt'; reason: string };

/** 12 words (128 bits). `entropy` only for tests; the browser uses the CSPRNG inside @scure/bip39. */
export function newMnemonic(entropy?: Uint8Array): string {
  return entropy ? entropyToMnemonic(entropy, wordlist) : generateMnemonic(wordlist, 128);
}

/** A typed or pasted phrase as BIP-39 expects it: lower case, single spaces; refused unless its checksum holds. */
export function normalizeMnemonic(text: string): string {
  const words = text.trim().toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (![12, 15, 18, 21, 24].includes(words.length)) throw new InvalidArgumentError('mnemonic', `expected 12, 15, 18, 21 or 24 words, got ${words.length}`);
  const unknown = words.find((w) => !wordlist.includes(w));
  if (unknown !== undefined) throw new InvalidArgumentError('mnemonic', `"${unknown}" is not a BIP-39 English word`);
  const phrase = words.join(' ');
  if (!validateMnemonic(phrase, wordlist)) throw new InvalidArgumentError('mnemonic', 'checksum does not match: a word is wrong or the order is');
  return phrase;
}

/** What the store holds, checked: a damaged entry is reported, never treated as "no wallet" (that would invite overwriting a funded seed). */
export async function loadSeed(store: SeedStore): Promise<LoadedSeed> {
  const v = await store.get();
  if (v === undefined || v === null) return { state: 'none' };
  if (typeof v !== 'object') return { state: 'corrupt', reason: 'stored seed is not a record' };
  const r = v as Partial<SeedRecord>;
  if (r.version !== 1) return { state: 'corrupt', reason: `unknown seed record version ${String(r.version)}` };
  if (typeof r.backedUpAtMs !== 'number' || !Number.isFinite(r.backedUpAtMs)) return { state: 'corrupt', reason: 'seed record has no backup time' };
  if (typeof r.mnemonic !== 'string') return { state: 'corrupt', reason: 'seed record has no phrase' };
  try {
    return { state: 'ready', record: { version: 1, mnemonic: normalizeMnemonic(r.mnemonic), backedUpAtMs: r.backedUpAtMs } };
  } catch (e) {
    return { state: 'corrupt', reason: (e as Error).message };
  }
}

/**
 * Stores a phrase once the user has confirmed the backup. Refuses without that confirmation, and refuses to replace
 * a seed already stored (forgetting one is a separate, explicit step).
 */
export async function storeSeed(store: SeedStore, mnemonic: string, opts: { backedUp: boolean; nowMs: number }): Promise<SeedRecord> {
  if (!opts.backedUp) throw new InvalidArgumentError('backedUp', 'confirm that the recovery phrase is written down before the wallet is created');
  const phrase = normalizeMnemonic(mnemonic);
  const existing = await loadSeed(store);
  if (existing.state !== 'none') throw new InvalidArgumentError('mnemonic', 'this browser already holds a wallet seed; forget it first');
  const record: SeedRecord = { version: 1, mnemonic: phrase, backedUpAtMs: opts.nowMs };
  await store.put(record);
  return record;
}

/** An in-memory store, for tests. */
export function memorySeedStore(): SeedStore & { value: unknown } {
  const s = {
    value: undefined as unknown,
    get: async () => s.value,
    put: async (r: SeedRecord) => void (s.value = structuredClone(r)),
    clear: async () => void (s.value = undefined),
  };
  return s;
}
