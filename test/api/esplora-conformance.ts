/**
 * One conformance suite for every /esplora backend: the stock @arkade-os/sdk EsploraProvider and
 * OnchainWallet (unmodified) read, spend and CPFP-bump through the routes, and each answer is compared
 * with what the backend's own source says (bitcoind's RPC, or the embedded ledger's records), through
 * a small driver. Run by esplora-ledger.test.ts (always) and esplora-conformance-bitcoind.test.ts (with
 * BITCOIND_RPC_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsploraProvider, OnchainWallet, P2A, SingleKey } from '@arkade-os/sdk';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { EsploraSource } from '../../src/chain/esplora-source.js';

export interface EsploraDriver {
  /** The /esplora base URL. */
  base: string;
  /** Pays `sats` to `address` from outside (a node wallet, the ledger's faucet). */
  pay(address: string, sats: number): Promise<{ txid: string; vout: number }>;
  /** Mines one block with everything pending; its hash, height and time as the source knows them. */
  mine(): Promise<{ hash: string; height: number; time: number }>;
  tip(): Promise<{ hash: string; height: number; mediantime: number }>;
  /** Whether the source holds this tx (mempool or chain). */
  known(txid: string): Promise<boolean>;
  /** The source's raw header at a height. */
  headerAt(height: number): Promise<string>;
  /** An address of nobody in particular, to pay to. */
  sink: string;
  close(): Promise<void>;
}

