/**
 * The commitment transaction in arkd's shape (internal/infrastructure/tx-builder/covenantless
 * createCommitmentTx): version 2, locktime 0, every sequence final; the operator's wallet inputs
 * first, then the boarding inputs (each with witnessUtxo and the leaf the wallet will sign);
 * output 0 the batch (VTXO tree) output, output 1 the connector output, then the onchain outputs,
 * then change. Coin selection stays with the caller: a shortfall is reported, not guessed.
 */
import { Transaction, VtxoScript, TxWeightEstimator } from '@arkade-os/sdk';
import { OutScript, SigHash } from '@scure/btc-signer';
import { equalBytes, pubSchnorr } from '@scure/btc-signer/utils.js';
import { base64, hex } from '@scure/base';
import { ArkRequestError } from './ports.js';
import { HashPerpError, InvalidArgumentError } from '../../units/errors.js';
import {
  TapscriptSigError,
  claimedPrevouts,
  leafHashOf,
  leafScript,
  leafSigners,
  verifyLeafSigs,
  type Prevout,
  type TapLeafScript,
  type TapScriptSig,
} from './tapscript-sigs.js';

export interface CommitmentInput {
  txid: string;
  vout: number;
  amount: bigint;
  pkScript: Uint8Array;
}

export interface BoardingCommitmentInput extends CommitmentInput {
  /** The leaf put on the PSBT input; default: the biggest leaf of `tapTree`, as arkd does. */
  tapLeafScript?: TapLeafScript;
  /** Encoded TapTree of the boarding script (the intent's taptree field). */
  tapTree?: Uint8Array;
}

export interface TxOut {
  script: Uint8Array;
  amount: bigint;
}

export interface CommitmentTxParams {
  boardingInputs: BoardingCommitmentInput[];
  walletInputs: CommitmentInput[];
  batchOutput: TxOut | null;
  connectorOutput: TxOut | null;
  onchainOutputs: TxOut[];
  changeScript: Uint8Array;
  /** sat/vB. */
  feeRate: bigint | number;
  /** Change at or below this goes to the fee (arkd: the wallet's dust amount). Default 330. */
  dust?: bigint;
}

export interface BuiltCommitmentTx {
  tx: Transaction;
  fee: bigint;
  /** The estimate the fee was computed from (an upper bound of the signed tx's vsize). */
  vsize: bigint;
  /** 0n when there is no change output. */
  change: bigint;
  /** Input index of each boarding input, in the order given. */
  boardingInputIndexes: number[];
  /** Where the onchain outputs ended up, in the order given. */
  onchainOutputIndexes: number[];
}

/** The inputs do not pay for the outputs and the fee; `shortfall` more sats of wallet inputs are needed. */
export class CommitmentFundingError extends HashPerpError {
  constructor(readonly shortfall: bigint) {
    super('commitment_underfunded', `commitment tx inputs are ${shortfall} sats short of outputs plus fee`, { field: 'walletInputs' });
    this.name = 'CommitmentFundingError';
  }
}

const FINAL_SEQUENCE = 0xffffffff;

function argError(field: string, message: string): Error {
  return new InvalidArgumentError(field, message);
}

/** arkd's BiggestLeafMerkleProof: the leaf with the largest script + control block, for fee estimation. */
function biggestLeaf(leaves: TapLeafScript[]): TapLeafScript {
  let best = leaves[0]!;
  const size = (l: TapLeafScript) => 33 + 32 * l[0].merklePath.length + l[1].length - 1;
  for (const l of leaves) if (size(l) > size(best)) best = l;
  return best;
}

function boardingLeaves(b: BoardingCommitmentInput, field: string): { leaf: TapLeafScript; all: TapLeafScript[] } {
  if (b.tapTree) {
    const vs = VtxoScript.decode(b.tapTree);
    if (!equalBytes(vs.pkScript, b.pkScript)) throw argError(field, 'tapTree does not commit to pkScript');
    const leaf = b.tapLeafScript ?? biggestLeaf(vs.leaves);
    return { leaf, all: vs.leaves };
  }
  if (!b.tapLeafScript) throw argError(field, 'a boarding input needs tapTree or tapLeafScript');
  return { leaf: b.tapLeafScript, all: [b.tapLeafScript] };
}

