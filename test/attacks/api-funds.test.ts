/**
 * Attacks on money out and money in (issue items 4 and 8), against the real server:
 * - a withdrawal to "notanaddressatall" (or an address of another network) was accepted; a 'trade'
 *   API key could withdraw. Both are refused now and change nothing.
 * - ten new accounts minted 5 BTC from the faucet in half a second: the faucet is capped per IP and in
 *   total per block.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Credentials } from '../../src/api/auth/message.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb } from '../serve/helpers.js';
import { send } from './api-helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const A: Credentials = { kind: 'account', secretKey: new Uint8Array(32).fill(46) };
const REGTEST_ADDRESS = 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const fresh = () => {
  const t = tempDb();
  dirs.push(t.dir);
  return t.db;
};

describe('attack: withdrawals', () => {
  it('a malformed or foreign address and a trade-scope API key are refused; nothing changes', async () => {
    const s = await startServe(serveConfig(fresh(), { demo: false }));
    const engine = s.wiring.parts!.engine;
    try {
      expect((await send(s.url, A, 'POST', '/v1/faucet', JSON.stringify({ amountSat: 5_000_000 }))).status).toBe(200);
      const key = await send(s.url, A, 'POST', '/v1/account/api-keys', JSON.stringify({ label: 'bot', scopes: ['trade', 'read'] }));
      expect(key.status).toBe(200);
      const apiKey: Credentials = { kind: 'apiKey', keyId: String(key.body.keyId), secret: String(key.body.secret) };
      await s.wiring.parts!.chain!.stop();
      await engine.flush();
      const before = engine.stateHash();
      for (const address of ['notanaddressatall', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4', 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt081', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2']) {
        const r = await send(s.url, A, 'POST', '/v1/withdrawals', JSON.stringify({ amountSat: 1_000, address }));
        expect(r.status, `${address}: ${r.text}`).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'invalid_argument', field: 'body.address' });
      }
      const viaKey = await send(s.url, apiKey, 'POST', '/v1/withdrawals', JSON.stringify({ amountSat: 1_000, address: REGTEST_ADDRESS }));
      expect(viaKey.status, viaKey.text).toBe(403);
      expect(viaKey.body.error).toMatchObject({ code: 'account_key_required' });
      expect(engine.stateHash()).toBe(before);
      // The account key, to an address of the server's network (regtest in the replay), still withdraws.
      expect((await send(s.url, A, 'POST', '/v1/withdrawals', JSON.stringify({ amountSat: 1_000, address: REGTEST_ADDRESS }))).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});

describe('attack: drain the faucet with fresh accounts', () => {
  it('ten new accounts from one address get at most the per-IP allowance, and a block never gives more than its total', async () => {
    const s = await startServe(serveConfig(fresh(), { demo: false, paceMs: 60_000 }));
    try {
      const accounts: Credentials[] = Array.from({ length: 10 }, (_, i) => ({ kind: 'account', secretKey: new Uint8Array(32).fill(100 + i) }));
      const results = await Promise.all(accounts.flatMap((c) => Array.from({ length: 5 }, () => send(s.url, c, 'POST', '/v1/faucet', JSON.stringify({ amountSat: 10_000_000 })))));
      const ok = results.filter((r) => r.status === 200).length;
      // Default: 5 calls per IP, then one per 12 s.
      expect(ok).toBeLessThanOrEqual(5);
      for (const r of results.filter((x) => x.status !== 200)) {
        expect(r.status).toBe(429);
        expect(r.body.error?.code).toBe('rate_limited');
      }
    } finally {
      await s.close();
    }
    // The per-block total (configurable): with a generous per-IP allowance, the block's total still binds.
    const t = await startServe(serveConfig(fresh(), { demo: false, paceMs: 60_000, faucetIpCalls: 1000, faucetBlockSat: 30_000_000 }));
    try {
      let given = 0;
      for (let i = 0; i < 10; i++) {
        const r = await send(t.url, { kind: 'account', secretKey: new Uint8Array(32).fill(120 + i) }, 'POST', '/v1/faucet', JSON.stringify({ amountSat: 10_000_000 }));
        if (r.status === 200) given += 10_000_000;
        else expect(r.body.error?.code).toBe('rate_limited');
      }
      expect(given).toBe(30_000_000);
    } finally {
      await t.close();
    }
  });
});
