import { Transaction, SigHash, DEFAULT_SEQUENCE } from '@scure/btc-signer';
import {
  decodeTapscript,
  scriptFromTapLeafScript,
  CLTVMultisigTapscript,
  CSVMultisigTapscript,
  ConditionCSVMultisigTapscript,
  ConditionMultisigTapscript,
  timelockToSequence,
  P2A,
  type TapLeafScript,
} from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { HashPerpError } from '../units/errors.js';
import { InvalidArgumentError } from '../units/errors.js';
import { parseCltvCondition } from './timelocks.js';
import type { KeyPair } from './keys.js';

/**
 * Virtual transactions (tree nodes, checkpoints, Ark txs) have arkd's shape: version 3 (TRUC, BIP-431)
 * with a zero-value pay-to-anchor output and no fee. They reach the chain only as a package with a
 * fee-paying child that spends the anchor (anchor-cpfp.ts), so their txids never depend on fee rates.
 */
export const VIRTUAL_TX_VERSION = 3;

/** Ordinary on-chain spends of a leaf (claims, sweeps) pay their own fee, as the SDK's final claim tx does. */
export const LEAF_SPEND_VERSION = 2;

export const TX_OPTS = { allowUnknownInputs: true, allowUnknownOutputs: true, allowLegacyWitnessUtxo: false } as const;

export function newVirtualTx(lockTime = 0): Transaction {
  return new Transaction({ ...TX_OPTS, version: VIRTUAL_TX_VERSION, lockTime });
}

export function addAnchor(tx: Transaction): void {
  tx.addOutput(P2A);
}

/** Timelocks a leaf needs on the spending transaction: nLockTime for CLTV, nSequence for CSV. */
export function leafTimelocks(leaf: TapLeafScript): { lockTime: number; sequence: number | undefined } {
  const t = decodeTapscript(scriptFromTapLeafScript(leaf));
  let lockTime = 0;
  let sequence: number | undefined;
  if (CLTVMultisigTapscript.is(t)) lockTime = Number(t.params.absoluteTimelock);
  if (ConditionCSVMultisigTapscript.is(t) || ConditionMultisigTapscript.is(t)) {
    const c = parseCltvCondition(t.params.conditionScript);
    if (c !== undefined) lockTime = Number(c);
  }
  if (CSVMultisigTapscript.is(t) || ConditionCSVMultisigTapscript.is(t)) sequence = timelockToSequence(t.params.timelock);
  if (lockTime > 0 && sequence === undefined) sequence = DEFAULT_SEQUENCE - 1;
  return { lockTime, sequence };
}

export interface LeafInput {
  txid: string;
  vout: number;
  amount: bigint;
  pkScript: Uint8Array;
  leaf: TapLeafScript;
}

export function addLeafInput(tx: Transaction, inp: LeafInput): number {
  const { sequence } = leafTimelocks(inp.leaf);
  tx.addInput({
    txid: inp.txid,
    index: inp.vout,
    witnessUtxo: { script: inp.pkScript, amount: inp.amount },
    tapLeafScript: [inp.leaf],
    ...(sequence !== undefined ? { sequence } : {}),
  });
  return tx.inputsLength - 1;
}

/**
 * One transaction spending one leaf to one output, with the locktime/sequence the leaf asks for. The
 * fee is the input amount less `to.amount`; no anchor, so it relays alone.
 */
export function buildLeafSpend(inp: LeafInput, to: { script: Uint8Array; amount: bigint }): Transaction {
  if (to.amount <= 0n) throw new InvalidArgumentError('amount', 'output amount must be positive');
  if (to.amount > inp.amount) throw new InvalidArgumentError('amount', `output ${to.amount} exceeds the leaf's ${inp.amount}`);
  const { lockTime } = leafTimelocks(inp.leaf);
  const tx = new Transaction({ ...TX_OPTS, version: LEAF_SPEND_VERSION, lockTime });
  addLeafInput(tx, inp);
  tx.addOutput(to);
  return tx;
}

/** Schnorr-signs input idx for each key that appears in its leaf (BIP-342 SIGHASH_DEFAULT). */
export function signLeafInput(tx: Transaction, idx: number, keys: KeyPair[]): void {
  for (const k of keys) tx.signIdx(k.secretKey, idx, [SigHash.DEFAULT]);
}

export function finalizeHex(tx: Transaction): string {
  tx.finalize();
  return hex.encode(tx.extract());
}

/**
 * Checks that input idx carries a valid BIP-340 signature (SIGHASH_DEFAULT) from every key of the
 * leaf it spends, so a co-signer never finalizes a witness that cannot satisfy the script.
 */
export function assertLeafFullySigned(tx: Transaction, idx: number): void {
  const input = tx.getInput(idx);
  const leaf = input.tapLeafScript?.[0];
  if (!leaf) throw new HashPerpError('not_a_leaf_spend', `input ${idx} spends no tapscript leaf`, { field: `inputs[${idx}]` });
  const script = scriptFromTapLeafScript(leaf as TapLeafScript);
  const version = leaf[1][leaf[1].length - 1]!;
  const params = decodeTapscript(script).params as { pubkeys: Uint8Array[] };
  const prevs = Array.from({ length: tx.inputsLength }, (_, i) => tx.getInput(i).witnessUtxo!);
  const msg = tx.preimageWitnessV1(idx, prevs.map((p) => p.script), SigHash.DEFAULT, prevs.map((p) => p.amount), undefined, script, version);
  const lh = hex.encode(tapLeafHash(script, version));
  for (const k of params.pubkeys) {
    const entry = (input.tapScriptSig ?? []).find(([d]) => hex.encode(d.pubKey) === hex.encode(k) && hex.encode(d.leafHash) === lh);
    if (!entry || entry[1].length !== 64 || !schnorr.verify(entry[1], msg, k)) {
      throw new HashPerpError('missing_signature', `input ${idx}: no valid signature from ${hex.encode(k)}`, { field: `inputs[${idx}]` });
    }
  }
}
