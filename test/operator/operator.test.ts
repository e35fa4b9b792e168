import { describe, it, expect } from 'vitest';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { buildBlockDeltaVtxo, buildPlainVtxo, p2trKeyOnly } from '../../src/bitcoin/vtxo-scripts.js';
import { TX_OPTS, signLeafInput } from '../../src/bitcoin/tx.js';
import { ArkOperator } from '../../src/operator/operator.js';
import { parseExitPackage, serializeExitPackage } from '../../src/bitcoin/exit-package.js';
import { executeExitPackage, type Broadcaster, type TxStatus } from '../../src/bitcoin/exit-executor.js';
import { VtxoRuleError } from '../../src/operator/rules.js';
import { sighashDefault, leafHash } from '../bitcoin/bip341-ref.js';
import { refOf } from '../bitcoin/helpers.js';

const S = keyPairFromSeedLabel('op/S');
const W = keyPairFromSeedLabel('op/W');
const U = keyPairFromSeedLabel('op/U');
const N = keyPairFromSeedLabel('op/N');
const P = keyPairFromSeedLabel('op/P');
const d = { type: 'blocks' as const, value: 10n };
const wallet = p2trKeyOnly(W.publicKey);
const mkOp = () => new ArkOperator({ key: S, exitDelay: d, batchExpiry: { type: 'blocks', value: 100n } });
const funding = { txid: '99'.repeat(32), vout: 0, amount: 50_0000_0000n, pkScript: wallet.script, key: W };
const bdc = (k: typeof U) => buildBlockDeltaVtxo({ user: k.publicKey, operator: S.publicKey, userSide: 'FAST', targetHeight: 1000, deadline: 1_800_000_000, exitDelay: d });

function setup() {
  const op = mkOp();
  const a = bdc(U);
  const p = buildPlainVtxo(P.publicKey, S.publicKey, d);
  const batch = op.createBatch(
    funding,
    [
      { vtxoScript: a.vtxoScript, amount: 100_000n, cosigners: [U], contract: true },
      { vtxoScript: p.vtxoScript, amount: 50_000n, cosigners: [P], contract: false },
    ],
    wallet.script,
    2_000n,
  );
  return { op, a, p, batch };
}

