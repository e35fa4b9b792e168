/**
 * Acceptance of the Ark operator on a real regtest bitcoind (BITCOIND_RPC_URL; skipped without it),
 * through `serve --chain bitcoind`, with the stock @arkade-os/sdk wallets as the only clients:
 * boarding from L1 into a batch whose commitment tx confirms, an offchain send (checkpoint + Ark tx),
 * a renewal into a new batch with forfeits and connectors, and a collaborative exit to L1.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Ramps } from '@arkade-os/sdk';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { fundedWallet } from './regtest-funds.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';
import { sdkWallet } from './sdk-wallet.js';

vi.setConfig({ testTimeout: 240_000, hookTimeout: 120_000 });

const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe.skipIf(URL_ === undefined)('Ark operator on regtest with stock SDK wallets', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  let funder: BitcoindRpc;
  let rpc: BitcoindRpc;
  let mineTo: string;
  const mine = async (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'ark-sdk-e2e', 0.5);
    funder = f.wallet;
    mineTo = f.mineTo;
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1 }), makeWiring({ pollMs: 200 }));
    const ark = s.wiring.parts!.ark!;
    // The operator's liquidity: a plain payment to its wallet address, confirmed.
    await funder.call('sendtoaddress', [ark.walletAddress, 0.2]);
    await mine(1);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('boards two wallets into a confirmed batch, sends offchain, renews with forfeits, exits collaboratively', async () => {
    const alice = await sdkWallet(s.url);
    const bob = await sdkWallet(s.url);
    try {
      // (1) boarding from L1, settled into one batch whose commitment tx confirms
      for (const w of [alice, bob]) await funder.call('sendtoaddress', [await w.getBoardingAddress(), 0.001]);
      await mine(1);
      for (const w of [alice, bob]) await until('boarding utxo', async () => ((await w.getBoardingUtxos()).length > 0 ? true : undefined), 30_000);
      const [ca, cb] = await Promise.all([alice.settle(), bob.settle()]);
      for (const txid of new Set([ca, cb])) {
        const tx = await rpc.call<{ txid: string }>('getrawtransaction', [txid, true]);
        expect(tx.txid).toBe(txid);
      }
      await mine(1);
      for (const txid of new Set([ca, cb])) expect((await rpc.call<{ confirmations: number }>('getrawtransaction', [txid, true])).confirmations).toBeGreaterThanOrEqual(1);
      const ba = await alice.getBalance();
      expect(ba.settled).toBe(100_000);
      expect((await bob.getBalance()).settled).toBe(100_000);

      // (2) offchain: alice pays bob 20 000 sat (checkpoint + Ark tx)
      const arkTxid = await alice.sendBitcoin({ address: await bob.getAddress(), amount: 20_000 });
      expect(arkTxid).toMatch(/^[0-9a-f]{64}$/);
      await until('bob sees the payment', async () => ((await bob.getBalance()).preconfirmed === 20_000 ? true : undefined), 30_000);
      expect((await alice.getBalance()).preconfirmed + (await alice.getBalance()).settled).toBe(80_000);

      // (3) both renew into a new batch: every VTXO they held is forfeited against a connector
      const oldBob = (await bob.getVtxos()).map((v) => `${v.txid}:${v.vout}`);
      expect(oldBob).toHaveLength(2);
      const [ra, rb] = await Promise.all([alice.settle(), bob.settle()]);
      await mine(1);
      const ark = s.wiring.parts!.ark!;
      for (const txid of new Set([ra, rb])) {
        expect((await rpc.call<{ confirmations: number }>('getrawtransaction', [txid, true])).confirmations).toBeGreaterThanOrEqual(1);
        const batch = ark.store.batch(txid)!;
        expect(batch.connectorTxids.length).toBeGreaterThan(0);
        // the commitment's output 1 is the connector tree's root input
        const commit = await rpc.call<{ vout: { n: number }[] }>('getrawtransaction', [txid, true]);
        expect(commit.vout.length).toBeGreaterThanOrEqual(2);
      }
      const forfeited = new Set([ra, rb].flatMap((t) => Object.keys(ark.store.batch(t)!.forfeitByVtxo)));
      for (const o of oldBob) expect(forfeited.has(o)).toBe(true);
      await until('renewed balances', async () => ((await bob.getBalance()).settled === 120_000 ? true : undefined), 30_000);
      expect((await alice.getBalance()).settled).toBe(80_000);

      // (4) alice leaves collaboratively: 30 000 sat to an L1 address in the next commitment tx
      const l1 = await funder.call<string>('getnewaddress');
      const info = await alice.arkProvider.getInfo();
      const exitTxid = await new Ramps(alice).offboard(l1, info.fees, 30_000n);
      const exitTx = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [exitTxid, true]);
      expect(exitTx.vout.some((o) => o.scriptPubKey.address === l1 && Math.round(o.value * 1e8) === 30_000)).toBe(true);
      await mine(1);
      await until('alice change', async () => ((await alice.getBalance()).settled === 50_000 ? true : undefined), 30_000);
    } finally {
      await alice.dispose();
      await bob.dispose();
    }
  });
});
