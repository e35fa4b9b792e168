/**
 * The operator's sweep of an expired batch: the batch output (a MuSig2 key of the tree's cosigners,
 * tweaked with one script leaf, CSV(expiry) + forfeit key) spent through that leaf once the CSV has
 * passed, to the operator's wallet. Before the expiry Bitcoin refuses this spend (BIP-68); after it,
 * VTXOs still in that batch belong to the operator (the users had the whole expiry to renew or exit).
 */
import * as musig from '@scure/btc-signer/musig2.js';
import { Transaction, TaprootControlBlock } from '@scure/btc-signer';
import { CSVMultisigTapscript, CosignerPublicKey, getArkPsbtFields, type TxTree } from '@arkade-os/sdk';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { hex } from '@scure/base';

const TAP_LEAF_VERSION = 0xc0;

export function sweepLeafScript(forfeitXOnly: Uint8Array, expiry: bigint): Uint8Array {
  return CSVMultisigTapscript.encode({ timelock: { value: expiry, type: expiry >= 512n ? 'seconds' : 'blocks' }, pubkeys: [forfeitXOnly] }).script;
}

/** The untweaked MuSig2 key of the root's cosigners (sorted, as arkd and the SDK aggregate them). */
export function batchInternalKey(root: Transaction): Uint8Array {
  const keys = getArkPsbtFields(root, 0, CosignerPublicKey).map((c) => c.key);
  const { aggPublicKey } = musig.keyAggregate(musig.sortKeys([...keys]));
  return aggPublicKey.toBytes(true).subarray(1);
}

export interface SweepInput {
  txid: string;
  vout: number;
  amount: bigint;
  pkScript: Uint8Array;
  internalKey: Uint8Array;
}

export function batchSweepInput(commitmentTxid: string, batchAmount: bigint, batchScript: Uint8Array, tree: TxTree): SweepInput {
  return { txid: commitmentTxid, vout: 0, amount: batchAmount, pkScript: batchScript, internalKey: batchInternalKey(tree.root) };
}

/** Sweeps the inputs to `to`, paying `feeRate` sat/vB; signed with the forfeit key. */
export function buildSweepTx(inputs: SweepInput[], forfeitSecret: Uint8Array, expiry: bigint, to: Uint8Array, feeRate: number): Transaction {
  const script = sweepLeafScript(schnorr.getPublicKey(forfeitSecret), expiry);
  const leafHash = tapLeafHash(script);
  // The CSV leaf is not a script btc-signer knows: allowUnknownInputs lets it sign the leaf; the witness is assembled below.
  const tx = new Transaction({ version: 2, allowUnknownInputs: true });
  let total = 0n;
  for (const i of inputs) {
    const outputKey = i.pkScript.subarray(2);
    // The parity bit of the tweaked key goes into the control block: recompute it from the tweak.
    const tweak = schnorr.utils.taggedHash('TapTweak', i.internalKey, leafHash);
    const parity = outputParity(i.internalKey, tweak, outputKey);
    tx.addInput({
      txid: i.txid,
      index: i.vout,
      witnessUtxo: { script: i.pkScript, amount: i.amount },
      sequence: sequenceOf(expiry),
      tapLeafScript: [[{ version: TAP_LEAF_VERSION | parity, internalKey: i.internalKey, merklePath: [] }, new Uint8Array([...script, TAP_LEAF_VERSION])]],
    });
    total += i.amount;
  }
  // one P2TR output, n script-path inputs of ~ 57.5 + 64/4 + (script + control)/4 vbytes each
  const vsize = 11 + 43 + inputs.length * (41 + Math.ceil((1 + 65 + 1 + script.length + 1 + 33) / 4));
  const fee = BigInt(Math.ceil(vsize * feeRate));
  tx.addOutput({ script: to, amount: total - fee });
  for (let i = 0; i < inputs.length; i++) {
    tx.signIdx(forfeitSecret, i);
    // scure finalizes only the script templates it knows; CSV + CHECKSIG is finalized by hand:
    // witness = <signature> <leaf script> <control block>.
    const inp = tx.getInput(i);
    const sig = inp.tapScriptSig?.[0]?.[1];
    const [cb, scriptWithVersion] = inp.tapLeafScript![0]!;
    if (!sig) throw new Error(`sweep input ${i} was not signed`);
    tx.updateInput(i, { finalScriptWitness: [sig, scriptWithVersion.subarray(0, -1), TaprootControlBlock.encode(cb)] });
  }
  return tx;
}

function sequenceOf(expiry: bigint): number {
  if (expiry < 512n) return Number(expiry);
  return (1 << 22) | Number(expiry / 512n);
}

function outputParity(internalKey: Uint8Array, tweak: Uint8Array, outputKey: Uint8Array): 0 | 1 {
  const P = schnorr.utils.lift_x(BigInt('0x' + hex.encode(internalKey)));
  const t = BigInt('0x' + hex.encode(tweak));
  const Q = P.add(secp256k1.Point.BASE.multiply(t));
  const q = Q.toAffine();
  if (hex.encode(outputKey) !== q.x.toString(16).padStart(64, '0')) throw new Error('batch output key does not match its internal key and sweep leaf');
  return q.y % 2n === 0n ? 0 : 1;
}
