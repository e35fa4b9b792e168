/**
 * Connectors and forfeit transactions, as arkd handles them (tx-builder VerifyForfeitTxs, live-store
 * forfeits Init/Sign/Pop, pkg/ark-lib/tree/forfeit_tx.go) and as the stock wallet builds them
 * (Wallet.handleSettlementFinalizationEvent → the SDK's buildForfeitTx): v3, inputs [VTXO, connector],
 * outputs [forfeit output = sum of inputs, P2A anchor], locktime 0, sequences final.
 *
 * The wallet picks its connectors itself (in the order it sees the connector leaves), so the operator
 * accepts any connector leaf of the batch, and refuses a connector used twice.
 */
import { Transaction, buildForfeitTx, MultisigTapscript, decodeTapscript } from '@arkade-os/sdk';
import { SigHash, TaprootControlBlock, p2tr } from '@scure/btc-signer';
import { equalBytes, pubSchnorr } from '@scure/btc-signer/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { base64, hex } from '@scure/base';
import { ArkRequestError } from './ports.js';
import { InvalidArgumentError } from '../../units/errors.js';
import {
  TapscriptSigError,
  leafCommitsTo,
  leafHashOf,
  leafScript,
  verifyLeafSigs,
  type Prevout,
  type TapLeafScript,
} from './tapscript-sigs.js';

export interface Outpoint {
  txid: string;
  vout: number;
}

export interface ForfeitVtxo extends Outpoint {
  amount: bigint;
  pkScript: Uint8Array;
  /** The collaborative leaf the owner signs (the SDK's forfeitTapLeafScript). */
  forfeitLeaf: TapLeafScript;
}

export interface ConnectorPrevout extends Outpoint {
  amount: bigint;
  pkScript: Uint8Array;
}

/** A connector-tree leaf as arkd's tree.Leaf: one connector output and its MuSig2 cosigner. */
export interface ConnectorLeafSpec {
  outputs: { script: Uint8Array; amount: bigint }[];
  /** Compressed hex keys. */
  cosigners: string[];
}

/**
 * arkd's connectorsIndex (live-store forfeits Init): connector leaf i is reserved for the i-th VTXO
 * that needs a forfeit, and its subtree is streamed only to that VTXO's topic.
 */
export function assignConnectors(connectorOutpoints: string[], forfeitableVtxos: string[]): Map<string, string> {
  if (forfeitableVtxos.length > connectorOutpoints.length) {
    throw new InvalidArgumentError('connectorOutpoints', `more vtxos to sign than connectors, ${forfeitableVtxos.length} > ${connectorOutpoints.length}`);
  }
  return new Map(forfeitableVtxos.map((v, i) => [connectorOutpoints[i]!, v]));
}

/** arkd's Vtxo.RequiresForfeit: swept, expired, note and unrolled VTXOs need no connector. */
export function requiresForfeit(v: { swept?: boolean; expired?: boolean; note?: boolean; unrolled?: boolean }): boolean {
  return !v.swept && !v.expired && !v.note && !v.unrolled;
}

/**
 * arkd's BuildCommitmentTx connector leaves: one per VTXO that needs a forfeit, each paying `dust`
 * to the operator's connector script (a P2TR key-path output), cosigned by that output's key.
 */
export function connectorLeaves(count: number, connectorPkScript: Uint8Array, dust: bigint): ConnectorLeafSpec[] {
  if (!Number.isSafeInteger(count) || count < 0) throw new InvalidArgumentError('count', `expected a non-negative integer, got ${count}`);
  if (connectorPkScript.length !== 34 || connectorPkScript[0] !== 0x51 || connectorPkScript[1] !== 0x20) {
    throw new InvalidArgumentError('connectorPkScript', 'arkd needs a taproot connector script to build the connector tree');
  }
  if (dust <= 0n) throw new InvalidArgumentError('dust', 'must be positive');
  // btcec's SerializeCompressed of a key parsed from x-only bytes: even Y, prefix 02.
  const cosigner = `02${hex.encode(connectorPkScript.subarray(2))}`;
  return Array.from({ length: count }, () => ({ outputs: [{ script: connectorPkScript, amount: dust }], cosigners: [cosigner] }));
}

