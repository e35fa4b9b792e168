/**
 * Proof of reserves on a real regtest bitcoind (BITCOIND_RPC_URL; skipped without it): the operator's
 * wallet coins and the batch output of a real batch (a stock SDK wallet boards and settles) are listed,
 * and Bitcoin Core's gettxout finds each listed outpoint unspent with the listed amount and script owner.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventSource } from 'eventsource';
import { EsploraProvider, InMemoryContractRepository, InMemoryWalletRepository, SingleKey, Wallet } from '@arkade-os/sdk';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { HashPerpClient } from '../../src/client/client.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { fundedWallet } from '../ark/regtest-funds.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 180_000, hookTimeout: 60_000 });
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(URL_ === undefined)('proof of reserves on regtest', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mine: (n?: number) => Promise<unknown>;

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'proofs-reserves', 0.5);
    funder = f.wallet;
    mine = f.mine;
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1 }), makeWiring({ pollMs: 200 }));
    await funder.call('sendtoaddress', [s.wiring.parts!.ark!.walletAddress, 0.2]);
    await mine(1);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('lists the operator wallet and a real batch output; gettxout finds each one as listed', async () => {
    const w = await Wallet.create({
      identity: SingleKey.fromRandomBytes(),
      arkServerUrl: `${s.url}/ark`,
      onchainProvider: new EsploraProvider(`${s.url}/esplora`, { forcePolling: true, pollingInterval: 300 }),
      storage: { walletRepository: new InMemoryWalletRepository(), contractRepository: new InMemoryContractRepository() },
      settlementConfig: false,
    });
    await funder.call('sendtoaddress', [await w.getBoardingAddress(), 0.001]);
    await mine(1);
    await until('boarding utxo', async () => ((await w.getBoardingUtxos()).length > 0 ? true : undefined), 60_000);
    const commitment = await w.settle();
    await mine(1);
    const c = new HashPerpClient({ baseUrl: s.url });
    // Read after a later block: the report is refreshed per block the engine processes.
    await mine(1);
    const r = await until('reserves with the batch', async () => {
      const x = await c.reserves();
      return x.outpoints.some((o) => o.kind === 'batch' && o.txid === commitment) ? x : undefined;
    }, 60_000);
    expect(r.chain).toBe('bitcoind');
    expect(r.network).toBe('regtest');
    const ark = s.wiring.parts!.ark!;
    const walletScript = Buffer.from(ark.keys.walletScript).toString('hex');
    expect(r.outpoints.some((o) => o.kind === 'wallet')).toBe(true);
    for (const o of r.outpoints) {
      const u = await rpc.call<{ value: number; scriptPubKey: { hex: string } } | null>('gettxout', [o.txid, o.vout, true]);
      expect(u, `${o.kind} ${o.txid}:${o.vout}`).not.toBeNull();
      expect(BigInt(Math.round(u!.value * 1e8)).toString()).toBe(o.amountSat);
      if (o.kind === 'wallet') expect(u!.scriptPubKey.hex).toBe(walletScript);
    }
    // The batch output covers the one VTXO outstanding.
    expect(BigInt(r.ark.batchOutputsSat)).toBeGreaterThanOrEqual(BigInt(r.ark.vtxosOutstandingSat));
    expect(BigInt(r.ark.vtxosOutstandingSat)).toBeGreaterThan(0n);
    const health = (await (await fetch(`${s.url}/health`)).json()) as { proofs: { reservesShort: boolean | null } };
    expect(health.proofs.reservesShort).toBe(false);
  });
});
