import { describe, it, expect } from 'vitest';
import { Transaction } from '@scure/btc-signer';
import { P2A } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { EsploraBroadcaster, BitcoindBroadcaster } from '../../src/bitcoin/exit-executor.js';
import { BitcoindWalletFeeSource, KeyFeeSource, type FeeInputSource } from '../../src/bitcoin/fee-sources.js';
import { buildAnchorChild, childHex } from '../../src/bitcoin/anchor-cpfp.js';
import { BitcoindRpc, RpcError } from '../../src/chain/rpc-client.js';
import { keyPairFromSeedLabel, type KeyPair } from '../../src/bitcoin/keys.js';
import { p2trKeyOnly } from '../../src/bitcoin/vtxo-scripts.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { TX_OPTS } from '../../src/bitcoin/tx.js';

const W = keyPairFromSeedLabel('exec/W');
const F = keyPairFromSeedLabel('exec/F');
const wallet = p2trKeyOnly(W.publicKey);

/** arkd's shape (v3, zero-value P2A, no fee) spending a P2TR key-path UTXO of `key`. */
function arkShaped(utxo: { txid: string; vout: number; amount: bigint }, key: KeyPair = W): Transaction {
  const pay = p2trKeyOnly(key.publicKey);
  const tx = new Transaction({ ...TX_OPTS, version: 3 });
  tx.addInput({ txid: utxo.txid, index: utxo.vout, witnessUtxo: { script: pay.script, amount: utxo.amount }, tapInternalKey: key.publicKey });
  tx.addOutput({ script: pay.script, amount: utxo.amount });
  tx.addOutput(P2A);
  tx.signIdx(key.secretKey, 0);
  tx.finalize();
  return tx;
}

/** A fee source over one fixed UTXO of F, signed locally (what KeyFeeSource does, without a node). */
const fixedFees = (): FeeInputSource & { taken: bigint[] } => {
  const pay = p2trKeyOnly(F.publicKey);
  const taken: bigint[] = [];
  return {
    name: 'fixed',
    taken,
    take: async (min) => (taken.push(min), { txid: 'ee'.repeat(32), vout: 0, amount: 1_000_000n, pkScript: pay.script, tapInternalKey: F.publicKey }),
    changeScript: async () => pay.script,
    sign: async (child, i) => (child.signIdx(F.secretKey, i), child.finalizeIdx(i), childHex(child)),
  };
};

