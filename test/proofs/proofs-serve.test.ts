/**
 * Proofs through the live server in embedded mode: a liabilities root per block, an account verifies its
 * own inclusion (the shared check the CLI and web app run), someone else's proof is refused, bad input is
 * JSON 4xx, and the reserves list the embedded ledger's operator coins (and say no network is involved).
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { bytesToHex } from '@noble/hashes/utils.js';
import { makeProofCommands } from '../../src/cli/proof-commands.js';
import { CliExit } from '../../src/cli/output.js';
import { runCli } from '../run-cli.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import { HashPerpClient } from '../../src/client/client.js';
import { makeWiring } from '../../src/server/compose.js';
import { EMBEDDED_LEDGER_NOTE, EMBEDDED_OPERATOR_FUNDS } from '../../src/server/ark-wiring.js';
import { startServe } from '../../src/server/start.js';
import { checkMyLiabilities } from '../../src/proofs/check.js';
import { verifyLiabilitiesProof } from '../../src/proofs/liabilities.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (): Uint8Array => schnorr.utils.randomSecretKey();

describe('proofs on the live server (embedded)', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  let a: HashPerpClient;
  const skA = key();
  let b: HashPerpClient;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(s.url + path, { headers });
    return { status: r.status, json: (await r.json()) as Record<string, any> };
  };

  beforeAll(async () => {
    s = await startServe(serveConfig(db, { paceMs: 50, demo: true, embeddedBlockSeconds: 0 }), makeWiring({ pollMs: 100 }));
    a = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: skA } });
    b = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: key() } });
    await a.syncClock();
    await b.syncClock();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('publishes a root per block whose total is what the ledger owes, and the account verifies its inclusion', async () => {
    await a.faucet(5_000_000);
    const after = (await a.health()) as unknown as { engine: { height: number } };
    // The first block after the credit carries it.
    const root = await until('a root after the faucet', async () => {
      const r = await a.liabilities();
      return r.height > after.engine.height + 1 ? r : undefined;
    });
    const check = await checkMyLiabilities(a.accountId!, () => a.liabilitiesProof(), (h) => a.liabilities(h));
    expect(check).toMatchObject({ ok: true, balanceMsat: 5_000_000_000n });
    // The total is minus the world account at that block: what was deposited less what was withdrawn.
    const world = s.wiring.parts!.engine.exchange.ledger.balance('world');
    const latest = await a.liabilities();
    if (latest.height === s.wiring.parts!.engine.chainTip().height) expect(BigInt(latest.totalMsat)).toBe(-world);
    expect(root.accounts).toBeGreaterThan(1);

    // One root per block, consecutive heights, each with its own tree (fresh salts: roots differ).
    const h = latest.height;
    const roots = await Promise.all([h - 2, h - 1, h].map((x) => a.liabilities(x)));
    expect(roots.map((r) => r.height)).toEqual([h - 2, h - 1, h]);
    expect(new Set(roots.map((r) => r.root)).size).toBe(3);
    // A proof at an earlier kept block verifies against that block's root, not against the latest.
    const old = await a.liabilitiesProof(h - 1);
    expect(verifyLiabilitiesProof(old, roots[1], a.accountId!).ok).toBe(true);
    expect(verifyLiabilitiesProof(old, roots[2], a.accountId!).ok).toBe(false);
    // A balance raised in the proof is caught.
    expect(verifyLiabilitiesProof({ ...old, balanceMsat: (BigInt(old.balanceMsat) + 1n).toString() }, roots[1], a.accountId!).ok).toBe(false);

    // /health carries the latest root.
    const health = (await get('/health')).json;
    expect(health.proofs.liabilities.height).toBeGreaterThanOrEqual(h);
  });

  it('the WebSocket index channel carries each block\'s liabilities root, the same as GET /v1/proofs/liabilities', async () => {
    const ws = await s.app.injectWS('/v1/ws');
    const got: { type: string; data?: Record<string, any> }[] = [];
    ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString())));
    ws.send(JSON.stringify({ op: 'subscribe', channel: 'index' }));
    const roots = await until('two liabilities messages', () => {
      const r = got.filter((m) => m.type === 'liabilities');
      return r.length >= 2 ? r : undefined;
    });
    ws.terminate();
    expect(roots[1].data!.height).toBe(roots[0].data!.height + 1);
    expect(await a.liabilities(roots[1].data!.height)).toEqual(roots[1].data);
  });

  it('hashperp proof verify: verified for the honest server, exit 1 when the proof is tampered in transit', async () => {
    const keyFile = join(dir, 'a.key');
    writeFileSync(keyFile, bytesToHex(skA));
    const ok = await runCli('proof', 'verify', '--server', s.url, '--key-file', keyFile);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/^your balance 0\.05000000 BTC is in the liabilities of block \d+: verified/);
    // A man in the middle (or a lying server) raises the balance in the proof: the local check refuses it.
    const tamper: typeof fetch = async (input, init) => {
      const res = await fetch(input, init);
      if (!String(input).includes('/v1/proofs/liabilities/me')) return res;
      const p = (await res.json()) as { balanceMsat: string };
      p.balanceMsat = (BigInt(p.balanceMsat) + 1000n).toString();
      return new Response(JSON.stringify(p), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const program = new Command('hashperp').exitOverride();
    const out: string[] = [];
    makeProofCommands({ fetch: tamper, env: { HASHPERP_SECRET_KEY: bytesToHex(skA) } })(program, { out: (l) => out.push(l), err: (l) => out.push(l) });
    const e = await program.parseAsync(['node', 'hashperp', 'proof', 'verify', '--server', s.url]).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(CliExit);
    expect((e as CliExit).exitCode).toBe(1);
    expect((e as CliExit).message).toMatch(/NOT verified/);
    const res = await runCli('proof', 'reserves', '--server', s.url, '--json');
    expect([0, 3]).toContain(res.code);
    expect(JSON.parse(res.out).chain).toBe('embedded');
  });

  it("refuses someone else's proof, an unsigned request, and an account with nothing owed", async () => {
    await expect(a.request('GET', '/v1/proofs/liabilities/me', { signed: true, query: { account: b.accountId! } })).rejects.toMatchObject({ status: 403, code: 'not_owner', field: 'querystring.account' });
    // Its own id, spelled out, is fine.
    await expect(a.request('GET', '/v1/proofs/liabilities/me', { signed: true, query: { account: a.accountId! } })).resolves.toMatchObject({ ledgerAccount: `user:${a.accountId}` });
    const unsigned = await get('/v1/proofs/liabilities/me');
    expect(unsigned.status).toBe(401);
    expect(unsigned.json.error.code).toBeTypeOf('string');
    await expect(b.liabilitiesProof()).rejects.toMatchObject({ status: 404, code: 'unknown_account' });
  });

  it('bad input is JSON 4xx naming the field', async () => {
    for (const q of ['height=-1', 'height=abc', 'height=1e3', 'height=1&height=2', 'foo=1']) {
      const r = await get(`/v1/proofs/liabilities?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'validation_failed' });
      expect(r.json.error.field, q).toMatch(/^querystring/);
    }
    const gone = await get('/v1/proofs/liabilities?height=1');
    expect(gone.status).toBe(404);
    expect(gone.json.error).toMatchObject({ code: 'proof_not_kept', field: 'querystring.height' });
    await expect(a.liabilitiesProof(1)).rejects.toMatchObject({ status: 404, code: 'proof_not_kept' });
    await expect(a.request('GET', '/v1/proofs/liabilities/me', { signed: true, query: { height: 'x' } })).rejects.toMatchObject({ status: 400, field: 'querystring.height' });
  });

  it('reserves: the embedded operator wallet, set against the liabilities, no network involved', async () => {
    const r = await a.reserves();
    expect(r.chain).toBe('embedded');
    expect(r.onChain).toBe(EMBEDDED_LEDGER_NOTE);
    const ledger = s.wiring.parts!.ark!.ledger!;
    // Every listed outpoint is an unspent output of the ledger with that amount (the ledger is the "node" here).
    expect(r.outpoints.length).toBeGreaterThan(0);
    for (const o of r.outpoints) {
      const u = await ledger.unspent(o.txid, o.vout);
      expect(u?.amount.toString()).toBe(o.amountSat);
    }
    expect(BigInt(r.totals.walletSat)).toBe(EMBEDDED_OPERATOR_FUNDS);
    expect(r.exchange.liabilities).not.toBeNull();
    expect(BigInt(r.exchange.backingMsat)).toBe(EMBEDDED_OPERATOR_FUNDS * 1000n);
    expect(r.reservesShort).toBe(BigInt(r.exchange.liabilities!.totalMsat) > EMBEDDED_OPERATOR_FUNDS * 1000n);
    // The demo's faucet and market maker credit the ledger with no coins behind them: /health says so.
    const health = (await get('/health')).json;
    expect(health.proofs.reservesShort).toBe(r.reservesShort);
  });
});
