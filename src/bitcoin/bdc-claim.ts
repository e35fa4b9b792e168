/**
 * The unilateral claim of an unrolled block-delta contract VTXO: leaf 2 (FAST) or leaf 3 (SLOW), signed
 * by that party alone, with nLockTime = the leaf's CLTV (H, or T − 1) and nSequence = its CSV. The SDK
 * 0.4.56 cannot build it (its claim tx never sets nLockTime; see bdc-contract-handler.ts), so it is
 * built here, as an ordinary v2 transaction that pays its own fee.
 */
import type { Transaction } from '@scure/btc-signer';
import type { Identity } from '@arkade-os/sdk';
import { InvalidArgumentError } from '../units/errors.js';
import { keyPairFromSecret } from './keys.js';
import { buildLeafSpend, signLeafInput } from './tx.js';
import type { BdcSide, BlockDeltaVtxo } from './vtxo-scripts.js';

export interface ClaimRequest {
  contract: BlockDeltaVtxo;
  /** The contract VTXO, on chain. */
  outpoint: { txid: string; vout: number };
  value: bigint;
  /** Which side claims: its leaf (FAST 2, SLOW 3) and its key. */
  side: BdcSide;
  secret: Uint8Array;
  to: Uint8Array;
  fee: bigint;
}

const sameKey = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/** The claim before its signature; throws unless `key` is the claiming side's party. */
function unsignedClaim(r: Omit<ClaimRequest, 'secret'>, key: Uint8Array, keyField: string): Transaction {
  const party = r.side === 'FAST' ? r.contract.fastParty : r.contract.slowParty;
  if (!sameKey(key, party)) throw new InvalidArgumentError(keyField, `not the ${r.side} party's key of this contract`);
  if (r.fee <= 0n || r.fee >= r.value) throw new InvalidArgumentError('fee', `must be in (0, ${r.value}), got ${r.fee}`);
  return buildLeafSpend(
    { txid: r.outpoint.txid, vout: r.outpoint.vout, amount: r.value, pkScript: r.contract.vtxoScript.pkScript, leaf: r.contract.leaf(r.side === 'FAST' ? 2 : 3) },
    { script: r.to, amount: r.value - r.fee },
  );
}

export function claimTx(r: ClaimRequest): Transaction {
  const key = keyPairFromSecret(r.secret);
  const tx = unsignedClaim(r, key.publicKey, 'secret');
  signLeafInput(tx, 0, [key]);
  tx.finalize();
  return tx;
}

/** The same claim signed by an SDK identity (a wallet key file's mnemonic or raw key, whose secret stays inside it). */
export async function claimTxWithIdentity(r: Omit<ClaimRequest, 'secret'> & { identity: Identity }): Promise<Transaction> {
  const tx = await r.identity.sign(unsignedClaim(r, await r.identity.xOnlyPublicKey(), 'identity'), [0]);
  tx.finalize();
  return tx;
}