/** The forfeit tx exactly as the stock wallet builds it for this VTXO and connector. */
export function expectedForfeitTx(vtxo: ForfeitVtxo, connector: ConnectorPrevout, forfeitOutputScript: Uint8Array): Transaction {
  return buildForfeitTx(
    [
      {
        txid: hex.decode(vtxo.txid),
        index: vtxo.vout,
        witnessUtxo: { amount: vtxo.amount, script: vtxo.pkScript },
        sighashType: SigHash.DEFAULT,
        tapLeafScript: [vtxo.forfeitLeaf],
      },
      {
        txid: hex.decode(connector.txid),
        index: connector.vout,
        witnessUtxo: { amount: connector.amount, script: connector.pkScript },
      },
    ],
    forfeitOutputScript,
  );
}

const forfeitError = (message: string): ArkRequestError => new ArkRequestError('INVALID_FORFEIT_TXS', message, 'signedForfeitTxs');

function decodePsbt(psbt: string | Transaction): Transaction {
  if (typeof psbt !== 'string') return psbt;
  try {
    return Transaction.fromPSBT(base64.decode(psbt));
  } catch (e) {
    throw forfeitError(`forfeit tx is not a PSBT: ${(e as Error).message}`);
  }
}

function prevoutsOf(tx: Transaction): Prevout[] {
  const out: Prevout[] = [];
  for (let i = 0; i < tx.inputsLength; i++) {
    const w = tx.getInput(i).witnessUtxo;
    if (!w) throw forfeitError(`expected forfeit tx input ${i} lacks witnessUtxo`);
    out.push({ amount: w.amount, script: w.script });
  }
  return out;
}

export interface VerifiedForfeit {
  /** The user's PSBT with only the VTXO leaf and the user's signatures kept. */
  tx: Transaction;
  vtxoInputIndex: number;
  connectorInputIndex: number;
}

/**
 * The user's signed forfeit against the expected one: same unsigned tx (txid), the VTXO input spent
 * through a collaborative leaf that names the operator and commits to the VTXO's script, and every
 * non-operator key of that leaf signed, valid over the expected prevouts (never the PSBT's own).
 */
export function verifySignedForfeit(psbt: string | Transaction, expected: Transaction, opts: { operatorXOnly: Uint8Array }): VerifiedForfeit {
  const tx = decodePsbt(psbt);
  if (tx.id !== expected.id) throw forfeitError(`invalid forfeit tx: expected txid ${expected.id}, got ${tx.id}`);
  const prevouts = prevoutsOf(expected);
  // The VTXO input is the one the expected tx spends through a leaf; the other is the connector.
  const vtxoIdx = [0, 1].find((i) => (expected.getInput(i).tapLeafScript ?? []).length > 0);
  if (vtxoIdx === undefined || expected.inputsLength !== 2) throw new InvalidArgumentError('expected', 'not a forfeit tx built by expectedForfeitTx');
  const connectorIdx = 1 - vtxoIdx;
  const u = tx.getInput(vtxoIdx);
  const sigs = u.tapScriptSig ?? [];
  if (sigs.length === 0) throw forfeitError('missing taproot script spend sig for vtxo input, invalid forfeit tx');
  const hashes = new Set(sigs.map(([d]) => hex.encode(d.leafHash)));
  if (hashes.size !== 1) throw forfeitError('vtxo input signatures on several leaves');
  const leaf = (u.tapLeafScript ?? []).find((l) => hex.encode(leafHashOf(l)) === [...hashes][0]);
  if (!leaf) throw forfeitError('missing taproot leaf script for vtxo input, invalid forfeit tx');
  let t;
  try {
    t = decodeTapscript(leafScript(leaf).script);
  } catch {
    throw forfeitError('invalid forfeit closure script');
  }
  // arkd also takes CLTV and condition forfeit closures; the stock wallet's settlement never signs them.
  if (!MultisigTapscript.is(t)) throw forfeitError(`forfeit closure ${t.type} not supported`);
  if (!t.params.pubkeys.some((k: Uint8Array) => equalBytes(k, opts.operatorXOnly))) throw forfeitError('forfeit closure does not name the operator');
  try {
    verifyLeafSigs(tx, vtxoIdx, prevouts, leaf, sigs, { skip: [opts.operatorXOnly] });
  } catch (e) {
    if (e instanceof TapscriptSigError) throw forfeitError(`invalid forfeit signature: ${e.message}`);
    throw e;
  }
  const cIn = tx.getInput(connectorIdx);
  if (cIn.tapKeySig || cIn.tapScriptSig?.length || cIn.finalScriptWitness) throw forfeitError('the connector input must be left unsigned');
  // Keep only what was verified: the expected PSBT plus the user's leaf and signatures.
  const clean = expected.clone();
  clean.updateInput(vtxoIdx, { tapLeafScript: undefined, tapScriptSig: undefined });
  clean.updateInput(vtxoIdx, { tapLeafScript: [leaf], tapScriptSig: sigs });
  return { tx: clean, vtxoInputIndex: vtxoIdx, connectorInputIndex: connectorIdx };
}

