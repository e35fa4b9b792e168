/**
 * The operator's way back into a batch after it expires: every vtxo tree output (the batch output
 * included) is a taproot key whose internal key is the cosigners' untweaked MuSig2 aggregate and whose
 * only script leaf is the CSV sweep closure of the forfeit key. arkd's extractSweepLeaf rebuilds that
 * leaf from a tree tx's cosigner and expiry fields; this does the same, in the shape scure signs with.
 * Pure.
 */
import { CosignerPublicKey, getArkPsbtFields, TxTree, VtxoTreeExpiry } from '@arkade-os/sdk';
import { TaprootControlBlock, Transaction } from '@scure/btc-signer';
import * as musig from '@scure/btc-signer/musig2.js';
import { taprootTweakPubkey } from '@scure/btc-signer/utils.js';
import { base64, hex } from '@scure/base';
import { InvalidArgumentError } from '../../units/errors.js';
import { bip68Sequence, keyAggregateSorted, p2trScript, sweepTapscript, sweepTapTreeRoot } from './tree-builder.js';

const TAPSCRIPT_LEAF_VERSION = 0xc0;

/** What a sweep tx needs for one input: the outpoint, its prevout, the CSV sequence and the leaf to spend. */
export interface SweepInput {
  txid: string;
  vout: number;
  sequence: number;
  witnessUtxo: { script: Uint8Array; amount: bigint };
  /** scure's tapLeafScript entry: [control block, script || leaf version]. */
  tapLeafScript: [{ version: number; internalKey: Uint8Array; merklePath: Uint8Array[] }, Uint8Array];
}

/**
 * The sweep input for the output `node`'s tx spends (its input 0: the batch output for the root, a
 * parent output otherwise). `amount` is that output's value. The expiry is read from the tx's
 * VtxoTreeExpiry field as arkd does, so the leaf matches what the tree was built with.
 */
export function treeSweepInput(node: TxTree, forfeitPubkeyXOnly: Uint8Array, amount: bigint): SweepInput {
  const tx = node.root;
  const cosigners = getArkPsbtFields(tx, 0, CosignerPublicKey).map((c) => c.key);
  if (cosigners.length < 2) throw new InvalidArgumentError('node', `tx ${node.txid} has ${cosigners.length} cosigner(s), not a vtxo tree tx`);
  const [expiryField] = getArkPsbtFields(tx, 0, VtxoTreeExpiry);
  if (!expiryField) throw new InvalidArgumentError('node', `tx ${node.txid} carries no vtxo tree expiry`);
  // The field holds a BIP68 sequence; the SDK's decoder already turned it back into blocks or seconds.
  const expiry = expiryField.value;
  const script = sweepTapscript(forfeitPubkeyXOnly, expiry);
  const root = sweepTapTreeRoot(forfeitPubkeyXOnly, expiry);
  const internalKey = keyAggregateSorted(musig.sortKeys([...cosigners])).subarray(1);
  const [outputKey, parity] = taprootTweakPubkey(internalKey, root) as [Uint8Array, number];
  const input = tx.getInput(0);
  return {
    txid: hex.encode(input.txid!),
    vout: input.index!,
    sequence: bip68Sequence(expiry),
    witnessUtxo: { script: p2trScript(outputKey), amount },
    tapLeafScript: [
      { version: TAPSCRIPT_LEAF_VERSION | parity, internalKey: Uint8Array.from(internalKey), merklePath: [] },
      Uint8Array.from([...script, TAPSCRIPT_LEAF_VERSION]),
    ],
  };
}

/** The sweep input of a batch output (commitment:0): read from the tree's root tx, a base64 PSBT. */
export function batchSweepInput(rootPsbt: string, forfeitPubkeyXOnly: Uint8Array, amount: bigint): SweepInput {
  const root = Transaction.fromPSBT(base64.decode(rootPsbt), { allowUnknownInputs: true, allowUnknownOutputs: true });
  return treeSweepInput(TxTree.create([{ txid: root.id, tx: rootPsbt, children: {} }]), forfeitPubkeyXOnly, amount);
}

/**
 * The operator's sweep of expired tree outputs to `to`, paying `feeRate` sat/vB, signed with the
 * forfeit key. Before the expiry Bitcoin refuses it (BIP-68); after it, VTXOs still in the batch are
 * the operator's (their owners had the whole expiry to renew or exit).
 */
export function buildSweepTx(inputs: SweepInput[], forfeitSecret: Uint8Array, to: Uint8Array, feeRate: number): Transaction {
  // The CSV leaf is not a script btc-signer finalizes: allowUnknownInputs lets it sign; the witness is assembled below.
  const tx = new Transaction({ version: 2, allowUnknownInputs: true });
  let total = 0n;
  let witnessBytes = 0;
  for (const i of inputs) {
    tx.addInput({ txid: i.txid, index: i.vout, witnessUtxo: i.witnessUtxo, sequence: i.sequence, tapLeafScript: [i.tapLeafScript] });
    total += i.witnessUtxo.amount;
    witnessBytes += 1 + 65 + 1 + i.tapLeafScript[1].length + 1 + 33;
  }
  // one P2TR output; per input 41 vbytes plus a quarter of its witness (signature, leaf script, control block)
  const vsize = 11 + 43 + inputs.length * 41 + Math.ceil(witnessBytes / 4);
  tx.addOutput({ script: to, amount: total - BigInt(Math.ceil(vsize * feeRate)) });
  for (let i = 0; i < inputs.length; i++) {
    tx.signIdx(forfeitSecret, i);
    const inp = tx.getInput(i);
    const sig = inp.tapScriptSig?.[0]?.[1];
    if (!sig) throw new InvalidArgumentError('forfeitSecret', `sweep input ${i}: the forfeit key is not the sweep leaf's key`);
    const [cb, scriptWithVersion] = inp.tapLeafScript![0]!;
    tx.updateInput(i, { finalScriptWitness: [sig, scriptWithVersion.subarray(0, -1), TaprootControlBlock.encode(cb)] });
  }
  return tx;
}
