/**
 * The operator side of offchain Ark transactions (arkd's SubmitOffchainTx / FinalizeOffchainTx),
 * as pure functions: the caller looks VTXOs up in its store, persists the returned pending state
 * and marks the spent outpoints; nothing here does I/O or reads a clock.
 *
 * Ported from arkd internal/core/application/service.go (SubmitOffchainTx, FinalizeOffchainTx,
 * validateOffchainTxOutputs) and pkg/ark-lib/offchain (BuildTxs). Like arkd, the operator never
 * signs what the user sent: it rebuilds the checkpoints and the Ark tx from the VTXOs it knows and
 * the outputs asked for — with the SDK's own `buildOffchainTx`, the builder the wallet used — and
 * accepts only if the txids agree. The user's signatures are then moved onto the rebuilt Ark tx, so
 * every PSBT field the operator signs over (prevouts, leaves, taptrees) is the operator's own.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { base64, hex } from '@scure/base';
import { SigHash } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import {
  CLTVMultisigTapscript,
  ConditionMultisigTapscript,
  CSVMultisigTapscript,
  Extension,
  MultisigTapscript,
  TapTreeCoder,
  Transaction,
  VtxoScript,
  VtxoTaprootTree,
  buildOffchainTx,
  decodeTapscript,
  getArkPsbtFields,
  scriptFromTapLeafScript,
  verifyTapscriptSignatures,
  type ArkTxInput,
  type RelativeTimelock,
  type TapLeafScript,
} from '@arkade-os/sdk';
import { ArkRequestError } from './ports.js';
import { checkVtxoScript } from '../rules.js';

export interface Outpoint {
  txid: string;
  vout: number;
}

/** A VTXO as the operator's store knows it. */
export interface OffchainVtxoRecord {
  amount: bigint;
  /** P2TR script of the VTXO (OP_1 <taproot output key>). */
  pkScript: Uint8Array;
  /** Spent, or already spent by a pending (submitted, not finalized) Ark tx. */
  spent: boolean;
  swept: boolean;
  unrolled?: boolean;
  /** A note (bearer VTXO), which arkd refuses to spend offchain. */
  isNote?: boolean;
  /** Batch expiry, UNIX seconds. */
  expiresAt?: number;
}

export interface SubmitOffchainTxArgs {
  /** Base64 PSBT of the Ark tx, signed by the owners of its inputs. */
  signedArkTx: string;
  /** Base64 PSBTs of the unsigned checkpoint txs, one per Ark tx input. */
  checkpointTxs: string[];
  operatorSecretKey: Uint8Array;
  /** The script advertised as GetInfo.checkpointTapscript (see {@link checkpointTapscript}). */
  checkpointTapscript: Uint8Array;
  dust: bigint;
  lookupVtxo(outpoint: Outpoint): OffchainVtxoRecord | undefined;
  /** True when another pending Ark tx already spends the outpoint (the caller's store). */
  isPendingSpent?(outpoint: Outpoint): boolean;
  /** Chain tip height, for block-height CLTV leaves. */
  tipHeight: number;
  /** Chain tip block timestamp (UNIX s), for seconds CLTV leaves (arkd matures them against it); default `now`. */
  tipTime?: number;
  /** Wall clock, UNIX seconds, for VTXO expiry. */
  now: number;
  /** Shortest exit delay a spent VTXO's script may carry (arkd's unilateral exit delay); none when absent. */
  minExitDelay?: RelativeTimelock;
  /** arkd's AllowCSVBlockType; default true. */
  allowBlockTimelocks?: boolean;
  /** arkd's VtxoMinAmount / VtxoMaxAmount (absent: dust / no limit). */
  vtxoMinAmount?: bigint;
  vtxoMaxAmount?: bigint;
  /** OP_RETURN outputs allowed; default 2, the SDK client's own limit (arkd's default is 3). */
  maxOpReturnOutputs?: number;
  /** Weight limit of the finalized Ark tx; none when absent. */
  maxTxWeight?: number;
}

