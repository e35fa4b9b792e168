import type { BitcoindRpc } from '../chain/rpc-client.js';
import { RpcError } from '../chain/rpc-client.js';
import { HashPerpError } from '../units/errors.js';
import type { ExitPackage } from './exit-package.js';
import { Transaction } from '@scure/btc-signer';
import { hex } from '@scure/base';
import { TX_OPTS } from './tx.js';

export interface BroadcastResult {
  txid: string;
  /** The node took it now or already had it (mempool or chain). */
  accepted: boolean;
  alreadyKnown: boolean;
  reason?: string;
}

/** Where exit transactions go: bitcoind RPC or an Esplora REST server. */
export interface Broadcaster {
  readonly name: string;
  /** The network already has this tx (mempool, or confirmed with an unspent output). */
  known(txid: string, outputs: number): Promise<boolean>;
  broadcast(txHex: string, txid: string): Promise<BroadcastResult>;
}

// Core's answers for a tx it already has: in mempool, or confirmed (its outputs in the UTXO set).
const ALREADY = /txn-already-in-mempool|txn-already-known|already in block chain|outputs already in utxo set/i;

export class BitcoindBroadcaster implements Broadcaster {
  readonly name = 'bitcoind';
  constructor(private readonly rpc: BitcoindRpc) {}
  async known(txid: string, outputs: number): Promise<boolean> {
    try {
      await this.rpc.call('getmempoolentry', [txid]);
      return true;
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
    }
    // Without -txindex a confirmed tx is visible only through its unspent outputs.
    for (let v = 0; v < outputs; v++) if ((await this.rpc.call('gettxout', [txid, v, false])) !== null) return true;
    return false;
  }
  async broadcast(txHex: string, txid: string): Promise<BroadcastResult> {
    try {
      const id = await this.rpc.call<string>('sendrawtransaction', [txHex]);
      return { txid: id, accepted: true, alreadyKnown: false };
    } catch (e) {
      if (e instanceof RpcError) {
        if (ALREADY.test(e.rpcMessage)) return { txid, accepted: true, alreadyKnown: true };
        return { txid, accepted: false, alreadyKnown: false, reason: e.rpcMessage };
      }
      throw e;
    }
  }
}

export class EsploraBroadcaster implements Broadcaster {
  readonly name = 'esplora';
  constructor(private readonly baseUrl: string, private readonly fetchImpl: typeof fetch = fetch) {}
  async known(txid: string): Promise<boolean> {
    const res = await this.fetchImpl(`${this.baseUrl.replace(/\/$/, '')}/tx/${txid}/status`);
    return res.ok;
  }
  async broadcast(txHex: string, txid: string): Promise<BroadcastResult> {
    const base = this.baseUrl.replace(/\/$/, '');
    const res = await this.fetchImpl(`${base}/tx`, { method: 'POST', body: txHex, headers: { 'content-type': 'text/plain' } });
    const text = await res.text();
    if (res.ok) return { txid: text.trim() || txid, accepted: true, alreadyKnown: false };
    if (ALREADY.test(text)) return { txid, accepted: true, alreadyKnown: true };
    return { txid, accepted: false, alreadyKnown: false, reason: text.slice(0, 300) };
  }
}

export interface ExecutedStep extends BroadcastResult {
  label: string;
}

/**
 * Broadcasts a package's steps in order, skipping what the network already has. Stops at the first
 * refusal (a later step cannot be valid without it) and says which and why.
 */
export async function executeExitPackage(pkg: ExitPackage, to: Broadcaster): Promise<ExecutedStep[]> {
  const out: ExecutedStep[] = [];
  // A confirmed tx whose outputs are all spent is invisible to a node without -txindex: find the
  // deepest step the network has; everything before it is on chain too.
  let start = 0;
  for (let i = pkg.steps.length - 1; i >= 0; i--) {
    const s = pkg.steps[i]!;
    if (await to.known(s.txid, Transaction.fromRaw(hex.decode(s.hex), TX_OPTS).outputsLength)) {
      start = i + 1;
      break;
    }
  }
  for (const s of pkg.steps.slice(0, start)) out.push({ txid: s.txid, accepted: true, alreadyKnown: true, label: s.label });
  for (const s of pkg.steps.slice(start)) {
    const r = await to.broadcast(s.hex, s.txid);
    out.push({ ...r, label: s.label });
    if (!r.accepted) throw Object.assign(new HashPerpError('exit_step_refused', `${to.name} refused ${s.label} (${s.txid}): ${r.reason ?? 'unknown'}`), { steps: out });
  }
  return out;
}
