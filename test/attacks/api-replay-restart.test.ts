/**
 * Attack (issue item 1, HIGH): a signed withdrawal accepted before a restart is sent again, byte for byte,
 * seconds after the server restarts on the same SQLite file. It must be refused (replayed_nonce) and the
 * account debited once. Without the SQLite file (DATABASE_URL) used nonces are not kept, and the server
 * refuses every timestamp from before its start instead: that is checked on createServer directly.
 */
import { rmSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { authHeaders, newNonce, type Credentials } from '../../src/api/auth/message.js';
import { createServer } from '../../src/api/server.js';
import { startServe } from '../../src/server/start.js';
import { FakeExchange, FakeIndex } from '../api/fakes.js';
import { serveConfig, tempDb } from '../serve/helpers.js';
import { send, sendRaw } from './api-helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const SK = new Uint8Array(32).fill(41);
const CREDS: Credentials = { kind: 'account', secretKey: SK };
const ACCOUNT = bytesToHex(schnorr.getPublicKey(SK));
const ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('attack: replay a signed withdrawal across a restart', () => {
  it('the same signed request, sent again after a restart on the same db, is refused and debits once', async () => {
    let s = await startServe(serveConfig(db, { demo: false }));
    const body = JSON.stringify({ amountSat: 1_000_000, address: ADDRESS });
    // The attacker captured these exact headers and body.
    const headers = { 'content-type': 'application/json', ...authHeaders(CREDS, { method: 'POST', path: '/v1/withdrawals', body, timestampMs: Date.now(), nonce: newNonce() }) };
    let balanceAfterFirst: string;
    try {
      expect((await send(s.url, CREDS, 'POST', '/v1/faucet', JSON.stringify({ amountSat: 5_000_000 }))).status).toBe(200);
      const first = await sendRaw(s.url, 'POST', '/v1/withdrawals', headers, body);
      expect(first.status, first.text).toBe(200);
      balanceAfterFirst = String(first.body.balanceMsat);
      expect(balanceAfterFirst).toBe(String(4_000_000n * 1000n));
      // Within one run the store refuses it.
      expect((await sendRaw(s.url, 'POST', '/v1/withdrawals', headers, body)).body.error?.code).toBe('replayed_nonce');
    } finally {
      await s.close();
    }

    s = await startServe(serveConfig(db, { demo: false }));
    try {
      const again = await sendRaw(s.url, 'POST', '/v1/withdrawals', headers, body);
      expect(again.status, again.text).toBe(401);
      expect(again.body.error).toMatchObject({ code: 'replayed_nonce', field: 'x-hp-nonce' });
      const acct = await send(s.url, CREDS, 'GET', '/v1/account');
      expect(acct.body).toMatchObject({ account: ACCOUNT, balanceMsat: balanceAfterFirst });
      // A freshly signed request still works after the restart.
      expect((await send(s.url, CREDS, 'POST', '/v1/withdrawals', body)).status).toBe(200);
    } finally {
      await s.close();
    }
  });

  it('without a nonce log (DATABASE_URL mode) a timestamp from before the start is refused', async () => {
    const clock = { t: 1_763_700_000_000, nowMs() { return this.t; } };
    const app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex(), clock, authNotBeforeMs: clock.t });
    try {
      const req = (ts: number) => ({ method: 'GET' as const, url: '/v1/account', headers: authHeaders(CREDS, { method: 'GET', path: '/v1/account', timestampMs: ts, nonce: newNonce() }) });
      const before = await app.inject(req(clock.t - 3_500));
      expect(before.statusCode).toBe(401);
      expect(before.json().error).toMatchObject({ code: 'stale_timestamp', field: 'x-hp-timestamp' });
      expect((await app.inject(req(clock.t))).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
