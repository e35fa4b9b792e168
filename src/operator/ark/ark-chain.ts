/**
 * The Bitcoin the Ark operator needs: prevouts of boarding inputs, the tip, broadcast, and the
 * operator wallet's coins. Two implementations: bitcoind (the real chain), and the embedded demo's
 * ledger, where commitment transactions are built and signed exactly the same way but are not
 * broadcast (there is no chain to broadcast to) and say so.
 */
import { hex } from '@scure/base';
import type { BitcoindRpc } from '../../chain/rpc-client.js';

export interface ChainCoin {
  txid: string;
  vout: number;
  amount: bigint;
  pkScript: Uint8Array;
  /** 0 while in the mempool. */
  confirmations: number;
}

export interface ArkChain {
  /** 'bitcoind' broadcasts; 'embedded' records the transactions without a chain. */
  readonly kind: 'bitcoind' | 'embedded';
  tipHeight(): Promise<number>;
  /** An unspent output (mempool included), or undefined when spent or unknown. */
  unspent(txid: string, vout: number): Promise<ChainCoin | undefined>;
  /** Coins paying exactly this script (the operator wallet). */
  coinsOf(pkScript: Uint8Array): Promise<ChainCoin[]>;
  broadcast(txHex: string): Promise<string>;
  /** A v3 parent and its CPFP child together (package relay); both already known is success. */
  broadcastPackage(txHexes: string[]): Promise<void>;
  /** Txids of the block at `height`, undefined above the tip. */
  blockTxids(height: number): Promise<string[] | undefined>;
  /** Confirmations of a transaction, undefined when the node does not know it. */
  confirmations(txid: string): Promise<number | undefined>;
  /** Block height holding txid, undefined while unconfirmed. */
  blockHeightOf(txid: string): Promise<number | undefined>;
  /** Fee rate for the commitment transaction, sat/vB. */
  feeRate(): Promise<number>;
}

const sats = (btc: number): bigint => BigInt(Math.round(btc * 1e8));

export class BitcoindArkChain implements ArkChain {
  readonly kind = 'bitcoind';
  constructor(private readonly rpc: BitcoindRpc) {}

  async tipHeight(): Promise<number> {
    return this.rpc.call<number>('getblockcount');
  }

  async unspent(txid: string, vout: number): Promise<ChainCoin | undefined> {
    const o = await this.rpc.call<{ value: number; confirmations: number; scriptPubKey: { hex: string } } | null>('gettxout', [txid, vout, true]);
    if (o === null) return undefined;
    return { txid, vout, amount: sats(o.value), pkScript: hex.decode(o.scriptPubKey.hex), confirmations: o.confirmations };
  }

  /**
   * scantxoutset reads the confirmed UTXO set (a few seconds on mainnet, instant on regtest); mempool
   * coins are not included, so the operator only spends confirmed liquidity.
   */
  async coinsOf(pkScript: Uint8Array): Promise<ChainCoin[]> {
    const r = await this.rpc.call<{ unspents: { txid: string; vout: number; amount: number; scriptPubKey: string; height: number }[]; height: number }>('scantxoutset', [
      'start',
      [`raw(${hex.encode(pkScript)})`],
    ]);
    const spentInMempool = new Set<string>();
    const mempool = await this.rpc.call<string[]>('getrawmempool');
    if (mempool.length > 0 && r.unspents.length > 0) {
      const spending = await this.rpc.call<{ txid: string; vout: number; spendingtxid?: string }[]>('gettxspendingprevout', [r.unspents.map((u) => ({ txid: u.txid, vout: u.vout }))]);
      for (const s of spending) if (s.spendingtxid) spentInMempool.add(`${s.txid}:${s.vout}`);
    }
    return r.unspents
      .filter((u) => !spentInMempool.has(`${u.txid}:${u.vout}`))
      .map((u) => ({ txid: u.txid, vout: u.vout, amount: sats(u.amount), pkScript: hex.decode(u.scriptPubKey), confirmations: r.height - u.height + 1 }));
  }

  async broadcast(txHex: string): Promise<string> {
    return this.rpc.call<string>('sendrawtransaction', [txHex]);
  }

  async broadcastPackage(txHexes: string[]): Promise<void> {
    const r = await this.rpc.call<{ package_msg: string; 'tx-results'?: Record<string, { error?: string }> }>('submitpackage', [txHexes]);
    if (r.package_msg !== 'success') {
      const errors = Object.values(r['tx-results'] ?? {}).map((t) => t.error).filter(Boolean);
      throw new Error(`package refused: ${r.package_msg}${errors.length ? ` (${errors.join('; ')})` : ''}`);
    }
  }

  async blockTxids(height: number): Promise<string[] | undefined> {
    if (height > (await this.tipHeight())) return undefined;
    const hash = await this.rpc.call<string>('getblockhash', [height]);
    const b = await this.rpc.call<{ tx: string[] }>('getblock', [hash, 1]);
    return b.tx;
  }

  async confirmations(txid: string): Promise<number | undefined> {
    try {
      const t = await this.rpc.call<{ confirmations?: number }>('getrawtransaction', [txid, 1]);
      return t.confirmations ?? 0;
    } catch {
      return undefined;
    }
  }

  async blockHeightOf(txid: string): Promise<number | undefined> {
    try {
      const t = await this.rpc.call<{ blockhash?: string }>('getrawtransaction', [txid, 1]);
      if (!t.blockhash) return undefined;
      const h = await this.rpc.call<{ height: number }>('getblockheader', [t.blockhash]);
      return h.height;
    } catch {
      return undefined;
    }
  }

  async feeRate(): Promise<number> {
    const r = await this.rpc.call<{ feerate?: number }>('estimatesmartfee', [2]);
    // regtest has no fee history: fall back to 2 sat/vB, above the 1 sat/vB relay minimum.
    return r.feerate !== undefined ? Math.max(1, Math.ceil((r.feerate * 1e8) / 1000)) : 2;
  }
}
