/**
 * Intents as arkd receives them (RegisterIntent / DeleteIntent / GetPendingTx): the stock SDK's
 * BIP-322-style proof PSBT plus the JSON message it signs. Ported from arkd's pkg/ark-lib/intent
 * (proof.go Verify, message.go) and the input/output rules of service.go RegisterIntent.
 *
 * `parseIntent` checks everything the proof says about itself; `verifyIntent` checks it against the
 * world (real prevouts, the clock, the operator's policy). Nothing here does I/O.
 */
import {
  Intent,
  Transaction,
  VtxoScript,
  VtxoTaprootTree,
  getArkPsbtFields,
  decodeTapscript,
  MultisigTapscript,
  CSVMultisigTapscript,
  CLTVMultisigTapscript,
  ConditionCSVMultisigTapscript,
  ConditionMultisigTapscript,
  type RelativeTimelock,
} from '@arkade-os/sdk';
import { OutScript, Script } from '@scure/btc-signer';
import { equalBytes, tagSchnorr } from '@scure/btc-signer/utils.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { base64, hex } from '@scure/base';
import { ArkRequestError } from './ports.js';
import { InvalidArgumentError } from '../../units/errors.js';
import {
  TapscriptSigError,
  leafHashOf,
  leafScript,
  leafSigners,
  verifyInputTapscriptSigs,
  type Prevout,
  type TapLeafScript,
} from './tapscript-sigs.js';
import { outpointKey } from './outpoint.js';

export type IntentKind = 'register' | 'delete' | 'get-pending-tx';

export interface IntentInput {
  txid: string;
  vout: number;
  /** As claimed by the proof's witnessUtxo; `verifyIntent` checks it against the real prevout. */
  amount: bigint;
  pkScript: Uint8Array;
  /** The VtxoTaprootTree PSBT field (encoded TapTree of all the coin's leaves). */
  tapTree?: Uint8Array;
  /** The leaf the proof is signed with. */
  leaf: TapLeafScript;
  sequence: number;
}

export interface IntentOutput {
  script: Uint8Array;
  amount: bigint;
  onchain: boolean;
}

export interface ParsedIntent {
  kind: IntentKind;
  message: Intent.Message;
  /** The exact string the proof signs. */
  rawMessage: string;
  inputs: IntentInput[];
  outputs: IntentOutput[];
  /** Compressed (33-byte hex) MuSig2 cosigner keys for the VTXO tree; empty unless register. */
  cosigners: string[];
  proofTxid: string;
  validAt: number;
  expireAt: number;
  /** The decoded proof, for signature checks. */
  proof: Transaction;
}

export type CoinKind = 'vtxo' | 'boarding';

/** The real prevout of a coin, looked up by the caller (bitcoind for boarding, the VTXO store for VTXOs). */
export interface RealPrevout {
  amount: bigint;
  pkScript: Uint8Array;
  /** Decides which script policy applies (and that boarding coins cannot pay onchain outputs). */
  kind: CoinKind;
  /**
   * Unix seconds the coin was created (VTXO: its creation; boarding: its block time). Needed only
   * when the proof spends a leaf with an enabled BIP-68 sequence (arkd's exit-path registration rule).
   */
  createdAt?: number;
}

export interface IntentPolicy {
  /** The operator's signer key (x-only): its signatures are never in a proof, and it may not be a cosigner. */
  operatorXOnly: Uint8Array;
  /** When set, boarding inputs must pass `boardingScriptOk` with this delay. */
  boardingExitDelay?: RelativeTimelock;
  /** When set, VTXO inputs must pass `vtxoScriptOk` with this delay. */
  unilateralExitDelay?: RelativeTimelock;
  /** arkd's AllowCSVBlockType; default true. */
  allowBlockTimelocks?: boolean;
  /** Offchain outputs below this are refused (arkd: dust). */
  dust?: bigint;
  utxoMinAmount?: bigint;
  /** Negative or undefined: no maximum. */
  utxoMaxAmount?: bigint;
  vtxoMaxAmount?: bigint;
  /** arkd's MaxTxWeight: the finalized proof (operator signatures faked) may not weigh more. */
  maxTxWeight?: number;
}

