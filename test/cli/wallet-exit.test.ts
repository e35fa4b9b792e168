/**
 * The exit path with the operator gone: a branch captured in "full" mode in the SDK's SQLite
 * repository is unrolled by the SDK's `Unroll.Session` root first, one transaction per run with
 * --no-wait, while every indexer call throws. Chain and fee wallet are fakes that record what would
 * be broadcast; the transactions are real PSBTs whose ids tie the stored branch together.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64, hex } from '@scure/base';
import { p2tr } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { ChainedTxType, P2A, Transaction, type OnchainWallet, type Wallet } from '@arkade-os/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { unrollVtxo, type ExitStepReport } from '../../src/wallet/exit.js';
import { openWalletStore, type WalletStore } from '../../src/wallet/wallet-store.js';

vi.setConfig({ testTimeout: 60_000 });

const key = schnorr.getPublicKey(new Uint8Array(32).fill(5));
const script = p2tr(key).script;

/** A tree tx spending `prev:0`, carrying the (dummy) MuSig2 key-path signature the SDK lifts into the witness. */
function treeTx(prevTxid: string, amount: bigint): Transaction {
  const tx = new Transaction({ version: 3, allowUnknownOutputs: true });
  tx.addOutput({ script, amount });
  tx.addOutput({ script: P2A.script, amount: P2A.amount });
  // The signature goes on last: a signed input freezes the outputs.
  tx.addInput({ txid: prevTxid, index: 0, witnessUtxo: { script, amount: amount + 1000n }, tapKeySig: new Uint8Array(64).fill(7) });
  return tx;
}

const COMMITMENT = 'cc'.repeat(32);
let store: WalletStore | undefined;
afterEach(() => store?.close());

async function fixture(full: boolean) {
  store = openWalletStore(join(mkdtempSync(join(tmpdir(), 'hp-exit-')), 'w.sqlite'));
  const t1 = treeTx(COMMITMENT, 50_000n);
  const t2 = treeTx(t1.id, 40_000n);
  const vtxo = { txid: t2.id, vout: 0 };
  const repo = store.virtualTxRepository;
  await repo.upsertVirtualTxs([
    { txid: COMMITMENT, psbt: null, expiresAt: null, type: ChainedTxType.Commitment },
    { txid: t1.id, psbt: full ? base64.encode(t1.toPSBT()) : null, expiresAt: null, type: ChainedTxType.Tree },
    { txid: t2.id, psbt: full ? base64.encode(t2.toPSBT()) : null, expiresAt: null, type: ChainedTxType.Tree },
  ]);
  // Stored root first (position 0 = commitment), as the SDK's capture writes it.
  await repo.setBranch(vtxo, [COMMITMENT, t1.id, t2.id].map((virtualTxid, position) => ({ vtxoTxid: vtxo.txid, vtxoVout: 0, virtualTxid, position })));

  const mempool = new Set<string>();
  const confirmed = new Set<string>([COMMITMENT]);
  const broadcasts: string[][] = [];
  const explorer = {
    getTxStatus: async (txid: string) => {
      if (confirmed.has(txid)) return { confirmed: true as const, blockTime: 1, blockHeight: 1 };
      if (mempool.has(txid)) return { confirmed: false as const };
      throw new Error('not found');
    },
    broadcastTransaction: async (...txs: string[]) => {
      broadcasts.push(txs);
      mempool.add(Transaction.fromRaw(hex.decode(txs[0]!)).id);
      return 'ok';
    },
  };
  const operatorDown = () => {
    throw new Error('indexer offline');
  };
  const wallet = { indexerProvider: { getVtxoChain: operatorDown, getVirtualTxs: operatorDown }, onchainProvider: explorer } as unknown as Wallet;
  const feeWallet = { bumpP2A: async (parent: Transaction) => [parent.hex, 'child'] as [string, string] } as unknown as OnchainWallet;
  const mine = () => {
    for (const t of mempool) confirmed.add(t);
    mempool.clear();
  };
  const run = async () => {
    const steps: ExitStepReport[] = [];
    const status = await unrollVtxo({ wallet, repo, feeWallet, vtxo, wait: false, onStep: (s) => steps.push(s) });
    return { status, steps };
  };
  return { t1, t2, vtxo, run, mine, broadcasts };
}

describe('wallet exit from stored exit data, operator down', () => {
  it('broadcasts the branch root first, one level per confirmation, resuming on each run, then reports done', async () => {
    const f = await fixture(true);
    const first = await f.run();
    expect(first.status).toBe('waiting');
    expect(first.steps.map((s) => s.type)).toEqual(['broadcast', 'wait']);
    expect(first.steps[0]).toMatchObject({ type: 'broadcast', txid: f.t1.id });
    // The broadcast parent is the stored PSBT finalized with its key-path signature as the witness.
    const sent = Transaction.fromRaw(hex.decode(f.broadcasts[0]![0]!), { allowUnknownOutputs: true });
    expect(sent.id).toBe(f.t1.id);
    expect(sent.getInput(0).finalScriptWitness).toEqual([new Uint8Array(64).fill(7)]);
    expect(f.broadcasts[0]![1]).toBe('child');

    // Nothing confirmed yet: a re-run only waits, it does not re-broadcast.
    expect((await f.run()).steps).toEqual([{ type: 'wait', txid: f.t1.id }]);
    expect(f.broadcasts).toHaveLength(1);

    f.mine();
    const second = await f.run();
    expect(second.steps[0]).toMatchObject({ type: 'broadcast', txid: f.t2.id });
    f.mine();
    const third = await f.run();
    expect(third).toEqual({ status: 'done', steps: [{ type: 'done', vtxo: `${f.vtxo.txid}:0` }] });
    expect(f.broadcasts.map((b) => Transaction.fromRaw(hex.decode(b[0]!), { allowUnknownOutputs: true }).id)).toEqual([f.t1.id, f.t2.id]);
  });

  it('lite data (no PSBTs) with the operator down cannot exit: it fails before broadcasting anything', async () => {
    const f = await fixture(false);
    await expect(f.run()).rejects.toThrow(/indexer offline/);
    expect(f.broadcasts).toEqual([]);
  });
});