/** A VTXO the Ark tx creates. */
export interface CreatedVtxo {
  txid: string;
  vout: number;
  amount: bigint;
  /** Hex output script. */
  script: string;
  /** Sub-dust OP_RETURN outputs are created already swept, as in arkd. */
  swept: boolean;
}

/**
 * An accepted Ark tx waiting for the user's checkpoint signatures: strings and numbers only, so
 * the caller can persist it as JSON and finalize after a restart.
 */
export interface PendingOffchainTx {
  arkTxid: string;
  /** Base64 PSBT: the rebuilt Ark tx with the users' and the operator's signatures. */
  finalArkTx: string;
  /** In Ark tx input order. */
  checkpoints: { txid: string; spends: Outpoint; signedTx: string }[];
  /** Earliest batch expiry of the inputs (UNIX s), inherited by the outputs; absent if none known. */
  expiresAt?: number;
  status: 'accepted' | 'finalized';
  /** Base64 PSBTs with every signature, once finalized (arkd stores these). */
  finalCheckpointTxs?: string[];
}

export interface SubmitOffchainTxResult {
  arkTxid: string;
  finalArkTx: string;
  signedCheckpointTxs: string[];
  spent: Outpoint[];
  created: CreatedVtxo[];
  pending: PendingOffchainTx;
}

export interface FinalizeOffchainTxResult {
  pending: PendingOffchainTx;
  /** Base64 PSBTs carrying every signature (arkd's stored form; the indexer serves these). */
  finalCheckpointTxs: string[];
  /** The same checkpoints finalized and extracted, raw hex, in Ark tx input order. */
  checkpointTxsHex: string[];
  /** The Ark tx finalized and extracted, raw hex. */
  arkTxHex: string;
}

const ANCHOR_SCRIPT = hex.decode('51024e73');
const ALLOWED_SIGHASH = [SigHash.DEFAULT, SigHash.ALL];
const MIN_SECONDS_LOCKTIME = 500_000_000n;
const SECONDS_PER_BLOCK = 600n;

export const outpointKey = (o: Outpoint): string => `${o.txid}:${o.vout}`;

const fail = (code: string, message: string, field?: string, status = 400): never => {
  throw new ArkRequestError(code, message, field, status);
};

/**
 * What arkd advertises as GetInfo.checkpointTapscript (hex-encode this): the server's unroll
 * closure, `<delay> CSV DROP <operator> CHECKSIG`. The delay is an arkd RelativeLocktime value:
 * below 512 it counts blocks, otherwise seconds (a multiple of 512).
 */
export function checkpointTapscript(operatorXOnly: Uint8Array, checkpointExitDelay: bigint | RelativeTimelock): Uint8Array {
  if (operatorXOnly.length !== 32) fail('INVALID_ARGUMENT', 'operatorXOnly must be a 32-byte x-only key', 'operatorXOnly');
  const timelock: RelativeTimelock =
    typeof checkpointExitDelay === 'bigint'
      ? { type: checkpointExitDelay < 512n ? 'blocks' : 'seconds', value: checkpointExitDelay }
      : checkpointExitDelay;
  return CSVMultisigTapscript.encode({ timelock, pubkeys: [operatorXOnly] }).script;
}

/**
 * Refuses a spend of any outpoint already spent or pending-spent in the caller's store, and any
 * outpoint listed twice (arkd: VTXO_ALREADY_SPENT / duplicated input).
 */
export function assertNoDoubleSpend(outpoints: Outpoint[], isSpent: (o: Outpoint) => boolean): void {
  const seen = new Set<string>();
  for (const o of outpoints) {
    const k = outpointKey(o);
    if (seen.has(k)) fail('INVALID_PSBT_INPUT', `duplicated vtxo input ${k}`, 'checkpointTxs');
    seen.add(k);
    if (isSpent(o)) fail('VTXO_ALREADY_SPENT', `${k} already spent`, 'checkpointTxs');
  }
}