export interface VerifiedIntent extends ParsedIntent {
  readonly verified: true;
  /** Sum of inputs minus sum of outputs. */
  fee: bigint;
  boardingInputs: IntentInput[];
  vtxoInputs: IntentInput[];
}

const TAG_INTENT_PROOF = 'ark-intent-proof-message';
const OP_RETURN = 0x6a;
const PSBT_GLOBAL_GENERIC_SIGNED_MESSAGE = 0x09;
const MAX_TIME = 2 ** 53 - 1;

const fail = (code: string, message: string, field?: string): never => {
  throw new ArkRequestError(code, message, field);
};

// ---------------------------------------------------------------------------------------------
// message

const KEYS: Record<IntentKind, string[]> = {
  register: ['type', 'onchain_output_indexes', 'valid_at', 'expire_at', 'cosigners_public_keys'],
  delete: ['type', 'expire_at'],
  'get-pending-tx': ['type', 'expire_at'],
};

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TIME;
}

/**
 * Strict: the message must be exactly the SDK's canonical encoding of a known message. arkd
 * re-encodes the message it decoded and verifies the proof against that, so any other spelling
 * (extra fields, reordered keys, spaces) could never verify there either.
 */
export function parseIntentMessage(raw: string): Intent.Message {
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return fail('INVALID_INTENT_MESSAGE', 'intent message is not JSON', 'message');
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return fail('INVALID_INTENT_MESSAGE', 'intent message must be a JSON object', 'message');
  const o = m as Record<string, unknown>;
  const type = o.type;
  if (type !== 'register' && type !== 'delete' && type !== 'get-pending-tx') {
    return fail('INVALID_INTENT_MESSAGE', `intent message type ${JSON.stringify(type)} is not register, delete or get-pending-tx`, 'message.type');
  }
  const keys = Object.keys(o);
  const want = KEYS[type];
  for (const k of keys) if (!want.includes(k)) fail('INVALID_INTENT_MESSAGE', `unknown field ${k} in ${type} message`, `message.${k}`);
  for (const k of want) if (!(k in o)) fail('INVALID_INTENT_MESSAGE', `missing field ${k} in ${type} message`, `message.${k}`);
  if (!isTime(o.expire_at)) fail('INVALID_INTENT_MESSAGE', 'expire_at must be a non-negative integer (unix seconds, 0 = never)', 'message.expire_at');
  let msg: Intent.Message;
  let canonical: string;
  if (type === 'register') {
    if (!isTime(o.valid_at)) fail('INVALID_INTENT_MESSAGE', 'valid_at must be a non-negative integer (unix seconds, 0 = now)', 'message.valid_at');
    // arkd's Go clients send null for an empty list (a nil slice); it re-encodes to null, so it verifies there.
    const idxRaw = o.onchain_output_indexes;
    const idx = idxRaw === null ? [] : idxRaw;
    if (!Array.isArray(idx) || !idx.every((i) => typeof i === 'number' && Number.isSafeInteger(i) && i >= 0)) {
      fail('INVALID_INTENT_MESSAGE', 'onchain_output_indexes must be an array of output indexes', 'message.onchain_output_indexes');
    }
    if (new Set(idx as number[]).size !== (idx as number[]).length) fail('INVALID_INTENT_MESSAGE', 'onchain_output_indexes has duplicates', 'message.onchain_output_indexes');
    const cosRaw = o.cosigners_public_keys;
    const cos = cosRaw === null ? [] : cosRaw;
    if (!Array.isArray(cos) || !cos.every((k) => typeof k === 'string')) fail('INVALID_INTENT_MESSAGE', 'cosigners_public_keys must be an array of hex keys', 'message.cosigners_public_keys');
    for (const k of cos as string[]) {
      if (!/^0[23][0-9a-f]{64}$/.test(k)) fail('INVALID_INTENT_MESSAGE', `cosigner key ${k} is not a 33-byte compressed key in lowercase hex`, 'message.cosigners_public_keys');
      try {
        secp256k1.Point.fromHex(k);
      } catch {
        fail('INVALID_INTENT_MESSAGE', `cosigner key ${k} is not on the curve`, 'message.cosigners_public_keys');
      }
    }
    if (new Set(cos as string[]).size !== (cos as string[]).length) fail('INVALID_INTENT_MESSAGE', 'cosigners_public_keys has duplicates', 'message.cosigners_public_keys');
    msg = {
      type,
      onchain_output_indexes: idx as number[],
      valid_at: o.valid_at as number,
      expire_at: o.expire_at as number,
      cosigners_public_keys: cos as string[],
    };
    canonical = JSON.stringify({ type, onchain_output_indexes: idxRaw, valid_at: o.valid_at, expire_at: o.expire_at, cosigners_public_keys: cosRaw });
  } else {
    msg = { type, expire_at: o.expire_at as number };
    canonical = Intent.encodeMessage(msg);
  }
  if (canonical !== raw) fail('INVALID_INTENT_MESSAGE', 'intent message is not in canonical form (the encoding the SDK signs)', 'message');
  return msg;
}

