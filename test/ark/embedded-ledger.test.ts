/**
 * The embedded demo ledger on its own and behind /esplora. Its refusals (double spend, immature CSV,
 * missing input, outputs above inputs, a non-final locktime, a package that fails part-way) with
 * hand-built transactions; its headers checked by recomputing their hashes here; then the stock SDK's
 * EsploraProvider and OnchainWallet (unmodified) read, spend and CPFP-bump through LedgerEsplora as
 * they do through bitcoind (the same steps as esplora-bitcoind.test.ts, minus the node's answers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EsploraProvider, OnchainWallet, P2A, SingleKey } from '@arkade-os/sdk';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import type { App } from '../../src/api/app-types.js';
import { createServer } from '../../src/api/server.js';
import { LedgerEsplora } from '../../src/api/esplora/ledger-esplora.js';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { EsploraSource } from '../../src/chain/esplora-source.js';
import { EmbeddedLedger } from '../../src/operator/ark/embedded-ledger.js';
import { FakeExchange, FakeIndex } from '../api/fakes.js';

const SCRIPT_A = new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(0xaa)]);
const SCRIPT_B = new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(0xbb)]);
const OPTS = { allowUnknownInputs: true, allowUnknownOutputs: true } as const;

/** An unsigned spend (the ledger checks no scripts): inputs with their sequences, outputs. */
function spend(inputs: { txid: string; vout: number; sequence?: number }[], outputs: { script: Uint8Array; amount: bigint }[], o: { version?: number; lockTime?: number } = {}): string {
  const tx = new Transaction({ version: o.version ?? 2, lockTime: o.lockTime ?? 0, ...OPTS });
  for (const i of inputs) tx.addInput({ txid: i.txid, index: i.vout, sequence: i.sequence ?? 0xfffffffd });
  for (const out of outputs) tx.addOutput(out);
  return hex.encode(tx.unsignedTx);
}

describe('EmbeddedLedger refusals', () => {
  let t = 1_700_000_000;
  const ledger = new EmbeddedLedger(() => t++, 10);

  it('refuses a double spend, in the mempool and after it is mined', async () => {
    const coin = ledger.fund(SCRIPT_A, 50_000n);
    ledger.mine();
    const first = await ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 49_000n }]));
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_A, amount: 48_000n }]))).rejects.toThrow(`already spent by ${first}`);
    ledger.mine();
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_A, amount: 47_000n }]))).rejects.toThrow(/already spent/);
    expect(await ledger.unspent(coin.txid, coin.vout)).toBeUndefined();
    // Sending the same tx again is not a double spend: it is already known.
    expect(await ledger.broadcast(hex.encode(Transaction.fromRaw(hex.decode(ledger.tx(first)!.hex), OPTS).unsignedTx))).toBe(first);
  });

  it('refuses a spend of an output that does not exist', async () => {
    await expect(ledger.broadcast(spend([{ txid: 'ab'.repeat(32), vout: 0 }], [{ script: SCRIPT_B, amount: 1n }]))).rejects.toThrow(/does not exist/);
    const coin = ledger.fund(SCRIPT_A, 1_000n);
    await expect(ledger.broadcast(spend([{ txid: coin.txid, vout: 1 }], [{ script: SCRIPT_B, amount: 1n }]))).rejects.toThrow(/does not exist/);
  });

  it('refuses a relative timelock (BIP-68 blocks) until the input has that many confirmations', async () => {
    const coin = ledger.fund(SCRIPT_A, 10_000n);
    const csv5 = spend([{ ...coin, sequence: 5 }], [{ script: SCRIPT_B, amount: 9_000n }]);
    await expect(ledger.broadcast(csv5)).rejects.toThrow(/non-BIP68-final.*needs 5 confirmations, would have 0/);
    ledger.mine();
    for (let c = 1; c < 5; c++) {
      await expect(ledger.broadcast(csv5)).rejects.toThrow(`needs 5 confirmations, would have ${c}`);
      ledger.mine();
    }
    expect(await ledger.confirmations(coin.txid)).toBe(5);
    await expect(ledger.broadcast(csv5)).resolves.toMatch(/^[0-9a-f]{64}$/);
    // Version 1 transactions do not enforce BIP-68 (as Bitcoin).
    const coin2 = ledger.fund(SCRIPT_A, 10_000n);
    await expect(ledger.broadcast(spend([{ ...coin2, sequence: 5 }], [{ script: SCRIPT_B, amount: 9_000n }], { version: 1 }))).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses outputs above the inputs and a height locktime above the tip', async () => {
    const coin = ledger.fund(SCRIPT_A, 10_000n);
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 10_001n }]))).rejects.toThrow(/exceed inputs/);
    const tip = await ledger.tipHeight();
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 9_000n }], { lockTime: tip + 1 }))).rejects.toThrow(/non-final/);
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 9_000n }], { lockTime: tip }))).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes a package whole (a child spending its parent) or not at all', async () => {
    const coin = ledger.fund(SCRIPT_A, 10_000n);
    const parent = spend([coin], [{ script: SCRIPT_B, amount: 10_000n }], { version: 3 });
    const parentId = Transaction.fromRaw(hex.decode(parent), OPTS).id;
    const child = spend([{ txid: parentId, vout: 0 }], [{ script: SCRIPT_A, amount: 9_000n }], { version: 3 });
    const badChild = spend([{ txid: parentId, vout: 0 }], [{ script: SCRIPT_A, amount: 20_000n }], { version: 3 });
    await expect(ledger.submitPackage([parent, badChild])).rejects.toThrow(/exceed inputs/);
    expect(ledger.tx(parentId)).toBeUndefined();
    // Child first: its input does not exist yet.
    await expect(ledger.submitPackage([child, parent])).rejects.toThrow(/does not exist/);
    expect(ledger.tx(parentId)).toBeUndefined();
    const ids = await ledger.submitPackage([parent, child]);
    expect(ids[0]).toBe(parentId);
    expect(ledger.spender(parentId, 0)).toBe(ids[1]);
  });

  it('chains real headers: each hashes to its block hash and names its parent', () => {
    const tip = ledger.tip().height;
    for (let h = 1; h <= tip; h++) {
      const b = ledger.block(h)!;
      const header = hex.decode(b.header);
      expect(header.length).toBe(80);
      expect(hex.encode(sha256(sha256(header)).reverse())).toBe(b.hash);
      expect(hex.encode(header.slice(4, 36).reverse())).toBe(ledger.block(h - 1)!.hash);
      // A block with one tx: the merkle root is that txid.
      if (b.txids.length === 1) expect(hex.encode(header.slice(36, 68).reverse())).toBe(b.txids[0]);
    }
  });
});

