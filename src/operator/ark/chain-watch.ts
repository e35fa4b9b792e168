/**
 * What the operator watches on chain between batches:
 * - virtual txs (tree leaves, Ark txs) that appear in blocks: the VTXOs they create are now
 *   unrolled (the indexer says so; the SDK's exit completion waits for it);
 * - a VTXO that was forfeited into a later batch and then unrolled by its old owner: the operator
 *   broadcasts the connector branch reserved for it and the forfeit transaction, which spends the
 *   unrolled VTXO through its collaborative leaf before the owner's exit delay opens. One step per
 *   block: TRUC (v3) allows one unconfirmed parent, and each step is a CPFP package paid from the
 *   operator's wallet.
 * - a VTXO spent offchain (an Ark tx through its checkpoint) and then unrolled by its old owner (a
 *   seller exiting the position it sold, a payer exiting what it paid): the operator broadcasts the
 *   signed checkpoint, which spends the VTXO through its collaborative leaf before the owner's exit
 *   delay opens; the Ark tx behind it stays valid for the new owner.
 */
import { base64, hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { buildAnchorChild, childHex } from '../../bitcoin/anchor-cpfp.js';
import { TX_OPTS } from '../../bitcoin/tx.js';
import type { ArkChain } from './ark-chain.js';
import type { ArkStore, VtxoRecord } from './ark-store.js';
import { connectorOutputSecret, signConnectorTx } from './connector-signing.js';
import { finalizeForfeit } from './forfeits.js';
import type { OperatorKeys } from './operator-keys.js';
import { outpointKey as op } from './outpoint.js';

const psbt = (b64: string): Transaction => Transaction.fromPSBT(base64.decode(b64), TX_OPTS);

export interface WatchDeps {
  chain: ArkChain;
  store: ArkStore;
  keys: OperatorKeys;
  log(msg: string): void;
}

/** Marks the VTXOs created by virtual txs confirmed in `txids` as unrolled; returns them. */
export function markUnrolled(store: ArkStore, txids: string[]): VtxoRecord[] {
  const changed: VtxoRecord[] = [];
  for (const txid of txids) {
    const v = store.virtualTx(txid);
    if (!v || (v.kind !== 'tree' && v.kind !== 'ark')) continue;
    const tx = psbt(v.psbt);
    for (let i = 0; i < tx.outputsLength; i++) {
      const r = store.vtxo(txid, i);
      if (r && !r.unrolled) changed.push({ ...r, unrolled: true });
    }
  }
  if (changed.length > 0) store.commit({ vtxos: changed });
  return changed;
}

export interface ForfeitToEnforce {
  kind: 'forfeit';
  vtxo: VtxoRecord;
  forfeitTxid: string;
  commitmentTxid: string;
}

export interface CheckpointToEnforce {
  kind: 'checkpoint';
  vtxo: VtxoRecord;
  checkpointTxid: string;
}

/** A spend the operator holds fully signed for an unrolled VTXO that is no longer its owner's. */
export type SpendToEnforce = ForfeitToEnforce | CheckpointToEnforce;

/** The forfeit the operator must complete for `v`, if it is an unrolled VTXO that was forfeited into a later batch. */
export function forfeitOf(store: ArkStore, v: VtxoRecord): ForfeitToEnforce | undefined {
  if (!v.unrolled || v.spentBy === '') return undefined;
  const b = store.batch(v.spentBy);
  const f = b?.forfeitByVtxo[op(v.txid, v.vout)];
  return b && f ? { kind: 'forfeit', vtxo: v, forfeitTxid: f, commitmentTxid: b.commitmentTxid } : undefined;
}

/** The checkpoint the operator must broadcast for `v`, if it is an unrolled VTXO spent by a finalized Ark tx. */
export function checkpointOf(store: ArkStore, v: VtxoRecord): CheckpointToEnforce | undefined {
  if (!v.unrolled || v.spentBy === '') return undefined;
  const c = store.virtualTx(v.spentBy);
  return c?.kind === 'checkpoint' && fullySigned(c.psbt) ? { kind: 'checkpoint', vtxo: v, checkpointTxid: c.txid } : undefined;
}

/** A checkpoint of a tx never finalized lacks its owner's signature: the VTXO is still the owner's. */
function fullySigned(b64: string): boolean {
  try {
    psbt(b64).finalize();
    return true;
  } catch {
    return false;
  }
}

export function spendToEnforce(store: ArkStore, v: VtxoRecord): SpendToEnforce | undefined {
  return forfeitOf(store, v) ?? checkpointOf(store, v);
}

/** Every spend still to complete, from the whole store (once, at start; later ones come from markUnrolled). */
export function spendsToEnforce(store: ArkStore): SpendToEnforce[] {
  return store.allVtxos().flatMap((v) => spendToEnforce(store, v) ?? []);
}

/** Advances one enforcement by at most one broadcast. */
export async function enforceStep(d: WatchDeps, s: SpendToEnforce): Promise<'done' | 'waiting' | string> {
  return s.kind === 'forfeit' ? enforceForfeitStep(d, s) : enforceCheckpointStep(d, s);
}

/** Broadcasts the signed checkpoint once the unrolled VTXO is confirmed (its parent must be, under TRUC). */
export async function enforceCheckpointStep(d: WatchDeps, c: CheckpointToEnforce): Promise<'done' | 'waiting' | string> {
  if ((await d.chain.confirmations(c.checkpointTxid)) !== undefined) return 'done';
  const vtxoOut = await d.chain.unspent(c.vtxo.txid, c.vtxo.vout);
  if (!vtxoOut || vtxoOut.confirmations === 0) return 'waiting';
  const tx = psbt(d.store.virtualTx(c.checkpointTxid)!.psbt);
  tx.finalize();
  await broadcastWithChild(d, tx);
  d.log(`checkpoint ${tx.id} broadcast: unrolled VTXO ${op(c.vtxo.txid, c.vtxo.vout)} was spent offchain and goes to its Ark tx`);
  return tx.id;
}

/**
 * Advances one forfeit by at most one broadcast: the first connector tx of the branch that is not
 * yet on chain (once its parent is confirmed), else the forfeit itself. Returns what it did.
 */
export async function enforceForfeitStep(d: WatchDeps, f: ForfeitToEnforce): Promise<'done' | 'waiting' | string> {
  if ((await d.chain.confirmations(f.forfeitTxid)) !== undefined) return 'done';
  const forfeitRec = d.store.virtualTx(f.forfeitTxid)!;
  const forfeit = psbt(forfeitRec.psbt);
  const cIn = forfeit.getInput(1);
  const connectorTxid = hex.encode(cIn.txid!);
  const batch = d.store.batch(f.commitmentTxid)!;
  // The branch from the connector tree's root down to this forfeit's connector leaf.
  const parentOf = new Map<string, { txid: string; vout: number }>();
  for (const t of batch.connectorTxids) for (const [vout, child] of Object.entries(d.store.virtualTx(t)?.children ?? {})) parentOf.set(child, { txid: t, vout: Number(vout) });
  const branch = [connectorTxid];
  while (parentOf.has(branch[0]!)) branch.unshift(parentOf.get(branch[0]!)!.txid);
  const commitment = Transaction.fromRaw(hex.decode(batch.commitmentTxHex), TX_OPTS);
  const secret = connectorOutputSecret(d.keys.forfeitSecret);
  for (const txid of branch) {
    const conf = await d.chain.confirmations(txid);
    if (conf !== undefined && conf > 0) continue;
    if (conf === 0) return 'waiting';
    const tx = psbt(d.store.virtualTx(txid)!.psbt);
    const inp = tx.getInput(0);
    const parentTxid = hex.encode(inp.txid!);
    const parentConf = await d.chain.confirmations(parentTxid);
    if (parentConf === undefined || parentConf === 0) return 'waiting';
    const parentOut = parentTxid === commitment.id ? commitment.getOutput(inp.index!) : psbt(d.store.virtualTx(parentTxid)!.psbt).getOutput(inp.index!);
    const signed = signConnectorTx(tx, { script: parentOut.script!, amount: parentOut.amount! }, secret);
    signed.finalize();
    await broadcastWithChild(d, signed);
    d.log(`forfeit of ${op(f.vtxo.txid, f.vtxo.vout)}: connector ${txid} broadcast`);
    return txid;
  }
  // The VTXO output must exist on chain (its leaf confirmed) before the forfeit can spend it.
  const vtxoOut = await d.chain.unspent(f.vtxo.txid, f.vtxo.vout);
  if (!vtxoOut || vtxoOut.confirmations === 0) return 'waiting';
  const connectorTx = psbt(d.store.virtualTx(connectorTxid)!.psbt);
  const cOut = connectorTx.getOutput(cIn.index!);
  const final = finalizeForfeit(forfeit, [
    { script: hex.decode(f.vtxo.script), amount: f.vtxo.amount },
    { script: cOut.script!, amount: cOut.amount! },
  ]);
  await broadcastWithChild(d, final);
  d.log(`forfeit ${final.id} broadcast: unrolled VTXO ${op(f.vtxo.txid, f.vtxo.vout)} goes to the operator`);
  return final.id;
}

/** A zero-fee v3 tx with its P2A anchor, bumped by a child paid from the operator's wallet. */
async function broadcastWithChild(d: WatchDeps, parent: Transaction): Promise<void> {
  const coins = (await d.chain.coinsOf(d.keys.walletScript)).filter((c) => c.confirmations >= 1 && c.amount >= 5_000n).sort((a, b) => (a.amount < b.amount ? -1 : 1));
  const coin = coins[0];
  if (!coin) throw new Error(`the operator wallet has no confirmed coin to pay for a forfeit (fund ${d.keys.walletAddress})`);
  const c = buildAnchorChild(parent, { txid: coin.txid, vout: coin.vout, amount: coin.amount, pkScript: coin.pkScript, tapInternalKey: d.keys.walletXOnly }, d.keys.walletScript, await d.chain.feeRate());
  c.child.signIdx(d.keys.walletSecret, c.feeInputIndex);
  c.child.finalizeIdx(c.feeInputIndex);
  await d.chain.broadcastPackage([hex.encode(parent.extract()), childHex(c.child)]);
}
