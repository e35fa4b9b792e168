/**
 * Tapscript signature checks shared by intents, boarding inputs and forfeits: a port of arkd's
 * `script.VerifyTapscriptSigs` (pkg/ark-lib/script/verify.go), with the prevouts passed in by the
 * caller so a PSBT's own witnessUtxo fields never decide what its signatures commit to.
 */
import {
  decodeTapscript,
  MultisigTapscript,
  CSVMultisigTapscript,
  CLTVMultisigTapscript,
  type Transaction,
} from '@arkade-os/sdk';
import { SigHash } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import type { TransactionInput } from '@scure/btc-signer/psbt.js';
import { TAPROOT_UNSPENDABLE_KEY, compareBytes, equalBytes, tagSchnorr, taprootTweakPubkey } from '@scure/btc-signer/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';

export type TapLeafScript = NonNullable<TransactionInput['tapLeafScript']>[number];

export interface Prevout {
  amount: bigint;
  script: Uint8Array;
}

/** A refusal with the reason; callers turn it into the arkd error code that fits their request. */
export class TapscriptSigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TapscriptSigError';
  }
}

export function leafScript(leaf: TapLeafScript): { script: Uint8Array; version: number } {
  const sv = leaf[1];
  return { script: sv.subarray(0, sv.length - 1), version: sv[sv.length - 1]! };
}

export function leafHashOf(leaf: TapLeafScript): Uint8Array {
  const { script, version } = leafScript(leaf);
  return tapLeafHash(script, version);
}

/**
 * True when the leaf and its control block commit to `pkScript` under the unspendable internal key.
 * Like arkd, the internal key is forced to the NUMS key whatever the control block claims: every Ark
 * script (VTXO, boarding, forfeit leaf) is script-path only, so a key-path owner would be a backdoor.
 */
export function leafCommitsTo(leaf: TapLeafScript, pkScript: Uint8Array): boolean {
  if (pkScript.length !== 34 || pkScript[0] !== 0x51 || pkScript[1] !== 0x20) return false;
  const [cb] = leaf;
  const { version } = leafScript(leaf);
  if ((cb.version & 0xfe) !== version) return false;
  let h = leafHashOf(leaf);
  for (const p of cb.merklePath) h = compareBytes(h, p) <= 0 ? tagSchnorr('TapBranch', h, p) : tagSchnorr('TapBranch', p, h);
  const [tweaked, parity] = taprootTweakPubkey(TAPROOT_UNSPENDABLE_KEY, h);
  return equalBytes(pkScript.subarray(2), tweaked) && (cb.version & 1) === parity;
}

/**
 * The keys a leaf needs signatures from. Condition closures are refused: checking them means running
 * the condition script, and no interpreter is wired in here (the stock wallet's default and boarding
 * scripts never use them).
 */
export function leafSigners(script: Uint8Array): Uint8Array[] {
  let t;
  try {
    t = decodeTapscript(script);
  } catch {
    throw new TapscriptSigError(`leaf ${hex.encode(script)} is not an Ark tapscript`);
  }
  if (MultisigTapscript.is(t) || CSVMultisigTapscript.is(t) || CLTVMultisigTapscript.is(t)) return t.params.pubkeys;
  throw new TapscriptSigError(`leaf type ${t.type} is not supported (condition closures need a script interpreter)`);
}

export interface SigCheckOptions {
  /** x-only keys whose signatures are not required (the operator's: it signs last). */
  skip?: Uint8Array[];
  /** Default: SIGHASH_DEFAULT and SIGHASH_ALL, the only ones the SDK produces; anything weaker lets a relayer rewrite the tx. */
  allowedSighash?: number[];
  /** An input without any signature is reported instead of refused. */
  allowUnsigned?: boolean;
}

export type TapScriptSig = NonNullable<TransactionInput['tapScriptSig']>[number];

/**
 * Checks the single tapLeafScript of input `idx` against its prevout and every tapScriptSig on it.
 * Returns whether the input carries signatures. Throws TapscriptSigError on any invalid, foreign or
 * missing signature.
 */
