import { describe, expect, it } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import { hexToBytes } from '@noble/hashes/utils.js';
import { forgetKey, generateKey, keyFromSecretHex, loadKey, saveKey, STORAGE_KEY, type KeyStorage } from '../../web/src/lib/keys.js';

const memoryStorage = (): KeyStorage & { map: Map<string, string> } => {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
};

describe('browser account keys', () => {
  it('derives the x-only public key of BIP-340 test vectors 0 and 1', () => {
    expect(keyFromSecretHex('0000000000000000000000000000000000000000000000000000000000000003').publicKeyHex)
      .toBe('f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9');
    expect(keyFromSecretHex('B7E151628AED2A6ABF7158809CF4F3C762E7160F38B4DA56A784D9045190CFEF').publicKeyHex)
      .toBe('dff1d77f2a671c5f36183726db2341be58feae1da2deced843240f7b502ba659');
  });
  it('refuses keys that are not keys, naming the field', () => {
    expect(() => keyFromSecretHex('00'.repeat(32))).toThrow(/secretKey/);
    expect(() => keyFromSecretHex('ff'.repeat(32))).toThrow(/curve order/);
    expect(() => keyFromSecretHex('xyz')).toThrow(/64 hexadecimal/);
  });
  it('a generated key signs what its public key verifies; storage round-trips and forgets', () => {
    const k = generateKey();
    const msg = new TextEncoder().encode('hashperp');
    expect(schnorr.verify(schnorr.sign(msg, hexToBytes(k.secretKeyHex)), msg, hexToBytes(k.publicKeyHex))).toBe(true);
    const s = memoryStorage();
    expect(loadKey(s)).toBeUndefined();
    saveKey(s, k);
    expect(loadKey(s)).toEqual(k);
    s.map.set(STORAGE_KEY, 'garbage');
    expect(loadKey(s)).toBeUndefined();
    forgetKey(s);
    expect(s.map.size).toBe(0);
  });
});
