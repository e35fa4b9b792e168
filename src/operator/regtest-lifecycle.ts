import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { P2A } from '@arkade-os/sdk';
import { BitcoindRpc, RpcError } from '../chain/rpc-client.js';
import { HashPerpError } from '../units/errors.js';
import { keyPairFromSeedLabel, type KeyPair } from '../bitcoin/keys.js';
import { NETWORKS } from '../bitcoin/networks.js';
import { buildBlockDeltaVtxo, buildPlainVtxo, p2trKeyOnly, type BdcSide, type BlockDeltaVtxo } from '../bitcoin/vtxo-scripts.js';
import { TX_OPTS, VIRTUAL_TX_VERSION, buildLeafSpend, signLeafInput } from '../bitcoin/tx.js';
import { BitcoindBroadcaster, executeExitPackage } from '../bitcoin/exit-executor.js';
import { KeyFeeSource } from '../bitcoin/fee-sources.js';
import { ArkOperator, type FundingUtxo } from './operator.js';
import type { TapLeafScript, VtxoScript } from '@arkade-os/sdk';

/** One observed fact of the lifecycle: a transaction offered to the node, and whether the answer was the expected one. */
export interface LifecycleStep {
  step: number;
  name: string;
  txid: string;
  accepted: boolean;
  expected: boolean;
  ok: boolean;
  /** The node's reject reason, or the height/MTP at the time. */
  detail: string;
}

export interface LifecycleReport {
  ok: boolean;
  chain: string;
  startHeight: number;
  steps: LifecycleStep[];
}

interface MempoolAcceptResult {
  txid: string;
  allowed: boolean;
  'reject-reason'?: string;
}

const EXIT_DELAY = 5n;
const BATCH_EXPIRY = 40n;
const VTXO_SAT = 100_000n;
/** Fee of the ordinary on-chain spends (claims, sweep); virtual txs pay nothing and are bumped by CPFP. */
const SPEND_FEE = 1_000n;
/** Coinbases mined to the fee key: one per CPFP child is more than enough (children's change is reused once confirmed). */
const FEE_COINBASES = 20;

// Core's answers when a timelock is not yet satisfied: nLockTime (CLTV) and BIP-68 (CSV).
const CLTV_REFUSAL = /^non-final/;
const CSV_REFUSAL = /^non-BIP68-final/;
// Why a zero-fee v3 tx with a P2A anchor is refused alone: below the minimum relay fee (TRUC/ephemeral dust need a package).
const ALONE_REFUSAL = /min relay fee not met|ephemeral|TRUC|mempool min fee not met/i;
/**
 * The full lifecycle against a `bitcoind -regtest` (no wallet needed): funds a batch from a coinbase,
 * creates block-delta and plain VTXOs in a MuSig2-signed tree, then proves each exit path and timelock
 * with testmempoolaccept / sendrawtransaction and mined blocks. Virtual txs (tree, checkpoints, Ark
 * txs) are arkd-shaped (v3, P2A anchor, no fee) and go on chain as `submitpackage` 1P1C packages with
 * a CPFP child paid by a fee key's coinbases; TRUC allows one unconfirmed ancestor, so each level of
 * a chain of virtual txs waits for a block. Shared by the test suite and the CLI.
 */
