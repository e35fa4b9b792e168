import { describe, it, expect } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { ACCOUNT_ID_RE, ACCOUNT_NAME_RE, accountId, invalidField, isAccountId, isAccountName, isXOnlyKey, shown } from '../../src/units/checks.js';
import { InvalidArgumentError } from '../../src/units/errors.js';
import { parseXOnly } from '../../src/bitcoin/keys.js';
import { checkCountArg, checkHeightArg } from '../../src/chain/source.js';

const key = hex.encode(schnorr.getPublicKey(new Uint8Array(32).fill(7)));
// x = 5 has no point on secp256k1 (5^3 + 7 = 132 is not a square mod p): well-formed hex, not a key.
const offCurve = '0'.repeat(63) + '5';

describe('named-argument checks', () => {
  it('invalidField names the field and shows the value (strings quoted)', () => {
    const e = invalidField('height', 'a non-negative integer', -1);
    expect(e).toBeInstanceOf(InvalidArgumentError);
    expect(e).toMatchObject({ code: 'invalid_argument', field: 'height', message: 'height: expected a non-negative integer, got -1' });
    expect(invalidField('start-height', 'a non-negative integer', 'ten').message).toBe('start-height: expected a non-negative integer, got "ten"');
    expect(shown(5n)).toBe('5');
    expect(shown(undefined)).toBe('undefined');
  });

  it('the switched call sites keep their messages', () => {
    expect(() => checkHeightArg('from', -1)).toThrow('from: expected a non-negative integer, got -1');
    expect(() => checkCountArg(0)).toThrow('count: expected a positive integer, got 0');
  });

  it('accountId accepts exactly a lower-case 64-hex x-only key on the curve', () => {
    expect(accountId('account', key)).toBe(key);
    expect(isAccountId(key)).toBe(true);
    expect(ACCOUNT_ID_RE.test(key)).toBe(true);
    for (const bad of [key.toUpperCase(), key.slice(2), `02${key}`, 42, undefined, '', `${key} `])
      expect(() => accountId('account', bad), String(bad)).toThrow(/^account: expected an account id \(a BIP-340 x-only public key as 64 lower-case hex digits\), got /);
    expect(isAccountId(offCurve)).toBe(true); // the form only
    expect(isXOnlyKey(offCurve)).toBe(false);
    expect(() => accountId('to', offCurve)).toThrow(/^to: expected an account id on secp256k1/);
    expect(() => accountId('to', offCurve)).toThrow(InvalidArgumentError);
  });

  it('isXOnlyKey agrees with parseXOnly (bytes and hex)', () => {
    expect(isXOnlyKey(hex.decode(key))).toBe(true);
    expect(isXOnlyKey(key)).toBe(true);
    expect(isXOnlyKey(hex.decode(offCurve))).toBe(false);
    expect(isXOnlyKey(new Uint8Array(31))).toBe(false);
    expect(hex.encode(parseXOnly('k', key))).toBe(key);
    expect(() => parseXOnly('k', offCurve)).toThrow('k: not a point on secp256k1');
  });

  it('ledger account names are wider than account ids, and hold every account id', () => {
    expect(isAccountName(key)).toBe(true);
    for (const ok of ['world', 'insurance', 'demo-mm.1', 'A_b', 'x'.repeat(128)]) expect(isAccountName(ok), ok).toBe(true);
    for (const bad of ['', 'x'.repeat(129), 'user:abc', 'a b', 7, undefined]) expect(isAccountName(bad), String(bad)).toBe(false);
    // the engine's pattern, as its seven copies write it, decides the same
    const engine = /^[A-Za-z0-9_.\-]{1,128}$/;
    for (const v of [key, 'world', 'user:abc', 'a-b', 'a\\b', 'é', '', 'x'.repeat(129)]) expect(ACCOUNT_NAME_RE.test(v), v).toBe(engine.test(v));
  });
});
