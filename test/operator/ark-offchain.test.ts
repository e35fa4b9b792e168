/**
 * The operator's offchain Ark tx handling against the stock SDK client: the Ark tx and checkpoints
 * are built and signed exactly as @arkade-os/sdk's wallet does (buildOffchainTx with the unroll
 * script decoded from GetInfo.checkpointTapscript, identity.sign, then its own
 * assertSubmittedArkTxid / matchServerCheckpoints on the response), and every resulting signature
 * is checked here with raw BIP-340 over the BIP-341 tapscript sighash, not with the module's code.
 */
import { describe, it, expect } from 'vitest';
import { schnorr } from '@noble/curves/secp256k1.js';
import { base64, hex } from '@scure/base';
import { SigHash, Script } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import {
  CLTVMultisigTapscript,
  CSVMultisigTapscript,
  DefaultVtxo,
  MultisigTapscript,
  SingleKey,
  Transaction,
  VtxoScript,
  assertSubmittedArkTxid,
  buildOffchainTx,
  combineTapscriptSigs,
  matchServerCheckpoints,
  scriptFromTapLeafScript,
  type TapLeafScript,
} from '@arkade-os/sdk';
import {
  assertNoDoubleSpend,
  checkpointTapscript,
  finalizeOffchainTx,
  outpointKey,
  pendingTxView,
  submitOffchainTx,
  type OffchainVtxoRecord,
  type Outpoint,
  type PendingOffchainTx,
  type SubmitOffchainTxArgs,
} from '../../src/operator/ark/offchain.js';
import { ArkRequestError } from '../../src/operator/ark/ports.js';

const DUST = 330n;
const CSV = { type: 'blocks' as const, value: 144n };
const opSecret = schnorr.utils.randomSecretKey();
const opX = schnorr.getPublicKey(opSecret);
/** What GetInfo advertises (hex), decoded exactly as the SDK wallet does. */
const infoCheckpointTapscript = hex.encode(checkpointTapscript(opX, 10n));
const serverUnroll = CSVMultisigTapscript.decode(hex.decode(infoCheckpointTapscript));

interface Coin extends Outpoint {
  amount: bigint;
  script: VtxoScript;
  leaf: TapLeafScript;
}

const randomTxid = (): string => hex.encode(schnorr.utils.randomSecretKey());

/** The caller's side: a VTXO store, spent marks and persisted (JSON) pending txs. */
class FakeOperator {
  vtxos = new Map<string, OffchainVtxoRecord>();
  pendingSpent = new Set<string>();
  pending = new Map<string, string>();
  tipHeight = 100;
  over: Partial<SubmitOffchainTxArgs> = {};

  add(o: Outpoint, amount: bigint, pkScript: Uint8Array, extra: Partial<OffchainVtxoRecord> = {}): void {
    this.vtxos.set(outpointKey(o), { amount, pkScript, spent: false, swept: false, expiresAt: 2_000_000_000, ...extra });
  }

  submitTx(signedArkTx: string, checkpointTxs: string[]) {
    const res = submitOffchainTx({
      signedArkTx,
      checkpointTxs,
      operatorSecretKey: opSecret,
      checkpointTapscript: hex.decode(infoCheckpointTapscript),
      dust: DUST,
      lookupVtxo: (o) => this.vtxos.get(outpointKey(o)),
      isPendingSpent: (o) => this.pendingSpent.has(outpointKey(o)),
      tipHeight: this.tipHeight,
      now: 1_700_000_000,
      ...this.over,
    });
    for (const o of res.spent) this.pendingSpent.add(outpointKey(o));
    for (const c of res.created) this.add(c, c.amount, hex.decode(c.script), { swept: c.swept });
    this.pending.set(res.arkTxid, JSON.stringify(res.pending));
    return { arkTxid: res.arkTxid, finalArkTx: res.finalArkTx, signedCheckpointTxs: res.signedCheckpointTxs };
  }

  finalizeTx(arkTxid: string, finalCheckpointTxs: string[]) {
    // Parsed from JSON: a restart between submit and finalize loses nothing.
    const pending = JSON.parse(this.pending.get(arkTxid)!) as PendingOffchainTx;
    const res = finalizeOffchainTx(pending, finalCheckpointTxs);
    for (const c of pending.checkpoints) {
      this.pendingSpent.delete(outpointKey(c.spends));
      this.vtxos.get(outpointKey(c.spends))!.spent = true;
    }
    this.pending.set(arkTxid, JSON.stringify(res.pending));
    return res;
  }
}