// ---------------------------------------------------------------------------------------------
// proof

/** BIP-322's to_spend txid for the message, as the SDK's craftToSpendTx and arkd's buildToSpendTx build it. */
export function toSpendTxid(message: string, pkScript: Uint8Array): string {
  const tx = new Transaction({ version: 0 });
  tx.addInput({ txid: new Uint8Array(32), index: 0xffffffff, sequence: 0 });
  tx.addOutput({ amount: 0n, script: pkScript });
  const hash = tagSchnorr(TAG_INTENT_PROOF, new TextEncoder().encode(message));
  tx.updateInput(0, { finalScriptSig: Script.encode(['OP_0', hash]) });
  return tx.id;
}

const isEmptyOpReturn = (o: { script?: Uint8Array; amount?: bigint }): boolean =>
  o.amount === 0n && o.script !== undefined && o.script.length === 1 && o.script[0] === OP_RETURN;

function isP2tr(s: Uint8Array): boolean {
  return s.length === 34 && s[0] === 0x51 && s[1] === 0x20;
}

/** arkd's ExtractPkScriptAddrs: an onchain output must pay an address. */
function isAddressScript(s: Uint8Array): boolean {
  try {
    const t = OutScript.decode(s).type;
    return t === 'pkh' || t === 'sh' || t === 'wpkh' || t === 'wsh' || t === 'tr';
  } catch {
    return false;
  }
}

function globalSignedMessage(tx: Transaction): Uint8Array | undefined {
  const g = (tx as unknown as { global: { unknown?: [{ type: number; key: Uint8Array }, Uint8Array][] } }).global;
  const e = g.unknown?.find(([k]) => k.type === PSBT_GLOBAL_GENERIC_SIGNED_MESSAGE && k.key.length === 0);
  return e?.[1];
}