function leafWitnessBytes(l: TapLeafScript): { sigs: number; script: number; cb: number } {
  let sigs = 1;
  try {
    sigs = leafSigners(leafScript(l).script).length;
  } catch {
    // an unknown leaf: count one signature; the caller's script rules refuse such inputs anyway
  }
  return { sigs: sigs * (1 + 65), script: leafScript(l).script.length, cb: 32 * l[0].merklePath.length };
}

function walletInputType(s: Uint8Array): 'tr' | 'wpkh' {
  let t: string;
  try {
    t = OutScript.decode(s).type;
  } catch {
    t = 'unknown';
  }
  if (t === 'tr' || t === 'wpkh') return t;
  throw argError('walletInputs', `unsupported wallet input script ${hex.encode(s)} (P2TR key path or P2WPKH only)`);
}

function feeFor(vsize: bigint, feeRate: bigint | number): bigint {
  if (typeof feeRate === 'bigint') {
    if (feeRate < 0n) throw argError('feeRate', 'must be ≥ 0');
    return feeRate * vsize;
  }
  if (!Number.isFinite(feeRate) || feeRate < 0) throw argError('feeRate', `must be a finite number ≥ 0, got ${feeRate}`);
  // Round up in milli-sats so a fractional rate never pays below itself.
  const milli = BigInt(Math.ceil(feeRate * 1000));
  return (milli * vsize + 999n) / 1000n;
}