export interface ForfeitContext {
  /** VTXOs of the batch that need forfeits, by "txid:vout" (amount and script from the VTXO store). */
  vtxos: Map<string, { amount: bigint; pkScript: Uint8Array }>;
  /**
   * Connector outputs of the batch's connector tree leaves, by "txid:vout". `vtxo` is the VTXO the
   * connector was streamed to (arkd's connectorsIndex: leaf i ↔ i-th forfeitable VTXO); when set, no
   * other VTXO may use it, so one user cannot burn another's connector.
   */
  connectors: Map<string, { amount: bigint; pkScript: Uint8Array; vtxo?: string }>;
  forfeitOutputScript: Uint8Array;
  operatorXOnly: Uint8Array;
}

/**
 * arkd's VerifyForfeitTxs for one submitted PSBT: find the connector among the batch's connector
 * leaves and the VTXO among the batch's forfeitable VTXOs, rebuild the forfeit as the wallet would,
 * and verify it.
 */
export function matchForfeit(psbt: string | Transaction, ctx: ForfeitContext): VerifiedForfeit & { vtxo: string; connector: string } {
  const tx = decodePsbt(psbt);
  if (tx.inputsLength !== 2) throw forfeitError(`forfeit tx must have 2 inputs, got ${tx.inputsLength}`);
  const keys = [0, 1].map((i) => {
    const inp = tx.getInput(i);
    if (!inp.txid || inp.index === undefined) throw forfeitError(`forfeit input ${i} has no outpoint`);
    return `${hex.encode(inp.txid)}:${inp.index}`;
  });
  const cIdx = keys.findIndex((k) => ctx.connectors.has(k));
  if (cIdx < 0) throw forfeitError('missing connector in forfeit tx');
  const vIdx = 1 - cIdx;
  const vKey = keys[vIdx]!;
  const cKey = keys[cIdx]!;
  const v = ctx.vtxos.get(vKey);
  if (!v) throw forfeitError(`missing vtxo ${vKey}`);
  if (vIdx !== 0) throw forfeitError('the stock wallet puts the VTXO input first');
  const c = ctx.connectors.get(cKey)!;
  if (c.vtxo !== undefined && c.vtxo !== vKey) throw forfeitError(`connector ${cKey} belongs to vtxo ${c.vtxo}, not ${vKey}`);
  const leaf = tx.getInput(vIdx).tapLeafScript?.[0];
  if (!leaf) throw forfeitError('missing taproot leaf script for vtxo input, invalid forfeit tx');
  const [vt, vv] = vKey.split(':') as [string, string];
  const [ct, cv] = cKey.split(':') as [string, string];
  const expected = expectedForfeitTx(
    { txid: vt, vout: Number(vv), amount: v.amount, pkScript: v.pkScript, forfeitLeaf: leaf },
    { txid: ct, vout: Number(cv), amount: c.amount, pkScript: c.pkScript },
    ctx.forfeitOutputScript,
  );
  return { ...verifySignedForfeit(tx, expected, { operatorXOnly: ctx.operatorXOnly }), vtxo: vKey, connector: cKey };
}

/**
 * arkd's SubmitForfeitTxs + Pop: verifies every submitted forfeit, keeps one per VTXO, and refuses a
 * connector spent by two forfeits. Returns the forfeits by VTXO; `missing` lists VTXOs still unsigned.
 */
export function collectForfeits(
  psbts: (string | Transaction)[],
  ctx: ForfeitContext,
  already: Map<string, VerifiedForfeit & { vtxo: string; connector: string }> = new Map(),
): { forfeits: Map<string, VerifiedForfeit & { vtxo: string; connector: string }>; missing: string[] } {
  const forfeits = new Map(already);
  for (const p of psbts) {
    const f = matchForfeit(p, ctx);
    if (forfeits.has(f.vtxo)) continue;
    forfeits.set(f.vtxo, f);
  }
  const used = new Map<string, string>();
  for (const f of forfeits.values()) {
    const other = used.get(f.connector);
    if (other) throw forfeitError(`connector ${f.connector} for vtxo ${f.vtxo} is used more than once (also by ${other})`);
    used.set(f.connector, f.vtxo);
  }
  return { forfeits, missing: [...ctx.vtxos.keys()].filter((k) => !forfeits.has(k)) };
}