describe('broadcasters', () => {
  it('esplora: status probe, POST /tx, already-known answers count as accepted', async () => {
    const calls: string[] = [];
    const fake = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push(`${init?.method ?? 'GET'} ${String(url)} ${init?.body ?? ''}`);
      if (String(url).endsWith('/tx/aa/status')) return new Response('{"confirmed":true,"block_height":5}', { status: 200 });
      if (String(url).endsWith('/tx/cc/status')) return new Response('{"confirmed":false}', { status: 200 });
      if (String(url).endsWith('/status')) return new Response('Transaction not found', { status: 404 });
      if (String(init?.body) === dup) return new Response('sendrawtransaction RPC error: {"code":-27,"message":"Transaction outputs already in utxo set"}', { status: 400 });
      if (String(init?.body) === bad) return new Response('sendrawtransaction RPC error: {"code":-26,"message":"non-final"}', { status: 400 });
      return new Response('bb', { status: 200 });
    }) as typeof fetch;
    // Plain (anchorless) transactions go alone.
    const plain = (n: number): string => {
      const tx = new Transaction({ ...TX_OPTS, version: 2 });
      tx.addInput({ txid: String(n).padStart(2, '0').repeat(32), index: 0, witnessUtxo: { script: wallet.script, amount: 10_000n }, tapInternalKey: W.publicKey });
      tx.addOutput({ script: wallet.script, amount: 9_000n });
      tx.signIdx(W.secretKey, 0);
      tx.finalize();
      return hex.encode(tx.extract());
    };
    const ok = plain(1);
    const dup = plain(2);
    const bad = plain(3);
    const e = new EsploraBroadcaster('http://esplora.local/api/', fake);
    expect(await e.status('aa')).toBe('confirmed');
    expect(await e.status('cc')).toBe('mempool');
    expect(await e.status('bb')).toBe('unknown');
    expect(await e.broadcast(ok, 'bb')).toEqual({ txid: 'bb', accepted: true, alreadyKnown: false });
    expect(await e.broadcast(dup, 'bb')).toMatchObject({ accepted: true, alreadyKnown: true });
    expect(await e.broadcast(bad, 'bb')).toMatchObject({ accepted: false, reason: expect.stringContaining('non-final') });
    expect(calls[3]).toBe(`POST http://esplora.local/api/tx ${ok}`);
  });

  it('esplora: an anchored tx goes to POST /txs/package as a JSON [parent, child] array, as the SDK provider sends it', async () => {
    const parent = arkShaped({ txid: '12'.repeat(32), vout: 0, amount: 40_000n });
    const parentHex = hex.encode(parent.extract());
    const posted: { url: string; body: string; type: string }[] = [];
    let answer = (): Response => new Response(JSON.stringify({ package_msg: 'success', 'tx-results': {} }), { status: 200 });
    const fake = (async (url: string | URL | Request, init?: RequestInit) => {
      if (String(url).endsWith('/status')) return new Response('Transaction not found', { status: 404 });
      posted.push({ url: String(url), body: String(init?.body), type: (init?.headers as Record<string, string>)['content-type']! });
      return answer();
    }) as typeof fetch;
    const fees = fixedFees();
    const e = new EsploraBroadcaster('http://esplora.local/api', fake, { fees, feeRate: 3 });
    const r = await e.broadcast(parentHex, parent.id);
    expect(r).toMatchObject({ txid: parent.id, accepted: true, alreadyKnown: false });
    expect(posted[0]!.url).toBe('http://esplora.local/api/txs/package');
    expect(posted[0]!.type).toBe('application/json');
    const [p, c] = JSON.parse(posted[0]!.body) as [string, string];
    expect(p).toBe(parentHex);
    const child = Transaction.fromRaw(hex.decode(c), TX_OPTS);
    expect(child.id).toBe(r.childTxid);
    expect(`${hex.encode(child.getInput(0).txid!)}:${child.getInput(0).index}`).toBe(`${parent.id}:1`);
    expect(child.version).toBe(3);
    // the fee asked of the source covers the largest TRUC child at 3 sat/vB plus dust change
    expect(fees.taken[0]).toBeGreaterThanOrEqual(BigInt(3 * (parent.vsize + 1000) + 546));
    // a 2xx that still carries bitcoind's package failure is a refusal
    answer = () => new Response(JSON.stringify({ package_msg: 'transaction failed', 'tx-results': { w: { txid: parent.id, error: 'min relay fee not met' } } }), { status: 200 });
    expect(await e.broadcast(parentHex, parent.id)).toMatchObject({ accepted: false, reason: expect.stringContaining('min relay fee not met') });
    answer = () => new Response('package RPC error: bad-txns-inputs-missingorspent', { status: 400 });
    expect(await e.broadcast(parentHex, parent.id)).toMatchObject({ accepted: false, reason: expect.stringContaining('missingorspent') });
    // without a fee source an anchored tx cannot be sent
    await expect(new EsploraBroadcaster('http://x', fake).broadcast(parentHex, parent.id)).rejects.toMatchObject({ code: 'no_fee_input' });
  });

  it('bitcoind: maps Core error messages; anchored txs go through submitpackage', async () => {
    const rpc = new BitcoindRpc('http://u:p@127.0.0.1:1');
    const parent = arkShaped({ txid: '34'.repeat(32), vout: 1, amount: 40_000n });
    const plain = new Transaction({ ...TX_OPTS, version: 2 });
    plain.addInput({ txid: '56'.repeat(32), index: 0, witnessUtxo: { script: wallet.script, amount: 10_000n }, tapInternalKey: W.publicKey });
    plain.addOutput({ script: wallet.script, amount: 9_000n });
    plain.signIdx(W.secretKey, 0);
    plain.finalize();
    const plainHex = hex.encode(plain.extract());
    let send: () => unknown = () => 'cc';
    let pkg: (txs: string[]) => unknown = () => ({ package_msg: 'success', 'tx-results': {} });
    const seen: string[] = [];
    rpc.call = (async (m: string, p: unknown[] = []) => {
      seen.push(m);
      if (m === 'sendrawtransaction') return send();
      if (m === 'submitpackage') return pkg(p[0] as string[]);
      if (m === 'getmempoolentry') throw new RpcError(m, -5, 'Transaction not in mempool');
      if (m === 'gettxout') return null;
      throw new Error(`unexpected ${m}`);
    }) as typeof rpc.call;
    const b = new BitcoindBroadcaster(rpc, { fees: fixedFees() });
    expect(await b.broadcast(plainHex, 'cc')).toEqual({ txid: 'cc', accepted: true, alreadyKnown: false });
    send = () => {
      throw new RpcError('sendrawtransaction', -27, 'Transaction outputs already in utxo set');
    };
    expect(await b.broadcast(plainHex, 'cc')).toMatchObject({ accepted: true, alreadyKnown: true });
    send = () => {
      throw new RpcError('sendrawtransaction', -26, 'non-BIP68-final');
    };
    expect(await b.broadcast(plainHex, 'cc')).toMatchObject({ accepted: false, reason: 'non-BIP68-final' });
    seen.length = 0;
    let sent: string[] = [];
    pkg = (txs) => ((sent = txs), { package_msg: 'success', 'tx-results': {} });
    const r = await b.broadcast(hex.encode(parent.extract()), parent.id);
    expect(seen).not.toContain('sendrawtransaction');
    expect(r).toMatchObject({ accepted: true, alreadyKnown: false });
    expect(sent[0]).toBe(hex.encode(parent.extract()));
    expect(Transaction.fromRaw(hex.decode(sent[1]!), TX_OPTS).id).toBe(r.childTxid);
    pkg = () => ({ package_msg: 'transaction failed', 'tx-results': { a: { txid: parent.id, error: 'non-final' } } });
    expect(await b.broadcast(hex.encode(parent.extract()), parent.id)).toMatchObject({ accepted: false, reason: `transaction failed; ${parent.id}: non-final` });
  });

  it('KeyFeeSource: only mature coinbases and unused outpoints, smallest sufficient first', async () => {
    const rpc = new BitcoindRpc('http://u:p@127.0.0.1:1');
    rpc.call = (async (m: string) => {
      expect(m).toBe('scantxoutset');
      return {
        height: 300,
        unspents: [
          { txid: 'a1'.repeat(32), vout: 0, amount: 50, coinbase: true, height: 202 }, // 99 confirmations: immature
          { txid: 'a2'.repeat(32), vout: 0, amount: 25, coinbase: true, height: 201 }, // 100: mature
          { txid: 'a3'.repeat(32), vout: 1, amount: 0.0001, coinbase: false, height: 300 }, // too small for 20k sat
          { txid: 'a4'.repeat(32), vout: 2, amount: 1, coinbase: false, height: 299 },
        ],
      };
    }) as typeof rpc.call;
    const src = new KeyFeeSource(rpc, F);
    expect(await src.take(20_000n)).toMatchObject({ txid: 'a4'.repeat(32), vout: 2, amount: 100_000_000n });
    expect(await src.take(20_000n)).toMatchObject({ txid: 'a2'.repeat(32), amount: 2_500_000_000n });
    await expect(src.take(20_000n)).rejects.toMatchObject({ code: 'no_fee_input' });
  });
});

