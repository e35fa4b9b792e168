/**
 * `hashperp exit` with the operator gone, on a real regtest bitcoind (BITCOIND_RPC_URL; skipped without it).
 * `hashperp serve --chain bitcoind` runs as a child process; two users with wallet key files (the
 * `hashperp wallet` CLI) board, register their contract keys (`hashperp bdc contract-key`), trade three
 * series through the book with signed API orders; the desk funds every position as a contract VTXO from
 * the operator's liquidity L (`hashperp bdc contracts` shows them). Series C is decided while the server is
 * up: `hashperp bdc settle` pays the FAST winner by an Ark tx it signs and releases the SLOW loser's VTXO to
 * L. Each exiting holder saves its exit data (`hashperp bdc exit-data`). Then the
 * server is SIGKILLed. Series A (H first): the FAST holder runs `hashperp exit` until it claims through
 * leaf 2. Series B (T first, MTP pushed past T): the SLOW holder claims through leaf 3. Bitcoin Core
 * shows each claim spending the contract output and paying the holder's address.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import { hex } from '@scure/base';
import { ArkAddress } from '@arkade-os/sdk';
import { schnorr } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { HashPerpClient } from '../../src/client/client.js';
import { ProductsClient } from '../../src/client/products-client.js';
import { fundedWallet } from './regtest-funds.js';
import { runCli } from '../run-cli.js';
import { freePort, serveEnv, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const URL_ = process.env.BITCOIND_RPC_URL;
const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/hashperp.js');
const dir = mkdtempSync(join(tmpdir(), 'hp-bdc-exit-'));
const db = join(dir, 'hashperp.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The regtest exit delay (REGTEST_ARK_PARAMS.unilateralExitDelay): the CSV of every claim leaf. */
const D = 20;
const PAYOUT = 20_000;

interface Health {
  ark?: { walletAddress: string; liquidity: { address: string; boardingAddress: string | null } };
}

async function health(url: string): Promise<Health | undefined> {
  try {
    const r = await fetch(`${url}/health`);
    return r.ok ? ((await r.json()) as Health) : undefined;
  } catch {
    return undefined;
  }
}

interface User {
  name: string;
  walletFile: string;
  keyFile: string;
  c: HashPerpClient;
  p: ProductsClient;
  /** The exchange account id (x-only key of the account key file). */
  account: string;
}

const liquidityScript = (address: string): string => hex.encode(ArkAddress.decode(address).pkScript);
async function indexerVtxos(url: string, script: string): Promise<unknown[]> {
  const r = await fetch(`${url}/ark/v1/indexer/vtxos?scripts=${script}`);
  return r.ok ? ((await r.json()) as { vtxos: unknown[] }).vtxos : [];
}