function parsePsbt(b64: string, code: string, field: string): Transaction {
  try {
    return Transaction.fromPSBT(base64.decode(b64));
  } catch (e) {
    return fail(code, `failed to parse tx: ${(e as Error).message}`, field);
  }
}

const eq = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

const inputOutpoint = (tx: Transaction, idx: number): Outpoint => {
  const inp = tx.getInput(idx);
  return { txid: hex.encode(inp.txid!), vout: inp.index! };
};

type Closure = ReturnType<typeof decodeTapscript>;

function tryDecode(script: Uint8Array): Closure | undefined {
  try {
    return decodeTapscript(script);
  } catch {
    return undefined;
  }
}

const keysOf = (c: Closure): Uint8Array[] => (c.params as { pubkeys: Uint8Array[] }).pubkeys;
const isForfeitClosure = (c: Closure): boolean => MultisigTapscript.is(c) || CLTVMultisigTapscript.is(c) || ConditionMultisigTapscript.is(c);
const relSeconds = (t: RelativeTimelock): bigint => (t.type === 'blocks' ? t.value * SECONDS_PER_BLOCK : t.value);

/**
 * arkd's TapscriptsVtxoScript.Validate, as rules.ts states it (one implementation), answered with
 * arkd's INVALID_VTXO_SCRIPT and the message of the first rule broken. HashPerp's contract extension
 * does not apply here: this path cannot tell a contract VTXO from another.
 */
function validateVtxoScript(scripts: Uint8Array[], operator: Uint8Array, args: SubmitOffchainTxArgs, field: string): void {
  const [first] = checkVtxoScript(scripts, {
    operator,
    blockTypeAllowed: args.allowBlockTimelocks ?? true,
    ...(args.minExitDelay ? { minExitDelay: args.minExitDelay } : {}),
  });
  if (first) fail('INVALID_VTXO_SCRIPT', first.message, field);
}

const isOpReturn = (s: Uint8Array): boolean => s.length > 0 && s[0] === 0x6a;
/** arkd's script.IsSubDustScript: OP_RETURN followed by one 32-byte push. */
const isSubDustScript = (s: Uint8Array): boolean => s.length === 34 && s[0] === 0x6a && s[1] === 0x20;
const isP2TR = (s: Uint8Array): boolean => s.length === 34 && s[0] === 0x51 && s[1] === 0x20;

