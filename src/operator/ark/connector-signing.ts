/**
 * Signing the connector tree, which the operator alone needs and alone can do: every connector node
 * has one cosigner, the connector output key, and arkd's AggregateKeys falls back to that key itself
 * for a single cosigner (classic P2TR, no MuSig2, no tweak), so a plain BIP-340 signature with the
 * connector key's secret spends it. The operator only broadcasts a connector branch to enforce a
 * forfeit, when a user unrolls a VTXO it forfeited.
 */
import { SigHash, Transaction } from '@scure/btc-signer';
import { taprootTweakPrivKey } from '@scure/btc-signer/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { CosignerPublicKey, getArkPsbtFields } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { InvalidArgumentError } from '../../units/errors.js';

/** The secret of the connector output key p2tr(forfeit key): the forfeit secret with its BIP-86 tweak. */
export function connectorOutputSecret(forfeitSecret: Uint8Array): Uint8Array {
  return taprootTweakPrivKey(forfeitSecret);
}

/**
 * Signs input 0 of a connector tree tx (key path, SIGHASH_DEFAULT) spending `prevout`. The cosigner
 * field must name exactly the key of `secret` (33-byte compressed, even y as arkd writes it).
 */
export function signConnectorTx(tx: Transaction, prevout: { script: Uint8Array; amount: bigint }, secret: Uint8Array): Transaction {
  const cosigners = getArkPsbtFields(tx, 0, CosignerPublicKey).map((c) => c.key);
  const pubX = schnorr.getPublicKey(secret);
  if (cosigners.length !== 1 || hex.encode(cosigners[0]!.subarray(1)) !== hex.encode(pubX)) {
    throw new InvalidArgumentError('connector', 'this connector tx is not keyed by the operator connector key');
  }
  const out = tx.clone();
  out.updateInput(0, { witnessUtxo: prevout });
  const msg = out.preimageWitnessV1(0, [prevout.script], SigHash.DEFAULT, [prevout.amount]);
  const sig = schnorr.sign(msg, secret);
  if (hex.encode(prevout.script.subarray(2)) !== hex.encode(pubX) || !schnorr.verify(sig, msg, pubX)) throw new Error('connector signature does not verify against the spent output');
  out.updateInput(0, { tapKeySig: sig });
  return out;
}

