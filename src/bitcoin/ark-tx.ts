import { VtxoScript, setArkPsbtField, VtxoTaprootTree, decodeTapscript, scriptFromTapLeafScript, type CSVMultisigTapscript, type TapLeafScript } from '@arkade-os/sdk';
import type { Transaction } from '@scure/btc-signer';
import { hex } from '@scure/base';
import { InvalidArgumentError } from '../units/errors.js';
import { absoluteKind } from './timelocks.js';
import { addAnchor, addLeafInput, leafTimelocks, newVirtualTx } from './tx.js';

/** A VTXO being spent offchain through one of its collaborative (S-cosigned) leaves. */
export interface ArkInput {
  txid: string;
  vout: number;
  amount: bigint;
  vtxoScript: VtxoScript;
  leaf: TapLeafScript;
}

export interface ArkOutput {
  script: Uint8Array;
  amount: bigint;
}

export interface Checkpoint {
  tx: Transaction;
  /** Output 0: [server unroll leaf, the same collaborative leaf]. */
  script: VtxoScript;
  amount: bigint;
  /** The checkpoint output as an Ark tx input. */
  asInput: ArkInput;
}

export interface ArkTransaction {
  arkTx: Transaction;
  checkpoints: Checkpoint[];
}

/** The SDK's buildVirtualTx rule: nLockTime = the largest CLTV among the spent leaves, never mixing units. */
function virtualLockTime(inputs: ArkInput[]): number {
  let lt = 0;
  for (const i of inputs) {
    const { lockTime } = leafTimelocks(i.leaf);
    if (lockTime === 0) continue;
    if (lt !== 0 && absoluteKind(lt) !== absoluteKind(lockTime)) throw new InvalidArgumentError('inputs', 'cannot mix height and time locktimes in one transaction');
    lt = Math.max(lt, lockTime);
  }
  return lt;
}

function virtualTx(inputs: ArkInput[], outputs: ArkOutput[]): Transaction {
  const tx = newVirtualTx(virtualLockTime(inputs));
  inputs.forEach((inp, i) => {
    addLeafInput(tx, { txid: inp.txid, vout: inp.vout, amount: inp.amount, pkScript: inp.vtxoScript.pkScript, leaf: inp.leaf });
    setArkPsbtField(tx as unknown as Parameters<typeof setArkPsbtField>[0], i, VtxoTaprootTree, inp.vtxoScript.encode());
  });
  for (const o of outputs) tx.addOutput(o);
  addAnchor(tx);
  return tx;
}

/**
 * An Ark transaction with one checkpoint per input (arkd's offchain shape, as the SDK's buildOffchainTx):
 * each VTXO moves first to a checkpoint output that S can reclaim after `serverUnroll`, then the Ark
 * tx spends the checkpoints. Every tx is version 3 with a P2A anchor and no fee, so the txids equal
 * the SDK's and the outputs must add up to the inputs exactly.
 */
export function buildArkTransaction(inputs: ArkInput[], outputs: ArkOutput[], serverUnroll: CSVMultisigTapscript.Type): ArkTransaction {
  if (inputs.length === 0) throw new InvalidArgumentError('inputs', 'at least one input');
  if (outputs.length === 0) throw new InvalidArgumentError('outputs', 'at least one output');
  const checkpoints = inputs.map((inp): Checkpoint => {
    const collaborative = decodeTapscript(scriptFromTapLeafScript(inp.leaf));
    const script = new VtxoScript([serverUnroll.script, collaborative.script]);
    if (inp.amount <= 0n) throw new InvalidArgumentError('inputs', `input ${inp.txid}:${inp.vout} has no value`);
    const tx = virtualTx([inp], [{ script: script.pkScript, amount: inp.amount }]);
    return { tx, script, amount: inp.amount, asInput: { txid: tx.id, vout: 0, amount: inp.amount, vtxoScript: script, leaf: script.findLeaf(hex.encode(collaborative.script)) } };
  });
  const inTotal = checkpoints.reduce((s, c) => s + c.amount, 0n);
  const outTotal = outputs.reduce((s, o) => s + o.amount, 0n);
  if (outTotal !== inTotal) throw new InvalidArgumentError('outputs', `outputs (${outTotal}) must equal the input total ${inTotal} (virtual txs pay no fee)`);
  const arkTx = virtualTx(checkpoints.map((c) => c.asInput), outputs);
  return { arkTx, checkpoints };
}