export function parseIntent(proofB64: string, message: string): ParsedIntent {
  if (typeof proofB64 !== 'string' || proofB64.length === 0) fail('INVALID_INTENT_PSBT', 'proof is empty', 'proof');
  if (typeof message !== 'string') fail('INVALID_INTENT_MESSAGE', 'message must be a string', 'message');
  const msg = parseIntentMessage(message);
  let tx: Transaction;
  try {
    tx = Transaction.fromPSBT(base64.decode(proofB64));
  } catch (e) {
    return fail('INVALID_INTENT_PSBT', `proof is not a PSBT: ${(e as Error).message}`, 'proof');
  }
  if (tx.inputsLength < 2) fail('INVALID_INTENT_PROOF', 'invalid intent proof: expected at least 2 inputs', 'proof');
  if (tx.outputsLength < 1) fail('INVALID_INTENT_PROOF', 'invalid intent proof: expected at least 1 output', 'proof');

  const first = tx.getInput(1);
  if (!first.witnessUtxo) return fail('INVALID_INTENT_PROOF', 'invalid intent proof: missing witness utxo field', 'proof');
  const in0 = tx.getInput(0);
  if (!in0.txid || hex.encode(in0.txid) !== toSpendTxid(message, first.witnessUtxo.script)) {
    fail('INVALID_INTENT_PROOF', 'invalid intent proof: wrong tx hash in message input (the proof signs another message)', 'proof');
  }
  if (in0.index !== 0) fail('INVALID_INTENT_PROOF', 'invalid intent proof: wrong output index in message input', 'proof');
  // The message input spends to_spend's only output: value 0, the first coin's script.
  if (!in0.witnessUtxo || in0.witnessUtxo.amount !== 0n || !equalBytes(in0.witnessUtxo.script, first.witnessUtxo.script)) {
    fail('INVALID_INTENT_PROOF', 'invalid intent proof: message input must carry to_spend output (0 sats, first coin script)', 'proof');
  }
  const signed = globalSignedMessage(tx);
  if (signed !== undefined && new TextDecoder().decode(signed) !== message) {
    fail('INVALID_INTENT_PROOF', 'invalid intent proof: PSBT_GLOBAL_GENERIC_SIGNED_MESSAGE differs from the message', 'proof');
  }

  const seen = new Set<string>();
  const inputs: IntentInput[] = [];
  for (let i = 1; i < tx.inputsLength; i++) {
    const inp = tx.getInput(i);
    if (!inp.txid || inp.index === undefined) return fail('INVALID_PSBT_INPUT', `input ${i} has no outpoint`, `proof.inputs[${i}]`);
    const txid = hex.encode(inp.txid);
    const key = `${txid}:${inp.index}`;
    if (seen.has(key)) fail('INVALID_INTENT_PROOF', `duplicated input ${key}`, `proof.inputs[${i}]`);
    seen.add(key);
    if (!inp.witnessUtxo) return fail('INVALID_PSBT_INPUT', `missing witness utxo for input ${key}`, `proof.inputs[${i}]`);
    const leaves = inp.tapLeafScript ?? [];
    if (leaves.length !== 1) return fail('INVALID_PSBT_INPUT', `input ${i} must carry exactly one taproot leaf script, got ${leaves.length}`, `proof.inputs[${i}]`);
    const trees = getArkPsbtFields(tx, i, VtxoTaprootTree);
    if (trees.length > 1) fail('INVALID_PSBT_INPUT', `input ${i} carries ${trees.length} taptree fields`, `proof.inputs[${i}]`);
    inputs.push({
      txid,
      vout: inp.index,
      amount: inp.witnessUtxo.amount,
      pkScript: inp.witnessUtxo.script,
      ...(trees[0] ? { tapTree: trees[0] } : {}),
      leaf: leaves[0]!,
      sequence: inp.sequence ?? 0xffffffff,
    });
  }

  const outs: { script: Uint8Array; amount: bigint }[] = [];
  for (let i = 0; i < tx.outputsLength; i++) {
    const o = tx.getOutput(i);
    if (o.script === undefined || o.amount === undefined) return fail('INVALID_INTENT_PSBT', `output ${i} lacks script or amount`, `proof.outputs[${i}]`);
    outs.push({ script: o.script, amount: o.amount });
  }
  const noOutputs = outs.length === 1 && isEmptyOpReturn(outs[0]!);
  const onchainIdx = msg.type === 'register' ? msg.onchain_output_indexes : [];
  const outputs: IntentOutput[] = [];
  if (!noOutputs) {
    for (const [i, o] of outs.entries()) {
      // Extension (asset) packets ride in OP_RETURN outputs; this operator does not carry assets.
      if (o.script[0] === OP_RETURN) fail('INVALID_INTENT_PSBT', `output ${i} is an OP_RETURN extension, not supported`, `proof.outputs[${i}]`);
      const onchain = onchainIdx.includes(i);
      if (onchain && !isAddressScript(o.script)) fail('INVALID_PKSCRIPT', `onchain output ${i} does not pay an address`, `proof.outputs[${i}]`);
      if (!onchain && !isP2tr(o.script)) fail('INVALID_PKSCRIPT', `offchain output ${i} must be a taproot script (a VTXO key)`, `proof.outputs[${i}]`);
      outputs.push({ script: o.script, amount: o.amount, onchain });
    }
  }
  for (const i of onchainIdx) {
    if (noOutputs || i >= outs.length) fail('INVALID_INTENT_MESSAGE', `onchain output index ${i} is not an output of the proof`, 'message.onchain_output_indexes');
  }
  if (msg.type === 'register') {
    // arkd: "proof does not contain outputs" (until blinded credentials exist).
    if (outputs.length === 0) fail('INVALID_INTENT_PROOF', 'proof does not contain outputs', 'proof');
    if (outputs.some((o) => !o.onchain) && msg.cosigners_public_keys.length === 0) {
      fail('INVALID_INTENT_MESSAGE', 'CosignersPublicKeys is required in intent message', 'message.cosigners_public_keys');
    }
  }

  return {
    kind: msg.type,
    message: msg,
    rawMessage: message,
    inputs,
    outputs,
    cosigners: msg.type === 'register' ? msg.cosigners_public_keys : [],
    proofTxid: tx.id,
    validAt: msg.type === 'register' ? msg.valid_at : 0,
    expireAt: msg.expire_at,
    proof: tx,
  };
}

