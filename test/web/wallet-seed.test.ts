import { describe, expect, it } from 'vitest';
import { bytesToHex } from '@noble/hashes/utils.js';
import { loadSeed, memorySeedStore, newMnemonic, normalizeMnemonic, storeSeed } from '../../web/src/lib/wallet-seed.js';
import { identityFor } from '../../web/src/products/wallet/ark-wallet.js';

// BIP-39 reference vector (trezor/python-mnemonic vectors.json): 16 zero bytes of entropy.
const ZERO_PHRASE = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';

describe('wallet seed', () => {
  it('makes BIP-39 phrases: the reference vector from known entropy, 12 valid words from the CSPRNG', () => {
    expect(newMnemonic(new Uint8Array(16))).toBe(ZERO_PHRASE);
    expect(newMnemonic(new Uint8Array(16).fill(0x7f))).toBe('legal winner thank year wave sausage worth useful legal winner thank yellow');
    const a = newMnemonic();
    expect(a.split(' ')).toHaveLength(12);
    expect(normalizeMnemonic(a)).toBe(a);
    expect(newMnemonic()).not.toBe(a);
  });

  it('accepts a pasted phrase in any case and spacing, and refuses a wrong word, count or checksum', () => {
    expect(normalizeMnemonic(`  ${ZERO_PHRASE.toUpperCase().replaceAll(' ', '\n  ')} `)).toBe(ZERO_PHRASE);
    // Cheaters: the last word changed breaks the checksum; a non-word; a short phrase.
    expect(() => normalizeMnemonic(ZERO_PHRASE.replace(/about$/, 'abandon'))).toThrow(/mnemonic: checksum/);
    expect(() => normalizeMnemonic(ZERO_PHRASE.replace(/about$/, 'bitcoinz'))).toThrow(/"bitcoinz" is not a BIP-39/);
    expect(() => normalizeMnemonic('abandon about')).toThrow(/got 2/);
  });

  it('derives the BIP-86 key of the reference vector (mainnet m/86\'/0\'/0\'/0/0), so the phrase restores in other wallets', async () => {
    // BIP-86 test vector, first receiving address: internal key of m/86'/0'/0'/0/0 for the zero-entropy phrase.
    expect(bytesToHex(await identityFor(ZERO_PHRASE, 'bitcoin').xOnlyPublicKey())).toBe('cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115');
    // Off mainnet the coin type is 1: a different key from the same phrase.
    expect(bytesToHex(await identityFor(ZERO_PHRASE, 'regtest').xOnlyPublicKey())).not.toBe('cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115');
  });

  it('stores only after the backup is confirmed, never over an existing seed, and loads what it stored', async () => {
    const store = memorySeedStore();
    await expect(storeSeed(store, ZERO_PHRASE, { backedUp: false, nowMs: 1 })).rejects.toThrow(/backedUp: confirm/);
    expect(store.value).toBeUndefined();
    expect(await loadSeed(store)).toEqual({ state: 'none' });
    await storeSeed(store, ` ${ZERO_PHRASE.toUpperCase()} `, { backedUp: true, nowMs: 1_700_000_000_000 });
    expect(await loadSeed(store)).toEqual({ state: 'ready', record: { version: 1, mnemonic: ZERO_PHRASE, backedUpAtMs: 1_700_000_000_000 } });
    const other = newMnemonic();
    await expect(storeSeed(store, other, { backedUp: true, nowMs: 2 })).rejects.toThrow(/already holds a wallet seed/);
    expect((store.value as { mnemonic: string }).mnemonic).toBe(ZERO_PHRASE);
    await store.clear();
    await storeSeed(store, other, { backedUp: true, nowMs: 2 });
    expect((store.value as { mnemonic: string }).mnemonic).toBe(other);
  });

  it('reports a damaged record as damaged (not as "no wallet", which would invite overwriting it)', async () => {
    const store = memorySeedStore();
    for (const [value, why] of [
      ['abandon', /not a record/],
      [{ version: 2, mnemonic: ZERO_PHRASE, backedUpAtMs: 1 }, /version 2/],
      [{ version: 1, mnemonic: ZERO_PHRASE }, /backup time/],
      [{ version: 1, backedUpAtMs: 1 }, /no phrase/],
      [{ version: 1, mnemonic: ZERO_PHRASE.replace(/about$/, 'zoo'), backedUpAtMs: 1 }, /checksum/],
    ] as const) {
      store.value = value;
      const r = await loadSeed(store);
      expect(r.state).toBe('corrupt');
      expect(r.state === 'corrupt' && r.reason).toMatch(why);
      await expect(storeSeed(store, ZERO_PHRASE, { backedUp: true, nowMs: 1 })).rejects.toThrow(/already holds/);
    }
  });
});