/**
 * The operator's part: its signature on the VTXO leaf and the connector's key-path signature (the
 * connector output is p2tr(connectorKey), no script tree). Returns a new, fully signed PSBT.
 */
export function cosignForfeit(forfeit: VerifiedForfeit | Transaction, operatorKey: Uint8Array, connectorKey: Uint8Array): Transaction {
  const tx = (forfeit instanceof Transaction ? forfeit : forfeit.tx).clone();
  const vIdx = [0, 1].find((i) => (tx.getInput(i).tapLeafScript ?? []).length > 0);
  if (vIdx === undefined) throw new InvalidArgumentError('forfeit', 'no VTXO input with a leaf');
  const cIdx = 1 - vIdx;
  const connectorXOnly = pubSchnorr(connectorKey);
  const cScript = tx.getInput(cIdx).witnessUtxo?.script;
  if (!cScript || !equalBytes(cScript, p2tr(connectorXOnly).script)) throw new InvalidArgumentError('connectorKey', 'the connector input is not p2tr(connectorKey)');
  const sign = (key: Uint8Array, idx: number, field: string, what: string) => {
    let ok = false;
    try {
      ok = tx.signIdx(key, idx, [SigHash.DEFAULT]);
    } catch {
      ok = false;
    }
    if (!ok) throw new InvalidArgumentError(field, what);
  };
  sign(operatorKey, vIdx, 'operatorKey', 'not a key of the VTXO forfeit leaf');
  tx.updateInput(cIdx, { tapInternalKey: connectorXOnly });
  sign(connectorKey, cIdx, 'connectorKey', 'could not sign the connector input');
  return tx;
}

/**
 * Finalizes a fully signed forfeit and checks every witness signature against `prevouts` (the VTXO
 * and the connector output), as a node would once the connector output exists: the key-path
 * signature under the output key, the script-path signatures in the order the leaf consumes them.
 */
export function finalizeForfeit(signed: Transaction, prevouts: Prevout[]): Transaction {
  const tx = signed.clone();
  try {
    tx.finalize();
  } catch (e) {
    throw new InvalidArgumentError('signed', `forfeit does not finalize: ${(e as Error).message}`);
  }
  const scripts = prevouts.map((p) => p.script);
  const amounts = prevouts.map((p) => p.amount);
  for (let i = 0; i < tx.inputsLength; i++) {
    const w = tx.getInput(i).finalScriptWitness;
    if (!w) throw new InvalidArgumentError('signed', `input ${i} did not finalize`);
    const sighashOf = (sig: Uint8Array) => (sig.length === 65 ? sig[64]! : SigHash.DEFAULT);
    if (w.length === 1) {
      const sig = w[0]!;
      const msg = tx.preimageWitnessV1(i, scripts, sighashOf(sig), amounts);
      if (!schnorr.verify(sig.subarray(0, 64), msg, prevouts[i]!.script.subarray(2))) throw new InvalidArgumentError('signed', `input ${i}: invalid key-path signature`);
      continue;
    }
    const script = w[w.length - 2]!;
    const cbBytes = w[w.length - 1]!;
    const cb = TaprootControlBlock.decode(cbBytes);
    const leaf: TapLeafScript = [cb, new Uint8Array([...script, cb.version & 0xfe])];
    if (!leafCommitsTo(leaf, prevouts[i]!.script)) throw new InvalidArgumentError('signed', `input ${i}: control block does not commit to the prevout`);
    const t = decodeTapscript(script);
    if (!MultisigTapscript.is(t)) throw new InvalidArgumentError('signed', `input ${i}: unexpected leaf ${t.type}`);
    const keys = t.params.pubkeys;
    const sigs = w.slice(0, w.length - 2);
    if (sigs.length !== keys.length) throw new InvalidArgumentError('signed', `input ${i}: ${sigs.length} signatures for ${keys.length} keys`);
    // The first key's CHECKSIG(VERIFY) pops the top of the stack: the last signature item.
    keys.forEach((k: Uint8Array, j: number) => {
      const sig = sigs[sigs.length - 1 - j]!;
      const msg = tx.preimageWitnessV1(i, scripts, sighashOf(sig), amounts, undefined, script, cb.version & 0xfe);
      if (!schnorr.verify(sig.subarray(0, 64), msg, k)) throw new InvalidArgumentError('signed', `input ${i}: invalid signature for key ${hex.encode(k)}`);
    });
  }
  return tx;
}