export function buildCommitmentTx(p: CommitmentTxParams): BuiltCommitmentTx {
  const dust = p.dust ?? 330n;
  const seen = new Set<string>();
  for (const [i, inp] of [...p.walletInputs, ...p.boardingInputs].entries()) {
    const key = `${inp.txid}:${inp.vout}`;
    if (seen.has(key)) throw argError(`inputs[${i}]`, `duplicate input ${key}`);
    seen.add(key);
    if (inp.amount <= 0n) throw argError(`inputs[${i}]`, 'amount must be positive');
    if (!/^[0-9a-f]{64}$/.test(inp.txid)) throw argError(`inputs[${i}]`, 'txid must be 64 lowercase hex characters');
  }
  if (seen.size === 0) throw argError('inputs', 'a commitment tx needs inputs');
  for (const [name, o] of [['batchOutput', p.batchOutput], ['connectorOutput', p.connectorOutput]] as const) {
    if (o && o.amount <= 0n) throw argError(name, 'amount must be positive');
  }
  for (const [i, o] of p.onchainOutputs.entries()) if (o.amount <= 0n) throw argError(`onchainOutputs[${i}]`, 'amount must be positive');

  // Output order, as arkd: batch at 0; the connector at 1 even without a batch (then the first
  // onchain output takes index 0); the other onchain outputs; change last.
  const outputs: TxOut[] = [];
  const onchainIdx: number[] = [];
  let onchain = p.onchainOutputs.map((o, i) => ({ o, i }));
  if (p.batchOutput) outputs.push(p.batchOutput);
  if (p.connectorOutput) {
    if (outputs.length === 0) {
      const first = onchain[0];
      if (!first) throw argError('connectorOutput', 'a connector output needs a batch output or an onchain output before it');
      outputs.push(first.o);
      onchainIdx[first.i] = 0;
      onchain = onchain.slice(1);
    }
    outputs.push(p.connectorOutput);
  }
  for (const { o, i } of onchain) {
    onchainIdx[i] = outputs.length;
    outputs.push(o);
  }
  if (outputs.length === 0) throw argError('outputs', 'a commitment tx needs a batch output or onchain outputs');

  const boarding = p.boardingInputs.map((b, i) => ({ b, ...boardingLeaves(b, `boardingInputs[${i}]`) }));

  const estimate = (withChange: boolean): bigint => {
    const est = TxWeightEstimator.create();
    for (const w of p.walletInputs) {
      if (walletInputType(w.pkScript) === 'tr') est.addKeySpendInput(true);
      else {
        // P2WPKH: 41 bytes outside the witness; witness = count + sig (≤73) + pubkey (33).
        est.inputCount++;
        est.inputSize += TxWeightEstimator.INPUT_SIZE;
        est.inputWitnessSize += 1 + 1 + 73 + 1 + 33;
        est.hasWitness = true;
      }
    }
    for (const { all } of boarding) {
      // The wallet may sign any leaf it holds; budget for the heaviest.
      const w = all.map(leafWitnessBytes).reduce((a, b) => (a.sigs + a.script + a.cb >= b.sigs + b.script + b.cb ? a : b));
      est.addTapscriptInput(w.sigs, w.script, w.cb);
    }
    for (const o of outputs) est.addOutputScript(o.script);
    if (withChange) est.addOutputScript(p.changeScript);
    return est.vsize().value;
  };

  const sumIn = [...p.walletInputs, ...p.boardingInputs].reduce((a, i) => a + i.amount, 0n);
  const sumOut = outputs.reduce((a, o) => a + o.amount, 0n);
  const vsizeChange = estimate(true);
  const feeChange = feeFor(vsizeChange, p.feeRate);
  let change = sumIn - sumOut - feeChange;
  let vsize = vsizeChange;
  let fee = feeChange;
  if (change <= dust) {
    vsize = estimate(false);
    const feeNoChange = feeFor(vsize, p.feeRate);
    if (sumIn - sumOut < feeNoChange) throw new CommitmentFundingError(sumOut + feeNoChange - sumIn);
    change = 0n;
    fee = sumIn - sumOut;
  }

  const tx = new Transaction({ version: 2, lockTime: 0 });
  for (const w of p.walletInputs) {
    tx.addInput({ txid: hex.decode(w.txid), index: w.vout, sequence: FINAL_SEQUENCE, witnessUtxo: { script: w.pkScript, amount: w.amount } });
  }
  const boardingInputIndexes: number[] = [];
  for (const { b, leaf } of boarding) {
    boardingInputIndexes.push(tx.inputsLength);
    tx.addInput({
      txid: hex.decode(b.txid),
      index: b.vout,
      sequence: FINAL_SEQUENCE,
      witnessUtxo: { script: b.pkScript, amount: b.amount },
      tapLeafScript: [leaf],
    });
  }
  for (const o of outputs) tx.addOutput({ script: o.script, amount: o.amount });
  if (change > 0n) tx.addOutput({ script: p.changeScript, amount: change });

  return { tx, fee, vsize, change, boardingInputIndexes, onchainOutputIndexes: onchainIdx };
}

export interface MergeOptions {
  /** "txid:vout" of the boarding inputs the submitting user registered. */
  owned: Iterable<string>;
  /** The operator's signer key: the user's leaf must be collaborative (name it), and its signature is added later. */
  operatorXOnly: Uint8Array;
  /**
   * Write the signatures into `base` itself (still only once every check has passed) instead of a
   * copy: a batch session owns its commitment tx, and copying a 100-input PSBT per submission is
   * most of the cost of a 100-boarder batch's merges.
   */
  inPlace?: boolean;
}

export interface MergedCommitment {
  tx: Transaction;
  /** Input indexes that received the user's signatures. */
  signedInputs: number[];
}

const sigError = (message: string): ArkRequestError => new ArkRequestError('INVALID_BOARDING_INPUT_SIG', message, 'signedCommitmentTx');

