import type { BitcoindRpc } from '../chain/rpc-client.js';
import { RpcError } from '../chain/rpc-client.js';
import { HashPerpError } from '../units/errors.js';
import type { ExitPackage } from './exit-package.js';
import { Transaction } from '@scure/btc-signer';
import { hex } from '@scure/base';
import { TX_OPTS } from './tx.js';
import { buildAnchorChild, findAnchorVout, txWeight, vsizeOf, CHILD_MIN_CHANGE, TRUC_CHILD_MAX_VSIZE } from './anchor-cpfp.js';
import type { FeeInputSource } from './fee-sources.js';

export interface BroadcastResult {
  txid: string;
  /** The node took it now or already had it (mempool or chain). */
  accepted: boolean;
  alreadyKnown: boolean;
  reason?: string;
  /** For a zero-fee v3 tx: the CPFP child sent with it as a package, and the fee it paid for both. */
  childTxid?: string;
  fee?: bigint;
}

export type TxStatus = 'confirmed' | 'mempool' | 'unknown';

/** Where exit transactions go: bitcoind RPC or an Esplora REST server. */
export interface Broadcaster {
  readonly name: string;
  /** Where the network has this tx: confirmed (with an unspent output, or looked up by txid), in the mempool, or not at all. */
  status(txid: string, outputs: number): Promise<TxStatus>;
  /** Sends a tx; one with a P2A anchor goes as a 1-parent-1-child package with a fee-paying child. */
  broadcast(txHex: string, txid: string): Promise<BroadcastResult>;
}

export interface CpfpOptions {
  /** Pays for the children of anchored (zero-fee v3) transactions. */
  fees?: FeeInputSource;
  /** Package fee rate, sat/vB. Default 2. */
  feeRate?: number;
}

// Core's answers for a tx it already has: in mempool, or confirmed (its outputs in the UTXO set).
const ALREADY = /txn-already-in-mempool|txn-already-known|already in block chain|outputs already in utxo set/i;

const hasAnchor = (tx: Transaction): boolean => {
  try {
    findAnchorVout(tx);
    return true;
  } catch {
    return false;
  }
};

/** A parent with its signed CPFP child, ready to submit as a package. */
async function withChild(parentHex: string, opts: CpfpOptions): Promise<{ parent: Transaction; childHex: string; childTxid: string; fee: bigint }> {
  if (!opts.fees) throw new HashPerpError('no_fee_input', 'an anchored zero-fee transaction needs a fee source to pay its CPFP child', { field: 'fees' });
  const feeRate = opts.feeRate ?? 2;
  const parent = Transaction.fromRaw(hex.decode(parentHex), TX_OPTS);
  // Enough for the largest child TRUC allows: the exact fee is known once the input is chosen.
  const need = BigInt(Math.ceil(feeRate * (vsizeOf(txWeight(parent)) + TRUC_CHILD_MAX_VSIZE))) + CHILD_MIN_CHANGE;
  const input = await opts.fees.take(need);
  const { child, feeInputIndex, fee } = buildAnchorChild(parent, input, await opts.fees.changeScript(), feeRate);
  const childHex = await opts.fees.sign(child, feeInputIndex);
  return { parent, childHex, childTxid: Transaction.fromRaw(hex.decode(childHex), TX_OPTS).id, fee };
}

interface PackageResult {
  package_msg: string;
  'tx-results': Record<string, { txid: string; error?: string; 'other-wtxid'?: string }>;
}

const packageReason = (r: PackageResult): string =>
  [r.package_msg, ...Object.values(r['tx-results'] ?? {}).flatMap((t) => (t.error ? [`${t.txid}: ${t.error}`] : []))].join('; ');