describe.skipIf(URL_ === undefined)('hashperp exit: block-delta holders claim alone once the operator is gone', () => {
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mineTo: string;
  let url: string;
  let server: ChildProcessWithoutNullStreams | undefined;
  let output = '';
  let esplora: ReturnType<typeof Fastify> | undefined;
  const opSecret = schnorr.utils.randomSecretKey();
  const mine = async (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);
  const tip = () => rpc.call<number>('getblockcount');
  const mtp = async () => (await rpc.call<{ mediantime: number }>('getblockchaininfo')).mediantime;

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'bdc-exit-cli', 0.3);
    funder = f.wallet;
    mineTo = f.mineTo;
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--db', db, '--chain', 'bitcoind', '--rpc', URL_!, '--no-demo', '--log-level', 'info'], {
      cwd: root,
      env: { ...serveEnv(), HASHPERP_OPERATOR_ACCOUNTS: hex.encode(schnorr.getPublicKey(opSecret)) },
    });
    server.stdout.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr.on('data', (d: Buffer) => (output += d.toString()));
    let last: Health | undefined;
    await until('server up', async () => ((last = await health(url))?.ark?.liquidity.boardingAddress ? true : undefined), 60_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\nhealth: ${JSON.stringify(last?.ark)}\nserver output:\n${output.slice(-4000)}`);
    });
  });
  afterAll(async () => {
    await rpc?.call('setmocktime', [0]).catch(() => {});
    server?.kill('SIGKILL');
    await esplora?.close();
  });

  const cli = async (...args: string[]): Promise<{ code: number; out: string; err: string }> => runCli(...args);
  const ok = async (...args: string[]): Promise<Record<string, unknown>> => {
    const r = await cli(...args, '--json');
    if (r.code !== 0) throw new Error(`hashperp ${args.join(' ')}: ${r.err}\n${r.out}`);
    return JSON.parse(r.out) as Record<string, unknown>;
  };
  const client = async (secret: Uint8Array) => {
    const c = new HashPerpClient({ baseUrl: url, credentials: { kind: 'account', secretKey: secret } });
    await c.syncClock();
    return c;
  };
  const user = async (name: string): Promise<User> => {
    const sk = schnorr.utils.randomSecretKey();
    const keyFile = join(dir, `${name}.key`);
    writeFileSync(keyFile, hex.encode(sk), { mode: 0o600 });
    const walletFile = join(dir, `${name}.json`);
    await ok('wallet', 'create', '--network', 'regtest', '--raw-key', '--wallet-file', walletFile);
    const c = await client(sk);
    return { name, walletFile, keyFile, c, p: new ProductsClient(c), account: hex.encode(schnorr.getPublicKey(sk)) };
  };
  const ww = (u: User) => ['--server', url, '--wallet-file', u.walletFile];
  const w = (u: User) => [...ww(u), '--key-file', u.keyFile];

  it('the FAST holder (H first) and the SLOW holder (T first) unroll from saved exit data and claim; Bitcoin Core shows the claims', async () => {
    const [ann, ben] = [await user('ann'), await user('ben')];
    const h = (await health(url))!.ark!;
    // The operator's wallet (commitment txs), L's boarding address (the keeper settles it), the users' boarding and deposit addresses.
    // Several coins: a commitment tx spends confirmed coins only, and each batch leaves its change unconfirmed for a block.
    for (const btc of [0.01, 0.02, 0.03, 0.04]) await funder.call('sendtoaddress', [h.walletAddress, btc]);
    await funder.call('sendtoaddress', [h.liquidity.boardingAddress!, 0.01]);
    for (const u of [ann, ben]) await funder.call('sendtoaddress', [(await ok('wallet', 'boarding-address', ...ww(u))).address, 0.003]);
    await mine(1);
    for (const u of [ann, ben]) await until(`${u.name} boarding`, async () => (((await ok('wallet', 'balance', ...ww(u))).boarding as { confirmed: number }).confirmed > 0 ? true : undefined), 30_000);
    await Promise.all([ann, ben].map((u) => ok('wallet', 'settle', ...ww(u))));
    // L's VTXO: the keeper settled its boarding output in a batch; the operator dates its expiry once the batch confirms.
    const lScript = liquidityScript(h.liquidity.address);
    await until('L settled', async () => ((await indexerVtxos(url, lScript)).length > 0 ? true : undefined), 30_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\nserver output:\n${output.slice(-4000)}`);
    });
    await mine(1);
    // Each funds its exchange account from its own wallet: `hashperp wallet fund` (an Ark tx with its account's memo).
    for (const u of [ann, ben]) await ok('wallet', 'fund', '200000', '--account', u.account, ...ww(u));
    for (const u of [ann, ben]) await until(`${u.name} deposit credited`, async () => (BigInt((await u.c.account()).balanceMsat) > 0n ? true : undefined), 30_000);
    for (const u of [ann, ben]) expect((await ok('bdc', 'contract-key', ...w(u))).key).toMatch(/^[0-9a-f]{64}$/);

    // Two series, listed by the operator's account: A decided by H (T a month out), B by T (H behind it).
    const op = new ProductsClient(await client(opSecret));
    const t0 = await tip();
    const m0 = await mtp();
    const A = { height: t0 + 9, deadline: m0 + 30 * 86_400 };
    // H_B far out: T's bound alone keeps B inside the horizon (either bound suffices).
    const B = { height: t0 + 100, deadline: m0 + 900 };
    const sA = (await op.listBdcSeries({ ...A, payoutSat: PAYOUT })).series;
    const sB = (await op.listBdcSeries({ ...B, payoutSat: PAYOUT })).series;
    // C is settled cooperatively while the operator is up: H_C first, ann (FAST) is paid, ben (SLOW) releases to L.
    const C = { height: t0 + 6, deadline: m0 + 30 * 86_400 };
    const sC = (await op.listBdcSeries({ ...C, payoutSat: PAYOUT })).series;
    await ben.p.placeBdcOrder({ series: sA, side: 'SLOW', price: 4000, qty: 1 });
    const annA = String((await ann.p.placeBdcOrder({ series: sA, side: 'FAST', price: 4000, qty: 1, tif: 'IOC' })).positionIds[0]);
    await ann.p.placeBdcOrder({ series: sB, side: 'FAST', price: 5000, qty: 1 });
    const benB = String((await ben.p.placeBdcOrder({ series: sB, side: 'SLOW', price: 5000, qty: 1, tif: 'IOC' })).positionIds[0]);
    await ben.p.placeBdcOrder({ series: sC, side: 'SLOW', price: 3000, qty: 1 });
    const annC = String((await ann.p.placeBdcOrder({ series: sC, side: 'FAST', price: 3000, qty: 1, tif: 'IOC' })).positionIds[0]);
    const benC = String((await ben.p.bdcPositions()).positions.find((p) => p.series === sC)!.positionId);

    // The desk funds all four positions from L; `bdc contracts` shows them with the exit window.
    // The desk retries at every block (L's new coins get their expiry once their batch confirms).
    let seen: unknown;
    for (const u of [ann, ben])
      await until(`${u.name}'s contracts funded`, async () => {
        const ps = (await ok('bdc', 'contracts', ...w(u))).positions as { contract: { status: string } | null }[];
        seen = ps.map((p) => p.contract);
        if (ps.length === 3 && ps.every((p) => p.contract?.status === 'funded')) return true;
        await mine(1);
        await new Promise((r) => setTimeout(r, 1_500));
        return undefined;
      }, 30_000).catch((e: unknown) => {
        throw new Error(`${String(e)}\ncontracts: ${JSON.stringify(seen)}\nserver output:\n${output.slice(-4000)}`);
      });
    const annView = ((await ok('bdc', 'contracts', ...w(ann))).positions as { positionId: string; exit: { latestStart: { kind: string } } }[]).find((p) => p.positionId === annA)!;
    expect(annView.exit.latestStart.kind).toBe('time'); // FAST: by a wall-clock time before T
    // Settling before the outcome is refused by the CLI itself.
    const early = await cli('bdc', 'settle', annA, ...w(ann));
    expect(early.code).not.toBe(0);
    expect(early.err).toMatch(/not decided yet/);

    // H_C: the engine settles C (FAST won). The server no longer serves C's documents; `bdc settle` uses the ones
    // `bdc contracts` kept. Ann is paid by an Ark tx she signs; ben can only release his VTXO to the operator.
    const winnerOf = async (series: string) => (await ann.p.bdcSeries()).find((s) => s.series === series)?.winner ?? null;
    await until('C decided', async () => ((await winnerOf(sC)) !== null ? true : (await mine(1), await new Promise((r) => setTimeout(r, 500)), undefined)), 30_000);
    expect(await winnerOf(sC)).toBe('FAST');
    expect(await tip()).toBeLessThan(A.height);
    const annBefore = (await ok('wallet', 'balance', ...ww(ann))).available as number;
    const paid = await ok('bdc', 'settle', annC, ...w(ann));
    expect(paid).toMatchObject({ won: true, winner: 'FAST', amountSat: PAYOUT });
    await until('ann paid', async () => ((await ok('wallet', 'balance', ...ww(ann))).available === annBefore + PAYOUT ? true : undefined), 30_000);
    const released = await cli('bdc', 'settle', benC, ...w(ben));
    expect(released.code, released.err).toBe(0);
    expect(released.out).toMatch(/you lost\. The contract VTXO \(20000 sat\) is released to the operator's liquidity (\S+)/);
    expect(released.out).toContain(h.liquidity.address);
    // Each contract VTXO of C is spent (by the Ark tx the CLI signed).
    for (const [u, id] of [[ann, annC], [ben, benC]] as const) {
      const doc = JSON.parse(readFileSync(`${u.walletFile.replace(/\.json$/, '')}.bdc-contracts.json`, 'utf8'))[id] as { outpoint: string };
      const v = (await (await fetch(`${url}/ark/v1/indexer/vtxos?outpoints=${doc.outpoint}`)).json()) as { vtxos: { isSpent: boolean }[] };
      expect(v.vtxos[0]?.isSpent, `${id} spent`).toBe(true);
    }

    const files = { ann: join(dir, 'ann-exit.json'), ben: join(dir, 'ben-exit.json') };
    expect((await ok('bdc', 'exit-data', annA, '--out', files.ann, ...w(ann))).outpoint).toMatch(/:0$/);
    expect((await ok('bdc', 'exit-data', benB, '--out', files.ben, ...w(ben))).outpoint).toMatch(/:0$/);
    expect(statSync(files.ann).mode & 0o777).toBe(0o600);

    // The operator is gone.
    server!.kill('SIGKILL');
    server = undefined;
    esplora = Fastify();
    await registerEsplora(esplora, { rpc, network: 'regtest' });
    const own = `${await esplora.listen({ port: 0, host: '127.0.0.1' })}/esplora`;
    const exit = (u: User, file: string, ...extra: string[]) => cli('exit', '--exit-file', file, '--esplora', own, '--no-wait', ...w(u), ...extra);

    // Without fees for the unroll packages, exit says where to pay them and fails.
    const fees: string[] = [];
    for (const [u, f] of [[ann, files.ann], [ben, files.ben]] as const) {
      const r = await exit(u, f);
      expect(r.code).toBe(1);
      const addr = r.err.match(/fee address (\S+)/)?.[1];
      expect(addr, r.err).toBeDefined();
      fees.push(addr!);
    }
    for (const a of fees) await funder.call('sendtoaddress', [a, 0.0005]);
    await mine(1);

    const benTo = await funder.call<string>('getnewaddress', ['', 'bech32m']);
    const jobs = [
      { u: ann, file: files.ann, extra: [] as string[], to: fees[0]!, waits: new Set<string>(), race: false, claim: undefined as string | undefined, outpoint: '' },
      { u: ben, file: files.ben, extra: ['--to', benTo], to: benTo, waits: new Set<string>(), race: false, claim: undefined as string | undefined, outpoint: '' },
    ];
    // Once ben's contract VTXO is on chain and he waits for T, MTP passes T_B: block times follow the node's
    // clock, pushed just past T_B for the eleven blocks MTP needs, then given back.
    let pushed = -1;
    let tipAtT: number | undefined;
    try {
      for (let i = 0; i < 60 && jobs.some((j) => j.claim === undefined); i++) {
        for (const j of jobs.filter((x) => x.claim === undefined)) {
          const r = await exit(j.u, j.file, '--json', ...j.extra);
          expect(r.code, r.err).toBe(0);
          const s = JSON.parse(r.out) as { status: string; outpoint: string; txid?: string; waits?: { kind: string; text: string }[]; raceWarning: string | null };
          j.outpoint = s.outpoint;
          for (const x of s.waits ?? []) j.waits.add(x.kind);
          if (s.raceWarning !== null) j.race = true;
          if (s.status === 'claimed') j.claim = s.txid;
          if (j.u === ben && pushed < 0 && s.waits?.some((x) => x.kind === 'mtp')) {
            await rpc.call('setmocktime', [B.deadline + 60]);
            pushed = 0;
          }
        }
        await mine(1);
        if (tipAtT === undefined && (await mtp()) >= B.deadline) tipAtT = await tip();
        if (pushed >= 0 && ++pushed === 11) await rpc.call('setmocktime', [0]);
      }
    } finally {
      await rpc.call('setmocktime', [0]);
    }
    // T came first: MTP reached T_B before block H_B.
    expect(tipAtT).toBeDefined();
    expect(tipAtT!).toBeLessThan(B.height);
    for (const j of jobs) expect(j.claim, `${j.u.name} claimed`).toBeDefined();
    // What each waited for: ann the CSV (and her height H when the unroll beat it); ben MTP ≥ T and the CSV. Neither
    // saw the other side's lock open, so no race warning.
    expect([...jobs[0]!.waits]).toEqual(expect.arrayContaining(['csv-blocks']));
    expect([...jobs[1]!.waits]).toEqual(expect.arrayContaining(['mtp', 'csv-blocks']));
    expect(jobs[0]!.race).toBe(false);
    expect(jobs[1]!.race).toBe(false);

    // Bitcoin Core: each claim spends its contract output and pays the holder's address; both confirm.
    for (const j of jobs) {
      const tx = await rpc.call<{ confirmations?: number; locktime: number; vin: { txid: string; vout: number }[]; vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [j.claim, true]);
      const [txid, vout] = j.outpoint.split(':');
      expect(tx.vin[0]).toMatchObject({ txid, vout: Number(vout) });
      expect(tx.vout[0]!.scriptPubKey.address).toBe(j.to);
      const sat = Math.round(tx.vout[0]!.value * 1e8);
      expect(sat).toBeGreaterThan(PAYOUT - 1_000);
      expect(sat).toBeLessThan(PAYOUT);
      expect(tx.confirmations).toBeGreaterThanOrEqual(1);
      expect(await rpc.call('gettxout', [txid, Number(vout), true])).toBeNull();
    }
    expect((await rpc.call<{ locktime: number }>('getrawtransaction', [jobs[0]!.claim, true])).locktime).toBe(A.height);
    expect((await rpc.call<{ locktime: number }>('getrawtransaction', [jobs[1]!.claim, true])).locktime).toBe(B.deadline - 1);
    // A re-run after the claim says so and succeeds.
    const again = JSON.parse((await exit(ann, files.ann, '--json')).out) as { status: string; txid: string };
    expect(again).toMatchObject({ status: 'claimed', txid: jobs[0]!.claim });
  });
});
