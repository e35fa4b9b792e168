/**
 * The Ark operator's keys, as the batch and offchain code uses them:
 * - S, the signer: a cosigner of every tree node (never alone) and of every VTXO's collaborative
 *   leaves; advertised as `signerPubkey`;
 * - the forfeit key: receives forfeited VTXOs, sweeps expired batches (the sweep leaf), and holds
 *   the connector outputs (so a forfeit can only be completed by the operator);
 * - the wallet key: the operator's own on-chain liquidity (a key-path P2TR address) that funds
 *   commitment transactions and receives their change.
 * The secrets come from the sealed key store (src/server/operator-keys.ts); nothing here persists them.
 */
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { hex } from '@scure/base';
import { p2tr, Transaction, NETWORK, TEST_NETWORK } from '@scure/btc-signer';
import { InvalidArgumentError } from '../../units/errors.js';

export interface OperatorKeys {
  signerSecret: Uint8Array;
  signerXOnly: Uint8Array;
  signerCompressedHex: string;
  forfeitSecret: Uint8Array;
  forfeitXOnly: Uint8Array;
  forfeitCompressedHex: string;
  /** P2TR key path of the forfeit key: forfeit outputs and the operator's sweeps pay here. */
  forfeitOutputScript: Uint8Array;
  forfeitAddress: string;
  /** Connector outputs: the same key, key path. */
  connectorScript: Uint8Array;
  connectorCompressedHex: string;
  walletSecret: Uint8Array;
  walletXOnly: Uint8Array;
  walletScript: Uint8Array;
  walletAddress: string;
  /** Signs every input of `tx` that spends the wallet script (key path, SIGHASH_DEFAULT). */
  signWalletInputs(tx: Transaction): Transaction;
}

function check(name: string, secret: Uint8Array): void {
  if (secret.length !== 32 || !secp256k1.utils.isValidSecretKey(secret)) throw new InvalidArgumentError(name, `${name} key is not a valid secp256k1 secret`);
}

export function operatorKeys(secrets: { signer: Uint8Array; forfeit: Uint8Array; wallet: Uint8Array }, network: 'bitcoin' | 'regtest' | 'signet' | 'testnet' | 'mutinynet'): OperatorKeys {
  check('signer', secrets.signer);
  check('forfeit', secrets.forfeit);
  check('wallet', secrets.wallet);
  const net = network === 'bitcoin' ? NETWORK : network === 'regtest' ? { ...TEST_NETWORK, bech32: 'bcrt' } : TEST_NETWORK;
  const signerXOnly = schnorr.getPublicKey(secrets.signer);
  const forfeitXOnly = schnorr.getPublicKey(secrets.forfeit);
  const walletXOnly = schnorr.getPublicKey(secrets.wallet);
  const forfeit = p2tr(forfeitXOnly, undefined, net);
  const wallet = p2tr(walletXOnly, undefined, net);
  return {
    signerSecret: secrets.signer,
    signerXOnly,
    signerCompressedHex: hex.encode(secp256k1.getPublicKey(secrets.signer, true)),
    forfeitSecret: secrets.forfeit,
    forfeitXOnly,
    forfeitCompressedHex: hex.encode(secp256k1.getPublicKey(secrets.forfeit, true)),
    forfeitOutputScript: forfeit.script,
    forfeitAddress: forfeit.address!,
    connectorScript: forfeit.script,
    connectorCompressedHex: hex.encode(secp256k1.getPublicKey(secrets.forfeit, true)),
    walletSecret: secrets.wallet,
    walletXOnly,
    walletScript: wallet.script,
    walletAddress: wallet.address!,
    signWalletInputs(tx: Transaction): Transaction {
      const out = tx.clone();
      for (let i = 0; i < out.inputsLength; i++) {
        const w = out.getInput(i).witnessUtxo;
        if (!w || hex.encode(w.script) !== hex.encode(wallet.script)) continue;
        if (!out.getInput(i).tapInternalKey) out.updateInput(i, { tapInternalKey: walletXOnly });
        out.signIdx(secrets.wallet, i);
      }
      return out;
    },
  };
}
