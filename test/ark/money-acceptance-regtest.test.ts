/**
 * Issue 15's acceptance on a real regtest bitcoind (BITCOIND_RPC_URL; skipped without it), through the live
 * server with stock SDK wallets: users board, fund their exchange accounts from their wallets (Ark txs with
 * their memos), trade the perpetual and a hashrate forward against each other, withdraw to their Ark wallet and to L1. At every
 * block: each account's liabilities proof verifies against the published root, the reserves cover the
 * liabilities, and the reconciliation finds one Ark tx behind every ledger flow. A copy of the ledger with one
 * balance changed is caught by the proofs.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { Ramps, SingleKey, type Wallet } from '@arkade-os/sdk';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { HashPerpClient } from '../../src/client/client.js';
import { ProductsClient } from '../../src/client/products-client.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { buildLiabilities, verifyLiabilitiesProof } from '../../src/proofs/liabilities.js';
import { SALT_BYTES } from '../../src/proofs/merkle-sum.js';
import { fundExchange } from '../../src/wallet/exchange-funding.js';
import { fundedWallet } from './regtest-funds.js';
import { sdkWallet } from './sdk-wallet.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Trader {
  name: string;
  wallet: Wallet;
  c: HashPerpClient;
  id: string;
}

describe.skipIf(URL_ === undefined)('money in and out through Ark, with proofs at every block (regtest, live server)', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mineTo: string;
  const mine = (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);
  const parts = () => s.wiring.parts!;

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'money-acceptance', 0.3);
    funder = f.wallet;
    mineTo = f.mineTo;
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1, liquidityKeeper: false }), makeWiring({ pollMs: 200 }));
    for (const btc of [0.01, 0.02, 0.04]) await funder.call('sendtoaddress', [parts().ark!.walletAddress, btc]);
    await mine(1);
  });
  afterAll(async () => {
    await s?.close();
  });

  const trader = async (name: string): Promise<Trader> => {
    const sk = randomBytes(32);
    const c = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: sk } });
    await c.syncClock();
    return { name, wallet: await sdkWallet(s.url, SingleKey.fromRandomBytes()), c, id: hex.encode(schnorr.getPublicKey(sk)) };
  };

  /** What the acceptance asks at every block: every account's proof verifies, reserves cover, every flow reconciles. */
  const nextBlock = async (traders: Trader[]): Promise<void> => {
    const h0 = parts().engine.chainTip().height;
    await mine(1);
    await until('the block is processed, its root published and reconciled', async () => {
      const h = (await (await fetch(`${s.url}/health`)).json()) as { engine: { height: number }; reconciliation?: { height: number | null } };
      if (h.engine.height <= h0 || h.reconciliation?.height !== h.engine.height) return undefined;
      return (await traders[0]!.c.liabilities()).height === h.engine.height ? true : undefined;
    }, 30_000);
    await parts().proofs!.settled();
    const root = await traders[0]!.c.liabilities();
    for (const t of traders) {
      const proof = await t.c.liabilitiesProof(root.height);
      expect(verifyLiabilitiesProof(proof, root, t.id), `${t.name} at ${root.height}`).toMatchObject({ ok: true });
      expect(BigInt(proof.balanceMsat)).toBe(parts().engine.exchange.ledger.balance(`user:${t.id}`));
    }
    const reserves = await traders[0]!.c.reserves();
    expect(reserves.reservesShort, JSON.stringify(reserves.exchange)).toBe(false);
    const rec = (await (await fetch(`${s.url}/health`)).json()) as { reconciliation: { ok: boolean; problems: string[] } };
    expect(rec.reconciliation).toMatchObject({ ok: true, problems: [] });
  };

  it('boards, funds from the wallet, trades the perp and a forward, withdraws to Ark and to L1; proofs and reconciliation hold at every block', async () => {
    const [a, b] = [await trader('alice'), await trader('bob')];
    for (const t of [a, b]) await funder.call('sendtoaddress', [await t.wallet.getBoardingAddress(), 0.003]);
    await mine(1);
    for (const t of [a, b]) await until(`${t.name} boarding`, async () => ((await t.wallet.getBoardingUtxos()).length > 0 ? true : undefined), 30_000);
    await Promise.all([a, b].map((t) => t.wallet.settle()));
    await mine(1);
    await parts().ark!.operator.maintain();
    // In: one Ark tx each, paying the operator's liquidity with the account's memo.
    for (const t of [a, b]) {
      await fundExchange(t.wallet, { account: t.id, amountSat: 200_000, liquidityAddress: parts().ark!.liquidity.address });
      await until(`${t.name} credited`, async () => (BigInt((await t.c.account()).balanceMsat) === 200_000_000n ? true : undefined), 20_000);
    }
    await nextBlock([a, b]);

    // Trade the perp against each other at the mark (or the index on an empty book).
    const ctx = parts().engine.exchange.productContext(0);
    const tick = (await a.c.markets()).find((m) => m.id === 'HPI-PERP')!.tickSize;
    const ref = ctx.perp.mark('HPI-PERP') ?? ctx.chain.index!;
    const price = Math.max(tick, Math.round(ref / tick) * tick);
    const size = 1;
    const rest = await a.c.placeOrder({ market: 'HPI-PERP', side: 'buy', type: 'limit', price, size, timeInForce: 'GTC' });
    expect(rest, JSON.stringify(rest)).toMatchObject({ status: expect.stringMatching(/open|resting|new/) });
    const take = await b.c.placeOrder({ market: 'HPI-PERP', side: 'sell', type: 'market', size });
    expect(take, JSON.stringify(take)).toMatchObject({ status: 'filled' });
    await nextBlock([a, b]);

    // A hashrate forward: bob (the miner) offers 1 TH/s for 30 days at the curve, alice (the investor) takes it.
    const curve = await a.c.curve();
    const fwdPrice = Math.max(1, Math.round(Number(curve.points.find((p) => p.tenorDays === 30)?.hashpriceSatPerPHDay ?? curve.points[0]!.hashpriceSatPerPHDay)));
    const products = (t: Trader) => new ProductsClient(t.c);
    const ask = await products(b).placeForwardOrder({ market: 'FWD-30D', side: 'sell', price: fwdPrice, qty: 10_000 });
    expect(ask, JSON.stringify(ask)).toMatchObject({ status: expect.stringMatching(/open|resting|new/) });
    const bid = await products(a).placeForwardOrder({ market: 'FWD-30D', side: 'buy', price: fwdPrice, qty: 10_000, tif: 'IOC' });
    expect(bid, JSON.stringify(bid)).toMatchObject({ status: 'filled' });
    await nextBlock([a, b]);

    // Out: alice to her Ark wallet; bob to his wallet, then on to L1 by his wallet's collaborative exit.
    const wa = await a.c.withdrawArk(50_000, await a.wallet.getAddress());
    expect(wa.status).toBe('settled');
    const wb = await b.c.withdrawArk(40_000, await b.wallet.getAddress());
    expect(wb.status).toBe('settled');
    await until('bob has the VTXO', async () => ((await b.wallet.getVtxos()).some((v) => v.txid === wb.arkTxid) ? true : undefined), 20_000);
    const l1 = await funder.call<string>('getnewaddress');
    const info = await b.wallet.arkProvider.getInfo();
    const commitment = await new Ramps(b.wallet).offboard(l1, info.fees, 40_000n);
    const tx = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [commitment, true]);
    expect(tx.vout.some((o) => o.scriptPubKey.address === l1 && Math.round(o.value * 1e8) === 40_000)).toBe(true);
    for (let i = 0; i < 2; i++) await nextBlock([a, b]);

    // A copy of the ledger with alice's balance one msat higher: its tree refuses to build (the sum no longer
    // equals what the world put in), and alice's published proof does not verify against a root built with it.
    const copy = new Map(parts().engine.exchange.ledger.entries());
    const key = `user:${a.id}`;
    copy.set(key, copy.get(key)! + 1n);
    const salts = randomBytes(SALT_BYTES * copy.size);
    expect(() => buildLiabilities({ height: 1, hash: 'ab'.repeat(32) }, copy, salts)).toThrow();
    copy.set('world', copy.get('world')! - 1n);
    const forged = buildLiabilities({ height: 1, hash: 'ab'.repeat(32) }, copy, salts);
    const root = await a.c.liabilities();
    const proof = await a.c.liabilitiesProof(root.height);
    expect(verifyLiabilitiesProof(proof, { ...root, root: forged.root.root, totalMsat: forged.root.totalMsat }, a.id).ok).toBe(false);
    for (const t of [a, b]) await t.wallet.dispose();
  });
});
