import type { Transaction } from '@scure/btc-signer';
import { P2A } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import type { BitcoindRpc } from '../chain/rpc-client.js';
import { HashPerpError } from '../units/errors.js';
import type { KeyPair } from './keys.js';
import { p2trKeyOnly } from './vtxo-scripts.js';
import { childHex, type FeeInput } from './anchor-cpfp.js';

/** Who pays for CPFP children: hands out confirmed UTXOs and signs the child's fee input. */
export interface FeeInputSource {
  readonly name: string;
  /** A confirmed UTXO worth at least `minAmount`, never handed out before by this source. */
  take(minAmount: bigint): Promise<FeeInput>;
  /** Where the child's change goes. */
  changeScript(): Promise<Uint8Array>;
  /** Signs input `feeInputIndex` of the child (the anchor input needs no signature); returns its raw hex. */
  sign(child: Transaction, feeInputIndex: number): Promise<string>;
}

const toSat = (btc: number): bigint => BigInt(Math.round(btc * 1e8));
const btcOf = (sat: bigint): number => Number(sat) / 1e8;
const key = (txid: string, vout: number): string => `${txid}:${vout}`;

interface WalletUnspent {
  txid: string;
  vout: number;
  amount: number;
  scriptPubKey: string;
  spendable: boolean;
  solvable: boolean;
  safe: boolean;
}

/**
 * The node's own wallet pays (regtest, or an operator's hot wallet): `listunspent` with at least one
 * confirmation, `signrawtransactionwithwallet` for the fee input. `rpc` must point at the wallet
 * (http://user:pass@host:port/wallet/<name> when the node has several).
 */
export class BitcoindWalletFeeSource implements FeeInputSource {
  readonly name = 'bitcoind-wallet';
  private readonly used = new Set<string>();
  private change: Uint8Array | undefined;
  constructor(private readonly rpc: BitcoindRpc) {}

  async take(minAmount: bigint): Promise<FeeInput> {
    const utxos = await this.rpc.call<WalletUnspent[]>('listunspent', [1, 9_999_999, [], false, { minimumAmount: btcOf(minAmount) }]);
    const u = utxos
      .filter((x) => x.spendable && x.solvable && x.safe && !this.used.has(key(x.txid, x.vout)))
      .sort((a, b) => a.amount - b.amount)[0];
    if (!u) throw new HashPerpError('no_fee_input', `wallet has no confirmed UTXO of at least ${minAmount} sat for a CPFP child`, { field: 'fees' });
    this.used.add(key(u.txid, u.vout));
    return { txid: u.txid, vout: u.vout, amount: toSat(u.amount), pkScript: hex.decode(u.scriptPubKey) };
  }

  async changeScript(): Promise<Uint8Array> {
    if (!this.change) {
      const address = await this.rpc.call<string>('getrawchangeaddress', ['bech32m']);
      this.change = hex.decode((await this.rpc.call<{ scriptPubKey: string }>('getaddressinfo', [address])).scriptPubKey);
    }
    return this.change;
  }

  async sign(child: Transaction, feeInputIndex: number): Promise<string> {
    // The wallet must know every prevout to compute the taproot sighash: describe the anchor it does not own.
    const prevtxs = Array.from({ length: child.inputsLength }, (_, i) => child.getInput(i))
      .map((inp, i) => ({ inp, i }))
      .filter(({ i }) => i !== feeInputIndex)
      .map(({ inp }) => ({ txid: hex.encode(inp.txid!), vout: inp.index!, scriptPubKey: hex.encode(P2A.script), amount: 0 }));
    const r = await this.rpc.call<{ hex: string; complete: boolean; errors?: { error: string }[] }>('signrawtransactionwithwallet', [childHex(child), prevtxs]);
    if (!r.complete) throw new HashPerpError('fee_signing_failed', `wallet could not sign the CPFP child: ${(r.errors ?? []).map((e) => e.error).join('; ') || 'incomplete'}`, { field: 'fees' });
    return r.hex;
  }
}

interface ScanUnspent {
  txid: string;
  vout: number;
  amount: number;
  coinbase: boolean;
  height: number;
}

/**
 * A single key pays, no wallet needed: its P2TR (BIP-86) outputs are found with `scantxoutset`
 * (confirmed only, by construction) and signed locally. Coinbases count once mature (100 blocks).
 */
export class KeyFeeSource implements FeeInputSource {
  readonly name = 'key';
  private readonly used = new Set<string>();
  private readonly pay: { script: Uint8Array };
  constructor(private readonly rpc: BitcoindRpc, private readonly key: KeyPair) {
    this.pay = p2trKeyOnly(key.publicKey);
  }

  async take(minAmount: bigint): Promise<FeeInput> {
    const scan = await this.rpc.call<{ height: number; unspents: ScanUnspent[] }>('scantxoutset', ['start', [`raw(${hex.encode(this.pay.script)})`]]);
    const u = scan.unspents
      .filter((x) => (!x.coinbase || scan.height - x.height + 1 >= 100) && toSat(x.amount) >= minAmount && !this.used.has(key(x.txid, x.vout)))
      .sort((a, b) => a.amount - b.amount)[0];
    if (!u) throw new HashPerpError('no_fee_input', `key ${hex.encode(this.key.publicKey)} has no confirmed UTXO of at least ${minAmount} sat`, { field: 'fees' });
    this.used.add(key(u.txid, u.vout));
    return { txid: u.txid, vout: u.vout, amount: toSat(u.amount), pkScript: this.pay.script, tapInternalKey: this.key.publicKey };
  }

  async changeScript(): Promise<Uint8Array> {
    return this.pay.script;
  }

  async sign(child: Transaction, feeInputIndex: number): Promise<string> {
    child.signIdx(this.key.secretKey, feeInputIndex);
    child.finalizeIdx(feeInputIndex);
    return childHex(child);
  }
}