// ---------------------------------------------------------------------------------------------
// scripts

export type ScriptCheck = { ok: true } | { ok: false; reason: string };

const timelockSeconds = (t: RelativeTimelock): boolean => t.type === 'seconds';
const CLTV_SECONDS_THRESHOLD = 500_000_000n;

/**
 * arkd's TapscriptsVtxoScript.Validate (pkg/ark-lib/script/vtxo_script.go) plus its callers' rule
 * that an exit leaf must exist: every forfeit (collaborative) leaf names the operator, every exit leaf
 * is a CSV leaf, and the shortest exit is at least `minExitDelay`. Stricter than arkd on one point: a
 * CSV in other units than the configured delay is refused instead of compared at 1 s per block.
 */
export function checkArkScript(
  tapTree: Uint8Array,
  operatorXOnly: Uint8Array,
  minExitDelay: RelativeTimelock,
  allowBlockTimelocks = true,
): ScriptCheck {
  let scripts: Uint8Array[];
  try {
    scripts = VtxoScript.decode(tapTree).scripts;
  } catch (e) {
    return { ok: false, reason: `taptree does not decode: ${(e as Error).message}` };
  }
  if (scripts.length === 0) return { ok: false, reason: 'empty taptree' };
  const S = hex.encode(operatorXOnly);
  let smallest: RelativeTimelock | undefined;
  for (const [i, s] of scripts.entries()) {
    let t;
    try {
      t = decodeTapscript(s);
    } catch {
      return { ok: false, reason: `leaf ${i} is not an Ark tapscript` };
    }
    if (MultisigTapscript.is(t) || CLTVMultisigTapscript.is(t) || ConditionMultisigTapscript.is(t)) {
      if (CLTVMultisigTapscript.is(t) && !allowBlockTimelocks && BigInt(t.params.absoluteTimelock) < CLTV_SECONDS_THRESHOLD) {
        return { ok: false, reason: `leaf ${i}: CLTV block type not allowed` };
      }
      if (!t.params.pubkeys.some((k: Uint8Array) => hex.encode(k) === S)) return { ok: false, reason: `leaf ${i}: forfeit leaf without the operator key` };
    } else if (CSVMultisigTapscript.is(t) || ConditionCSVMultisigTapscript.is(t)) {
      const tl = t.params.timelock;
      if (!allowBlockTimelocks && tl.type === 'blocks') return { ok: false, reason: `leaf ${i}: CSV block type not allowed` };
      if (timelockSeconds(tl) !== timelockSeconds(minExitDelay)) return { ok: false, reason: `leaf ${i}: CSV in ${tl.type}, exit delay in ${minExitDelay.type}` };
      if (!smallest || tl.value < smallest.value) smallest = tl;
    } else {
      return { ok: false, reason: `leaf ${i}: unsupported closure` };
    }
  }
  if (!smallest) return { ok: false, reason: 'no exit leaf' };
  if (smallest.value < minExitDelay.value) return { ok: false, reason: `exit delay is too short: ${smallest.value} < ${minExitDelay.value} ${minExitDelay.type}` };
  return { ok: true };
}

