import { describe, it, expect } from 'vitest';
import { DefaultVtxo, SingleKey, Transaction, VtxoScript, verifyTapscriptSignatures, type RelativeTimelock } from '@arkade-os/sdk';
import { p2tr } from '@scure/btc-signer';
import { pubSchnorr } from '@scure/btc-signer/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, hex } from '@scure/base';
import { ArkRequestError } from '../../src/operator/ark/ports.js';
import {
  buildCommitmentTx,
  mergeSignedBoardingInputs,
  CommitmentFundingError,
  cosignBoardingInputs,
  unsignedBoardingInputs,
  type CommitmentTxParams,
} from '../../src/operator/ark/commitment-tx.js';

const priv = (label: string) => sha256(new TextEncoder().encode(`ark-commitment-test/${label}`));
const S_PRIV = priv('operator');
const W_PRIV = priv('operator-wallet');
const A_PRIV = priv('alice');
const S = pubSchnorr(S_PRIV);
const A = pubSchnorr(A_PRIV);
const alice = SingleKey.fromPrivateKey(A_PRIV);
const BOARD: RelativeTimelock = { type: 'blocks', value: 288n };
const boarding = new DefaultVtxo.Script({ pubKey: A, serverPubKey: S, csvTimelock: BOARD });
const walletScript = p2tr(pubSchnorr(W_PRIV)).script;
const batchScript = p2tr(pubSchnorr(priv('batch'))).script;
const connectorScript = p2tr(pubSchnorr(priv('connector'))).script;
const onchainScript = new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(9)]);
const changeScript = p2tr(pubSchnorr(priv('change'))).script;
const txid = (b: number) => hex.encode(new Uint8Array(32).fill(b));
const boardingKey = `${txid(0xbb)}:0`;

const params = (over: Partial<CommitmentTxParams> = {}): CommitmentTxParams => ({
  walletInputs: [{ txid: txid(0xaa), vout: 1, amount: 1_000_000n, pkScript: walletScript }],
  boardingInputs: [{ txid: txid(0xbb), vout: 0, amount: 100_000n, pkScript: boarding.pkScript, tapTree: boarding.encode() }],
  batchOutput: { script: batchScript, amount: 150_000n },
  connectorOutput: { script: connectorScript, amount: 660n },
  onchainOutputs: [{ script: onchainScript, amount: 40_000n }],
  changeScript,
  feeRate: 2n,
  ...over,
});

/** What Wallet.handleSettlementFinalizationEvent does with the commitment PSBT for a boarding input. */
async function walletSigns(psbtB64: string, inputIndex: number, tweak?: (tx: Transaction) => void): Promise<string> {
  let tx = Transaction.fromPSBT(base64.decode(psbtB64));
  tx.updateInput(inputIndex, { tapLeafScript: [boarding.forfeit()] });
  tweak?.(tx);
  tx = await alice.sign(tx, [inputIndex]);
  return base64.encode(tx.toPSBT());
}

function arkCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ArkRequestError) return `${e.arkCode}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('commitment tx', () => {
  it("has arkd's shape and, fully signed, pays at least the fee rate", async () => {
    const built = buildCommitmentTx(params());
    const { tx } = built;
    expect(tx.version).toBe(2);
    expect(tx.lockTime).toBe(0);
    expect([0, 1].map((i) => hex.encode(tx.getInput(i).txid!))).toEqual([txid(0xaa), txid(0xbb)]);
    expect([0, 1].map((i) => tx.getInput(i).sequence)).toEqual([0xffffffff, 0xffffffff]);
    expect(built.boardingInputIndexes).toEqual([1]);
    const outs = Array.from({ length: tx.outputsLength }, (_, i) => tx.getOutput(i));
    expect(outs.map((o) => hex.encode(o.script!))).toEqual([batchScript, connectorScript, onchainScript, changeScript].map((s) => hex.encode(s)));
    expect(built.onchainOutputIndexes).toEqual([2]);
    // Inputs = outputs + fee, exactly.
    expect(1_100_000n - 150_000n - 660n - 40_000n - built.change).toBe(built.fee);
    // arkd puts the biggest leaf on a boarding input: for the default script that is the forfeit leaf.
    expect(tx.getInput(1).tapLeafScript).toEqual([boarding.forfeit()]);

    // The whole flow: the SDK wallet signs its boarding input, the operator merges, co-signs, signs its wallet input.
    const userPsbt = await walletSigns(base64.encode(tx.toPSBT()), 1);
    const merged = mergeSignedBoardingInputs(tx, userPsbt, { owned: [boardingKey], operatorXOnly: S });
    expect(merged.signedInputs).toEqual([1]);
    expect(unsignedBoardingInputs(tx, [1], S)).toEqual([1]);
    expect(unsignedBoardingInputs(merged.tx, [1], S)).toEqual([]);
    expect(() => cosignBoardingInputs(tx, [1], S_PRIV)).toThrow(/lack their owners' signatures/);
    // Trusting the merge's verification still needs the signature to be there.
    expect(() => cosignBoardingInputs(tx, [1], S_PRIV, { verifiedByMerge: new Set([1]) })).toThrow(/lack their owners' signatures/);
    const trusted = cosignBoardingInputs(merged.tx, [1], S_PRIV, { verifiedByMerge: new Set([1]) });
    verifyTapscriptSignatures(trusted, 1, [hex.encode(A), hex.encode(S)]);
    const final = cosignBoardingInputs(merged.tx, [1], S_PRIV);
    final.updateInput(0, { tapInternalKey: pubSchnorr(W_PRIV) });
    final.signIdx(W_PRIV, 0);
    // Independent truth: the SDK's own verifier sees both required signatures on the boarding input.
    verifyTapscriptSignatures(final, 1, [hex.encode(A), hex.encode(S)]);
    final.finalize();
    expect(final.id).toBe(tx.id);
    // The estimate is an upper bound of the real size, so the real fee rate is at least 2 sat/vB.
    expect(BigInt(final.vsize)).toBeLessThanOrEqual(built.vsize);
    expect(built.fee).toBeGreaterThanOrEqual(2n * BigInt(final.vsize));
  });

  it('two boarding users sign their own copies in any order; each merge keeps the other\'s signatures', async () => {
    const B_PRIV = priv('bob');
    const bob = SingleKey.fromPrivateKey(B_PRIV);
    const bobBoarding = new DefaultVtxo.Script({ pubKey: pubSchnorr(B_PRIV), serverPubKey: S, csvTimelock: BOARD });
    const { tx } = buildCommitmentTx(
      params({
        boardingInputs: [
          { txid: txid(0xbb), vout: 0, amount: 100_000n, pkScript: boarding.pkScript, tapTree: boarding.encode() },
          { txid: txid(0xbc), vout: 2, amount: 80_000n, pkScript: bobBoarding.pkScript, tapTree: bobBoarding.encode() },
        ],
      }),
    );
    const event = base64.encode(tx.toPSBT());
    const alicePsbt = await walletSigns(event, 1);
    let bobTx = Transaction.fromPSBT(base64.decode(event));
    bobTx.updateInput(2, { tapLeafScript: [bobBoarding.forfeit()] });
    bobTx = await bob.sign(bobTx, [2]);
    const first = mergeSignedBoardingInputs(tx, base64.encode(bobTx.toPSBT()), { owned: [`${txid(0xbc)}:2`], operatorXOnly: S });
    const second = mergeSignedBoardingInputs(first.tx, alicePsbt, { owned: [boardingKey], operatorXOnly: S });
    expect([first.signedInputs, second.signedInputs]).toEqual([[2], [1]]);
    verifyTapscriptSignatures(second.tx, 1, [hex.encode(A)], [hex.encode(S)]);
    verifyTapscriptSignatures(second.tx, 2, [hex.encode(pubSchnorr(B_PRIV))], [hex.encode(S)]);
    // Bob may not submit signatures for Alice's input, even valid ones.
    expect(arkCode(() => mergeSignedBoardingInputs(tx, alicePsbt, { owned: [`${txid(0xbc)}:2`], operatorXOnly: S }))).toMatch(/not one of your boarding inputs/);
  });

  it('with a connector but no batch output, the first onchain output takes index 0', () => {
    const second = { script: changeScript.slice(), amount: 5_000n };
    const { tx, onchainOutputIndexes } = buildCommitmentTx(params({ batchOutput: null, onchainOutputs: [{ script: onchainScript, amount: 40_000n }, second] }));
    expect(hex.encode(tx.getOutput(0).script!)).toBe(hex.encode(onchainScript));
    expect(hex.encode(tx.getOutput(1).script!)).toBe(hex.encode(connectorScript));
    expect(onchainOutputIndexes).toEqual([0, 2]);
    expect(() => buildCommitmentTx(params({ batchOutput: null, onchainOutputs: [] }))).toThrow(/connector output needs/);
  });

  it('refuses when the inputs do not cover outputs plus fee, reporting the exact shortfall; change at dust goes to the fee', () => {
    const base = params({ boardingInputs: [], connectorOutput: null, onchainOutputs: [] });
    // The real size of 1 P2TR key-path input and 1 P2TR output is 111 vB (10.5 + 57.5 + 43); the SDK's
    // estimator may overcount a little, never undercount.
    const probe = buildCommitmentTx({ ...base, dust: 10n ** 12n });
    expect(probe.tx.outputsLength).toBe(1);
    expect(probe.vsize).toBeGreaterThanOrEqual(111n);
    expect(probe.vsize).toBeLessThanOrEqual(114n);
    probe.tx.updateInput(0, { tapInternalKey: pubSchnorr(W_PRIV) });
    probe.tx.signIdx(W_PRIV, 0);
    probe.tx.finalize();
    expect(probe.tx.vsize).toBe(111);
    const noChangeFee = 2n * probe.vsize;
    const exact = buildCommitmentTx({ ...base, walletInputs: [{ ...base.walletInputs[0]!, amount: 150_000n + noChangeFee }] });
    expect(exact.change).toBe(0n);
    expect(exact.fee).toBe(noChangeFee);
    expect(exact.tx.outputsLength).toBe(1);
    try {
      buildCommitmentTx({ ...base, walletInputs: [{ ...base.walletInputs[0]!, amount: 150_000n + noChangeFee - 1n }] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CommitmentFundingError);
      expect((e as CommitmentFundingError).shortfall).toBe(1n);
    }
    // Change of 330 or less is not worth an output (arkd: change ≤ dust is left to the fee).
    const withChangeFee = 2n * (probe.vsize + 43n);
    const dusty = buildCommitmentTx({ ...base, walletInputs: [{ ...base.walletInputs[0]!, amount: 150_000n + withChangeFee + 330n }] });
    expect(dusty.tx.outputsLength).toBe(1);
    expect(dusty.fee).toBe(withChangeFee + 330n);
    const kept = buildCommitmentTx({ ...base, walletInputs: [{ ...base.walletInputs[0]!, amount: 150_000n + withChangeFee + 331n }] });
    expect(kept.change).toBe(331n);
    expect(kept.fee).toBe(withChangeFee);
  });

  it('refuses a boarding tapTree that does not commit to the input script, and duplicate inputs', () => {
    const other = new DefaultVtxo.Script({ pubKey: A, serverPubKey: S, csvTimelock: { type: 'blocks', value: 300n } });
    expect(() => buildCommitmentTx(params({ boardingInputs: [{ txid: txid(0xbb), vout: 0, amount: 1n, pkScript: boarding.pkScript, tapTree: other.encode() }] }))).toThrow(/does not commit/);
    expect(() => buildCommitmentTx(params({ boardingInputs: [{ txid: txid(0xaa), vout: 1, amount: 1n, pkScript: boarding.pkScript, tapTree: boarding.encode() }] }))).toThrow(/duplicate/);
  });
});

describe('boarding signatures: cheaters lose', () => {
  const base = () => buildCommitmentTx(params()).tx;

  it('a user copy with a changed output is refused', async () => {
    const tx = base();
    const changed = new Transaction({ version: 2, lockTime: 0 });
    for (let i = 0; i < tx.inputsLength; i++) changed.addInput(tx.getInput(i));
    for (let i = 0; i < tx.outputsLength; i++) {
      const o = tx.getOutput(i);
      changed.addOutput({ script: o.script!, amount: i === 2 ? o.amount! + 1_000n : o.amount! });
    }
    const userPsbt = await walletSigns(base64.encode(changed.toPSBT()), 1);
    expect(arkCode(() => mergeSignedBoardingInputs(tx, userPsbt, { owned: [boardingKey], operatorXOnly: S }))).toMatch(/^INVALID_BOARDING_INPUT_SIG.*is not the commitment tx/);
  });

  it("signatures on a boarding input that is not the submitter's are refused", async () => {
    const tx = base();
    const userPsbt = await walletSigns(base64.encode(tx.toPSBT()), 1);
    expect(arkCode(() => mergeSignedBoardingInputs(tx, userPsbt, { owned: [`${txid(0xcc)}:0`], operatorXOnly: S }))).toMatch(/^INVALID_BOARDING_INPUT_SIG.*not one of your boarding inputs/);
  });

  it('a signature made over a forged prevout amount is refused (the base prevouts decide)', async () => {
    const tx = base();
    const userPsbt = await walletSigns(base64.encode(tx.toPSBT()), 1, (t) => t.updateInput(1, { witnessUtxo: { script: boarding.pkScript, amount: 1_000n } }));
    expect(Transaction.fromPSBT(base64.decode(userPsbt)).id).toBe(tx.id);
    expect(arkCode(() => mergeSignedBoardingInputs(tx, userPsbt, { owned: [boardingKey], operatorXOnly: S }))).toMatch(/^INVALID_BOARDING_INPUT_SIG.*invalid signature/);
  });

  it('a signature on the exit leaf (no operator) is refused, and an unsigned copy signs nothing', async () => {
    const tx = base();
    const exitOnly = Transaction.fromPSBT(tx.toPSBT());
    exitOnly.updateInput(1, { tapLeafScript: undefined });
    exitOnly.updateInput(1, { tapLeafScript: [boarding.exit()] });
    const signed = await alice.sign(exitOnly, [1]);
    expect(arkCode(() => mergeSignedBoardingInputs(tx, base64.encode(signed.toPSBT()), { owned: [boardingKey], operatorXOnly: S }))).toMatch(/^INVALID_BOARDING_INPUT_SIG.*no signed leaf names the operator/);
    expect(arkCode(() => mergeSignedBoardingInputs(tx, base64.encode(tx.toPSBT()), { owned: [boardingKey], operatorXOnly: S }))).toMatch(/^INVALID_BOARDING_INPUT_SIG: no signed inputs found/);
  });

  it('a wallet that signs the exit leaf too (both leaves on the input) has only its collaborative signature taken', async () => {
    const tx = base();
    const both = Transaction.fromPSBT(tx.toPSBT());
    both.updateInput(1, { tapLeafScript: [boarding.exit()] }); // appended to the base's forfeit leaf
    const signed = await alice.sign(both, [1]);
    expect(signed.getInput(1).tapScriptSig!.length).toBe(2);
    const merged = mergeSignedBoardingInputs(tx, base64.encode(signed.toPSBT()), { owned: [boardingKey], operatorXOnly: S });
    expect(merged.tx.getInput(1).tapLeafScript).toEqual([boarding.forfeit()]);
    expect(merged.tx.getInput(1).tapScriptSig!.length).toBe(1);
  });

  it('inPlace: a refused submission leaves the base as it was; an accepted one signs the base itself', async () => {
    const tx = base();
    const before = base64.encode(tx.toPSBT());
    const forged = await walletSigns(before, 1, (t) => t.updateInput(1, { witnessUtxo: { script: boarding.pkScript, amount: 1_000n } }));
    expect(arkCode(() => mergeSignedBoardingInputs(tx, forged, { owned: [boardingKey], operatorXOnly: S, inPlace: true }))).toMatch(/^INVALID_BOARDING_INPUT_SIG.*invalid signature/);
    expect(base64.encode(tx.toPSBT())).toBe(before);
    const merged = mergeSignedBoardingInputs(tx, await walletSigns(before, 1), { owned: [boardingKey], operatorXOnly: S, inPlace: true });
    expect(merged.tx).toBe(tx);
    // independent truth: the SDK wallet's signature is on the operator's copy, and the copy-mode result is the same PSBT
    expect(tx.getInput(1).tapScriptSig!.length).toBe(1);
    const copy = mergeSignedBoardingInputs(base(), await walletSigns(before, 1), { owned: [boardingKey], operatorXOnly: S });
    expect(copy.tx.getInput(1).tapScriptSig![0]![0]).toEqual(tx.getInput(1).tapScriptSig![0]![0]);
  });

  it("a signature by someone else than the boarding script's owner is refused", async () => {
    const mallory = SingleKey.fromPrivateKey(priv('mallory'));
    const mScript = new DefaultVtxo.Script({ pubKey: pubSchnorr(priv('mallory')), serverPubKey: S, csvTimelock: BOARD });
    const tx = base();
    // Mallory puts her own leaf on Alice's input and signs it: the leaf does not commit to Alice's script.
    const t = Transaction.fromPSBT(tx.toPSBT());
    t.updateInput(1, { tapLeafScript: undefined });
    t.updateInput(1, { tapLeafScript: [mScript.forfeit()] });
    const signed = await mallory.sign(t, [1]);
    expect(arkCode(() => mergeSignedBoardingInputs(tx, base64.encode(signed.toPSBT()), { owned: [boardingKey], operatorXOnly: S }))).toMatch(/^INVALID_BOARDING_INPUT_SIG.*do not commit to the prevout/);
    void VtxoScript;
  });
});
