/**
 * The operator dies (SIGKILL) and users lose nothing, on a real regtest bitcoind (BITCOIND_RPC_URL;
 * skipped without it). `hashperp serve --chain bitcoind` runs in its own process:
 * - killed while a batch collects tree nonces, and again while it collects forfeits: after each
 *   restart every input is still unspent on chain / in the operator's records and still settles;
 * - killed for good: a user unrolls with the SDK's Unroll (through `hashperp wallet exit`, using only
 *   the exit data it stored and its own Esplora) and sweeps to L1 after the exit delay;
 * - the operator sweeps a batch once its expiry has passed, and the VTXOs left in it become
 *   recoverable.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Fastify from 'fastify';
import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EsploraProvider, InMemoryContractRepository, InMemoryWalletRepository, SettlementEventType, SingleKey, Wallet, type SettlementEvent } from '@arkade-os/sdk';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { fundedWallet } from './regtest-funds.js';
import { runCli } from '../run-cli.js';
import { freePort, serveEnv, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const URL_ = process.env.BITCOIND_RPC_URL;
const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/hashperp.js');
const dir = mkdtempSync(join(tmpdir(), 'hp-ark-kill-'));
const db = join(dir, 'hashperp.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));



interface Server {
  p: ChildProcessWithoutNullStreams;
  exited: Promise<number | null>;
  output: () => string;
}

function serve(port: number): Server {
  const p = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--db', db, '--chain', 'bitcoind', '--rpc', URL_!, '--no-demo', '--log-level', 'info'], { cwd: root, env: serveEnv() });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => p.once('exit', (code) => r(code)));
  return { p, exited, output: () => out };
}

async function health(url: string): Promise<{ ark?: { walletAddress: string; batches: number } } | undefined> {
  try {
    const r = await fetch(`${url}/health`);
    return r.ok ? ((await r.json()) as { ark?: { walletAddress: string; batches: number } }) : undefined;
  } catch {
    return undefined;
  }
}


const sats = (btc: number): number => Math.round(btc * 1e8);

describe.skipIf(URL_ === undefined)('Ark operator killed: users keep their funds and exit alone', () => {
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mineTo: string;
  let port: number;
  let url: string;
  let server: Server | undefined;
  let esplora: ReturnType<typeof Fastify> | undefined;
  const mine = async (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);

  const start = async (): Promise<void> => {
    server = serve(port);
    await until('server up', async () => ((await health(url))?.ark ? true : undefined), 60_000);
  };
  const kill = async (): Promise<void> => {
    server!.p.kill('SIGKILL');
    expect(await server!.exited).toBeNull();
    server = undefined;
  };

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'ark-kill-e2e', 0.5);
    funder = f.wallet;
    mineTo = f.mineTo;
    port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await start();
    const h = await health(url);
    await funder.call('sendtoaddress', [h!.ark!.walletAddress, 0.2]);
    await mine(1);
  });
  afterAll(async () => {
    server?.p.kill('SIGKILL');
    await esplora?.close();
  });

  it('survives SIGKILL during tree signing and forfeit collection; a user exits alone; an expired batch is swept', async () => {
    // Alice: a stock SDK wallet in this process. Bob: `hashperp wallet` (its store keeps full exit data).
    const alice = await Wallet.create({
      identity: SingleKey.fromRandomBytes(),
      arkServerUrl: `${url}/ark`,
      onchainProvider: new EsploraProvider(`${url}/esplora`, { forcePolling: true, pollingInterval: 300 }),
      storage: { walletRepository: new InMemoryWalletRepository(), contractRepository: new InMemoryContractRepository() },
      settlementConfig: false,
    });
    const bobFile = join(dir, 'bob.json');
    const cli = async (...args: string[]) => {
      const r = await runCli('wallet', ...args, '--server', url, '--wallet-file', bobFile, '--json');
      if (r.code !== 0) throw new Error(`wallet ${args.join(' ')}: ${r.err}`);
      return JSON.parse(r.out);
    };
    await cli('create', '--network', 'regtest', '--raw-key');
    const bobBoarding = (await cli('boarding-address')).address as string;
    await funder.call('sendtoaddress', [await alice.getBoardingAddress(), 0.001]);
    await funder.call('sendtoaddress', [bobBoarding, 0.001]);
    await mine(1);
    await until('alice boarding', async () => ((await alice.getBoardingUtxos()).length > 0 ? true : undefined), 30_000);
    await until('bob boarding', async () => ((await cli('balance')).boarding.confirmed === 100_000 ? true : undefined), 30_000);
    await Promise.all([alice.settle(), cli('settle')]);
    await mine(1);
    await until('alice settled', async () => ((await alice.getBalance()).settled === 100_000 ? true : undefined), 30_000);
    const aliceVtxo = (await alice.getVtxos())[0]!;
    // Bob's wallet syncs while the operator is up: its store now holds the VTXO and its exit branch.
    await until('bob settled', async () => ((await cli('balance')).settled === 100_000 ? true : undefined), 30_000);
    expect((await cli('exit-data')).missing).toEqual([]);

    // Killed while the renewal batch waits for tree nonces, then while it waits for forfeits.
    for (const phase of [SettlementEventType.TreeSigningStarted, SettlementEventType.BatchFinalization]) {
      const killed = alice.settle(undefined, (e: SettlementEvent) => {
        if (e.type === phase && server) server.p.kill('SIGKILL');
      });
      await expect(killed).rejects.toThrow();
      await server?.exited;
      server = undefined;
      await start();
      // The operator's records and the chain: alice's VTXO is unspent, her boarding output was spent by the first batch only.
      const v = await (await fetch(`${url}/ark/v1/indexer/vtxos?outpoints=${aliceVtxo.txid}:${aliceVtxo.vout}`)).json();
      expect(v.vtxos[0].isSpent).toBe(false);
    }
    // After both kills her VTXO still renews.
    const renewed = await alice.settle();
    expect((await rpc.call<{ txid: string }>('getrawtransaction', [renewed, true])).txid).toBe(renewed);
    await mine(1);

    // Killed for good: Bob exits with his stored exit data and his own Esplora (the operator's is gone).
    await kill();
    esplora = Fastify();
    await registerEsplora(esplora, { rpc, network: 'regtest' });
    const ownEsplora = `${await esplora.listen({ port: 0, host: '127.0.0.1' })}/esplora`;
    const first = await runCli('wallet', 'exit', '--no-wait', '--server', url, '--esplora', ownEsplora, '--wallet-file', bobFile);
    const feeAddr = first.err.match(/fee address (\S+)/)?.[1];
    expect(feeAddr, first.err + first.out).toBeDefined();
    await funder.call('sendtoaddress', [feeAddr, 0.0005]);
    await mine(1);
    let done = false;
    for (let i = 0; i < 20 && !done; i++) {
      const r = await runCli('wallet', 'exit', '--no-wait', '--json', '--server', url, '--esplora', ownEsplora, '--wallet-file', bobFile);
      expect(r.code).toBe(0);
      done = (JSON.parse(r.out).vtxos as { status: string }[]).every((x) => x.status === 'done');
      await mine(1);
    }
    expect(done).toBe(true);
    await mine(25); // the unilateral exit delay (20 blocks) on the VTXO's exit leaf
    const sink = await funder.call<string>('getnewaddress');
    const swept = await until('bob sweeps', async () => {
      const r = await runCli('wallet', 'exit', '--complete', '--to', sink, '--json', '--server', url, '--esplora', ownEsplora, '--wallet-file', bobFile);
      return r.code === 0 ? JSON.parse(r.out) : (await mine(1), undefined);
    }, 60_000);
    const tx = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [swept.txid, true]);
    const paid = tx.vout.find((o) => o.scriptPubKey.address === sink);
    expect(sats(paid!.value)).toBeGreaterThan(90_000);
    expect(sats(paid!.value)).toBeLessThan(100_000);

    // The operator comes back and sweeps Alice's batch once its 40-block expiry has passed.
    await start();
    await mine(41);
    let lastHealth: unknown;
    const sweptBy = await until('batch swept', async () => {
      lastHealth = (await health(url))?.ark;
      const r = await (await fetch(`${url}/ark/v1/indexer/batch/${renewed}/0/sweepTxs`)).json();
      return r.sweptBy?.length > 0 ? (r.sweptBy as string[]) : undefined;
    }, 60_000).catch((e: unknown) => {
      throw new Error(`${String(e)}\nserver output:\n${server?.output()}\nhealth: ${JSON.stringify(lastHealth)}`);
    });
    const sweep = await rpc.call<{ vin: { txid: string; vout: number }[] }>('getrawtransaction', [sweptBy[0], true]);
    expect(sweep.vin[0]).toMatchObject({ txid: renewed, vout: 0 });
    const after = await (await fetch(`${url}/ark/v1/indexer/vtxos?scripts=${(await alice.getVtxos())[0]!.script}`)).json();
    expect(after.vtxos.some((x: { isSwept: boolean; isSpent: boolean }) => x.isSwept && !x.isSpent)).toBe(true);
    await alice.dispose();
  });
});