export async function runRegtestLifecycle(rpcUrl: string, log: (s: LifecycleStep) => void = () => {}): Promise<LifecycleReport> {
  const rpc = new BitcoindRpc(rpcUrl);
  const info = await rpc.call<{ chain: string; blocks: number; mediantime: number }>('getblockchaininfo');
  if (info.chain !== 'regtest') throw new HashPerpError('not_regtest', `node is on ${info.chain}, the lifecycle only runs on regtest`, { field: 'rpc' });
  const steps: LifecycleStep[] = [];
  const run = `${Date.now()}`;
  const key = (l: string): KeyPair => keyPairFromSeedLabel(`${run}/${l}`);
  const S = key('operator');
  const W = key('funder');
  const wallet = p2trKeyOnly(W.publicKey, NETWORKS.regtest);
  const feeKey = key('fees');
  const feeWallet = p2trKeyOnly(feeKey.publicKey, NETWORKS.regtest);
  const op = new ArkOperator({ key: S, exitDelay: { type: 'blocks', value: EXIT_DELAY }, batchExpiry: { type: 'blocks', value: BATCH_EXPIRY } });
  const broadcaster = new BitcoindBroadcaster(rpc, { fees: new KeyFeeSource(rpc, feeKey), feeRate: 2 });

  const height = async (): Promise<number> => rpc.call<number>('getblockcount');
  const mtp = async (): Promise<number> => (await rpc.call<{ mediantime: number }>('getblockchaininfo')).mediantime;
  const mine = async (n: number): Promise<string[]> => (n > 0 ? rpc.call<string[]>('generatetoaddress', [n, wallet.address]) : []);
  const mineTo = async (h: number): Promise<void> => {
    await mine(h - (await height()));
  };
  /** A refusal counts as expected only for the reason asked (`why`), so a fee or script failure cannot pass for a timelock. */
  const record = (s: Omit<LifecycleStep, 'ok'>, why?: RegExp): void => {
    const full = { ...s, ok: s.accepted === s.expected && (s.accepted || !why || why.test(s.detail)) };
    steps.push(full);
    log(full);
  };
  const test = async (tx: Transaction | string): Promise<MempoolAcceptResult> => {
    const h = typeof tx === 'string' ? tx : hex.encode(tx.extract());
    return (await rpc.call<MempoolAcceptResult[]>('testmempoolaccept', [[h]]))[0]!;
  };
  /** testmempoolaccept, then (if accepted and wanted) sendrawtransaction; records the answer against the expectation. */
  const offer = async (step: number, name: string, tx: Transaction, expected: boolean, send = true, why?: RegExp): Promise<boolean> => {
    const r = await test(tx);
    let accepted = r.allowed;
    let detail = r.allowed ? `height ${await height()}, mtp ${await mtp()}` : (r['reject-reason'] ?? 'refused');
    if (accepted && send) {
      try {
        await rpc.call('sendrawtransaction', [hex.encode(tx.extract())]);
      } catch (e) {
        accepted = false;
        detail = e instanceof RpcError ? e.rpcMessage : String(e);
      }
    }
    record({ step, name, txid: tx.id, accepted, expected, detail }, why);
    return accepted;
  };
  const inMempool = async (txid: string): Promise<boolean> =>
    rpc.call('getmempoolentry', [txid]).then(
      () => true,
      (e: unknown) => {
        if (e instanceof RpcError) return false;
        throw e;
      },
    );
  /**
   * A virtual tx (v3, P2A, zero fee) goes as a package with a CPFP child; accepted means the node
   * answered success and holds both in its mempool. Its timelock refusals are asked of the tx alone
   * (Core checks finality before fees), so the reason names the timelock.
   */
  const offerVirtual = async (step: number, name: string, tx: Transaction, expected: boolean, why?: RegExp): Promise<boolean> => {
    if (!expected) {
      const r = await test(tx);
      record({ step, name, txid: tx.id, accepted: r.allowed, expected, detail: r.allowed ? 'allowed alone' : (r['reject-reason'] ?? 'refused') }, why);
      return r.allowed;
    }
    const r = await broadcaster.broadcast(hex.encode(tx.extract()), tx.id);
    const both = r.accepted && !r.alreadyKnown && (await inMempool(tx.id)) && (await inMempool(r.childTxid!));
    record({ step, name: `${name} (package with CPFP child)`, txid: tx.id, accepted: both, expected, detail: r.accepted ? `child ${r.childTxid} pays ${r.fee} sat, height ${await height()}` : (r.reason ?? 'refused') });
    return both;
  };

  // Pin the node clock at or after the tip so block times stay valid even if an earlier run moved MTP ahead.
  const tipHeader = await rpc.call<{ time: number }>('getblockheader', [await rpc.call<string>('getbestblockhash')]);
  await rpc.call('setmocktime', [Math.max(Math.floor(Date.now() / 1000), tipHeader.time + 1)]);

  // Funding: coinbase of a block mined to our own key, mature after 100 more blocks.
  const startHeight = info.blocks;
  await rpc.call('generatetoaddress', [FEE_COINBASES, feeWallet.address]);
  const [fundBlock] = await mine(1);
  await mine(100);
  const blk = await rpc.call<{ tx: { txid: string; vout: { value: number; n: number }[] }[] }>('getblock', [fundBlock, 2]);
  const cb = blk.tx[0]!;
  const funding: FundingUtxo = { txid: cb.txid, vout: 0, amount: BigInt(Math.round(cb.vout[0]!.value * 1e8)), pkScript: wallet.script, key: W };

  const tip0 = await height();
  const mtp0 = await mtp();
  const H = tip0 + 14;
  const T = mtp0 + 20_000;
  const d = { type: 'blocks' as const, value: EXIT_DELAY };
  const bdc = (owner: KeyPair, side: BdcSide): BlockDeltaVtxo => buildBlockDeltaVtxo({ user: owner.publicKey, operator: S.publicKey, userSide: side, targetHeight: H, deadline: T, exitDelay: d });
  const payTo = (k: KeyPair): Uint8Array => p2trKeyOnly(k.publicKey).script;

  const owners = { A: key('A'), B: key('B'), C: key('C'), D: key('D'), E: key('E'), F: key('F'), G: key('G'), P: key('P'), Q: key('Q') };
  const A = bdc(owners.A, 'FAST');
  const B = bdc(owners.B, 'SLOW');
  const C = bdc(owners.C, 'FAST');
  const D = bdc(owners.D, 'FAST');
  const E = bdc(owners.E, 'SLOW');
  const F = bdc(owners.F, 'FAST');
  const G = bdc(owners.G, 'FAST');
  const P = buildPlainVtxo(owners.P.publicKey, S.publicKey, d);
  const Q = buildPlainVtxo(owners.Q.publicKey, S.publicKey, d);

  // Step 1: batch 1 (seven VTXOs) and batch 2 (one plain VTXO, to be renewed then swept).
  const req = (s: VtxoScript, k: KeyPair, contract: boolean) => ({ vtxoScript: s, amount: VTXO_SAT, cosigners: [k], contract });
  const batch1 = op.createBatch(
    funding,
    [req(A.vtxoScript, owners.A, true), req(B.vtxoScript, owners.B, true), req(C.vtxoScript, owners.C, true), req(D.vtxoScript, owners.D, true), req(E.vtxoScript, owners.E, true), req(F.vtxoScript, owners.F, true), req(P.vtxoScript, owners.P, false)],
    wallet.script,
    2_000n,
  );
  const change1 = (b: typeof batch1): FundingUtxo => ({ txid: b.id, vout: b.changeVout!, amount: b.commitmentTx.getOutput(b.changeVout!).amount!, pkScript: wallet.script, key: W });
  const batch2 = op.createBatch(change1(batch1), [req(Q.vtxoScript, owners.Q, false)], wallet.script, 2_000n);
  await offer(1, 'commitment tx of batch 1 (funded from a coinbase)', batch1.commitmentTx, true);
  await offer(1, 'commitment tx of batch 2', batch2.commitmentTx, true);
  await mine(1);
  const c = await height();
  const batchUtxo = await rpc.call<{ confirmations: number; value: number; scriptPubKey: { hex: string } } | null>('gettxout', [batch1.id, 0]);
  record({
    step: 1,
    name: 'batch output confirmed and matches the tree root input',
    txid: batch1.id,
    accepted: !!batchUtxo && batchUtxo.scriptPubKey.hex === hex.encode(batch1.tree.plan.batchOutput.pkScript) && BigInt(Math.round(batchUtxo.value * 1e8)) === batch1.tree.plan.batchOutput.amount,
    expected: true,
    detail: `confirmed at height ${c}`,
  });

  // Unroll batch 1: every tree tx (pre-signed, MuSig2 key path) goes on chain, one depth per block; the block-delta VTXO A is created there.
  const [idA, idB, idC, idD, idE, idF, idP] = batch1.vtxoIds as [string, string, string, string, string, string, string];
  const treeTxs = batch1.tree.all();
  for (let depth = 0; treeTxs.some((n) => n.depth === depth); depth++) {
    for (const n of treeTxs.filter((t) => t.depth === depth)) await offerVirtual(1, `tree tx depth ${n.depth} (unroll)`, n.tx, true);
    await mine(1);
  }
  const vtxoA = await rpc.call<{ scriptPubKey: { hex: string } } | null>('gettxout', [op.vtxo(idA).txid, op.vtxo(idA).vout]);
  record({ step: 1, name: 'block-delta VTXO for U vs S exists on chain after unroll', txid: op.vtxo(idA).txid, accepted: vtxoA?.scriptPubKey.hex === hex.encode(A.vtxoScript.pkScript), expected: true, detail: `scriptPubKey ${vtxoA?.scriptPubKey.hex ?? 'missing'}` });

  const claim = (id: string, leaf: TapLeafScript, signers: KeyPair[], to: KeyPair): Transaction => {
    const v = op.vtxo(id);
    const tx = buildLeafSpend({ txid: v.txid, vout: v.vout, amount: v.amount, pkScript: v.vtxoScript.pkScript, leaf }, { script: payTo(to), amount: v.amount - SPEND_FEE });
    for (const k of signers) signLeafInput(tx, 0, [k]);
    tx.finalize();
    return tx;
  };
  /** Offchain transfer through leaf `leaf` of `id`: owner signs checkpoint + Ark tx, S co-signs. */
  const transfer = (id: string, leaf: TapLeafScript, owner: KeyPair | undefined, out: { vtxoScript: VtxoScript; contract: boolean }) => {
    const amount = op.vtxo(id).amount;
    const ark = op.proposeTransfer([{ id, leaf }], [{ vtxoScript: out.vtxoScript, amount, contract: out.contract }]);
    if (owner) {
      signLeafInput(ark.checkpoints[0]!.tx, 0, [owner]);
      signLeafInput(ark.arkTx, 0, [owner]);
    }
    const [newId] = op.cosign([{ id }], ark, [{ vtxoScript: out.vtxoScript, amount, contract: out.contract }]);
    return { ark, newId: newId! };
  };

  // Step 4a: cooperative settlement through leaf 1 (U + S) as an Ark tx paying U a plain VTXO.
  const settleC = transfer(idC, C.leaf(1), owners.C, { vtxoScript: buildPlainVtxo(owners.C.publicKey, S.publicKey, d).vtxoScript, contract: false });
  await offerVirtual(4, 'leaf 1 cooperative settlement: checkpoint', settleC.ark.checkpoints[0]!.tx, true);
  await mine(1);
  await offerVirtual(4, 'leaf 1 cooperative settlement: Ark tx', settleC.ark.arkTx, true);
  await mine(1);

  // Step 6: plain VTXO P, unilateral exit after CSV(d): refused one block before, accepted at maturity.
  const pOut = await rpc.call<{ confirmations: number } | null>('gettxout', [op.vtxo(idP).txid, op.vtxo(idP).vout]);
  if (!pOut) throw new HashPerpError('lifecycle_timing', 'plain VTXO P is not on chain after the unroll');
  const vtxoConfP = (await height()) - pOut.confirmations + 1;
  if ((await height()) > vtxoConfP + Number(EXIT_DELAY) - 2) throw new HashPerpError('lifecycle_timing', `tip passed the CSV check height ${vtxoConfP + Number(EXIT_DELAY) - 2}`);
  await mineTo(vtxoConfP + Number(EXIT_DELAY) - 2);
  const exitP = claim(idP, P.exit, [owners.P], owners.P);
  await offer(6, 'plain VTXO unilateral exit one block before CSV', exitP, false, false, CSV_REFUSAL);
  await mine(1);
  await offer(6, 'plain VTXO unilateral exit at CSV maturity', exitP, true);

  // Step 5: swap. F's position moves offchain (leaf 1) to a new owner G; nothing of it is broadcast now.
  const swap = transfer(idF, F.leaf(1), owners.F, { vtxoScript: G.vtxoScript, contract: true });
  // Offchain claims prepared now, refused until their CLTV matures.
  const claimD = transfer(idD, D.leaf(2), owners.D, { vtxoScript: buildPlainVtxo(owners.D.publicKey, S.publicKey, d).vtxoScript, contract: false });
  const claimE = transfer(idE, E.leaf(3), owners.E, { vtxoScript: buildPlainVtxo(owners.E.publicKey, S.publicKey, d).vtxoScript, contract: false });
  await mine(1);

  // Step 5 (second half, started now so its CSV runs): G exits alone with the exit package of the swapped
  // VTXO; the executor sends each step as a package and mines while a step waits for its parent.
  const pkgG = op.exitPackage(swap.newId);
  const executed = await executeExitPackage(pkgG, broadcaster, { awaitConfirmation: async () => void (await mine(1)) });
  for (const e of executed.steps) record({ step: 5, name: `swap: new owner broadcasts exit package step "${e.label}"`, txid: e.txid, accepted: e.accepted, expected: true, detail: e.alreadyKnown ? 'already on chain' : `package with child ${e.childTxid}` });
  record({ step: 5, name: 'swap: exit package complete', txid: pkgG.vtxo.txid, accepted: executed.complete, expected: true, detail: `${executed.steps.length} steps` });
  await mine(1);
  const gConfirmed = await height();

  // Step 2: FAST claim, leaf 5 (CLTV(H) + CSV(d) + FAST party), after unrolling.
  await mineTo(H - 1);
  const claimA = claim(idA, A.leaf(5), [owners.A], owners.A);
  if ((await height()) > H - 1) throw new HashPerpError('lifecycle_timing', `tip passed H - 1 = ${H - 1}`);
  await offer(2, 'leaf 5 FAST claim at height H-1', claimA, false, false, CLTV_REFUSAL);
  await offerVirtual(4, 'leaf 2 offchain FAST claim checkpoint at height H-1', claimD.ark.checkpoints[0]!.tx, false, CLTV_REFUSAL);
  await mine(1);
  await offer(2, 'leaf 5 FAST claim at height H', claimA, true);
  await offerVirtual(4, 'leaf 2 offchain FAST claim: checkpoint at H', claimD.ark.checkpoints[0]!.tx, true);
  await mine(1);
  await offerVirtual(4, 'leaf 2 offchain FAST claim: Ark tx at H+1', claimD.ark.arkTx, true);
  // Step 5 end: the new owner G claims alone through leaf 5 of its own VTXO.
  await mineTo(Math.max(await height(), gConfirmed + Number(EXIT_DELAY) - 1));
  const g = op.vtxo(swap.newId);
  const claimG = claim(swap.newId, G.leaf(5), [owners.G], owners.G);
  await offer(5, `swap: new owner claims alone (leaf 5) from ${g.txid.slice(0, 8)}…`, claimG, true);
  await mine(1);

  // Step 3: SLOW claim, leaf 6 (CLTV(T) + CSV(d) + SLOW party): refused while MTP <= T, accepted once MTP > T.
  const claimB = claim(idB, B.leaf(6), [owners.B], owners.B);
  await offer(3, `leaf 6 SLOW claim with MTP ${await mtp()} < T ${T}`, claimB, false, false, CLTV_REFUSAL);
  await offerVirtual(4, 'leaf 3 offchain SLOW claim checkpoint before T', claimE.ark.checkpoints[0]!.tx, false, CLTV_REFUSAL);
  await rpc.call('setmocktime', [T + 600]);
  await mine(11);
  await offer(3, `leaf 6 SLOW claim with MTP ${await mtp()} > T ${T}`, claimB, true);
  await offerVirtual(4, 'leaf 3 offchain SLOW claim: checkpoint after T', claimE.ark.checkpoints[0]!.tx, true);
  await mine(1);
  await offerVirtual(4, 'leaf 3 offchain SLOW claim: Ark tx after T', claimE.ark.arkTx, true);
  await mine(1);

  // Step 7: renewal of batch 2's VTXO into batch 3, then the operator sweeps batch 2 after its expiry.
  const { batch: batch3 } = op.renew([batch2.vtxoIds[0]!], change1(batch2), [owners.Q], wallet.script, 2_000n);
  await offer(7, 'renewal: commitment tx of batch 3 (VTXO Q renewed)', batch3.commitmentTx, true);
  await mine(1);
  const expiryHeight = c + Number(BATCH_EXPIRY) - 1;
  if ((await height()) > expiryHeight - 1) throw new HashPerpError('lifecycle_timing', `tip passed the sweep check height ${expiryHeight - 1}`);
  await mineTo(expiryHeight - 1);
  const sweep = op.sweepTx(batch2.id, wallet.script, SPEND_FEE);
  await offer(7, 'operator sweep of batch 2 one block before expiry', sweep, false, false, CSV_REFUSAL);
  await mine(1);
  await offer(7, 'operator sweep of batch 2 at expiry', sweep, true);
  op.markSwept(batch2.id);
  await mine(1);

  // Relay check of arkd's shape itself (version 3, zero-value P2A anchor, no fee) on a confirmed input:
  // the node refuses it alone and accepts it as a package with a child that spends the anchor.
  const arkShaped = new Transaction({ ...TX_OPTS, version: VIRTUAL_TX_VERSION });
  const ch3 = change1(batch3);
  arkShaped.addInput({ txid: ch3.txid, index: ch3.vout, witnessUtxo: { script: ch3.pkScript, amount: ch3.amount }, tapInternalKey: W.publicKey });
  arkShaped.addOutput({ script: wallet.script, amount: ch3.amount });
  arkShaped.addOutput(P2A);
  arkShaped.signIdx(W.secretKey, 0);
  arkShaped.finalize();
  let alone: string;
  try {
    await rpc.call('sendrawtransaction', [hex.encode(arkShaped.extract())]);
    alone = 'accepted alone';
  } catch (e) {
    if (!(e instanceof RpcError)) throw e;
    alone = e.rpcMessage;
  }
  record({ step: 0, name: 'arkd-shaped tx alone (v3, P2A anchor, zero fee) via sendrawtransaction', txid: arkShaped.id, accepted: alone === 'accepted alone', expected: false, detail: alone }, ALONE_REFUSAL);
  await offerVirtual(0, 'arkd-shaped tx (v3, P2A anchor, zero fee)', arkShaped, true);
  await mine(1);
  const left = await rpc.call<string[]>('getrawmempool');
  record({ step: 0, name: 'every accepted transaction was mined (mempool empty after the last block)', txid: '', accepted: left.length === 0, expected: true, detail: `${left.length} left in mempool at height ${await height()}` });
  // The node clock stays pinned at the last block so later runs on this node can keep mining.
  return { ok: steps.every((s) => s.ok), chain: info.chain, startHeight, steps };
}
