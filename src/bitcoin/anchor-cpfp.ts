import { Transaction } from '@scure/btc-signer';
import { P2A } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import { TX_OPTS, VIRTUAL_TX_VERSION } from './tx.js';

/**
 * CPFP for arkd-shaped virtual transactions: a zero-fee v3 parent with a P2A anchor reaches the
 * mempool only with a child that spends the anchor and pays for both (BIP-431 TRUC + ephemeral
 * anchors, Bitcoin Core >= 29; submitted together with `submitpackage`).
 */

/** A confirmed UTXO that pays the child's fee (an unconfirmed one would be a second unconfirmed ancestor). */
export interface FeeInput {
  txid: string;
  vout: number;
  amount: bigint;
  pkScript: Uint8Array;
  /** P2TR key-path spends sign with this internal key (scure needs it to sign locally). */
  tapInternalKey?: Uint8Array;
}

export interface AnchorChild {
  /** Unsigned except the anchor input (index 0), whose witness is empty. */
  child: Transaction;
  /** Index of the fee input in the child. */
  feeInputIndex: number;
  anchorVout: number;
  fee: bigint;
  parentVsize: number;
  /** The child's vsize once the fee input carries the largest witness of its type. */
  childVsize: number;
}

// BIP-431: a TRUC tx is at most 10,000 vB, a TRUC child of an unconfirmed TRUC parent at most 1,000 vB.
export const TRUC_MAX_VSIZE = 10_000;
export const TRUC_CHILD_MAX_VSIZE = 1_000;
/** Change below this is refused (the SDK's CHILD_DUST_AMOUNT; above every segwit dust limit). */
export const CHILD_MIN_CHANGE = 546n;

const P2A_HEX = hex.encode(P2A.script);

/** Weight from the serialized forms (BIP-141: 3 × stripped size + total size). */
export function txWeight(tx: Transaction): number {
  return 3 * tx.toBytes(true, false).length + tx.toBytes(true, true).length;
}

export const vsizeOf = (weight: number): number => Math.ceil(weight / 4);

/** The raw network hex of a child whose anchor input has an empty witness (scure's extract() refuses a keyless input). */
export function childHex(child: Transaction): string {
  return hex.encode(child.toBytes(true, true));
}

/** Output index of the parent's zero-value P2A anchor. */
export function findAnchorVout(parent: Transaction): number {
  for (let i = 0; i < parent.outputsLength; i++) {
    const o = parent.getOutput(i);
    if (o.script && hex.encode(o.script) === P2A_HEX) {
      if (o.amount !== P2A.amount) throw new HashPerpError('anchor_not_zero', `P2A output ${i} holds ${o.amount} sat, not 0`, { field: 'parent' });
      return i;
    }
  }
  throw new HashPerpError('no_anchor', `transaction ${parent.id} has no pay-to-anchor output`, { field: 'parent' });
}

/** Largest witness (bytes, with its item count) of a single-key segwit spend of `pkScript`. */
function feeWitnessSize(pkScript: Uint8Array): number {
  if (pkScript.length === 34 && pkScript[0] === 0x51 && pkScript[1] === 0x20) return 1 + 1 + 65; // key path, 64 B (65 with a sighash byte)
  if (pkScript.length === 22 && pkScript[0] === 0x00 && pkScript[1] === 0x14) return 1 + 1 + 72 + 1 + 33; // DER sig + pubkey
  throw new InvalidArgumentError('feeInput.pkScript', `fee inputs must be P2TR or P2WPKH, got ${hex.encode(pkScript)}`);
}

/**
 * The v3 child spending `parent`'s anchor plus one fee input, paying `feeRate` (sat/vB) over the
 * whole package: the parent pays nothing, so fee = ceil(feeRate × (parent vsize + child vsize)).
 * Pure: the caller signs input `feeInputIndex` and serializes with childHex.
 */
export function buildAnchorChild(parent: Transaction, feeInput: FeeInput, changeScript: Uint8Array, feeRate: number): AnchorChild {
  if (!(feeRate > 0) || !Number.isFinite(feeRate)) throw new InvalidArgumentError('feeRate', `must be a positive number of sat/vB, got ${feeRate}`);
  if (parent.version !== VIRTUAL_TX_VERSION) throw new InvalidArgumentError('parent', `version ${parent.version}: only a v3 (TRUC) parent can be bumped through its anchor`);
  if (!parent.isFinal) throw new InvalidArgumentError('parent', 'parent must be finalized (its txid and size are fixed)');
  const anchorVout = findAnchorVout(parent);
  const parentVsize = vsizeOf(txWeight(parent));
  if (parentVsize > TRUC_MAX_VSIZE) throw new InvalidArgumentError('parent', `${parentVsize} vB exceeds the TRUC limit ${TRUC_MAX_VSIZE}`);

  const child = new Transaction({ ...TX_OPTS, version: VIRTUAL_TX_VERSION });
  child.addInput({ txid: parent.id, index: anchorVout, witnessUtxo: { script: P2A.script, amount: P2A.amount } });
  child.addInput({
    txid: feeInput.txid,
    index: feeInput.vout,
    witnessUtxo: { script: feeInput.pkScript, amount: feeInput.amount },
    ...(feeInput.tapInternalKey ? { tapInternalKey: feeInput.tapInternalKey } : {}),
  });
  // Placeholder amount: the size of an 8-byte amount does not depend on its value.
  child.addOutput({ script: changeScript, amount: 0n });
  // Stripped size is final already; the witness adds marker+flag, the anchor's empty stack (1 B) and the fee input's.
  const childWeight = 4 * child.toBytes(true, false).length + 2 + 1 + feeWitnessSize(feeInput.pkScript);
  const childVsize = vsizeOf(childWeight);
  if (childVsize > TRUC_CHILD_MAX_VSIZE) throw new InvalidArgumentError('changeScript', `child of ${childVsize} vB exceeds the TRUC child limit ${TRUC_CHILD_MAX_VSIZE}`);
  const fee = BigInt(Math.ceil(feeRate * (parentVsize + childVsize)));
  const change = feeInput.amount + P2A.amount - fee;
  if (change < CHILD_MIN_CHANGE) throw new InvalidArgumentError('feeInput.amount', `${feeInput.amount} sat leaves ${change} after the ${fee} sat fee, below ${CHILD_MIN_CHANGE}`);
  child.updateOutput(0, { amount: change });
  return { child, feeInputIndex: 1, anchorVout, fee, parentVsize, childVsize };
}