describe('ArkOperator', () => {
  it('createBatch: commitment tx pays the batch output and change; key-path signature verifies', () => {
    const { batch } = setup();
    const tx = batch.commitmentTx;
    expect(tx.getOutput(0).amount).toBe(batch.tree.plan.batchOutput.amount);
    expect(tx.getOutput(0).amount! + tx.getOutput(1).amount! + 2_000n).toBe(funding.amount);
    const sig = Transaction.fromRaw(hex.decode(batch.commitmentHex), TX_OPTS).getInput(0).finalScriptWitness![0]!;
    expect(schnorr.verify(sig, sighashDefault(refOf(tx), 0), wallet.tweakedPubkey)).toBe(true);
  });

  it('refuses a VTXO that breaks a rule, naming the rule', () => {
    const op = mkOp();
    // a VTXO made for another operator: its forfeit leaf lacks S
    const foreign = buildPlainVtxo(P.publicKey, N.publicKey, d);
    expect(() => op.createBatch(funding, [{ vtxoScript: foreign.vtxoScript, amount: 1000n, cosigners: [P], contract: false }], wallet.script, 2_000n)).toThrow(VtxoRuleError);
    expect(() => op.createBatch(funding, [{ vtxoScript: foreign.vtxoScript, amount: 1000n, cosigners: [P], contract: false }], wallet.script, 2_000n)).toThrow(/forfeit-without-signer/);
    const short = buildPlainVtxo(P.publicKey, S.publicKey, { type: 'blocks', value: 9n });
    expect(() => op.createBatch(funding, [{ vtxoScript: short.vtxoScript, amount: 1000n, cosigners: [P], contract: false }], wallet.script, 2_000n)).toThrow(/exit-delay-too-short/);
  });

  it('every VTXO gets an exit package: the tree branch down to its output, which parses and round-trips', () => {
    const { op, batch } = setup();
    for (const id of batch.vtxoIds) {
      const pkg = op.exitPackage(id);
      expect(pkg.steps.length).toBeGreaterThan(0);
      expect(pkg.steps.every((s) => s.kind === 'tree')).toBe(true);
      expect(parseExitPackage(serializeExitPackage(pkg))).toEqual(pkg);
    }
    const pkg = op.exitPackage(batch.vtxoIds[0]!);
    const tampered = { ...pkg, steps: pkg.steps.map((s, i) => (i === 0 ? { ...s, hex: s.hex.slice(0, -2) + '01' } : s)) };
    expect(() => parseExitPackage(JSON.stringify(tampered))).toThrow(/hashes to|not a transaction/);
    expect(() => parseExitPackage(JSON.stringify({ ...pkg, commitmentTxid: '00'.repeat(32) }))).toThrow(/does not spend an earlier step/);
    expect(() => parseExitPackage(JSON.stringify({ ...pkg, steps: [] }))).toThrow(/do not create the VTXO/);
  });

  it('swap: leaf-1 transfer to a new owner, co-signed by S; new package = branch + checkpoint + Ark tx', () => {
    const { op, a, batch } = setup();
    const newScript = bdc(N).vtxoScript;
    const id = batch.vtxoIds[0]!;
    const amount = 100_000n; // checkpoint and Ark tx pay no fee (zero-fee v3, CPFP at exit time)
    const ark = op.proposeTransfer([{ id, leaf: a.leaf(1) }], [{ vtxoScript: newScript, amount, contract: true }]);
    signLeafInput(ark.checkpoints[0]!.tx, 0, [U]);
    signLeafInput(ark.arkTx, 0, [U]);
    // without the owner's signatures S refuses to finalize
    const unsigned = op.proposeTransfer([{ id, leaf: a.leaf(1) }], [{ vtxoScript: newScript, amount, contract: true }]);
    expect(() => op.cosign([{ id }], unsigned, [{ vtxoScript: newScript, amount, contract: true }])).toThrow(/no valid signature/);
    expect(op.vtxo(id).state).toBe('live');
    const [newId] = op.cosign([{ id }], ark, [{ vtxoScript: newScript, amount, contract: true }]);
    expect(op.vtxo(id).state).toBe('spent');
    const pkg = op.exitPackage(newId!);
    expect(pkg.steps.map((s) => s.kind)).toEqual([...op.exitPackage(id).steps.map(() => 'tree'), 'checkpoint', 'ark']);
    expect(parseExitPackage(serializeExitPackage(pkg)).vtxo.scriptPubKey).toBe(hex.encode(newScript.pkScript));
    for (const tx of [ark.checkpoints[0]!.tx, ark.arkTx]) {
      const w = tx.getInput(0).finalScriptWitness!;
      const msg = sighashDefault(refOf(tx), 0, leafHash(a.scripts[0]!));
      expect(schnorr.verify(w[1]!, msg, U.publicKey)).toBe(true); // U's sig on top: checked first by <U> CHECKSIGVERIFY
      expect(schnorr.verify(w[0]!, msg, S.publicKey)).toBe(true);
    }
    // a spent VTXO cannot be transferred again; the claim leaves (2, 3) are unilateral, not offchain paths
    expect(() => op.proposeTransfer([{ id, leaf: a.leaf(1) }], [{ vtxoScript: newScript, amount, contract: true }])).toThrow(/spent/);
    const n = bdc(N);
    for (const leaf of [2, 3] as const) expect(() => op.proposeTransfer([{ id: newId!, leaf: n.leaf(leaf) }], [{ vtxoScript: newScript, amount, contract: true }])).toThrow(/unilateral leaf/);
  });

  it('sweep: spends the batch output by the CSV(expiry) + S leaf; renewal moves VTXOs to a new batch', () => {
    const { op, batch } = setup();
    const sweep = op.sweepTx(batch.id, wallet.script, 1_000n);
    expect(sweep.version).toBe(2);
    expect(sweep.getOutput(0).amount).toBe(batch.tree.plan.batchOutput.amount - 1_000n);
    expect(sweep.getInput(0).sequence).toBe(100);
    const w = sweep.getInput(0).finalScriptWitness!;
    expect(w).toHaveLength(3); // S's signature, the sweep script, the control block
    const sweepScript = w[1]!;
    expect(hex.encode(sweepScript)).toBe('0164b275' + '20' + hex.encode(S.publicKey) + 'ac'); // 100 CSV DROP <S> CHECKSIG
    expect(schnorr.verify(w[0]!, sighashDefault(refOf(sweep), 0, leafHash(sweepScript)), S.publicKey)).toBe(true);
    expect(hex.encode(sweep.getInput(0).txid!)).toBe(batch.id);
    const change = { txid: batch.id, vout: batch.changeVout!, amount: batch.commitmentTx.getOutput(1).amount!, pkScript: wallet.script, key: W };
    const { batch: b2, renewed } = op.renew([batch.vtxoIds[1]!], change, [P], wallet.script, 2_000n);
    expect(op.vtxo(batch.vtxoIds[1]!).state).toBe('renewed');
    expect(renewed.get(batch.vtxoIds[1]!)).toBe(b2.vtxoIds[0]);
    op.markSwept(batch.id);
    expect(op.vtxo(batch.vtxoIds[0]!).state).toBe('swept');
    expect(op.exportExitPackages().map((p) => `${p.vtxo.txid}:${p.vtxo.vout}`)).toEqual([b2.vtxoIds[0]]);
  });

  it('executor: skips what the network has, sends one step per confirmation (TRUC), stops at a refusal', async () => {
    const { op, a, batch } = setup();
    // A three-step package: tree branch, checkpoint, Ark tx.
    const id = batch.vtxoIds[0]!;
    const out = [{ vtxoScript: bdc(N).vtxoScript, amount: 100_000n, contract: true }];
    const ark = op.proposeTransfer([{ id, leaf: a.leaf(1) }], out);
    signLeafInput(ark.checkpoints[0]!.tx, 0, [U]);
    signLeafInput(ark.arkTx, 0, [U]);
    const [newId] = op.cosign([{ id }], ark, out);
    const pkg = op.exitPackage(newId!);
    const ids = pkg.steps.map((s) => s.txid);
    expect(ids).toHaveLength(3);
    const parentOf = new Map(pkg.steps.map((s) => [s.txid, hex.encode(Transaction.fromRaw(hex.decode(s.hex), TX_OPTS).getInput(0).txid!)]));
    // A node that enforces what TRUC enforces: a v3 tx whose parent is still unconfirmed is refused.
    const node = { confirmed: new Set<string>(), mempool: new Set<string>(), sent: [] as string[] };
    const mk = (refuse?: string): Broadcaster => ({
      name: 'fake',
      status: async (txid): Promise<TxStatus> => (node.confirmed.has(txid) ? 'confirmed' : node.mempool.has(txid) ? 'mempool' : 'unknown'),
      broadcast: async (_h, txid) => {
        if (txid === refuse) return { txid, accepted: false, alreadyKnown: false, reason: 'non-final' };
        if (node.mempool.has(parentOf.get(txid)!)) return { txid, accepted: false, alreadyKnown: false, reason: 'TRUC-violation' };
        node.sent.push(txid);
        node.mempool.add(txid);
        return { txid, accepted: true, alreadyKnown: false, childTxid: `child-of-${txid}` };
      },
    });
    const mine = async (txid: string): Promise<void> => {
      expect(node.mempool.has(txid)).toBe(true);
      node.mempool.forEach((t) => node.confirmed.add(t));
      node.mempool.clear();
    };
    node.confirmed.add(ids[0]!);
    // Without a way to wait, the executor sends the checkpoint and stops: the Ark tx needs it confirmed first.
    const r1 = await executeExitPackage(pkg, mk());
    expect(r1.steps.map((s) => [s.txid, s.alreadyKnown])).toEqual([
      [ids[0], true],
      [ids[1], false],
    ]);
    expect(r1).toMatchObject({ complete: false, waitingFor: ids[1] });
    // Run again while it is still in the mempool: nothing is sent twice.
    const r2 = await executeExitPackage(pkg, mk());
    expect(r2).toMatchObject({ complete: false, waitingFor: ids[1] });
    expect(node.sent).toEqual([ids[1]]);
    // With a confirmation wait (regtest: mine a block) it finishes.
    const r3 = await executeExitPackage(pkg, mk(), { awaitConfirmation: mine });
    expect(r3.complete).toBe(true);
    expect(node.sent).toEqual([ids[1], ids[2]]);
    expect(r3.steps.at(-1)).toMatchObject({ txid: ids[2], childTxid: `child-of-${ids[2]}` });

    // From scratch with waiting: every step, each after its parent confirmed (the fake refuses otherwise).
    node.confirmed.clear();
    node.mempool.clear();
    node.sent.length = 0;
    const r4 = await executeExitPackage(pkg, mk(), { awaitConfirmation: mine });
    expect(r4.complete).toBe(true);
    expect(node.sent).toEqual(ids);
    // A refusal stops the run and names the step.
    node.confirmed.clear();
    node.mempool.clear();
    node.sent.length = 0;
    await expect(executeExitPackage(pkg, mk(ids[0]), { awaitConfirmation: mine })).rejects.toThrow(/refused tree depth 0/);
    expect(node.sent).toEqual([]);
  });
});