/** arkd's validateOffchainTxOutputs (asset extensions refused: this operator has no asset ledger). */
function validateOutputs(tx: Transaction, args: SubmitOffchainTxArgs): { script: Uint8Array; amount: bigint }[] {
  const outputs: { script: Uint8Array; amount: bigint }[] = [];
  let foundAnchor = false;
  let opReturns = 0;
  const min = args.vtxoMinAmount;
  const max = args.vtxoMaxAmount;
  for (let i = 0; i < tx.outputsLength; i++) {
    const out = tx.getOutput(i);
    const script = out.script!;
    const amount = out.amount!;
    const field = `signedArkTx.outputs[${i}]`;
    if (eq(script, ANCHOR_SCRIPT)) {
      if (foundAnchor) fail('MALFORMED_ARK_TX', 'tx has multiple anchor outputs', field);
      if (amount !== 0n) fail('MALFORMED_ARK_TX', `anchor output #${i} must carry 0 sats, has ${amount}`, field);
      foundAnchor = true;
      continue;
    }
    if (isOpReturn(script)) {
      opReturns++;
      if (Extension.isExtension(script)) fail('MALFORMED_ARK_TX', `extension output #${i}: assets are not supported by this operator`, field);
      if (isSubDustScript(script)) {
        if (amount >= args.dust) fail('MALFORMED_ARK_TX', `subdust OP_RETURN output #${i} has value (${amount}) >= dust limit (${args.dust})`, field);
        if (min !== undefined && amount < min) fail('AMOUNT_TOO_LOW', `output #${i} amount is lower than min vtxo amount: ${min}`, field);
      } else if (amount > 0n) {
        fail('MALFORMED_ARK_TX', `OP_RETURN output #${i} has non-zero value (${amount}) but is not a subdust output`, field);
      }
      outputs.push({ script, amount });
      continue;
    }
    if (max !== undefined && amount > max) fail('AMOUNT_TOO_HIGH', `output #${i} amount (${amount}) is higher than max vtxo amount: ${max}`, field);
    if (min !== undefined && amount < min) fail('AMOUNT_TOO_LOW', `output #${i} amount is lower than min vtxo amount: ${min}`, field);
    if (amount < args.dust)
      fail('AMOUNT_TOO_LOW', `output #${i} amount is below dust limit (${amount} < ${args.dust}) but is not using OP_RETURN output script`, field);
    if (!isP2TR(script)) fail('MALFORMED_ARK_TX', `output #${i} has amount greater than dust but is not a taproot pkscript`, field);
    outputs.push({ script, amount });
  }
  if (!foundAnchor) fail('MALFORMED_ARK_TX', 'missing anchor output in ark tx', 'signedArkTx');
  const maxOpRet = args.maxOpReturnOutputs ?? 2;
  if (opReturns > maxOpRet) fail('MALFORMED_ARK_TX', `tx has ${opReturns} OP_RETURN outputs, max ${maxOpRet} are allowed`, 'signedArkTx');
  return outputs;
}

const leafOf = (tx: Transaction, idx: number): { script: Uint8Array; version: number; hash: Uint8Array } => {
  const leaf = tx.getInput(idx).tapLeafScript![0]!;
  const script = scriptFromTapLeafScript(leaf as TapLeafScript);
  const version = leaf[1][leaf[1].length - 1]!;
  return { script, version, hash: tapLeafHash(script, version) };
};

/**
 * Every signature on the input must come from a key of the leaf it spends and verify over that
 * leaf; every key of the leaf must have signed except those in `notYet` (arkd's
 * mustIncludeSignerSig = false leaves the operator out).
 */
function verifyLeafSigs(tx: Transaction, idx: number, notYet: Uint8Array[], field: string): void {
  const { script, hash } = leafOf(tx, idx);
  const keys = keysOf(decodeTapscript(script));
  for (const [data] of tx.getInput(idx).tapScriptSig ?? []) {
    if (!keys.some((k) => eq(k, data.pubKey))) fail('INVALID_SIGNATURE', `input ${idx}: signature from ${hex.encode(data.pubKey)}, a key not in the spending leaf`, field);
  }
  try {
    verifyTapscriptSignatures(tx, idx, keys.map(hex.encode), notYet.map(hex.encode), ALLOWED_SIGHASH, hash);
  } catch (e) {
    fail('INVALID_SIGNATURE', `input ${idx}: ${(e as Error).message}`, field);
  }
}

/** Outputs of an accepted Ark tx that become VTXOs (arkd: all but the anchor and extensions). */
export function createdVtxos(pending: Pick<PendingOffchainTx, 'arkTxid' | 'finalArkTx'>): CreatedVtxo[] {
  const tx = Transaction.fromPSBT(base64.decode(pending.finalArkTx));
  const out: CreatedVtxo[] = [];
  for (let i = 0; i < tx.outputsLength; i++) {
    const o = tx.getOutput(i);
    if (eq(o.script!, ANCHOR_SCRIPT) || Extension.isExtension(o.script!)) continue;
    out.push({ txid: pending.arkTxid, vout: i, amount: o.amount!, script: hex.encode(o.script!), swept: isSubDustScript(o.script!) });
  }
  return out;
}