describe('/esplora over the embedded ledger, read by the stock SDK', () => {
  let t = 1_700_000_000;
  const ledger = new EmbeddedLedger(() => (t += 600), 20);
  let app: App;
  let base: string;
  let provider: EsploraProvider;
  const aliceKey = SingleKey.fromRandomBytes();
  let alice: OnchainWallet;
  const minerAddr = 'bcrt1qqvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcruj60yu';

  beforeAll(async () => {
    app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
    await registerEsplora(app, { backend: new LedgerEsplora(ledger, NETWORKS.regtest) });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const addr = app.server.address();
    if (!addr || typeof addr === 'string') throw new Error('no port');
    base = `http://127.0.0.1:${addr.port}/esplora`;
    provider = new EsploraProvider(base, { forcePolling: true, pollingInterval: 200 });
    alice = await OnchainWallet.create(aliceKey, 'regtest', provider);
  });
  afterAll(async () => app?.close());

  it('getChainTip is the ledger tip: hash, height, median time past', async () => {
    const tip = ledger.tip();
    expect(await provider.getChainTip()).toEqual({ hash: tip.hash, height: tip.height, time: ledger.medianTime(tip.height) });
  });

  let fund: { txid: string; vout: number };
  let spendTxid: string;

  it('a faucet payment shows in getCoins, getTransactions and getTxStatus, unconfirmed then confirmed', async () => {
    fund = ledger.fund(alice.onchainP2TR.script, 5_000_000n);
    expect(await provider.getTxStatus(fund.txid)).toEqual({ confirmed: false });
    expect(await provider.getCoins(alice.address)).toEqual([{ txid: fund.txid, vout: 0, value: 5_000_000, status: { confirmed: false } }]);
    const height = ledger.mine();
    const b = ledger.block(height)!;
    expect(await provider.getTxStatus(fund.txid)).toEqual({ confirmed: true, blockHeight: height, blockTime: b.time });
    expect(await provider.getCoins(alice.address)).toEqual([{ txid: fund.txid, vout: 0, value: 5_000_000, status: { confirmed: true, block_height: height, block_hash: b.hash, block_time: b.time } }]);
    expect(await alice.getBalance()).toBe(5_000_000);
    const [tx] = await provider.getTransactions(alice.address);
    // A faucet payment comes from nowhere: Esplora shows it as a coinbase.
    expect(((await (await fetch(`${base}/tx/${fund.txid}`)).json()) as { vin: { is_coinbase: boolean }[] }).vin[0]!.is_coinbase).toBe(true);
    expect(tx!.vout[0]).toMatchObject({ scriptpubkey_address: alice.address, scriptpubkey_type: 'v1_p2tr', value: 5_000_000 });
    expect(await (await fetch(`${base}/block/${b.hash}/txids`)).json()).toEqual([fund.txid]);
    expect(await (await fetch(`${base}/block/${b.hash}/header`)).text()).toBe(b.header);
  });

  it('the SDK wallet spends it (POST /tx); outspends, fee and history follow', async () => {
    spendTxid = await alice.send({ address: minerAddr, amount: 1_000_000 });
    const raw = ledger.tx(spendTxid)!;
    const decoded = Transaction.fromRaw(hex.decode(raw.hex));
    expect(decoded.id).toBe(spendTxid);
    const esplora = (await (await fetch(`${base}/tx/${spendTxid}`)).json()) as { fee: number; weight: number; vin: { witness?: string[] }[] };
    expect(esplora.fee).toBe(5_000_000 - raw.outputs.reduce((s, o) => s + Number(o.amount), 0));
    expect(esplora.weight).toBe(decoded.weight);
    expect(esplora.vin[0]!.witness).toHaveLength(1); // a key-path signature
    expect((await provider.getTxOutspends(fund.txid))[0]).toEqual({ spent: true, txid: spendTxid, vin: 0, status: { confirmed: false } });
    const change = raw.outputs.flatMap((o, n) => (hex.encode(o.pkScript) === hex.encode(alice.onchainP2TR.script) ? [{ txid: spendTxid, vout: n, value: Number(o.amount), status: { confirmed: false } }] : []));
    expect(await provider.getCoins(alice.address)).toEqual(change);
    expect((await provider.getTransactions(alice.address)).map((x) => [x.txid, x.status.confirmed])).toEqual([[spendTxid, false], [fund.txid, true]]);
    ledger.mine();
    expect((await provider.getTransactions(alice.address)).map((x) => [x.txid, x.status.confirmed])).toEqual([[spendTxid, true], [fund.txid, true]]);
    // Cheater: the same coin spent again is refused with the ledger's reason, worded as electrs words bitcoind's.
    const res = await fetch(`${base}/tx`, { method: 'POST', body: raw.hex.replace(/..$/, '01'), headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^sendrawtransaction RPC error: \{"code":-26,"message":".*already spent/);
  });

  it('a 1P1C v3 package with a P2A anchor goes in through /txs/package; the wrong order is refused and leaves nothing', async () => {
    const bobKey = SingleKey.fromRandomBytes();
    const bob = await OnchainWallet.create(bobKey, 'regtest', provider);
    ledger.fund(bob.onchainP2TR.script, 2_000_000n);
    ledger.mine();
    const [coin] = await bob.getCoins();
    let parent = new Transaction({ version: 3, allowUnknownOutputs: true });
    parent.addInput({ txid: coin!.txid, index: coin!.vout, witnessUtxo: { script: bob.onchainP2TR.script, amount: BigInt(coin!.value) }, tapInternalKey: bob.onchainP2TR.tapInternalKey });
    parent.addOutputAddress(minerAddr, BigInt(coin!.value), bob.network);
    parent.addOutput(P2A);
    parent = await bobKey.sign(parent);
    parent.finalize();
    const [p, c] = await alice.bumpAnchor(parent.hex, 2);
    const childId = Transaction.fromRaw(hex.decode(c)).id;
    await expect(provider.broadcastTransaction(c, p)).rejects.toThrow(/Failed to broadcast package: submitpackage RPC error: .*does not exist/);
    expect(ledger.tx(parent.id)).toBeUndefined();
    const result = (await provider.broadcastTransaction(p, c)) as unknown as { package_msg: string };
    expect(result.package_msg).toBe('success');
    expect((await provider.getTxOutspends(parent.id))[1]).toEqual({ spent: true, txid: childId, vin: 0, status: { confirmed: false } });
    const anchor = ((await (await fetch(`${base}/tx/${parent.id}`)).json()) as { vout: { scriptpubkey_type: string; scriptpubkey_address?: string }[] }).vout[1]!;
    expect(anchor).toMatchObject({ scriptpubkey_type: 'anchor', scriptpubkey_address: 'bcrt1pfeesnyr2tx' });
    ledger.mine();
    expect(await provider.getTxStatus(childId)).toMatchObject({ confirmed: true });
  });

  it('HashPerp’s EsploraSource reads the ledger’s headers, chained', async () => {
    const source = new EsploraSource(base);
    const tip = await source.tipHeight();
    expect(tip).toBe(ledger.tip().height);
    const got = await source.rawHeaders(tip - 5, 6);
    expect(got.map((h) => hex.encode(h))).toEqual(Array.from({ length: 6 }, (_, i) => ledger.block(tip - 5 + i)!.header));
  });

  it('unknown ids are 404s, bad bodies 400s, in plain text', async () => {
    for (const [path, status, message] of [
      [`/tx/${'00'.repeat(32)}`, 404, /Transaction not found/],
      [`/tx/${'00'.repeat(32)}/status`, 404, /Transaction not found/],
      [`/tx/${fund.txid}/outspend/99`, 404, /no output 99/],
      [`/block/${'11'.repeat(32)}/header`, 404, /Block not found/],
      [`/block-height/${ledger.tip().height + 1}`, 404, /Block not found/],
      [`/tx/${fund.txid}/merkleblock-proof`, 404, /not served by the embedded demo ledger/],
    ] as const) {
      const res = await fetch(base + path);
      expect([res.status, await res.text()], path).toEqual([status, expect.stringMatching(message)]);
    }
    const res = await fetch(`${base}/tx`, { method: 'POST', body: 'deadbeef', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/^sendrawtransaction RPC error: \{"code":-26,"message":"TX decode failed/);
    const bad = await fetch(`${base}/address/${minerAddr.slice(0, -1)}q/utxo`);
    expect([bad.status, await bad.text()]).toEqual([400, expect.stringMatching(/Invalid Bitcoin address/)]);
    const mainnet = await fetch(`${base}/address/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4/txs`);
    expect(mainnet.status).toBe(400);
  });
});