/**
 * The timelock the stock wallet builds its scripts with for a delay the operator publishes in
 * getInfo (unilateralExitDelay, boardingExitDelay): below 512 it means blocks, else seconds. Policy
 * delays should be built with it, so the unit check above compares like with like.
 */
export function walletTimelock(value: bigint): RelativeTimelock {
  if (value <= 0n) throw new InvalidArgumentError('value', `an exit delay must be positive, got ${value}`);
  return { value, type: value < 512n ? 'blocks' : 'seconds' };
}

export function boardingScriptOk(tapTree: Uint8Array, operatorSignerXOnly: Uint8Array, boardingExitDelay: RelativeTimelock, allowBlockTimelocks = true): ScriptCheck {
  return checkArkScript(tapTree, operatorSignerXOnly, boardingExitDelay, allowBlockTimelocks);
}

export function vtxoScriptOk(tapTree: Uint8Array, operatorXOnly: Uint8Array, unilateralExitDelay: RelativeTimelock, allowBlockTimelocks = true): ScriptCheck {
  return checkArkScript(tapTree, operatorXOnly, unilateralExitDelay, allowBlockTimelocks);
}

// ---------------------------------------------------------------------------------------------
// verification against the world

export { outpointKey };

const SEQUENCE_DISABLED = 0x80000000;
const SEQUENCE_SECONDS = 0x00400000;

/** arkd's BIP68DecodeSequence: undefined when the relative locktime is disabled. Seconds at 1 s per block, as arkd counts. */
function sequenceSeconds(seq: number): number | undefined {
  if ((seq & SEQUENCE_DISABLED) !== 0) return undefined;
  const v = seq & 0xffff;
  return (seq & SEQUENCE_SECONDS) !== 0 ? v * 512 - 1 : v;
}

function smallestExitSeconds(vs: VtxoScript): number | undefined {
  let min: number | undefined;
  for (const s of vs.scripts) {
    let t;
    try {
      t = decodeTapscript(s);
    } catch {
      continue;
    }
    if (CSVMultisigTapscript.is(t) || ConditionCSVMultisigTapscript.is(t)) {
      const v = Number(t.params.timelock.value);
      if (min === undefined || v < min) min = v;
    }
  }
  return min;
}

/**
 * arkd (validateVtxoInput / validateBoardingInput): a proof signed through a leaf with an enabled
 * relative locktime is accepted only if that locktime, shifted by the smallest exit delay, has
 * elapsed since the coin was created, so registering cannot jump an exit order.
 */
function exitPathTimingOk(inp: IntentInput, vs: VtxoScript, real: RealPrevout, now: number, field: string): void {
  const lock = sequenceSeconds(inp.sequence);
  if (lock === undefined) return;
  if (real.createdAt === undefined) fail('INVALID_VTXO_SCRIPT', `input ${outpointKey(inp.txid, inp.vout)} uses a relative locktime; its creation time is needed to check it`, field);
  const exit = smallestExitSeconds(vs);
  if (exit === undefined) return fail('INVALID_VTXO_SCRIPT', 'failed to get smallest exit delay: no exit leaf', field);
  const diff = lock - (now + exit - real.createdAt!);
  if (diff > 0) fail('INVALID_VTXO_SCRIPT', `vtxo script can be used for intent registration in ${diff} seconds`, field);
}

/**
 * arkd's FinalizeAndExtract + computeWeight: the proof as it would be if the operator had signed too
 * (a zero signature stands in for its key on every leaf that names it).
 */
