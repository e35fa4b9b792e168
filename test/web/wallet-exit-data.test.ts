import { describe, expect, it } from 'vitest';
import { ArkAddress, isBtcAddress, isValidArkAddress } from '@arkade-os/sdk';
import { base64 } from '@scure/base';
import { p2tr, Transaction, TEST_NETWORK } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { collectExitData, matchVirtualTxs, parseSendAmount, sendRoute, type ChainEntry, type ExitIndexer } from '../../web/src/lib/wallet-exit-data.js';

const key = (n: number) => schnorr.getPublicKey(sha256(new Uint8Array([n])));
const script = p2tr(key(9)).script;

/** A one-in one-out virtual tx spending `prev`; its txid is computed by btc-signer, independently of the code under test. */
function vtx(prev: string, amount: bigint): { txid: string; psbt: string } {
  const tx = new Transaction({ version: 3, allowUnknownOutputs: true });
  tx.addInput({ txid: prev, index: 0, witnessUtxo: { script, amount } });
  tx.addOutput({ script, amount });
  return { txid: tx.id, psbt: base64.encode(tx.toPSBT()) };
}

const COMMIT = 'aa'.repeat(32);
const tree = vtx(COMMIT, 10_000n);
const ark = vtx(tree.txid, 10_000n);

/** An indexer that answers like arkd: the chain newest first, the PSBTs for the txids asked, in its own order. */
function fakeIndexer(over: { txs?: (ids: string[]) => string[]; pageSize?: number } = {}): ExitIndexer & { calls: string[] } {
  const chain: ChainEntry[] = [
    { txid: ark.txid, expiresAt: '1700000000', type: 'INDEXER_CHAINED_TX_TYPE_ARK', spends: [tree.txid] },
    { txid: tree.txid, expiresAt: '1700000000', type: 'INDEXER_CHAINED_TX_TYPE_TREE', spends: [COMMIT] },
    { txid: COMMIT, expiresAt: '1700000000', type: 'INDEXER_CHAINED_TX_TYPE_COMMITMENT', spends: [] },
  ];
  const byId = new Map([tree, ark].map((t) => [t.txid, t.psbt]));
  const calls: string[] = [];
  return {
    calls,
    async getVtxoChain(o, opts) {
      calls.push(`chain ${o.txid}:${o.vout} page ${opts?.pageIndex ?? 0}`);
      if (!over.pageSize) return { chain };
      const i = opts?.pageIndex ?? 0;
      const total = Math.ceil(chain.length / over.pageSize);
      return { chain: chain.slice(i * over.pageSize, (i + 1) * over.pageSize), page: { current: i, next: i + 1, total } };
    },
    async getVirtualTxs(ids) {
      calls.push(`txs ${ids.length}`);
      return { txs: over.txs ? over.txs(ids) : [...ids].reverse().map((id) => byId.get(id)!) };
    },
  };
}

const vtxo = { txid: ark.txid, vout: 0, value: 10_000, virtualStatus: { state: 'preconfirmed' }, expiresAtHeight: 250 };

describe('exit data', () => {
  it("collects each VTXO's chain and every virtual tx on it, keyed by the tx's own id", async () => {
    const ix = fakeIndexer();
    const doc = await collectExitData(ix, [vtxo], { arkServerUrl: 'http://x/ark', nowMs: 5 });
    expect(doc).toMatchObject({ kind: 'hashperp-ark-exit-data', version: 1, fetchedAtMs: 5, arkServerUrl: 'http://x/ark' });
    const [v] = doc.vtxos;
    expect(v!.outpoint).toBe(`${ark.txid}:0`);
    expect(v!.expiry).toEqual({ atHeight: 250 });
    expect(v!.commitmentTxids).toEqual([COMMIT]);
    expect(v!.chain).toHaveLength(3);
    // The commitment is on chain already: only the two virtual txs are fetched, and each PSBT is the right one.
    expect(v!.virtualTxs).toEqual([
      { txid: ark.txid, type: 'INDEXER_CHAINED_TX_TYPE_ARK', psbt: ark.psbt },
      { txid: tree.txid, type: 'INDEXER_CHAINED_TX_TYPE_TREE', psbt: tree.psbt },
    ]);
    expect(Transaction.fromPSBT(base64.decode(v!.virtualTxs[1]!.psbt)).id).toBe(tree.txid);
    expect(ix.calls).toEqual([`chain ${ark.txid}:0 page 0`, 'txs 2']);
  });

  it('follows the indexer pages to the end of the chain', async () => {
    const ix = fakeIndexer({ pageSize: 2 });
    const doc = await collectExitData(ix, [{ ...vtxo, expiresAtHeight: undefined, expiresAt: new Date(1_700_000_000_000) }], { arkServerUrl: '', nowMs: 0 });
    expect(doc.vtxos[0]!.chain.map((c) => c.txid)).toEqual([ark.txid, tree.txid, COMMIT]);
    expect(doc.vtxos[0]!.expiry).toEqual({ atMs: 1_700_000_000_000 });
    expect(ix.calls.filter((c) => c.startsWith('chain'))).toHaveLength(2);
  });

  it('refuses a substituted, missing or undecodable transaction (cheaters)', async () => {
    const other = vtx('bb'.repeat(32), 1n);
    await expect(collectExitData(fakeIndexer({ txs: () => [ark.psbt, other.psbt] }), [vtxo], { arkServerUrl: '', nowMs: 0 })).rejects.toThrow(
      new RegExp(`returned ${other.txid}, which was not asked for`),
    );
    await expect(collectExitData(fakeIndexer({ txs: () => [ark.psbt] }), [vtxo], { arkServerUrl: '', nowMs: 0 })).rejects.toThrow(
      new RegExp(`did not return ${tree.txid}`),
    );
    expect(() => matchVirtualTxs([ark.txid], ['bm90IGEgcHNidA=='])).toThrow(/virtualTxs: .*not a PSBT/);
    // A PSBT whose output was changed has another txid: refused even though the indexer labels it right.
    const t = Transaction.fromPSBT(base64.decode(ark.psbt));
    t.updateOutput(0, { amount: 9_999n });
    expect(() => matchVirtualTxs([ark.txid], [base64.encode(t.toPSBT())])).toThrow(/not asked for/);
  });
});

describe('send', () => {
  const arkAddr = new ArkAddress(key(1), key(2), 'tark').encode();
  const btcAddr = p2tr(key(3), undefined, { ...TEST_NETWORK, bech32: 'bcrt' }).address!;

  it('routes an Ark address offchain and a bitcoin address to a collaborative exit, with the SDK deciding which is which', () => {
    const is = { ark: isValidArkAddress, bitcoin: isBtcAddress };
    expect(sendRoute(` ${arkAddr} `, is)).toEqual({ kind: 'ark', address: arkAddr });
    expect(sendRoute(btcAddr, is)).toEqual({ kind: 'onchain', address: btcAddr });
    expect(() => sendRoute(arkAddr.slice(0, -1) + (arkAddr.endsWith('q') ? 'p' : 'q'), is)).toThrow(/address: neither/);
    expect(() => sendRoute('  ', is)).toThrow(/address: enter/);
  });

  it('takes whole sats within what is spendable', () => {
    expect(parseSendAmount('20,000', 20_000)).toBe(20_000n);
    expect(() => parseSendAmount('20001', 20_000)).toThrow(/amount: only 20000/);
    expect(() => parseSendAmount('1.5', 20_000)).toThrow(/whole number/);
    expect(() => parseSendAmount('0', 20_000)).toThrow(/at least 1/);
  });
});