async function identity() {
  const id = SingleKey.fromRandomBytes();
  const x = await id.xOnlyPublicKey();
  const script = new DefaultVtxo.Script({ pubKey: x, serverPubKey: opX, csvTimelock: CSV });
  return { id, x, script };
}

function fund(op: FakeOperator, script: DefaultVtxo.Script, amount: bigint): Coin {
  const o = { txid: randomTxid(), vout: 0 };
  op.add(o, amount, script.pkScript);
  return { ...o, amount, script, leaf: script.forfeit() };
}

const toInputs = (coins: Coin[]) =>
  coins.map((c) => ({ txid: c.txid, vout: c.vout, value: Number(c.amount), tapLeafScript: c.leaf, tapTree: c.script.encode() }));
const b64 = (tx: Transaction): string => base64.encode(tx.toPSBT());

/** The SDK's submitOffchainTx sequence (utils/arkTransaction.ts), signer = identity.sign. */
async function sdkSend(
  op: FakeOperator,
  signer: SingleKey,
  coins: Coin[],
  outputs: { script: Uint8Array; amount: bigint }[],
  unroll = serverUnroll,
) {
  const offchainTx = buildOffchainTx(toInputs(coins), outputs, unroll);
  const signedArkTx = await signer.sign(offchainTx.arkTx);
  const response = op.submitTx(b64(signedArkTx), offchainTx.checkpoints.map(b64));
  assertSubmittedArkTxid(response, signedArkTx, 'submitTx');
  const matched = matchServerCheckpoints(response.signedCheckpointTxs, offchainTx.checkpoints, 'submitTx');
  const finalCheckpoints = await Promise.all(matched.map(async ({ server }) => b64(await signer.sign(server))));
  return { offchainTx, signedArkTx, response, finalCheckpoints };
}

/** Every input carries a valid BIP-340 signature from each of `keys` over its tapscript sighash. */
function assertSignedBy(tx: Transaction, keys: Uint8Array[]): void {
  const prevScripts: Uint8Array[] = [];
  const prevAmounts: bigint[] = [];
  for (let i = 0; i < tx.inputsLength; i++) {
    prevScripts.push(tx.getInput(i).witnessUtxo!.script);
    prevAmounts.push(tx.getInput(i).witnessUtxo!.amount);
  }
  for (let i = 0; i < tx.inputsLength; i++) {
    const input = tx.getInput(i);
    const leaf = input.tapLeafScript![0]!;
    const script = scriptFromTapLeafScript(leaf as TapLeafScript);
    const version = leaf[1][leaf[1].length - 1]!;
    const leafHash = tapLeafHash(script, version);
    const msg = tx.preimageWitnessV1(i, prevScripts, SigHash.DEFAULT, prevAmounts, undefined, script, version);
    for (const key of keys) {
      const entry = (input.tapScriptSig ?? []).find(([d]) => hex.encode(d.pubKey) === hex.encode(key) && hex.encode(d.leafHash) === hex.encode(leafHash));
      expect(entry, `input ${i} signature from ${hex.encode(key)}`).toBeDefined();
      expect(schnorr.verify(entry![1].subarray(0, 64), msg, key)).toBe(true);
    }
  }
}

function refused(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArkRequestError);
    expect((e as ArkRequestError).arkCode).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing thrown`);
}
async function refusedAsync(fn: () => Promise<unknown>, code: string): Promise<void> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ArkRequestError);
    expect((e as ArkRequestError).arkCode).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing thrown`);
}

describe('checkpointTapscript', () => {
  it('is the CSV unroll closure of the operator key, byte for byte', () => {
    // OP_10 CSV DROP <32-byte key> CHECKSIG
    expect(infoCheckpointTapscript).toBe(`5ab27520${hex.encode(opX)}ac`);
    expect(serverUnroll.params.timelock).toEqual({ type: 'blocks', value: 10n });
    expect(serverUnroll.params.pubkeys.map(hex.encode)).toEqual([hex.encode(opX)]);
    // 1024 s = 2 units of 512 s: sequence 0x400002 → push 020040, seconds as arkd's RelativeLocktime
    const secs = CSVMultisigTapscript.decode(checkpointTapscript(opX, 1024n));
    expect(secs.params.timelock).toEqual({ type: 'seconds', value: 1024n });
    expect(hex.encode(secs.script).slice(0, 8)).toBe('03020040');
  });
});

