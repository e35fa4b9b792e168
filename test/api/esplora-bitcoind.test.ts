/**
 * Conformance of /esplora on a real bitcoind -regtest (BITCOIND_RPC_URL, set by .ci/run), mounted on
 * HashPerp's own fastify server: the stock @arkade-os/sdk EsploraProvider and OnchainWallet (unmodified)
 * fund, read, spend and CPFP-bump through it, and every answer is compared with bitcoind's own RPC
 * answer for the same thing; HashPerp's EsploraSource and EsploraBroadcaster read headers, fees and
 * tx status through it. The node may be shared with other suites: this file uses its own wallet and
 * keys, and compares by txid and hash rather than absolute heights.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsploraProvider, OnchainWallet, P2A, SingleKey, Transaction } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import type { App } from '../../src/api/app-types.js';
import { createServer } from '../../src/api/server.js';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { BitcoindEsplora } from '../../src/api/esplora/bitcoind-esplora.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { EsploraSource } from '../../src/chain/esplora-source.js';
import { BitcoindRpc, RpcError } from '../../src/chain/rpc-client.js';
import { EsploraBroadcaster } from '../../src/bitcoin/exit-executor.js';
import { FakeExchange, FakeIndex } from './fakes.js';

const url = process.env.BITCOIND_RPC_URL;

interface NodeTx {
  txid: string;
  hex: string;
  vin: { txid: string; vout: number }[];
  vout: { value: number; n: number; scriptPubKey: { hex: string; address?: string } }[];
  blockhash?: string;
  fee?: number;
}

const sats = (btc: number): number => Math.round(btc * 1e8);

describe('/esplora over a real bitcoind -regtest', () => {
  if (!url) {
    it.skip('skipped: BITCOIND_RPC_URL is not set (.ci/run starts bitcoind -regtest and sets it)', () => {});
    console.log('[esplora] real bitcoind conformance test skipped: BITCOIND_RPC_URL is not set');
    return;
  }

  const rpc = new BitcoindRpc(url);
  const walletName = `esplora-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const w = new BitcoindRpc(`${url.replace(/\/+$/, '')}/wallet/${walletName}`);
  let app: App;
  let base: string;
  let provider: EsploraProvider;
  let minerAddr: string;
  const aliceKey = SingleKey.fromRandomBytes();
  let alice: OnchainWallet;

  const nodeTx = (txid: string, verbosity = 1) => rpc.call<NodeTx>('getrawtransaction', [txid, verbosity]);
  const mine = async (n = 1): Promise<string[]> => rpc.call<string[]>('generatetoaddress', [n, minerAddr]);
  const header = (hash: string) => rpc.call<{ height: number; time: number; mediantime: number }>('getblockheader', [hash, true]);
  const nodeMessage = async (method: string, params: unknown[]): Promise<{ code: number; message: string }> => {
    try {
      await rpc.call(method, params);
    } catch (e) {
      if (e instanceof RpcError) return { code: e.rpcCode, message: e.rpcMessage };
      throw e;
    }
    throw new Error(`${method} unexpectedly succeeded`);
  };
  const get = async (path: string) => {
    const res = await fetch(base + path);
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    await rpc.call('createwallet', [walletName]);
    minerAddr = await w.call<string>('getnewaddress');
    await mine(101);
    // Regtest halves the subsidy every 150 blocks: on a long-lived node, mine until the wallet can pay.
    for (let i = 0; (await w.call<number>('getbalance')) < 0.2; i++) {
      if (i >= 50) throw new Error('the regtest wallet cannot reach 0.2 BTC (subsidy exhausted on this node?)');
      await mine(25);
    }
    app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
    await registerEsplora(app, { rpc, network: 'regtest' });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${addr.port}/esplora`;
    provider = new EsploraProvider(base, { forcePolling: true, pollingInterval: 200 });
    alice = await OnchainWallet.create(aliceKey, 'regtest', provider);
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await rpc.call('unloadwallet', [walletName]).catch(() => undefined);
  });

  it('getChainTip is the node’s best block: hash, height, median time past', async () => {
    for (let attempt = 0; ; attempt++) {
      const before = await rpc.call<string>('getbestblockhash');
      const tip = await provider.getChainTip();
      const after = await rpc.call<string>('getbestblockhash');
      if (before !== after && attempt < 3) continue; // another suite mined meanwhile
      const h = await header(after);
      expect(tip).toEqual({ hash: after, height: h.height, time: h.mediantime });
      break;
    }
  });

  let fundTxid: string;
  let fundVout: number;

  it('a payment to the SDK wallet shows in getCoins, getTransactions and getTxStatus, unconfirmed then confirmed', async () => {
    fundTxid = await w.call<string>('sendtoaddress', [alice.address, 0.05]);
    const t = await nodeTx(fundTxid);
    fundVout = t.vout.find((o) => o.scriptPubKey.address === alice.address)!.n;

    expect(await provider.getTxStatus(fundTxid)).toEqual({ confirmed: false });
    expect(await provider.getCoins(alice.address)).toEqual([{ txid: fundTxid, vout: fundVout, value: 5_000_000, status: { confirmed: false } }]);
    const txs = await provider.getTransactions(alice.address);
    expect(txs.map((x) => [x.txid, x.status.confirmed])).toEqual([[fundTxid, false]]);
    expect(txs[0]!.vout.map((o) => [o.scriptpubkey_address, o.value])).toEqual(t.vout.map((o) => [o.scriptPubKey.address, sats(o.value)]));
    expect(txs[0]!.vin!.map((i) => [i.txid, i.vout])).toEqual(t.vin.map((i) => [i.txid, i.vout]));
    // The mempool tx's fee, computed here from its prevouts, is the node's.
    const entry = await rpc.call<{ fees: { base: number } }>('getmempoolentry', [fundTxid]);
    expect((await (await fetch(`${base}/tx/${fundTxid}`)).json()).fee).toBe(sats(entry.fees.base));

    const [block] = await mine();
    const h = await header(block!);
    expect(await provider.getTxStatus(fundTxid)).toEqual({ confirmed: true, blockHeight: h.height, blockTime: h.time });
    expect(await provider.getCoins(alice.address)).toEqual([
      { txid: fundTxid, vout: fundVout, value: 5_000_000, status: { confirmed: true, block_height: h.height, block_hash: block, block_time: h.time } },
    ]);
    expect(await alice.getBalance()).toBe(5_000_000);
    const confirmed = await provider.getTransactions(alice.address);
    expect(confirmed.map((x) => [x.txid, x.status])).toEqual([[fundTxid, { confirmed: true, block_height: h.height, block_hash: block, block_time: h.time }]]);
    const v2 = await nodeTx(fundTxid, 2);
    expect((await (await fetch(`${base}/tx/${fundTxid}`)).json()).fee).toBe(sats(v2.fee!));
    expect(await (await fetch(`${base}/tx/${fundTxid}/hex`)).text()).toBe(v2.hex);
  });

  let spendTxid: string;

  it('the SDK wallet spends it (POST /tx); outspends name the spender in the mempool, then in its block', async () => {
    spendTxid = await alice.send({ address: minerAddr, amount: 1_000_000 });
    const spend = await nodeTx(spendTxid);
    expect(spend.txid).toBe(spendTxid);
    const spendVin = spend.vin.findIndex((i) => i.txid === fundTxid && i.vout === fundVout);
    expect(spendVin).toBeGreaterThanOrEqual(0);

    const nodeSpent = async () =>
      Promise.all((await nodeTx(fundTxid)).vout.map(async (o) => (await rpc.call('gettxout', [fundTxid, o.n, true])) === null));
    const outs = await provider.getTxOutspends(fundTxid);
    expect(outs.map((o) => o.spent)).toEqual(await nodeSpent());
    expect(outs[fundVout]).toEqual({ spent: true, txid: spendTxid, vin: spendVin, status: { confirmed: false } });

    // The spent coin is gone; the change is the wallet's only coin.
    const change = spend.vout.filter((o) => o.scriptPubKey.address === alice.address);
    expect(await provider.getCoins(alice.address)).toEqual(change.map((o) => ({ txid: spendTxid, vout: o.n, value: sats(o.value), status: { confirmed: false } })));
    const history = await provider.getTransactions(alice.address);
    expect(history.map((x) => [x.txid, x.status.confirmed])).toEqual([[spendTxid, false], [fundTxid, true]]);
    expect(history[0]!.vin).toContainEqual(expect.objectContaining({ txid: fundTxid, vout: fundVout }));

    const [block] = await mine();
    const h = await header(block!);
    expect((await provider.getTxOutspends(fundTxid))[fundVout]).toEqual({
      spent: true, txid: spendTxid, vin: spendVin, status: { confirmed: true, block_height: h.height, block_hash: block, block_time: h.time },
    });
    expect((await provider.getTxOutspends(spendTxid)).map((o) => o.spent)).toEqual(spend.vout.map(() => false));
    expect((await provider.getTransactions(alice.address)).map((x) => [x.txid, x.status.confirmed])).toEqual([[spendTxid, true], [fundTxid, true]]);
  });

  it('getFeeRate is estimatesmartfee’s 1-block rate in sat/vB, or undefined when the node has none', async () => {
    const node = await rpc.call<{ feerate?: number }>('estimatesmartfee', [1]);
    expect(await provider.getFeeRate()).toBe(node.feerate === undefined ? undefined : (node.feerate * 1e8) / 1000);
  });

  it('a 1P1C TRUC package with a P2A anchor goes in through /txs/package; its zero-fee parent alone is refused with the node’s message', async () => {
    const bobKey = SingleKey.fromRandomBytes();
    const bob = await OnchainWallet.create(bobKey, 'regtest', provider);
    await w.call('sendtoaddress', [bob.address, 0.02]);
    await mine();
    const [coin] = await bob.getCoins();
    expect(coin?.status.confirmed).toBe(true);

    // An Ark-style virtual tx: version 3, no fee, a zero-value pay-to-anchor output.
    let parent = new Transaction({ version: 3, allowUnknownOutputs: true });
    parent.addInput({ txid: coin!.txid, index: coin!.vout, witnessUtxo: { script: bob.onchainP2TR.script, amount: BigInt(coin!.value) }, tapInternalKey: bob.onchainP2TR.tapInternalKey });
    parent.addOutputAddress(minerAddr, BigInt(coin!.value), bob.network);
    parent.addOutput(P2A);
    parent = await bobKey.sign(parent);
    parent.finalize();

    const refusal = await nodeMessage('sendrawtransaction', [parent.hex]);
    await expect(provider.broadcastTransaction(parent.hex)).rejects.toThrow(`Failed to broadcast transaction: sendrawtransaction RPC error: ${JSON.stringify(refusal)}`);

    // The stock SDK fee wallet builds and signs the CPFP child from its confirmed coins.
    const [p, c] = await alice.bumpAnchor(parent.hex, 2);
    const childId = Transaction.fromRaw(hex.decode(c)).id;
    // Cheater: the same package in the wrong order is not child-with-parents; nothing enters the mempool.
    await expect(provider.broadcastTransaction(c, p)).rejects.toThrow(/Failed to broadcast package: submitpackage RPC error: .*topology/);
    await expect(rpc.call('getmempoolentry', [parent.id])).rejects.toThrow(/not in mempool/);

    // Cheater: a child whose signature is tampered with; the node answers package_msg "transaction failed"
    // (not an RPC error), which must still be a refusal, and the zero-fee parent stays out.
    const bad = c.slice(0, c.length - 8 - 20) + (c[c.length - 28] === '0' ? '1' : '0') + c.slice(c.length - 27);
    expect(bad.length).toBe(c.length);
    await expect(provider.broadcastTransaction(p, bad)).rejects.toThrow(/Failed to broadcast package: submitpackage: .*"package_msg":"transaction failed"/);
    await expect(rpc.call('getmempoolentry', [parent.id])).rejects.toThrow(/not in mempool/);

    const result = (await provider.broadcastTransaction(p, c)) as unknown as { package_msg: string };
    expect(result.package_msg).toBe('success');
    const [pe, ce] = await Promise.all([rpc.call<{ depends: string[] }>('getmempoolentry', [parent.id]), rpc.call<{ depends: string[] }>('getmempoolentry', [childId])]);
    expect(pe.depends).toEqual([]);
    expect(ce.depends).toEqual([parent.id]);
    expect((await provider.getTxOutspends(parent.id))[1]).toEqual({ spent: true, txid: childId, vin: 0, status: { confirmed: false } });
    await mine();
    expect(await provider.getTxStatus(childId)).toMatchObject({ confirmed: true });
  });

  it('watchAddresses falls back to polling (no /v1/ws here) and reports a new payment', async () => {
    const watcher = new EsploraProvider(base, { pollingInterval: 200 });
    const carol = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', watcher);
    const seen: string[] = [];
    const stop = await watcher.watchAddresses([carol.address], (txs) => seen.push(...txs.map((t) => t.txid)));
    try {
      await new Promise((r) => setTimeout(r, 1_000)); // the WebSocket attempt fails, polling takes its first snapshot
      const txid = await w.call<string>('sendtoaddress', [carol.address, 0.001]);
      for (let i = 0; i < 50 && !seen.includes(txid); i++) await new Promise((r) => setTimeout(r, 100));
      expect(seen).toContain(txid);
    } finally {
      stop();
    }
  });

  it('a reorg: a tx whose block is invalidated is unconfirmed again (history, status, coins, spender), then confirms in the replacement', async () => {
    const eve = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', provider);
    const txid = await w.call<string>('sendtoaddress', [eve.address, 0.001]);
    const vin0 = (await nodeTx(txid)).vin[0]!;
    // A block with only this tx, so invalidating it drops nothing of other suites sharing the node.
    const { hash: b1 } = await rpc.call<{ hash: string }>('generateblock', [minerAddr, [txid]]);
    expect((await provider.getTransactions(eve.address)).map((t) => [t.txid, t.status.confirmed])).toEqual([[txid, true]]);
    const spender = (await (await fetch(`${base}/tx/${vin0.txid}/outspend/${vin0.vout}`)).json()) as { txid: string; status: { block_hash?: string } };
    expect([spender.txid, spender.status.block_hash]).toEqual([txid, b1]);

    await rpc.call('invalidateblock', [b1]);
    await rpc.call('getmempoolentry', [txid]); // the node put it back in its mempool
    expect(await provider.getTxStatus(txid)).toEqual({ confirmed: false });
    expect((await provider.getTransactions(eve.address)).map((t) => [t.txid, t.status.confirmed])).toEqual([[txid, false]]);
    expect((await provider.getCoins(eve.address)).map((c) => [c.txid, c.status.confirmed])).toEqual([[txid, false]]);
    expect(await (await fetch(`${base}/tx/${vin0.txid}/outspend/${vin0.vout}`)).json()).toMatchObject({ spent: true, txid, status: { confirmed: false } });

    const [b2] = await mine();
    expect(b2).not.toBe(b1);
    expect((await provider.getTransactions(eve.address)).map((t) => [t.txid, (t.status as { block_hash?: string }).block_hash])).toEqual([[txid, b2]]);
    expect((await provider.getCoins(eve.address)).map((c) => [c.txid, (c.status as { block_hash?: string }).block_hash])).toEqual([[txid, b2]]);
  });

  it('history starts at historyFromHeight: older txs are not listed and their spender is unknown, UTXOs still are (the documented limit)', async () => {
    const tip = await rpc.call<number>('getblockcount');
    const late = new BitcoindEsplora(rpc, NETWORKS.regtest, { historyFromHeight: tip + 1 });
    expect(await late.addressTxs(alice.address)).toEqual([]);
    expect((await late.outspends(fundTxid))[fundVout]).toEqual({ spent: true });
    const coins = await late.addressUtxos(alice.address);
    expect(coins).toEqual(await provider.getCoins(alice.address));
    // What is mined from that height on is indexed.
    const fresh = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', provider);
    const txid = await w.call<string>('sendtoaddress', [fresh.address, 0.001]);
    await mine();
    expect((await late.addressTxs(fresh.address)).map((t) => [t.txid, t.status.confirmed])).toEqual([[txid, true]]);
  });

  it('HashPerp’s EsploraSource reads exactly the node’s headers and fees through /esplora', async () => {
    const source = new EsploraSource(base);
    const tip = await source.tipHeight();
    expect(tip).toBeLessThanOrEqual(await rpc.call<number>('getblockcount'));
    for (const [from, count] of [[0, 12], [Math.max(0, tip - 30), Math.min(31, tip + 1)]] as const) {
      const got = await source.rawHeaders(from, count);
      const hashes = await rpc.batch<string>(Array.from({ length: count }, (_, i) => ({ method: 'getblockhash', params: [from + i] })));
      const want = await rpc.batch<string>(hashes.map((h) => ({ method: 'getblockheader', params: [h, false] })));
      expect(got.map((b) => hex.encode(b))).toEqual(want);
    }
    const spendBlock = (await nodeTx(spendTxid)).blockhash!;
    const height = (await header(spendBlock)).height;
    const stats = await rpc.call<{ totalfee: number; subsidy: number }>('getblockstats', [height, ['totalfee', 'subsidy']]);
    // blockFees = coinbase outputs − subsidy(height) with the mainnet schedule; regtest halves every 150
    // blocks, so compare the coinbase it reads (/block/:hash/txs/0) with Core's subsidy + fees instead.
    const [coinbase] = await (await fetch(`${base}/block/${spendBlock}/txs/0`)).json();
    expect(coinbase.vout.reduce((s: number, o: { value: number }) => s + o.value, 0)).toBe(stats.subsidy + stats.totalfee);
    expect(stats.totalfee).toBeGreaterThan(0);
    if (height < 150) expect(await source.blockFees(height)).toBe(BigInt(stats.totalfee));
  });

  it('HashPerp’s EsploraBroadcaster: known by status, refusals carry the node’s reason', async () => {
    const b = new EsploraBroadcaster(base);
    expect(await b.status(fundTxid)).not.toBe('unknown');
    expect(await b.status('00'.repeat(32))).toBe('unknown');
    const decode = await nodeMessage('sendrawtransaction', ['deadbeef']);
    const r = await b.broadcast('deadbeef', '00'.repeat(32));
    expect(r.accepted).toBe(false);
    expect(r.reason).toContain(decode.message);
    // A confirmed tx sent again (one of its outputs is a fresh key's, so surely unspent): already known.
    const dave = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', provider);
    const daveTxid = await w.call<string>('sendtoaddress', [dave.address, 0.001]);
    await mine();
    const again = await b.broadcast((await nodeTx(daveTxid)).hex, daveTxid);
    expect(again).toMatchObject({ accepted: true, alreadyKnown: true });
  });

  it('unknown ids are 404s and node refusals 400s, in plain text', async () => {
    const tip = await rpc.call<number>('getblockcount');
    for (const [path, status, message] of [
      [`/tx/${'00'.repeat(32)}`, 404, /Transaction not found/],
      [`/tx/${'00'.repeat(32)}/status`, 404, /Transaction not found/],
      [`/tx/${'00'.repeat(32)}/outspends`, 404, /Transaction not found/],
      [`/tx/${fundTxid}/outspend/99`, 404, /no output 99/],
      [`/block/${'11'.repeat(32)}/header`, 404, /Block not found/],
      [`/block-height/${tip + 1000}`, 404, /Block not found/],
      [`/blocks/${tip + 1000}`, 404, /Block not found/],
    ] as const) {
      const r = await get(path);
      expect([r.status, r.body], path).toEqual([status, expect.stringMatching(message)]);
    }
    const res = await fetch(`${base}/tx`, { method: 'POST', body: 'deadbeef', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toBe(`sendrawtransaction RPC error: ${JSON.stringify(await nodeMessage('sendrawtransaction', ['deadbeef']))}`);
    // A never-used address has nothing, not an error.
    const fresh = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', provider);
    expect(await provider.getCoins(fresh.address)).toEqual([]);
    expect(await provider.getTransactions(fresh.address)).toEqual([]);
  });

  it('/blocks and /block/:hash match getblock; /block/:hash/txs/0 starts with the coinbase', async () => {
    const tipHash = await rpc.call<string>('getbestblockhash');
    const b = await rpc.call<{ hash: string; height: number; size: number; weight: number; nTx: number; time: number; merkleroot: string; bits: string; tx: string[] }>('getblock', [tipHash, 1]);
    const got = await (await fetch(`${base}/block/${tipHash}`)).json();
    expect(got).toMatchObject({ id: b.hash, height: b.height, size: b.size, weight: b.weight, tx_count: b.nTx, timestamp: b.time, merkle_root: b.merkleroot, bits: parseInt(b.bits, 16) });
    const page = await (await fetch(`${base}/blocks/${b.height}`)).json();
    expect(page[0].id).toBe(b.hash);
    expect(page.length).toBe(Math.min(10, b.height + 1));
    expect(await (await fetch(`${base}/block/${tipHash}/txids`)).json()).toEqual(b.tx);
    const txs = await (await fetch(`${base}/block/${tipHash}/txs/0`)).json();
    expect(txs.map((t: { txid: string }) => t.txid)).toEqual(b.tx.slice(0, 25));
    expect(txs[0].vin[0].is_coinbase).toBe(true);
    // The genesis coinbase as blockstream.info shows it (regtest's genesis has mainnet's coinbase).
    const genesis = await (await fetch(`${base}/block/${await rpc.call<string>('getblockhash', [0])}/txs/0`)).json();
    expect(genesis[0].vin[0].scriptsig_asm).toBe(
      'OP_PUSHBYTES_4 ffff001d OP_PUSHBYTES_1 04 OP_PUSHBYTES_69 5468652054696d65732030332f4a616e2f32303039204368616e63656c6c6f72206f6e206272696e6b206f66207365636f6e64206261696c6f757420666f722062616e6b73',
    );
    expect(genesis[0].vout[0].scriptpubkey_asm).toBe(
      'OP_PUSHBYTES_65 04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f35504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f OP_CHECKSIG',
    );
    expect(hex.encode(new Uint8Array(await (await fetch(`${base}/block/${tipHash}/raw`)).arrayBuffer()))).toBe(await rpc.call<string>('getblock', [tipHash, 0]));
    expect(hex.encode(new Uint8Array(await (await fetch(`${base}/tx/${fundTxid}/raw`)).arrayBuffer()))).toBe((await nodeTx(fundTxid)).hex);
    const fundBlock = (await nodeTx(fundTxid)).blockhash!;
    expect(await (await fetch(`${base}/tx/${fundTxid}/merkleblock-proof`)).text()).toBe(await rpc.call<string>('gettxoutproof', [[fundTxid], fundBlock]));
  });
});