const url = process.env.BITCOIND_RPC_URL;
if (!url) console.log('CPFP package regtest suite skipped: BITCOIND_RPC_URL is not set (point it at a bitcoind -regtest)');

interface MempoolEntry {
  vsize: number;
  fees: { base: number };
  depends: string[];
}

describe.skipIf(!url)('1P1C packages on bitcoind -regtest (BITCOIND_RPC_URL)', () => {
  it('the node refuses an arkd-shaped tx alone, accepts it with our CPFP child (wallet and key fee sources), refuses an underpaying child', { timeout: 120_000 }, async () => {
    const rpc = new BitcoindRpc(url!);
    const run = `${Date.now()}`;
    const tip = await rpc.call<{ time: number }>('getblockheader', [await rpc.call<string>('getbestblockhash')]);
    await rpc.call('setmocktime', [Math.max(Math.floor(Date.now() / 1000), tip.time + 1)]);
    const walletName = `hp-cpfp-${run}`;
    await rpc.call('createwallet', [walletName]);
    const walletRpc = new BitcoindRpc(`${url!.replace(/\/$/, '')}/wallet/${walletName}`);
    const feeAddress = await walletRpc.call<string>('getnewaddress');
    const owner = keyPairFromSeedLabel(`exec-regtest/${run}/owner`);
    const keyFees = keyPairFromSeedLabel(`exec-regtest/${run}/fees`);
    const ownerPay = p2trKeyOnly(owner.publicKey, NETWORKS.regtest);
    const blocks = await rpc.call<string[]>('generatetoaddress', [3, ownerPay.address]);
    await rpc.call('generatetoaddress', [2, p2trKeyOnly(keyFees.publicKey, NETWORKS.regtest).address]);
    await rpc.call('generatetoaddress', [101, feeAddress]);
    const coinbase = async (hash: string) => {
      const b = await rpc.call<{ tx: { txid: string; vout: { value: number }[] }[] }>('getblock', [hash, 2]);
      return { txid: b.tx[0]!.txid, vout: 0, amount: BigInt(Math.round(b.tx[0]!.vout[0]!.value * 1e8)) };
    };
    const inMempool = async (txid: string) => rpc.call<MempoolEntry>('getmempoolentry', [txid]);

    // 1. Alone, arkd's shape is refused by the node: zero fee, below the minimum relay fee.
    const parent1 = arkShaped(await coinbase(blocks[0]!), owner);
    const alone = await rpc.call('sendrawtransaction', [hex.encode(parent1.extract())]).then(
      () => 'accepted',
      (e: RpcError) => e.rpcMessage,
    );
    expect(alone).toMatch(/min relay fee not met|TRUC|ephemeral/i);

    // 2. With the wallet paying the child through the broadcaster: both in the mempool, package fee rate met.
    const walletFees = new BitcoindWalletFeeSource(walletRpc);
    const b = new BitcoindBroadcaster(rpc, { fees: walletFees, feeRate: 2 });
    const r1 = await b.broadcast(hex.encode(parent1.extract()), parent1.id);
    expect(r1.reason).toBeUndefined();
    expect(r1).toMatchObject({ accepted: true, alreadyKnown: false });
    const [pe, ce] = [await inMempool(parent1.id), await inMempool(r1.childTxid!)];
    expect(ce.depends).toEqual([parent1.id]);
    expect(pe.fees.base).toBe(0);
    const childFee = BigInt(Math.round(ce.fees.base * 1e8));
    expect(childFee).toBe(r1.fee);
    expect(Number(childFee)).toBeGreaterThanOrEqual(2 * (pe.vsize + ce.vsize));
    expect(ce.vsize).toBeLessThanOrEqual(1000);
    const childTx = await rpc.call<{ version: number; vin: { txid: string; vout: number; txinwitness?: string[] }[] }>('getrawtransaction', [r1.childTxid, true]);
    expect(childTx.version).toBe(3);
    expect(childTx.vin[0]).toMatchObject({ txid: parent1.id, vout: 1 });
    expect(childTx.vin[0]!.txinwitness ?? []).toEqual([]);
    // sending it again is "already known", with no second child
    expect(await b.broadcast(hex.encode(parent1.extract()), parent1.id)).toMatchObject({ accepted: true, alreadyKnown: true });

    // 3. The pure builder + a local key, straight to submitpackage: "success", Core's vsize within our estimate.
    const keySource = new KeyFeeSource(rpc, keyFees);
    const parent2 = arkShaped(await coinbase(blocks[1]!), owner);
    const input = await keySource.take(10_000n);
    const built = buildAnchorChild(parent2, input, await keySource.changeScript(), 1.5);
    const child2 = await keySource.sign(built.child, built.feeInputIndex);
    const res = await rpc.call<{ package_msg: string }>('submitpackage', [[hex.encode(parent2.extract()), child2]]);
    expect(res.package_msg).toBe('success');
    const c2 = await inMempool(Transaction.fromRaw(hex.decode(child2), TX_OPTS).id);
    expect(c2.vsize).toBeLessThanOrEqual(built.childVsize);
    expect((await inMempool(parent2.id)).vsize).toBe(built.parentVsize);

    // 4. Cheater: a child paying 0.01 sat/vB leaves the package below the minimum relay fee: refused, nothing enters.
    const parent3 = arkShaped(await coinbase(blocks[2]!), owner);
    const cheap = buildAnchorChild(parent3, await keySource.take(10_000n), await keySource.changeScript(), 0.01);
    const cheapHex = await keySource.sign(cheap.child, cheap.feeInputIndex);
    const refused = await rpc.call<{ package_msg: string; 'tx-results': Record<string, { error?: string }> }>('submitpackage', [[hex.encode(parent3.extract()), cheapHex]]);
    expect(refused.package_msg).not.toBe('success');
    expect(await rpc.call('getmempoolentry', [parent3.id]).then(() => true, () => false)).toBe(false);

    await rpc.call('generatetoaddress', [1, feeAddress]);
    expect(await rpc.call<string[]>('getrawmempool')).toEqual([]);
    await rpc.call('unloadwallet', [walletName]);
  });
});