describe('submit and finalize with the stock SDK client', () => {
  it('Alice pays Bob from two VTXOs, Bob pays Alice from the received one; every input fully signed', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c1 = fund(op, alice.script, 3_000n);
    const c2 = fund(op, alice.script, 7_000n);

    const sent = await sdkSend(op, alice.id, [c1, c2], [
      { script: bob.script.pkScript, amount: 6_000n },
      { script: alice.script.pkScript, amount: 4_000n },
    ]);
    const pendingBefore = JSON.parse(op.pending.get(sent.response.arkTxid)!) as PendingOffchainTx;
    expect(pendingBefore.status).toBe('accepted');
    expect(pendingBefore.checkpoints.map((c) => c.spends)).toEqual([c1, c2].map(({ txid, vout }) => ({ txid, vout })));

    const fin = op.finalizeTx(sent.response.arkTxid, sent.finalCheckpoints);
    expect(fin.pending.status).toBe('finalized');

    // The checkpoint output is the SDK's checkpoint script: unroll closure + Alice's forfeit leaf.
    const expectedCheckpointScript = new VtxoScript([serverUnroll.script, hex.decode(alice.script.forfeitScript)]).pkScript;
    const checkpoints = fin.finalCheckpointTxs.map((t) => Transaction.fromPSBT(base64.decode(t)));
    for (const cp of checkpoints) {
      expect(hex.encode(cp.getOutput(0).script!)).toBe(hex.encode(expectedCheckpointScript));
      assertSignedBy(cp, [alice.x, opX]);
    }
    expect(checkpoints.map((c) => c.getOutput(0).amount)).toEqual([3_000n, 7_000n]);
    const arkTx = Transaction.fromPSBT(base64.decode(pending(op, sent.response.arkTxid).finalArkTx));
    expect(arkTx.id).toBe(sent.signedArkTx.id);
    expect(arkTx.version).toBe(3);
    assertSignedBy(arkTx, [alice.x, opX]);

    // The extracted txs carry witnesses <sig op> <sig alice> <leaf> <control block> and chain up.
    const rawArk = Transaction.fromRaw(hex.decode(fin.arkTxHex), { allowUnknownOutputs: true });
    expect(rawArk.id).toBe(arkTx.id);
    for (let i = 0; i < rawArk.inputsLength; i++) {
      expect(rawArk.getInput(i).finalScriptWitness).toHaveLength(4);
      expect(hex.encode(rawArk.getInput(i).txid!)).toBe(checkpoints[i]!.id);
    }
    fin.checkpointTxsHex.forEach((h, i) => expect(Transaction.fromRaw(hex.decode(h), { allowUnknownOutputs: true }).id).toBe(checkpoints[i]!.id));

    // Bob spends what he received, through the same operator (the created VTXO went into the store).
    const received: Coin = { txid: sent.response.arkTxid, vout: 0, amount: 6_000n, script: bob.script, leaf: bob.script.forfeit() };
    expect(op.vtxos.get(outpointKey(received))?.amount).toBe(6_000n);
    const back = await sdkSend(op, bob.id, [received], [{ script: alice.script.pkScript, amount: 6_000n }]);
    const fin2 = op.finalizeTx(back.response.arkTxid, back.finalCheckpoints);
    for (const t of fin2.finalCheckpointTxs) assertSignedBy(Transaction.fromPSBT(base64.decode(t)), [bob.x, opX]);
    assertSignedBy(Transaction.fromPSBT(base64.decode(fin2.pending.finalArkTx)), [bob.x, opX]);
  });

  it("the wallet's batch path: checkpoints signed before submit, merged onto the server's with combineTapscriptSigs", async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c = fund(op, alice.script, 8_000n);
    const offchainTx = buildOffchainTx(toInputs([c]), [{ script: bob.script.pkScript, amount: 8_000n }], serverUnroll);
    const signedArkTx = await alice.id.sign(offchainTx.arkTx.clone());
    const userSigned = await Promise.all(offchainTx.checkpoints.map((cp) => alice.id.sign(cp.clone())));
    const response = op.submitTx(b64(signedArkTx), offchainTx.checkpoints.map(b64));
    assertSubmittedArkTxid(response, signedArkTx, 'submitTx');
    const matched = matchServerCheckpoints(response.signedCheckpointTxs, offchainTx.checkpoints, 'submitTx');
    const finals = matched.map(({ server }, i) => b64(combineTapscriptSigs(userSigned[i]!, server)));
    // GetPendingTx serves the accepted tx until it is finalized.
    expect(pendingTxView(pending(op, response.arkTxid))).toEqual(response);
    refused(() => finalizeOffchainTx(pending(op, response.arkTxid), finals, { isUnrolled: () => true }), 'VTXO_ALREADY_UNROLLED');
    const fin = op.finalizeTx(response.arkTxid, finals);
    assertSignedBy(Transaction.fromPSBT(base64.decode(fin.finalCheckpointTxs[0]!)), [alice.x, opX]);
  });

  it('reports spent and created outpoints, sub-dust OP_RETURN outputs created swept', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c = fund(op, alice.script, 1_000n);
    const subdust = Script.encode(['RETURN', bob.x]);
    const offchainTx = buildOffchainTx(toInputs([c]), [
      { script: bob.script.pkScript, amount: 900n },
      { script: subdust, amount: 100n },
    ], serverUnroll);
    const signed = await alice.id.sign(offchainTx.arkTx);
    const res = submitOffchainTx({
      signedArkTx: b64(signed), checkpointTxs: offchainTx.checkpoints.map(b64), operatorSecretKey: opSecret,
      checkpointTapscript: serverUnroll.script, dust: DUST, lookupVtxo: (o) => op.vtxos.get(outpointKey(o)), tipHeight: 1, now: 1,
    });
    expect(res.spent).toEqual([{ txid: c.txid, vout: 0 }]);
    expect(res.created).toEqual([
      { txid: signed.id, vout: 0, amount: 900n, script: hex.encode(bob.script.pkScript), swept: false },
      { txid: signed.id, vout: 1, amount: 100n, script: hex.encode(subdust), swept: true },
    ]);
  });
});