export function submitOffchainTx(args: SubmitOffchainTxArgs): SubmitOffchainTxResult {
  const operator = pubXOnly(args.operatorSecretKey);
  let unroll: CSVMultisigTapscript.Type;
  try {
    unroll = CSVMultisigTapscript.decode(args.checkpointTapscript);
  } catch {
    return fail('INTERNAL_ERROR', 'invalid checkpoint tapscript', 'checkpointTapscript', 500);
  }

  const arkTx = parsePsbt(args.signedArkTx, 'INVALID_ARK_PSBT', 'signedArkTx');
  const arkTxid = arkTx.id;
  if (arkTx.inputsLength === 0) fail('INVALID_PSBT_MISSING_INPUT', `invalid ark tx ${arkTxid}`, 'signedArkTx');

  const checkpoints = new Map<string, { tx: Transaction; vtxo: Outpoint; field: string }>();
  const spent: Outpoint[] = [];
  args.checkpointTxs.forEach((b64, i) => {
    const field = `checkpointTxs[${i}]`;
    const tx = parsePsbt(b64, 'INVALID_CHECKPOINT_PSBT', field);
    if (tx.inputsLength !== 1) fail('INVALID_PSBT_MISSING_INPUT', `checkpoint tx ${tx.id} must spend exactly one vtxo`, field);
    const vtxo = inputOutpoint(tx, 0);
    checkpoints.set(tx.id, { tx, vtxo, field });
    spent.push(vtxo);
  });
  assertNoDoubleSpend(spent, (o) => args.isPendingSpent?.(o) ?? false);
  if (checkpoints.size !== spent.length) fail('INVALID_CHECKPOINT_PSBT', 'duplicated checkpoint tx', 'checkpointTxs');

  const records = spent.map((o) => {
    const r = args.lookupVtxo(o);
    if (!r) return fail('VTXO_NOT_FOUND', `vtxo ${outpointKey(o)} not found`, 'checkpointTxs', 404);
    return r;
  });
  let expiresAt: number | undefined;
  for (const r of records) if (r.expiresAt !== undefined && (expiresAt === undefined || r.expiresAt < expiresAt)) expiresAt = r.expiresAt;

  if (arkTx.inputsLength !== checkpoints.size)
    fail('CHECKPOINT_MISMATCH', `invalid number of checkpoint txs, expected ${arkTx.inputsLength} got ${checkpoints.size}`, 'checkpointTxs');

  // Rebuild inputs in Ark tx input order, as arkd does, so the rebuilt txid can match.
  const inputs: ArkTxInput[] = [];
  const used = new Set<string>();
  for (let i = 0; i < arkTx.inputsLength; i++) {
    const prev = inputOutpoint(arkTx, i);
    const cp = checkpoints.get(prev.txid);
    if (!cp || prev.vout !== 0 || used.has(prev.txid))
      return fail('CHECKPOINT_MISMATCH', `ark tx input ${i} spends ${outpointKey(prev)}, not the output of a submitted checkpoint`, `signedArkTx.inputs[${i}]`);
    used.add(prev.txid);
    const { tx, vtxo: op, field } = cp;
    const key = outpointKey(op);
    const vtxo = records[spent.findIndex((s) => outpointKey(s) === key)]!;
    if (vtxo.spent) fail('VTXO_ALREADY_SPENT', `${key} already spent`, field);
    if (vtxo.unrolled) fail('VTXO_ALREADY_UNROLLED', `${key} already unrolled`, field);
    if (vtxo.swept || (vtxo.expiresAt !== undefined && args.now > vtxo.expiresAt)) fail('VTXO_RECOVERABLE', `${key} is recoverable`, field);
    if (vtxo.isNote) fail('OFFCHAIN_TX_SPENDING_NOTE', `${key} is a note`, field);

    const input = tx.getInput(0);
    if (!input.witnessUtxo) fail('INVALID_PSBT_INPUT', `missing witness utxo on input ${i}`, field);
    if (!input.tapLeafScript || input.tapLeafScript.length !== 1)
      fail('INVALID_PSBT_INPUT', `expected exactly one taproot leaf script on input ${i}, got ${input.tapLeafScript?.length ?? 0}`, field);
    const taptree = getArkPsbtFields(tx, 0, VtxoTaprootTree)[0];
    if (!taptree) return fail('INVALID_PSBT_INPUT', `missing taptree on input ${i}`, field);
    let vtxoScript: VtxoScript;
    try {
      vtxoScript = VtxoScript.decode(taptree);
    } catch (e) {
      return fail('INVALID_PSBT_INPUT', `failed to parse taptree field in tx ${tx.id}: ${(e as Error).message}`, field);
    }
    validateVtxoScript(vtxoScript.scripts, operator, args, field);
    if (!eq(vtxoScript.pkScript, vtxo.pkScript)) fail('INVALID_PSBT_INPUT', `taptree of ${key} does not commit to the vtxo's script`, field);
    if (!eq(input.witnessUtxo!.script!, vtxo.pkScript)) fail('INVALID_PSBT_INPUT', `witness utxo script mismatch for ${key}`, field);
    if (input.witnessUtxo!.amount !== vtxo.amount)
      fail('INVALID_PSBT_INPUT', `witness utxo value mismatch: expected ${vtxo.amount}, got ${input.witnessUtxo!.amount}`, field);

    // The spending leaf must be a collaborative one of this VTXO's own tree (arkd only learns this
    // at finalize, from the control block; checking now keeps a bogus leaf out of the signed txs).
    const spendScript = leafOf(tx, 0).script;
    const closure = tryDecode(spendScript);
    if (!closure || !(MultisigTapscript.is(closure) || CLTVMultisigTapscript.is(closure)))
      fail('INVALID_PSBT_INPUT', `invalid spending tapscript on input ${i}: ${hex.encode(spendScript)} (a multisig or CLTV multisig leaf is required)`, field);
    if (!keysOf(closure!).some((k) => eq(k, operator))) fail('INVALID_PSBT_INPUT', `spending leaf of input ${i} does not include the operator key`, field);
    let leaf: TapLeafScript;
    try {
      leaf = vtxoScript.findLeaf(hex.encode(spendScript));
    } catch {
      return fail('INVALID_PSBT_INPUT', `spending leaf of input ${i} is not in the vtxo's taptree`, field);
    }
    if (CLTVMultisigTapscript.is(closure!)) {
      const lock = closure.params.absoluteTimelock;
      const seconds = lock >= MIN_SECONDS_LOCKTIME;
      const current = BigInt(seconds ? (args.tipTime ?? args.now) : args.tipHeight);
      if (lock > current) fail('FORFEIT_CLOSURE_LOCKED', `${lock} > ${current} (${seconds ? 'blocktime' : 'blockheight'})`, field);
    }
    if (!arkTx.getInput(i).tapLeafScript?.length) fail('INVALID_PSBT_INPUT', `missing taproot leaf script in ark tx input ${i}`, `signedArkTx.inputs[${i}]`);
    inputs.push({ txid: op.txid, vout: op.vout, value: Number(vtxo.amount), tapLeafScript: leaf, tapTree: taptree });
  }

  // arkd: at least one signature per input from a key other than the operator's.
  for (let i = 0; i < arkTx.inputsLength; i++) {
    if (!(arkTx.getInput(i).tapScriptSig ?? []).some(([d]) => !eq(d.pubKey, operator)))
      fail('ARK_TX_INPUT_NOT_SIGNED', `tx ${arkTxid} is not signed`, `signedArkTx.inputs[${i}]`);
  }

  const outputs = validateOutputs(arkTx, args);
  const sumIn = inputs.reduce((s, x) => s + BigInt(x.value), 0n);
  const sumOut = outputs.reduce((s, x) => s + x.amount, 0n);
  // arkd reports this from its rebuild as INTERNAL_ERROR; it is the client's fault, so a 400.
  if (sumIn !== sumOut) fail('MALFORMED_ARK_TX', `outputs sum ${sumOut} != inputs sum ${sumIn}`, 'signedArkTx');

  let rebuilt: ReturnType<typeof buildOffchainTx>;
  try {
    rebuilt = buildOffchainTx(inputs, outputs, unroll);
  } catch (e) {
    return fail('MALFORMED_ARK_TX', `failed to rebuild ark transaction: ${(e as Error).message}`, 'signedArkTx');
  }
  for (const c of rebuilt.checkpoints) {
    if (!checkpoints.has(c.id)) fail('CHECKPOINT_MISMATCH', `invalid checkpoint txs: ${c.id} not found`, 'checkpointTxs');
  }
  if (rebuilt.arkTx.id !== arkTxid) fail('ARK_TX_MISMATCH', `expected tx ${rebuilt.arkTx.id}, got ${arkTxid}`, 'signedArkTx');

  // The users' signatures, moved onto the operator's rebuild: they only verify if the user signed
  // the same prevouts and leaves the operator is about to sign.
  const final = rebuilt.arkTx;
  for (let i = 0; i < final.inputsLength; i++) {
    const sigs = (arkTx.getInput(i).tapScriptSig ?? []).filter(([d]) => !eq(d.pubKey, operator));
    final.updateInput(i, { tapScriptSig: sigs });
    verifyLeafSigs(final, i, [operator], `signedArkTx.inputs[${i}]`);
  }
  for (let i = 0; i < final.inputsLength; i++) signOperator(final, i, args.operatorSecretKey);
  const arkTxHex = finalizeClone(final, 'INTERNAL_ERROR', 'signedArkTx');
  if (args.maxTxWeight !== undefined) {
    const weight = Transaction.fromRaw(hex.decode(arkTxHex)).weight;
    if (weight > args.maxTxWeight) fail('TX_TOO_LARGE', `ark tx weight is too high: ${weight}`, 'signedArkTx');
  }

  const signedCheckpoints = rebuilt.checkpoints.map((c) => {
    signOperator(c, 0, args.operatorSecretKey);
    return c;
  });
  const pending: PendingOffchainTx = {
    arkTxid,
    finalArkTx: base64.encode(final.toPSBT()),
    checkpoints: signedCheckpoints.map((c, i) => ({ txid: c.id, spends: { txid: inputs[i]!.txid, vout: inputs[i]!.vout }, signedTx: base64.encode(c.toPSBT()) })),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    status: 'accepted',
  };
  return {
    arkTxid,
    finalArkTx: pending.finalArkTx,
    signedCheckpointTxs: pending.checkpoints.map((c) => c.signedTx),
    spent: pending.checkpoints.map((c) => c.spends),
    created: createdVtxos(pending),
    pending,
  };
}