function sameSigs(a: TapScriptSig[] | undefined, b: TapScriptSig[] | undefined): boolean {
  const enc = (s: TapScriptSig[] | undefined) =>
    (s ?? []).map(([d, sig]) => `${hex.encode(d.pubKey)}/${hex.encode(d.leafHash)}/${hex.encode(sig)}`).sort().join(',');
  return enc(a) === enc(b);
}

/**
 * Strict base64 (canonical alphabet and padding, as scure's decoder wants) through Node's native
 * decoder: every boarder sends the whole commitment PSBT, and scure's pure-JS decoder was a tenth of
 * a 100-boarder batch's merge time.
 */
function decodeBase64(s: string): Uint8Array {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) throw new Error('invalid base64');
  const out = new Uint8Array(Buffer.from(s, 'base64'));
  // non-zero padding bits would decode to the same bytes under another string: refuse, as scure does
  if (Buffer.from(out).toString('base64') !== s) throw new Error('invalid base64 (non-canonical)');
  return out;
}

/**
 * arkd's SignCommitmentTx (VerifyBoardingTapscriptSigs): takes the user's copy of the commitment
 * PSBT and copies onto `base` only the tapscript signatures on boarding inputs the user owns, after
 * checking them over `base`'s prevouts (never the user's). Anything else the user changed refuses
 * the whole submission: a different unsigned tx, or signatures on inputs that are not theirs.
 */
export function mergeSignedBoardingInputs(base: Transaction, signedFromUser: Transaction | string, opts: MergeOptions): MergedCommitment {
  let user: Transaction;
  try {
    user = typeof signedFromUser === 'string' ? Transaction.fromPSBT(decodeBase64(signedFromUser)) : signedFromUser;
  } catch (e) {
    throw sigError(`signed commitment tx is not a PSBT: ${(e as Error).message}`);
  }
  if (user.id !== base.id) throw sigError(`signed commitment tx ${user.id} is not the commitment tx ${base.id}`);
  if (user.inputsLength !== base.inputsLength || user.outputsLength !== base.outputsLength) throw sigError('signed commitment tx has other inputs or outputs');
  const owned = new Set(opts.owned);
  let prevouts: Prevout[];
  try {
    prevouts = claimedPrevouts(base);
  } catch (e) {
    throw new InvalidArgumentError('base', (e as Error).message);
  }
  const updates: { i: number; leaf: TapLeafScript; sigs: TapScriptSig[] }[] = [];
  const signedInputs: number[] = [];
  for (let i = 0; i < base.inputsLength; i++) {
    const b = base.getInput(i);
    const u = user.getInput(i);
    const key = `${hex.encode(b.txid!)}:${b.index}`;
    const sigs = u.tapScriptSig ?? [];
    const isOwned = owned.has(key);
    if (!isOwned) {
      // Other users' copies come from the same unsigned tx: no signatures there, or the ones base already has.
      const foreign = (sigs.length > 0 && !sameSigs(sigs, b.tapScriptSig)) || (u.tapKeySig && !(b.tapKeySig && equalBytes(u.tapKeySig, b.tapKeySig))) || u.finalScriptWitness;
      if (foreign) throw sigError(`input ${i} (${key}) is not one of your boarding inputs`);
      continue;
    }
    if (u.tapKeySig || u.finalScriptWitness) throw sigError(`input ${i} (${key}): only tapscript signatures are accepted`);
    if (sigs.length === 0) continue;
    // The wallet may carry several leaves (the base's and its own forfeit leaf) and signs every leaf
    // with its key, exit leaves included. Only a leaf the operator co-signs can spend at commitment
    // time (exit leaves are CSV-locked), so that one is taken and signatures on others are dropped.
    const signedLeaves = new Set(sigs.map(([d]) => hex.encode(d.leafHash)));
    const candidates: { leaf: TapLeafScript; signers: Uint8Array[] }[] = [];
    for (const l of u.tapLeafScript ?? []) {
      if (!signedLeaves.has(hex.encode(leafHashOf(l)))) continue;
      let signers: Uint8Array[];
      try {
        signers = leafSigners(leafScript(l).script);
      } catch (e) {
        throw sigError(`input ${i} (${key}): ${(e as Error).message}`);
      }
      if (signers.some((k) => equalBytes(k, opts.operatorXOnly))) candidates.push({ leaf: l, signers });
    }
    if (candidates.length === 0) throw sigError(`input ${i} (${key}): no signed leaf names the operator`);
    if (candidates.length > 1) throw sigError(`input ${i} (${key}): signatures on several collaborative leaves`);
    const leaf = candidates[0]!.leaf;
    const lh = leafHashOf(leaf);
    const leafSigs = sigs.filter(([d]) => equalBytes(d.leafHash, lh));
    try {
      verifyLeafSigs(base, i, prevouts, leaf, leafSigs, { skip: [opts.operatorXOnly] });
    } catch (e) {
      if (e instanceof TapscriptSigError) throw sigError(`failed to verify boarding tapscript sigs: ${e.message}`);
      throw e;
    }
    // Other inputs may already carry signatures (scure then guards every field): this input's own
    // leaf and signatures are replaced knowingly.
    updates.push({ i, leaf, sigs: leafSigs });
    signedInputs.push(i);
  }
  if (signedInputs.length === 0) throw sigError('no signed inputs found');
  const out = opts.inPlace ? base : base.clone();
  for (const u of updates) {
    out.updateInput(u.i, { tapLeafScript: undefined, tapScriptSig: undefined }, true);
    out.updateInput(u.i, { tapLeafScript: [u.leaf], tapScriptSig: u.sigs }, true);
  }
  return { tx: out, signedInputs };
}