export function proofWeight(proof: Transaction, operatorXOnly: Uint8Array): number {
  const tx = proof.clone();
  for (let i = 0; i < tx.inputsLength; i++) {
    const inp = tx.getInput(i);
    const leaf = inp.tapLeafScript?.[0];
    if (!leaf) continue;
    let signers: Uint8Array[] = [];
    try {
      signers = leafSigners(leafScript(leaf).script);
    } catch {
      continue;
    }
    const has = (inp.tapScriptSig ?? []).some(([d]) => equalBytes(d.pubKey, operatorXOnly));
    if (!has && signers.some((k) => equalBytes(k, operatorXOnly))) {
      tx.updateInput(i, { tapScriptSig: [[{ pubKey: operatorXOnly, leafHash: leafHashOf(leaf) }, new Uint8Array(64)]] });
    }
  }
  try {
    tx.finalize();
  } catch (e) {
    return fail('INVALID_INTENT_PROOF', `proof does not finalize: ${(e as Error).message}`, 'proof');
  }
  return tx.weight;
}

/**
 * The proof against reality: each coin's claimed witnessUtxo equals its real prevout, its taptree
 * commits to that script and contains the signing leaf, every signature is valid over the real
 * prevouts (only the operator's may be missing), the validity window contains `now` (unix seconds),
 * and the policy's script and amount rules hold.
 */