export class BitcoindBroadcaster implements Broadcaster {
  readonly name = 'bitcoind';
  constructor(private readonly rpc: BitcoindRpc, private readonly opts: CpfpOptions = {}) {}
  async status(txid: string, outputs: number): Promise<TxStatus> {
    try {
      await this.rpc.call('getmempoolentry', [txid]);
      return 'mempool';
    } catch (e) {
      if (!(e instanceof RpcError)) throw e;
    }
    // Without -txindex a confirmed tx is visible only through its unspent outputs.
    for (let v = 0; v < outputs; v++) if ((await this.rpc.call('gettxout', [txid, v, false])) !== null) return 'confirmed';
    return 'unknown';
  }
  async broadcast(txHex: string, txid: string): Promise<BroadcastResult> {
    const tx = Transaction.fromRaw(hex.decode(txHex), TX_OPTS);
    if (!hasAnchor(tx)) return this.sendOne(txHex, txid);
    // A child for a parent the node has would only compete with the one it already pays.
    if ((await this.status(txid, tx.outputsLength)) !== 'unknown') return { txid, accepted: true, alreadyKnown: true };
    const pkg = await withChild(txHex, this.opts);
    try {
      const r = await this.rpc.call<PackageResult>('submitpackage', [[txHex, pkg.childHex]]);
      if (r.package_msg === 'success') return { txid, accepted: true, alreadyKnown: false, childTxid: pkg.childTxid, fee: pkg.fee };
      return { txid, accepted: false, alreadyKnown: false, reason: packageReason(r), childTxid: pkg.childTxid };
    } catch (e) {
      if (e instanceof RpcError) return { txid, accepted: false, alreadyKnown: false, reason: e.rpcMessage, childTxid: pkg.childTxid };
      throw e;
    }
  }
  private async sendOne(txHex: string, txid: string): Promise<BroadcastResult> {
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

/** Esplora REST: `POST /tx` for one tx, `POST /txs/package` (JSON array, parent first) for a 1P1C package, as the SDK's provider. */
export class EsploraBroadcaster implements Broadcaster {
  readonly name = 'esplora';
  private readonly base: string;
  constructor(baseUrl: string, private readonly fetchImpl: typeof fetch = fetch, private readonly opts: CpfpOptions = {}) {
    this.base = baseUrl.replace(/\/$/, '');
  }
  async status(txid: string): Promise<TxStatus> {
    const res = await this.fetchImpl(`${this.base}/tx/${txid}/status`);
    if (!res.ok) return 'unknown';
    const body = (await res.json().catch(() => ({}))) as { confirmed?: boolean };
    return body.confirmed ? 'confirmed' : 'mempool';
  }
  async broadcast(txHex: string, txid: string): Promise<BroadcastResult> {
    // Bytes that do not decode are sent as they are: the node's refusal is the answer the caller reports.
    let tx: Transaction | undefined;
    try {
      tx = Transaction.fromRaw(hex.decode(txHex), TX_OPTS);
    } catch {
      tx = undefined;
    }
    if (tx === undefined || !hasAnchor(tx)) {
      const res = await this.fetchImpl(`${this.base}/tx`, { method: 'POST', body: txHex, headers: { 'content-type': 'text/plain' } });
      const text = await res.text();
      if (res.ok) return { txid: text.trim() || txid, accepted: true, alreadyKnown: false };
      if (ALREADY.test(text)) return { txid, accepted: true, alreadyKnown: true };
      return { txid, accepted: false, alreadyKnown: false, reason: text.slice(0, 300) };
    }
    if ((await this.status(txid)) !== 'unknown') return { txid, accepted: true, alreadyKnown: true };
    const pkg = await withChild(txHex, this.opts);
    const res = await this.fetchImpl(`${this.base}/txs/package`, { method: 'POST', body: JSON.stringify([txHex, pkg.childHex]), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    // Esplora relays bitcoind's submitpackage answer: a 2xx can still carry a package_msg other than success.
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = text;
    }
    const msg = (parsed as Partial<PackageResult> | null)?.package_msg;
    if (res.ok && (msg === undefined || msg === 'success')) return { txid, accepted: true, alreadyKnown: false, childTxid: pkg.childTxid, fee: pkg.fee };
    const reason = msg !== undefined ? packageReason(parsed as PackageResult) : text.slice(0, 300);
    return { txid, accepted: false, alreadyKnown: false, reason, childTxid: pkg.childTxid };
  }
}

export interface ExecutedStep extends BroadcastResult {
  label: string;
}

export interface ExitProgress {
  /** Every step the network has or took, in order. */
  steps: ExecutedStep[];
  /** All steps are accepted (the last one may still be unconfirmed). */
  complete: boolean;
  /** The unconfirmed step the next one has to wait for (TRUC: one unconfirmed ancestor per package). */
  waitingFor?: string;
}

/**
 * Broadcasts a package's steps in order, skipping what the network already has. Each virtual tx
 * goes with its CPFP child, and TRUC lets a v3 tx have only one unconfirmed ancestor, so a step is
 * sent only once the previous one confirmed: with `awaitConfirmation` the executor waits (on regtest:
 * mines), without it it stops and says which txid it waits for. Stops at the first refusal.
 */
export async function executeExitPackage(pkg: ExitPackage, to: Broadcaster, opts: { awaitConfirmation?: (txid: string) => Promise<void> } = {}): Promise<ExitProgress> {
  const out: ExecutedStep[] = [];
  // A confirmed tx whose outputs are all spent is invisible to a node without -txindex: find the
  // deepest step the network has; everything before it is on chain too.
  let start = 0;
  let pending: string | undefined;
  for (let i = pkg.steps.length - 1; i >= 0; i--) {
    const s = pkg.steps[i]!;
    const st = await to.status(s.txid, Transaction.fromRaw(hex.decode(s.hex), TX_OPTS).outputsLength);
    if (st !== 'unknown') {
      start = i + 1;
      if (st === 'mempool') pending = s.txid;
      break;
    }
  }
  for (const s of pkg.steps.slice(0, start)) out.push({ txid: s.txid, accepted: true, alreadyKnown: true, label: s.label });
  for (const s of pkg.steps.slice(start)) {
    if (pending) {
      if (!opts.awaitConfirmation) return { steps: out, complete: false, waitingFor: pending };
      await opts.awaitConfirmation(pending);
    }
    const r = await to.broadcast(s.hex, s.txid);
    out.push({ ...r, label: s.label });
    if (!r.accepted) throw Object.assign(new HashPerpError('exit_step_refused', `${to.name} refused ${s.label} (${s.txid}): ${r.reason ?? 'unknown'}`), { steps: out });
    pending = r.alreadyKnown && (await to.status(s.txid, Transaction.fromRaw(hex.decode(s.hex), TX_OPTS).outputsLength)) === 'confirmed' ? undefined : s.txid;
  }
  return { steps: out, complete: true };
}