/** Boarding inputs (by index) that do not yet carry a valid signature of every non-operator key of their leaf. */
export function unsignedBoardingInputs(tx: Transaction, boardingInputIndexes: number[], operatorXOnly: Uint8Array): number[] {
  const prevouts = claimedPrevouts(tx);
  return boardingInputIndexes.filter((i) => {
    const leaves = tx.getInput(i).tapLeafScript ?? [];
    const sigs = tx.getInput(i).tapScriptSig ?? [];
    if (leaves.length !== 1 || sigs.length === 0) return true;
    try {
      verifyLeafSigs(tx, i, prevouts, leaves[0]!, sigs, { skip: [operatorXOnly] });
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * The operator's signature on every boarding input, over the leaf the user signed. Refuses while a
 * user signature is missing: such a commitment tx cannot be broadcast anyway, and the operator's
 * half of a collaborative leaf should exist only for a tx its owner has already approved.
 */
export function cosignBoardingInputs(tx: Transaction, boardingInputIndexes: number[], operatorKey: Uint8Array, opts: { verifiedByMerge?: ReadonlySet<number> } = {}): Transaction {
  const S = pubSchnorr(operatorKey);
  // Inputs whose signatures `mergeSignedBoardingInputs` verified over this very tx (the only way they
  // got here) need only to still carry them; any other input is verified again.
  const merged = opts.verifiedByMerge ?? new Set<number>();
  const rest = boardingInputIndexes.filter((i) => !merged.has(i));
  const Shex = hex.encode(S);
  const gone = boardingInputIndexes.filter((i) => merged.has(i) && !(tx.getInput(i).tapScriptSig ?? []).some(([d]) => hex.encode(d.pubKey) !== Shex));
  const missing = [...gone, ...unsignedBoardingInputs(tx, rest, S)];
  if (missing.length) throw new InvalidArgumentError('tx', `boarding inputs ${missing.join(', ')} lack their owners' signatures`);
  const out = tx.clone();
  for (const i of boardingInputIndexes) {
    let ok = false;
    try {
      ok = out.signIdx(operatorKey, i, [SigHash.DEFAULT]);
    } catch {
      ok = false;
    }
    if (!ok) throw new InvalidArgumentError('operatorKey', `not a key of the leaf signed on boarding input ${i}`);
  }
  return out;
}
