import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../run-cli.js';
import { resolveServeConfig } from '../../src/server/config.js';
import { startServe } from '../../src/server/start.js';
import { HashPerpClient } from '../../src/client/client.js';
import { rig, type TestRig } from './helpers.js';

// vitest projects do not inherit the root testTimeout; these talk to servers on a shared, busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SK = '0000000000000000000000000000000000000000000000000000000000000003';
let r: TestRig;
let url: string;

const run = runCli;

beforeAll(async () => {
  r = await rig();
  url = await r.app.listen({ port: 0, host: '127.0.0.1' });
  process.env.HASHPERP_SECRET_KEY = SK;
});
afterAll(async () => {
  delete process.env.HASHPERP_SECRET_KEY;
  await r.app.close();
});

describe('hashperp order / account (client CLI against a loopback server)', () => {
  it('places, shows and cancels an order; --json prints the ack', async () => {
    const placed = await run('order', 'place', '--server', url, '--market', 'HPI-PERP', '--side', 'buy', '--price', '47000', '--size', '3', '--client-order-id', 'cli-a', '--json');
    expect(placed.err).toBe('');
    expect(placed.code).toBe(0);
    const ack = JSON.parse(placed.out);
    expect(ack).toMatchObject({ status: 'open', remaining: 3, clientOrderId: 'cli-a' });
    expect(r.exchange.placed[0]).toMatchObject({ account: 'f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9', price: 47000, size: 3 });

    const shown = await run('account', 'show', '--server', url);
    expect(shown.out).toContain(`order ${ack.orderId} HPI-PERP buy 3/3 @ 47000`);
    const cancelled = await run('order', 'cancel', ack.orderId, '--server', url);
    expect(cancelled.out).toBe(`order ${ack.orderId} cancelled (seq 2)`);
  });

  it('API keys: create prints the secret once; the key then trades', async () => {
    const created = JSON.parse((await run('account', 'api-key', 'create', '--server', url, '--scopes', 'trade', '--json')).out);
    const bot = new HashPerpClient({ baseUrl: url, credentials: { kind: 'apiKey', keyId: created.keyId, secret: created.secret }, nowMs: () => r.clock.t });
    expect((await bot.placeOrder({ market: 'HPI-PERP', side: 'sell', type: 'limit', price: 50000, size: 1 })).status).toBe('open');
    expect((await run('account', 'api-key', 'list', '--server', url)).out).toContain(created.keyId);
  });

  it('bad input and server refusals exit 1 with the reason', async () => {
    const side = await run('order', 'place', '--server', url, '--market', 'HPI-PERP', '--side', 'up', '--size', '1', '--price', '1');
    expect([side.code, side.err]).toEqual([1, 'error: side: expected buy or sell, got up']);
    const noPrice = await run('order', 'place', '--server', url, '--market', 'HPI-PERP', '--side', 'buy', '--size', '1');
    expect(noPrice.code).toBe(1);
    expect(noPrice.err).toContain('a limit order needs a price');
    const down = await run('account', 'show', '--server', 'http://127.0.0.1:1');
    expect(down.code).toBe(1);
    const keygen = JSON.parse((await run('account', 'keygen', '--json')).out);
    expect(keygen.account).toMatch(/^[0-9a-f]{64}$/);
    expect(keygen.secretKey).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('hashperp serve', () => {
  it('config: flags over environment over defaults, validated', () => {
    const d = resolveServeConfig({}, {});
    expect(d).toMatchObject({ port: 8080, host: '127.0.0.1', db: join('data', 'hashperp.sqlite'), chain: 'embedded', paceMs: 5000, demo: true, logLevel: 'info' });
    expect(d.requestLog).toBeUndefined();
    expect(resolveServeConfig({ pace: '50ms' }, {}).paceMs).toBe(50);
    expect(resolveServeConfig({ pace: '2s' }, {}).paceMs).toBe(2000);
    expect(resolveServeConfig({}, { HASHPERP_PACE: '10' }).paceMs).toBe(6000); // blocks per minute
    expect(() => resolveServeConfig({ pace: 'fast' }, {})).toThrow(/pace/);
    const c = resolveServeConfig({ port: '9000', demo: false, chain: 'bitcoind' }, { PORT: '1', BITCOIND_RPC_URL: 'http://u:p@127.0.0.1:18443', DATABASE_URL: 'postgres://root@127.0.0.1/test', HOST: '0.0.0.0' });
    expect(c).toMatchObject({ port: 9000, host: '0.0.0.0', chain: 'bitcoind', rpc: 'http://u:p@127.0.0.1:18443', databaseUrl: 'postgres://root@127.0.0.1/test', demo: false });
    // The custodial deposit addresses: off unless asked for.
    expect(c.custodialDeposits).toBeUndefined();
    expect(resolveServeConfig({ chain: 'bitcoind' }, { BITCOIND_RPC_URL: 'http://u:p@127.0.0.1:18443', HASHPERP_CUSTODIAL_DEPOSITS: '1' }).custodialDeposits).toBe(true);
    expect(resolveServeConfig({ chain: 'bitcoind', custodialDeposits: true }, { BITCOIND_RPC_URL: 'http://u:p@127.0.0.1:18443' }).custodialDeposits).toBe(true);
    expect(() => resolveServeConfig({ port: '70000' }, {})).toThrow(/port: must be between 0 and 65535/);
    expect(() => resolveServeConfig({ chain: 'esplora' }, {})).toThrow(/esplora/);
    expect(() => resolveServeConfig({ chain: 'x' }, {})).toThrow(/chain/);
    expect(() => resolveServeConfig({}, { DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL/);
  });

  it('starts on loopback with the real engine and index; a broke account is refused (422 insufficient_balance)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-cli-'));
    const s = await startServe(resolveServeConfig({ port: '0', logLevel: 'silent', db: join(dir, 'db.sqlite'), demo: false }, {}));
    try {
      const c = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: new Uint8Array(32).fill(7) } });
      // The replay starts 144 blocks into the newest shipped segment (822,527..830,592).
      expect((await c.health()).index?.height).toBeGreaterThanOrEqual(822_671);
      while (((await c.health()) as { engine?: { height: number } }).engine!.height < 0) await new Promise((res) => setTimeout(res, 20));
      expect((await c.index({ height: 0 })).hashpriceSatPerPHDay).toBe('100582838058471679687');
      await expect(c.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: 1, size: 1 })).rejects.toMatchObject({ status: 422, code: 'insufficient_balance' });
      // CLI faucet and withdrawals against the real engine (account key from HASHPERP_SECRET_KEY).
      const fau = await run('account', 'faucet', '--server', s.url, '--amount', '1000', '--json');
      expect(fau.err).toBe('');
      expect(JSON.parse(fau.out)).toMatchObject({ kind: 'deposit', amountSat: 1000, balanceMsat: '1000000' });
      const wd = await run('account', 'withdraw', '--server', s.url, '--amount', '400', '--address', 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080');
      expect(wd.out).toMatch(/withdrew 400 sat .*no on-chain custody/);
      const over = await run('account', 'withdraw', '--server', s.url, '--amount', '601', '--address', 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080');
      expect(over.code).toBe(1);
      expect(over.err).toMatch(/free balance/);
      const metrics = await (await fetch(s.url + '/metrics')).text();
      expect(metrics).toContain('hashperp_process_cpu_seconds_total');
    } finally {
      await s.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