/**
 * Accepts the user-signed checkpoints of a pending Ark tx. Each must be one the operator signed
 * (same txid); only the signatures are taken from it, merged onto the operator's own copy, and
 * every key of each checkpoint's leaf — the user's and the operator's — must have signed validly,
 * so the checkpoints finalize. Returns the pending state marked final.
 */
export function finalizeOffchainTx(
  pending: PendingOffchainTx,
  finalCheckpointTxs: string[],
  opts: { /** arkd re-checks at finalize that no input was unrolled meanwhile. */ isUnrolled?(o: Outpoint): boolean } = {},
): FinalizeOffchainTxResult {
  for (const c of pending.checkpoints)
    if (opts.isUnrolled?.(c.spends)) fail('VTXO_ALREADY_UNROLLED', `${outpointKey(c.spends)} already unrolled`, 'finalCheckpointTxs');
  if (finalCheckpointTxs.length !== pending.checkpoints.length)
    fail('CHECKPOINT_MISMATCH', `expected ${pending.checkpoints.length} checkpoint txs, got ${finalCheckpointTxs.length}`, 'finalCheckpointTxs');
  const submitted = new Map<string, { tx: Transaction; field: string }>();
  finalCheckpointTxs.forEach((b64, i) => {
    const field = `finalCheckpointTxs[${i}]`;
    const tx = parsePsbt(b64, 'INVALID_CHECKPOINT_PSBT', field);
    if (submitted.has(tx.id)) fail('INVALID_CHECKPOINT_PSBT', `duplicated checkpoint tx ${tx.id}`, field);
    if (!pending.checkpoints.some((c) => c.txid === tx.id)) fail('CHECKPOINT_MISMATCH', `checkpoint ${tx.id} is not one of ark tx ${pending.arkTxid}`, field);
    submitted.set(tx.id, { tx, field });
  });

  const arkTx = Transaction.fromPSBT(base64.decode(pending.finalArkTx));
  const finals: string[] = [];
  const raws: string[] = [];
  pending.checkpoints.forEach((c, i) => {
    const { tx: theirs, field } = submitted.get(c.txid)!;
    const ours = Transaction.fromPSBT(base64.decode(c.signedTx));
    const have = (ours.getInput(0).tapScriptSig ?? []).map(([d]) => hex.encode(d.pubKey));
    const added = (theirs.getInput(0).tapScriptSig ?? []).filter(([d]) => !have.includes(hex.encode(d.pubKey)));
    if (added.length) ours.updateInput(0, { tapScriptSig: added });
    verifyLeafSigs(ours, 0, [], field);

    // arkd keeps the checkpoint output's taptree (from the Ark tx input) for the sweeper.
    const taptree = getArkPsbtFields(arkTx, i, VtxoTaprootTree)[0];
    if (taptree) {
      if (!eq(VtxoScript.decode(taptree).pkScript, ours.getOutput(0).script!))
        fail('INVALID_PSBT_INPUT', `invalid output script of checkpoint ${c.txid}`, field);
      ours.updateOutput(0, { tapTree: TapTreeCoder.decode(taptree) });
    }
    raws.push(finalizeClone(ours, 'INVALID_SIGNATURE', field));
    finals.push(base64.encode(ours.toPSBT()));
  });

  return {
    pending: { ...pending, status: 'finalized', finalCheckpointTxs: finals },
    finalCheckpointTxs: finals,
    checkpointTxsHex: raws,
    arkTxHex: finalizeClone(arkTx, 'INTERNAL_ERROR', 'finalArkTx'),
  };
}

/** arkd's PendingTx view of a pending Ark tx (GetPendingTx). */
export function pendingTxView(pending: PendingOffchainTx): { arkTxid: string; finalArkTx: string; signedCheckpointTxs: string[] } {
  return { arkTxid: pending.arkTxid, finalArkTx: pending.finalArkTx, signedCheckpointTxs: pending.checkpoints.map((c) => c.signedTx) };
}

function signOperator(tx: Transaction, idx: number, sk: Uint8Array): void {
  try {
    if (!tx.signIdx(sk, idx, [SigHash.DEFAULT])) throw new Error('not signed');
  } catch (e) {
    fail('INTERNAL_ERROR', `operator failed to sign input ${idx} of ${tx.id}: ${(e as Error).message}`, undefined, 500);
  }
}

function finalizeClone(tx: Transaction, code: string, field: string): string {
  const c = tx.clone();
  try {
    c.finalize();
    return hex.encode(c.extract());
  } catch (e) {
    return fail(code, `tx ${tx.id} does not finalize: ${(e as Error).message}`, field, code === 'INTERNAL_ERROR' ? 500 : 400);
  }
}

function pubXOnly(sk: Uint8Array): Uint8Array {
  return schnorr.getPublicKey(sk);
}
