import { createHash, createHmac } from 'node:crypto';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it, vi } from 'vitest';
import {
  accountIdOf,
  authHeaders,
  canonicalRequest,
  requestDigest,
  signWithAccountKey,
  signWithApiKey,
  verifyAccountSignature,
  verifyApiKeySignature,
  type RequestToSign,
} from '../../src/api/auth/message.js';
import { NonceStore } from '../../src/api/auth/nonce-store.js';
import { TokenBuckets } from '../../src/api/rate-limit.js';

// vitest projects do not inherit the root testTimeout; these talk to servers on a shared, busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const sk = hexToBytes('0000000000000000000000000000000000000000000000000000000000000003');
const req: RequestToSign = { method: 'post', path: '/v1/orders?x=1', body: '{"a":1}', timestampMs: 1_700_000_000_123, nonce: 'abcdef0123' };

function sha256(b: Buffer | string): Buffer {
  return createHash('sha256').update(b).digest();
}

describe('signed message format', () => {
  it('is the documented canonical text (hand-written expectation)', () => {
    const bodyHash = sha256('{"a":1}').toString('hex');
    expect(canonicalRequest(req)).toBe(`HASHPERP-REQUEST-V1\nPOST\n/v1/orders?x=1\n${bodyHash}\n1700000000123\nabcdef0123`);
    // no body hashes the empty string
    expect(canonicalRequest({ ...req, body: undefined }).split('\n')[3]).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('digest is the BIP-340 tagged hash "HashPerp/request" of the text (computed with node:crypto)', () => {
    const tag = sha256('HashPerp/request');
    const expected = sha256(Buffer.concat([tag, tag, Buffer.from(canonicalRequest(req), 'utf8')]));
    expect(bytesToHex(requestDigest(req))).toBe(expected.toString('hex'));
  });

  it('account id of secret key 3 is the BIP-340 vector 0 public key', () => {
    expect(accountIdOf(sk)).toBe('f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9');
  });

  it('Schnorr signatures verify under BIP-340 over the digest and fail on any change', () => {
    const sig = signWithAccountKey(req, sk);
    const pub = accountIdOf(sk);
    expect(schnorr.verify(hexToBytes(sig), requestDigest(req), hexToBytes(pub))).toBe(true);
    expect(verifyAccountSignature(req, pub, sig)).toBe(true);
    for (const changed of [
      { ...req, method: 'PUT' },
      { ...req, path: '/v1/orders?x=2' },
      { ...req, body: '{"a":2}' },
      { ...req, timestampMs: req.timestampMs + 1 },
      { ...req, nonce: 'abcdef0124' },
    ]) {
      expect(verifyAccountSignature(changed, pub, sig)).toBe(false);
    }
    expect(verifyAccountSignature(req, accountIdOf(hexToBytes('00'.repeat(31) + '04')), sig)).toBe(false);
    expect(verifyAccountSignature(req, 'zz', sig)).toBe(false);
    // x not on the curve (p+1 > field size is not a valid x): refused, not thrown
    expect(verifyAccountSignature(req, 'ff'.repeat(32), sig)).toBe(false);
  });

  it('API key signature is HMAC-SHA256(secret, canonical text) (computed with node:crypto)', () => {
    const secret = '11'.repeat(32);
    const expected = createHmac('sha256', Buffer.from(secret, 'hex')).update(canonicalRequest(req)).digest('hex');
    expect(signWithApiKey(req, secret)).toBe(expected);
    expect(verifyApiKeySignature(req, secret, expected)).toBe(true);
    expect(verifyApiKeySignature(req, secret, expected.replace(/^./, (c) => (c === '0' ? '1' : '0')))).toBe(false);
    expect(verifyApiKeySignature(req, '22'.repeat(32), expected)).toBe(false);
  });

  it("the server's node:crypto hashes give the same bytes as the browser-safe noble ones", async () => {
    const { nodeHashes } = await import('../../src/api/auth/node-hashes.js');
    const secret = 'ab'.repeat(32);
    for (const body of ['', '{"a":1}', 'ü€😀', undefined]) {
      const q = { ...req, body };
      expect(canonicalRequest(q, nodeHashes)).toBe(canonicalRequest(q));
      expect(signWithApiKey(q, secret, nodeHashes)).toBe(signWithApiKey(q, secret));
    }
  });

  it('authHeaders carries timestamp and nonce as signed', () => {
    const h = authHeaders({ kind: 'apiKey', keyId: 'k1', secret: '11'.repeat(32) }, req);
    expect(h).toEqual({ 'x-hp-timestamp': '1700000000123', 'x-hp-nonce': 'abcdef0123', 'x-hp-key': 'k1', 'x-hp-signature': signWithApiKey(req, '11'.repeat(32)) });
  });
});

describe('NonceStore', () => {
  it('refuses replays while they could pass the window, forgets them after, and caps its size', () => {
    let now = 1000;
    const s = new NonceStore({ nowMs: () => now }, 100, 3);
    expect(s.use('a', 'n1')).toBe('ok');
    expect(s.use('a', 'n1')).toBe('replayed');
    expect(s.use('b', 'n1')).toBe('ok'); // nonces are per principal
    now += 199;
    expect(s.use('a', 'n1')).toBe('replayed'); // a timestamp of 1000+100 is still acceptable at 1199
    expect(s.use('a', 'n2')).toBe('ok');
    expect(s.use('a', 'n3')).toBe('full');
    now = 1200; // entries from t=1000 expire: a request stamped <= 1100 is outside ±100 now
    expect(s.use('a', 'n1')).toBe('ok');
    expect(s.size).toBe(2);
  });
});

describe('TokenBuckets', () => {
  it('allows a burst of capacity, then refills at the given rate', () => {
    let now = 0;
    const b = new TokenBuckets({ nowMs: () => now }, { capacity: 3, refillPerSec: 2 });
    expect([b.take('k'), b.take('k'), b.take('k')]).toEqual([0, 0, 0]);
    expect(b.take('k')).toBe(500); // one token takes 500 ms at 2/s
    expect(b.take('other')).toBe(0);
    now = 499;
    expect(b.take('k')).toBeGreaterThan(0);
    now = 1000; // 1000 ms * 2/s = 2 tokens (minus the fraction accrued before)
    expect(b.take('k')).toBe(0);
    expect(b.take('k')).toBe(0);
    expect(b.take('k')).toBeGreaterThan(0);
  });

  it('stays bounded when many keys appear', () => {
    let now = 0;
    const b = new TokenBuckets({ nowMs: () => now }, { capacity: 1, refillPerSec: 1 }, 10);
    for (let i = 0; i < 100; i++) {
      now += 1;
      b.take('k' + i);
    }
    expect((b as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(10);
  });
});