export function verifyInputTapscriptSigs(tx: Transaction, idx: number, prevouts: Prevout[], opts: SigCheckOptions = {}): { signed: boolean } {
  const input = tx.getInput(idx);
  const leaves = input.tapLeafScript ?? [];
  if (leaves.length !== 1) throw new TapscriptSigError(`input ${idx}: expected exactly one tapLeafScript, got ${leaves.length}`);
  return verifyLeafSigs(tx, idx, prevouts, leaves[0]!, input.tapScriptSig ?? [], opts);
}

/** Like verifyInputTapscriptSigs, with the leaf and signatures given (they may come from another copy of the tx). */
export function verifyLeafSigs(
  tx: Transaction,
  idx: number,
  prevouts: Prevout[],
  leaf: TapLeafScript,
  sigs: TapScriptSig[],
  opts: SigCheckOptions = {},
): { signed: boolean } {
  if (prevouts.length !== tx.inputsLength) throw new TapscriptSigError(`expected ${tx.inputsLength} prevouts, got ${prevouts.length}`);
  const prevout = prevouts[idx]!;
  if (!leafCommitsTo(leaf, prevout.script)) throw new TapscriptSigError(`input ${idx}: the leaf and control block do not commit to the prevout script ${hex.encode(prevout.script)}`);
  const { script, version } = leafScript(leaf);
  const signers = leafSigners(script).map((k) => hex.encode(k));
  const skip = new Set((opts.skip ?? []).map((k) => hex.encode(k)));
  const allowed = opts.allowedSighash ?? [SigHash.DEFAULT, SigHash.ALL];
  if (sigs.length === 0) {
    if (opts.allowUnsigned || signers.every((k) => skip.has(k))) return { signed: false };
    throw new TapscriptSigError(`input ${idx} has no tapscript signatures`);
  }
  const lh = tapLeafHash(script, version);
  const scripts = prevouts.map((p) => p.script);
  const amounts = prevouts.map((p) => p.amount);
  const seen = new Set<string>();
  for (const [{ pubKey, leafHash }, sig] of sigs) {
    const pk = hex.encode(pubKey);
    if (!equalBytes(leafHash, lh)) throw new TapscriptSigError(`input ${idx}: signature by ${pk} commits to another leaf`);
    if (!signers.includes(pk)) throw new TapscriptSigError(`input ${idx}: ${pk} is not a key of the spent leaf`);
    if (sig.length !== 64 && sig.length !== 65) throw new TapscriptSigError(`input ${idx}: signature by ${pk} has length ${sig.length}`);
    // BIP-341: a 65-byte signature with an explicit 0x00 sighash byte is invalid.
    const sighash = sig.length === 65 ? sig[64]! : SigHash.DEFAULT;
    if (sig.length === 65 && sighash === SigHash.DEFAULT) throw new TapscriptSigError(`input ${idx}: explicit SIGHASH_DEFAULT byte`);
    if (!allowed.includes(sighash)) throw new TapscriptSigError(`input ${idx}: sighash 0x${sighash.toString(16)} by ${pk} not allowed`);
    const msg = tx.preimageWitnessV1(idx, scripts, sighash, amounts, undefined, script, version);
    if (!schnorr.verify(sig.subarray(0, 64), msg, pubKey)) throw new TapscriptSigError(`input ${idx}: invalid signature by ${pk}`);
    seen.add(pk);
  }
  const missing = signers.filter((k) => !skip.has(k) && !seen.has(k));
  if (missing.length) throw new TapscriptSigError(`input ${idx}: missing signature by ${missing.join(', ')}`);
  return { signed: true };
}

/** The prevouts a PSBT claims for itself (witnessUtxo of every input). */
export function claimedPrevouts(tx: Transaction): Prevout[] {
  const out: Prevout[] = [];
  for (let i = 0; i < tx.inputsLength; i++) {
    const w = tx.getInput(i).witnessUtxo;
    if (!w) throw new TapscriptSigError(`input ${i} is missing witnessUtxo`);
    out.push({ amount: w.amount, script: w.script });
  }
  return out;
}
