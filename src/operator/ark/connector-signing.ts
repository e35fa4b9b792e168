/**
 * Signing the connector tree, which the operator alone needs and alone can do: every connector node
 * is keyed by the MuSig2 aggregate (untweaked, as arkd's connector tree) of one cosigner, the
 * connector output key. A one-party MuSig2 session gives that key's BIP-340 signature. The operator
 * only broadcasts a connector branch to enforce a forfeit, when a user unrolls a VTXO it forfeited.
 */
import * as musig from '@scure/btc-signer/musig2.js';
import { SigHash, Transaction } from '@scure/btc-signer';
import { taprootTweakPrivKey } from '@scure/btc-signer/utils.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
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
  // Sign for the even-y point arkd wrote (02 || x): negate the secret when its point has odd y.
  const full = secp256k1.getPublicKey(secret, true);
  const d = full[0] === 0x02 ? secret : negate(secret);
  const pub = Uint8Array.of(0x02, ...pubX);
  const out = tx.clone();
  out.updateInput(0, { witnessUtxo: prevout });
  const msg = out.preimageWitnessV1(0, [prevout.script], SigHash.DEFAULT, [prevout.amount]);
  const nonces = musig.nonceGen(pub, d, undefined, msg);
  const agg = musig.nonceAggregate([nonces.public]);
  const session = new musig.Session(agg, [pub], msg);
  const partial = session.sign(nonces.secret, d);
  const sig = session.partialSigAgg([partial]);
  const key = musig.keyAggExport(musig.keyAggregate([pub]));
  if (!schnorr.verify(sig, msg, key)) throw new Error('connector signature does not verify');
  out.updateInput(0, { tapKeySig: sig });
  return out;
}

const N = secp256k1.Point.Fn.ORDER;
function negate(secret: Uint8Array): Uint8Array {
  const v = (N - BigInt('0x' + hex.encode(secret))) % N;
  return hex.decode(v.toString(16).padStart(64, '0'));
}