export function verifyIntent(parsed: ParsedIntent, prevouts: Map<string, RealPrevout>, now: number, policy: IntentPolicy): VerifiedIntent {
  if (parsed.validAt > 0 && now < parsed.validAt) fail('INVALID_INTENT_TIMERANGE', `proof of ownership not yet valid (valid_at ${parsed.validAt}, now ${now})`, 'message.valid_at');
  if (parsed.expireAt > 0 && now > parsed.expireAt) fail('INVALID_INTENT_TIMERANGE', `proof of ownership expired (expire_at ${parsed.expireAt}, now ${now})`, 'message.expire_at');

  const boardingInputs: IntentInput[] = [];
  const vtxoInputs: IntentInput[] = [];
  let sumIn = 0n;
  for (const [j, inp] of parsed.inputs.entries()) {
    const field = `proof.inputs[${j + 1}]`;
    const key = outpointKey(inp.txid, inp.vout);
    const real = prevouts.get(key);
    if (!real) return fail('VTXO_NOT_FOUND', `coin ${key} not found`, field);
    if (inp.amount !== real.amount) fail('INVALID_PSBT_INPUT', `witness utxo value mismatch for ${key}: got ${inp.amount} expected ${real.amount}`, field);
    if (!equalBytes(inp.pkScript, real.pkScript)) fail('INVALID_PSBT_INPUT', `invalid witness utxo script for ${key}: got ${hex.encode(inp.pkScript)} expected ${hex.encode(real.pkScript)}`, field);
    if (!inp.tapTree) return fail('INVALID_PSBT_INPUT', `missing taptree for input ${key}`, field);
    let vs: VtxoScript;
    try {
      vs = VtxoScript.decode(inp.tapTree);
    } catch (e) {
      return fail('INVALID_VTXO_SCRIPT', `taptree of ${key} does not decode: ${(e as Error).message}`, field);
    }
    if (!equalBytes(vs.pkScript, real.pkScript)) fail('INVALID_PSBT_INPUT', `taproot key mismatch: the taptree of ${key} does not commit to its script`, field);
    const { script } = leafScript(inp.leaf);
    if (!vs.scripts.some((s) => equalBytes(s, script))) fail('INVALID_PSBT_INPUT', `the signing leaf of ${key} is not in its taptree`, field);
    const kind = real.kind;
    if (kind === 'boarding') {
      boardingInputs.push(inp);
      if (policy.utxoMaxAmount !== undefined && policy.utxoMaxAmount >= 0n && real.amount > policy.utxoMaxAmount) {
        fail('AMOUNT_TOO_HIGH', `boarding input amount is higher than max utxo amount: ${policy.utxoMaxAmount}`, field);
      }
      if (policy.utxoMinAmount !== undefined && real.amount < policy.utxoMinAmount) fail('AMOUNT_TOO_LOW', `boarding input amount is lower than min utxo amount: ${policy.utxoMinAmount}`, field);
      if (parsed.message.type === 'register' && parsed.message.onchain_output_indexes.length > 0) {
        fail('INVALID_INTENT_PROOF', 'cannot include onchain inputs and outputs', field);
      }
      if (policy.boardingExitDelay) {
        const c = boardingScriptOk(inp.tapTree, policy.operatorXOnly, policy.boardingExitDelay, policy.allowBlockTimelocks);
        if (!c.ok) fail('INVALID_VTXO_SCRIPT', `invalid boarding script for ${key}: ${c.reason}`, field);
      }
    } else if (kind === 'vtxo') {
      vtxoInputs.push(inp);
      if (policy.unilateralExitDelay) {
        const c = vtxoScriptOk(inp.tapTree, policy.operatorXOnly, policy.unilateralExitDelay, policy.allowBlockTimelocks);
        if (!c.ok) fail('INVALID_VTXO_SCRIPT', `invalid vtxo script for ${key}: ${c.reason}`, field);
      }
    }
    exitPathTimingOk(inp, vs, real, now, field);
    sumIn += real.amount;
  }

  // The message input spends to_spend's output; the coins spend their real prevouts.
  const first = parsed.inputs[0]!;
  const sigPrevouts: Prevout[] = [{ amount: 0n, script: first.pkScript }, ...parsed.inputs.map((i) => ({ amount: i.amount, script: i.pkScript }))];
  for (let i = 0; i < parsed.proof.inputsLength; i++) {
    try {
      verifyInputTapscriptSigs(parsed.proof, i, sigPrevouts, { skip: [policy.operatorXOnly] });
    } catch (e) {
      if (e instanceof TapscriptSigError) fail('INVALID_INTENT_PROOF', `invalid intent proof: ${e.message}`, `proof.inputs[${i}]`);
      throw e;
    }
  }

  if (policy.maxTxWeight !== undefined) {
    const w = proofWeight(parsed.proof, policy.operatorXOnly);
    if (w > policy.maxTxWeight) fail('TX_TOO_LARGE', `proof weight is too high: ${w}`, 'proof');
  }

  let sumOut = 0n;
  for (const [i, o] of parsed.outputs.entries()) {
    sumOut += o.amount;
    const field = `proof.outputs[${i}]`;
    if (o.onchain) {
      if (policy.utxoMaxAmount !== undefined && policy.utxoMaxAmount >= 0n && o.amount > policy.utxoMaxAmount) fail('AMOUNT_TOO_HIGH', `output ${i} amount is higher than max utxo amount: ${policy.utxoMaxAmount}`, field);
      if (policy.utxoMinAmount !== undefined && o.amount < policy.utxoMinAmount) fail('AMOUNT_TOO_LOW', `output ${i} amount is lower than min utxo amount: ${policy.utxoMinAmount}`, field);
    } else {
      if (policy.vtxoMaxAmount !== undefined && policy.vtxoMaxAmount >= 0n && o.amount > policy.vtxoMaxAmount) fail('AMOUNT_TOO_HIGH', `output ${i} amount is higher than max vtxo amount: ${policy.vtxoMaxAmount}`, field);
      if (policy.dust !== undefined && o.amount < policy.dust) fail('AMOUNT_TOO_LOW', `output ${i} amount is lower than min vtxo amount: ${policy.dust}`, field);
    }
  }
  if (sumOut > sumIn) fail('INVALID_INTENT_PROOF', `sum of outputs ${sumOut} exceeds sum of inputs ${sumIn}`, 'proof');

  const S = hex.encode(policy.operatorXOnly);
  for (const k of parsed.cosigners) {
    if (k.slice(2) === S) fail('INVALID_INTENT_MESSAGE', `invalid cosigner pubkeys: ${k} is used by us`, 'message.cosigners_public_keys');
  }

  return { ...parsed, verified: true, fee: sumIn - sumOut, boardingInputs, vtxoInputs };
}