describe('cheaters lose', () => {
  it('spending a VTXO twice: a finalized spend, a pending spend, and the same VTXO twice in one tx', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c = fund(op, alice.script, 5_000n);
    const d = fund(op, alice.script, 5_000n);
    const pay = [{ script: bob.script.pkScript, amount: 5_000n }];

    const first = await sdkSend(op, alice.id, [c], pay);
    // Pending (submitted, not finalized): a second spend is refused by the caller's pending mark...
    await refusedAsync(() => sdkSend(op, alice.id, [c], [{ script: alice.script.pkScript, amount: 5_000n }]), 'VTXO_ALREADY_SPENT');
    op.finalizeTx(first.response.arkTxid, first.finalCheckpoints);
    // ...and after finalize by the store's spent flag.
    await refusedAsync(() => sdkSend(op, alice.id, [c], [{ script: alice.script.pkScript, amount: 5_000n }]), 'VTXO_ALREADY_SPENT');
    // Same VTXO as two inputs of one Ark tx.
    await refusedAsync(() => sdkSend(op, alice.id, [d, d], [{ script: bob.script.pkScript, amount: 10_000n }]), 'INVALID_PSBT_INPUT');
    expect(op.vtxos.get(outpointKey(d))!.spent).toBe(false);

    // The pure helper on its own.
    expect(() => assertNoDoubleSpend([c, d], () => false)).not.toThrow();
    refused(() => assertNoDoubleSpend([d, c], (o) => o.txid === c.txid), 'VTXO_ALREADY_SPENT');
    refused(() => assertNoDoubleSpend([d, d], () => false), 'INVALID_PSBT_INPUT');
  });

  it('inflating an output, or the amount of a spent VTXO', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c = fund(op, alice.script, 5_000n);
    await refusedAsync(() => sdkSend(op, alice.id, [c], [{ script: bob.script.pkScript, amount: 5_001n }]), 'MALFORMED_ARK_TX');
    await refusedAsync(() => sdkSend(op, alice.id, [{ ...c, amount: 9_000n }], [{ script: bob.script.pkScript, amount: 9_000n }]), 'INVALID_PSBT_INPUT');
    expect(op.pendingSpent.size).toBe(0);
  });

  it('an input signed by the wrong key, or spent through a leaf not in its tree or without the operator', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const mallory = await identity();
    const c = fund(op, alice.script, 5_000n);
    const toMallory = [{ script: mallory.script.pkScript, amount: 5_000n }];
    // Mallory's SDK identity cannot sign a leaf without her key: the Ark tx arrives unsigned.
    await refusedAsync(() => sdkSend(op, mallory.id, [c], toMallory), 'ARK_TX_INPUT_NOT_SIGNED');
    // Mallory signs the right sighash by hand with her own key.
    {
      const tx = buildOffchainTx(toInputs([c]), toMallory, serverUnroll);
      const leaf = tx.arkTx.getInput(0).tapLeafScript![0]!;
      const script = scriptFromTapLeafScript(leaf as TapLeafScript);
      const w = tx.arkTx.getInput(0).witnessUtxo!;
      const msg = tx.arkTx.preimageWitnessV1(0, [w.script], SigHash.DEFAULT, [w.amount], undefined, script, 0xc0);
      tx.arkTx.updateInput(0, { tapScriptSig: [[{ pubKey: mallory.x, leafHash: tapLeafHash(script, 0xc0) }, schnorr.sign(msg, hex.decode(mallory.id.toHex()))]] });
      refused(() => op.submitTx(b64(tx.arkTx), tx.checkpoints.map(b64)), 'INVALID_SIGNATURE');
    }
    // Mallory claims a leaf (mallory + S) that is not in Alice's tree.
    const forged = new VtxoScript([MultisigTapscript.encode({ pubkeys: [mallory.x, opX] }).script]);
    await refusedAsync(() => sdkSend(op, mallory.id, [{ ...c, leaf: forged.leaves[0]! }], toMallory), 'INVALID_PSBT_INPUT');
    // Mallory presents her own tree for Alice's outpoint.
    await refusedAsync(() => sdkSend(op, mallory.id, [{ ...c, script: mallory.script, leaf: mallory.script.forfeit() }], toMallory), 'INVALID_PSBT_INPUT');
    // Alice tries to spend offchain through her exit leaf (no operator key, CSV): not a collaborative path.
    await refusedAsync(() => sdkSend(op, alice.id, [{ ...c, leaf: alice.script.exit() }], toMallory), 'INVALID_PSBT_INPUT');
    // Alice's Ark tx without her signature.
    const offchainTx = buildOffchainTx(toInputs([c]), toMallory, serverUnroll);
    refused(() => op.submitTx(b64(offchainTx.arkTx), offchainTx.checkpoints.map(b64)), 'ARK_TX_INPUT_NOT_SIGNED');
    // A corrupted signature.
    const signed = await alice.id.sign(offchainTx.arkTx);
    const [[data, sig]] = signed.getInput(0).tapScriptSig!;
    const bad2 = offchainTx.arkTx.clone();
    bad2.updateInput(0, { tapScriptSig: [[data, Uint8Array.from(sig, (b, i) => (i === 10 ? b ^ 1 : b))]] });
    refused(() => op.submitTx(b64(bad2), offchainTx.checkpoints.map(b64)), 'INVALID_SIGNATURE');
    expect(op.pendingSpent.size).toBe(0);
  });

  it("a checkpoint whose output script is not the operator's checkpoint script", async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c = fund(op, alice.script, 5_000n);
    const pay = [{ script: bob.script.pkScript, amount: 5_000n }];
    // A shorter unroll delay, then Alice's own key as the unroll key.
    const short = CSVMultisigTapscript.encode({ timelock: { type: 'blocks', value: 1n }, pubkeys: [opX] });
    await refusedAsync(() => sdkSend(op, alice.id, [c], pay, short), 'CHECKPOINT_MISMATCH');
    const mine = CSVMultisigTapscript.encode({ timelock: { type: 'blocks', value: 10n }, pubkeys: [alice.x] });
    await refusedAsync(() => sdkSend(op, alice.id, [c], pay, mine), 'CHECKPOINT_MISMATCH');
    // Honest checkpoints but an Ark tx spending a different checkpoint set.
    const honest = buildOffchainTx(toInputs([c]), pay, serverUnroll);
    const other = buildOffchainTx(toInputs([c]), pay, mine);
    const signed = await alice.id.sign(other.arkTx);
    refused(() => op.submitTx(b64(signed), honest.checkpoints.map(b64)), 'CHECKPOINT_MISMATCH');
  });

  it('a finalize with a different checkpoint, a missing or bad signature', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c = fund(op, alice.script, 5_000n);
    const d = fund(op, alice.script, 2_000n);
    const sent = await sdkSend(op, alice.id, [c, d], [{ script: bob.script.pkScript, amount: 7_000n }]);
    const arkTxid = sent.response.arkTxid;
    const pending = JSON.parse(op.pending.get(arkTxid)!) as PendingOffchainTx;

    // The server-signed checkpoints without Alice's signature.
    refused(() => finalizeOffchainTx(pending, sent.response.signedCheckpointTxs), 'INVALID_SIGNATURE');
    // Only one of the two.
    refused(() => finalizeOffchainTx(pending, sent.finalCheckpoints.slice(0, 1)), 'CHECKPOINT_MISMATCH');
    // The same one twice.
    refused(() => finalizeOffchainTx(pending, [sent.finalCheckpoints[0]!, sent.finalCheckpoints[0]!]), 'INVALID_CHECKPOINT_PSBT');
    // A checkpoint of another tx (same VTXO, other unroll script), signed by Alice.
    const mine = CSVMultisigTapscript.encode({ timelock: { type: 'blocks', value: 10n }, pubkeys: [alice.x] });
    const foreign = await alice.id.sign(buildOffchainTx(toInputs([c]), [{ script: bob.script.pkScript, amount: 5_000n }], mine).checkpoints[0]!);
    refused(() => finalizeOffchainTx(pending, [b64(foreign), sent.finalCheckpoints[1]!]), 'CHECKPOINT_MISMATCH');
    // Signed by Mallory instead of Alice.
    const mallory = SingleKey.fromRandomBytes();
    const byMallory = await Promise.all(sent.response.signedCheckpointTxs.map(async (t) => {
      const tx = Transaction.fromPSBT(base64.decode(t));
      const leafKeys = [...tx.getInput(0).tapScriptSig!];
      const m = await mallory.xOnlyPublicKey();
      // Mallory's key is not in the leaf, so btc-signer will not sign it: forge the entry by hand.
      const msgSig = schnorr.sign(new Uint8Array(32), hex.decode(mallory.toHex()));
      tx.updateInput(0, { tapScriptSig: [...leafKeys, [{ pubKey: m, leafHash: leafKeys[0]![0].leafHash }, msgSig]] }, true);
      return b64(tx);
    }));
    refused(() => finalizeOffchainTx(pending, byMallory), 'INVALID_SIGNATURE');
    // Alice's signature corrupted.
    const corrupted = sent.finalCheckpoints.map((t) => {
      const tx = Transaction.fromPSBT(base64.decode(t));
      const sigs = tx.getInput(0).tapScriptSig!;
      const flip = (s: Uint8Array) => Uint8Array.from(s, (b, i) => (i === 0 ? b ^ 1 : b));
      const replaced = sigs.map(([dt, sg]) => [dt, hex.encode(dt.pubKey) === hex.encode(alice.x) ? flip(sg) : sg] as (typeof sigs)[number]);
      tx.updateInput(0, { tapScriptSig: undefined }, true);
      tx.updateInput(0, { tapScriptSig: replaced }, true);
      return b64(tx);
    });
    refused(() => finalizeOffchainTx(pending, corrupted), 'INVALID_SIGNATURE');

    // The honest set, in another order, is accepted.
    const fin = op.finalizeTx(arkTxid, [...sent.finalCheckpoints].reverse());
    expect(fin.pending.status).toBe('finalized');
  });

  it('output rules: dust, non-taproot, missing anchor', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const c = fund(op, alice.script, 5_000n);
    await refusedAsync(() => sdkSend(op, alice.id, [c], [
      { script: bob.script.pkScript, amount: 4_800n },
      { script: alice.script.pkScript, amount: 200n },
    ]), 'AMOUNT_TOO_LOW');
    const p2wpkh = hex.decode(`0014${'11'.repeat(20)}`);
    await refusedAsync(() => sdkSend(op, alice.id, [c], [{ script: p2wpkh, amount: 5_000n }]), 'MALFORMED_ARK_TX');
    // An Ark tx without the anchor (built by hand), signed by Alice.
    const honest = buildOffchainTx(toInputs([c]), [{ script: bob.script.pkScript, amount: 5_000n }], serverUnroll);
    const noAnchor = new Transaction({ version: 3 });
    noAnchor.addInput({ ...honest.arkTx.getInput(0), tapScriptSig: undefined });
    noAnchor.addOutput({ script: bob.script.pkScript, amount: 5_000n });
    const signed = await alice.id.sign(noAnchor);
    refused(() => op.submitTx(b64(signed), honest.checkpoints.map(b64)), 'MALFORMED_ARK_TX');
    // A version-2 Ark tx (not TRUC), otherwise identical.
    const v2 = new Transaction({ version: 2 });
    v2.addInput({ ...honest.arkTx.getInput(0), tapScriptSig: undefined });
    for (let i = 0; i < honest.arkTx.outputsLength; i++) v2.addOutput(honest.arkTx.getOutput(i) as { script: Uint8Array; amount: bigint });
    const signedV2 = await alice.id.sign(v2);
    refused(() => op.submitTx(b64(signedV2), honest.checkpoints.map(b64)), 'ARK_TX_MISMATCH');
    // The operator's weight limit.
    op.over = { maxTxWeight: 100 };
    await refusedAsync(() => sdkSend(op, alice.id, [c], [{ script: bob.script.pkScript, amount: 5_000n }]), 'TX_TOO_LARGE');
    op.over = {};
    expect(op.pendingSpent.size).toBe(0);
    await sdkSend(op, alice.id, [c], [{ script: bob.script.pkScript, amount: 5_000n }]);
  });

  it('VTXO state: unknown, swept, expired', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const c = fund(op, alice.script, 5_000n);
    const pay = [{ script: alice.script.pkScript, amount: 5_000n }];
    await refusedAsync(() => sdkSend(op, alice.id, [{ ...c, txid: randomTxid() }], pay), 'VTXO_NOT_FOUND');
    op.vtxos.get(outpointKey(c))!.swept = true;
    await refusedAsync(() => sdkSend(op, alice.id, [c], pay), 'VTXO_RECOVERABLE');
    op.vtxos.get(outpointKey(c))!.swept = false;
    op.vtxos.get(outpointKey(c))!.expiresAt = 1_600_000_000;
    await refusedAsync(() => sdkSend(op, alice.id, [c], pay), 'VTXO_RECOVERABLE');
  });

  it('a CLTV collaborative leaf is refused before its height and accepted at it', async () => {
    const op = new FakeOperator();
    const alice = await identity();
    const bob = await identity();
    const cltv = CLTVMultisigTapscript.encode({ absoluteTimelock: 150n, pubkeys: [alice.x, opX] }).script;
    const exit = CSVMultisigTapscript.encode({ timelock: CSV, pubkeys: [alice.x] }).script;
    const script = new VtxoScript([cltv, exit]);
    const o = { txid: randomTxid(), vout: 1 };
    op.add(o, 5_000n, script.pkScript);
    const coin = { ...o, amount: 5_000n, script: script as DefaultVtxo.Script, leaf: script.findLeaf(hex.encode(cltv)) };
    const pay = [{ script: bob.script.pkScript, amount: 5_000n }];
    op.tipHeight = 149;
    await refusedAsync(() => sdkSend(op, alice.id, [coin], pay), 'FORFEIT_CLOSURE_LOCKED');
    op.tipHeight = 150;
    const sent = await sdkSend(op, alice.id, [coin], pay);
    expect(sent.signedArkTx.lockTime).toBe(150);
    const fin = op.finalizeTx(sent.response.arkTxid, sent.finalCheckpoints);
    for (const t of fin.finalCheckpointTxs) assertSignedBy(Transaction.fromPSBT(base64.decode(t)), [alice.x, opX]);
    assertSignedBy(Transaction.fromPSBT(base64.decode(fin.pending.finalArkTx)), [alice.x, opX]);
  });
});

function pending(op: FakeOperator, arkTxid: string): PendingOffchainTx {
  return JSON.parse(op.pending.get(arkTxid)!) as PendingOffchainTx;
}