export function esploraConformance(name: string, open: () => Promise<EsploraDriver>): void {
  describe(`/esplora conformance: ${name}`, () => {
    let d: EsploraDriver;
    let provider: EsploraProvider;
    const aliceKey = SingleKey.fromRandomBytes();
    let alice: OnchainWallet;

    beforeAll(async () => {
      d = await open();
      provider = new EsploraProvider(d.base, { forcePolling: true, pollingInterval: 200 });
      alice = await OnchainWallet.create(aliceKey, 'regtest', provider);
    }, 120_000);
    afterAll(async () => d?.close());

    it('getChainTip is the source’s best block: hash, height, median time past', async () => {
      for (let attempt = 0; ; attempt++) {
        const before = await d.tip();
        const tip = await provider.getChainTip();
        const after = await d.tip();
        if (before.hash !== after.hash && attempt < 3) continue; // another suite mined meanwhile
        expect(tip).toEqual({ hash: after.hash, height: after.height, time: after.mediantime });
        break;
      }
    });

    let fund: { txid: string; vout: number };

    it('a payment shows in getCoins, getTransactions and getTxStatus, unconfirmed then confirmed', async () => {
      fund = await d.pay(alice.address, 5_000_000);
      expect(await provider.getTxStatus(fund.txid)).toEqual({ confirmed: false });
      expect(await provider.getCoins(alice.address)).toEqual([{ txid: fund.txid, vout: fund.vout, value: 5_000_000, status: { confirmed: false } }]);
      expect((await provider.getTransactions(alice.address)).map((t) => [t.txid, t.status.confirmed])).toEqual([[fund.txid, false]]);
      const b = await d.mine();
      expect(await provider.getTxStatus(fund.txid)).toEqual({ confirmed: true, blockHeight: b.height, blockTime: b.time });
      expect(await provider.getCoins(alice.address)).toEqual([{ txid: fund.txid, vout: fund.vout, value: 5_000_000, status: { confirmed: true, block_height: b.height, block_hash: b.hash, block_time: b.time } }]);
      expect(await alice.getBalance()).toBe(5_000_000);
      const [tx] = await provider.getTransactions(alice.address);
      expect(tx!.vout[fund.vout]).toMatchObject({ scriptpubkey_address: alice.address, scriptpubkey_type: 'v1_p2tr', value: 5_000_000 });
      expect(await (await fetch(`${d.base}/block/${b.hash}/txids`)).json()).toContain(fund.txid);
    });

    it('the SDK wallet spends it (POST /tx); outspends name the spender; coins and history follow', async () => {
      const spendTxid = await alice.send({ address: d.sink, amount: 1_000_000 });
      expect(await d.known(spendTxid)).toBe(true);
      const rawHex = await (await fetch(`${d.base}/tx/${spendTxid}/hex`)).text();
      const raw = Transaction.fromRaw(hex.decode(rawHex));
      expect(raw.id).toBe(spendTxid);
      const esplora = (await (await fetch(`${d.base}/tx/${spendTxid}`)).json()) as { fee: number; weight: number; size: number; vin: { txid: string; vout: number; witness?: string[] }[]; vout: { value: number }[] };
      // fee = the funding output − the outputs, from the raw tx alone
      let outSum = 0n;
      for (let i = 0; i < raw.outputsLength; i++) outSum += raw.getOutput(i).amount!;
      expect(esplora.fee).toBe(5_000_000 - Number(outSum));
      expect([esplora.weight, esplora.size]).toEqual([raw.weight, rawHex.length / 2]);
      expect(esplora.vin.map((i) => [i.txid, i.vout, i.witness?.length])).toEqual([[fund.txid, fund.vout, 1]]);
      expect((await provider.getTxOutspends(fund.txid))[fund.vout]).toEqual({ spent: true, txid: spendTxid, vin: 0, status: { confirmed: false } });
      const change: { txid: string; vout: number; value: number; status: { confirmed: false } }[] = [];
      for (let i = 0; i < raw.outputsLength; i++) {
        const o = raw.getOutput(i);
        if (hex.encode(o.script!) === hex.encode(alice.onchainP2TR.script)) change.push({ txid: spendTxid, vout: i, value: Number(o.amount), status: { confirmed: false } });
      }
      expect(await provider.getCoins(alice.address)).toEqual(change);
      expect((await provider.getTransactions(alice.address)).map((x) => [x.txid, x.status.confirmed])).toEqual([[spendTxid, false], [fund.txid, true]]);
      await d.mine();
      expect((await provider.getTransactions(alice.address)).map((x) => [x.txid, x.status.confirmed])).toEqual([[spendTxid, true], [fund.txid, true]]);
      // Cheater: the funding coin spent again is refused, worded as electrs words a node refusal.
      const again = new Transaction({ version: 2 });
      again.addInput({ txid: fund.txid, index: fund.vout, witnessUtxo: { script: alice.onchainP2TR.script, amount: 5_000_000n }, tapInternalKey: alice.onchainP2TR.tapInternalKey });
      again.addOutputAddress(d.sink, 4_000_000n, alice.network);
      const signed = await aliceKey.sign(again);
      signed.finalize();
      const res = await fetch(`${d.base}/tx`, { method: 'POST', body: signed.hex, headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^sendrawtransaction RPC error: \{"code":-\d+,"message":".*(missingorspent|already spent)/);
    });

    it('a 1P1C v3 package with a P2A anchor goes in through /txs/package; the wrong order is refused and leaves nothing', async () => {
      const bobKey = SingleKey.fromRandomBytes();
      const bob = await OnchainWallet.create(bobKey, 'regtest', provider);
      await d.pay(bob.address, 2_000_000);
      await d.mine();
      const [coin] = await bob.getCoins();
      let parent = new Transaction({ version: 3, allowUnknownOutputs: true });
      parent.addInput({ txid: coin!.txid, index: coin!.vout, witnessUtxo: { script: bob.onchainP2TR.script, amount: BigInt(coin!.value) }, tapInternalKey: bob.onchainP2TR.tapInternalKey });
      parent.addOutputAddress(d.sink, BigInt(coin!.value), bob.network);
      parent.addOutput(P2A);
      parent = await bobKey.sign(parent);
      parent.finalize();
      const [p, c] = await alice.bumpAnchor(parent.hex, 2);
      const childId = Transaction.fromRaw(hex.decode(c)).id;
      await expect(provider.broadcastTransaction(c, p)).rejects.toThrow(/Failed to broadcast package: submitpackage/);
      expect(await d.known(parent.id)).toBe(false);
      const result = (await provider.broadcastTransaction(p, c)) as unknown as { package_msg: string };
      expect(result.package_msg).toBe('success');
      expect((await provider.getTxOutspends(parent.id))[1]).toEqual({ spent: true, txid: childId, vin: 0, status: { confirmed: false } });
      const anchor = ((await (await fetch(`${d.base}/tx/${parent.id}`)).json()) as { vout: { scriptpubkey_type: string; scriptpubkey_address?: string }[] }).vout[1]!;
      expect(anchor).toMatchObject({ scriptpubkey_type: 'anchor', scriptpubkey_address: 'bcrt1pfeesnyr2tx' });
      await d.mine();
      expect(await provider.getTxStatus(childId)).toMatchObject({ confirmed: true });
    });

    it('HashPerp’s EsploraSource reads the source’s headers; each hashes to its block and names its parent', async () => {
      const source = new EsploraSource(d.base);
      const tip = await source.tipHeight();
      const got = await source.rawHeaders(tip - 5, 6);
      const want = await Promise.all(Array.from({ length: 6 }, (_, i) => d.headerAt(tip - 5 + i)));
      expect(got.map((h) => hex.encode(h))).toEqual(want);
      for (let i = 1; i < got.length; i++) expect(hex.encode(got[i]!.slice(4, 36))).toBe(hex.encode(sha256(sha256(got[i - 1]!))));
    });

    it('unknown ids are 404s, bad bodies and addresses 400s, in plain text', async () => {
      const tip = await d.tip();
      for (const [path, status, message] of [
        [`/tx/${'00'.repeat(32)}`, 404, /Transaction not found/],
        [`/tx/${'00'.repeat(32)}/status`, 404, /Transaction not found/],
        [`/tx/${fund.txid}/outspend/99`, 404, /no output 99/],
        [`/block/${'11'.repeat(32)}/header`, 404, /Block not found/],
        [`/block-height/${tip.height + 1000}`, 404, /Block not found/],
        [`/address/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4/txs`, 400, /Invalid Bitcoin address/],
      ] as const) {
        const res = await fetch(d.base + path);
        expect([res.status, await res.text()], path).toEqual([status, expect.stringMatching(message)]);
      }
      const res = await fetch(`${d.base}/tx`, { method: 'POST', body: 'deadbeef', headers: { 'content-type': 'text/plain' } });
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(/^sendrawtransaction RPC error: \{"code":-\d+,"message":"TX decode failed/);
      const fresh = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', provider);
      expect(await provider.getCoins(fresh.address)).toEqual([]);
      expect(await provider.getTransactions(fresh.address)).toEqual([]);
    });
  });
}
