/**
 * A block-delta holder's unilateral exit without the operator (`hashperp exit`): unroll the contract VTXO
 * from the exit data the desk served (ExitDataDoc), then claim through the holder's own leaf (leaf 2 FAST,
 * leaf 3 SLOW) once its CLTV has opened and its CSV has matured, as the user's Esplora sees the chain.
 * Every step is decided from what the chain holds, so running it again resumes.
 *
 * Finality as Bitcoin Core judges a tx for the next block (tip + 1):
 * - leaf 2, nLockTime H (height): final once tip ≥ H;
 * - leaf 3, nLockTime T − 1 (time, BIP-113): final once the tip's MTP ≥ T;
 * - CSV d blocks (BIP-68) from the unroll's confirmation block c: valid once tip + 1 ≥ c + d;
 * - CSV d seconds: valid once the tip's MTP ≥ MTP(c − 1) + d.
 */
import { hex } from '@scure/base';
import { Address, OutScript } from '@scure/btc-signer';
import type { AnchorBumper, ChainTx, Identity, IndexerProvider, OnchainProvider, NetworkName as SdkNetworkName, RelativeTimelock } from '@arkade-os/sdk';
import type { ExitDataDoc } from '../operator/block-delta/desk.js';
import { buildBlockDeltaVtxo, type BdcSide, type BlockDeltaVtxo } from '../bitcoin/vtxo-scripts.js';
import { NETWORKS, type NetworkName } from '../bitcoin/networks.js';
import { claimTxWithIdentity } from '../bitcoin/bdc-claim.js';
import { bdcExitWindow, exitDelayBlocks, type BdcExitWindow } from '../bitcoin/bdc-exit-window.js';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import { parseOutpoint, repoFromExitData, unrollChain, type ExitStepReport, type Outpoint } from './exit.js';

export interface ChainView {
  height: number;
  /** Median time past of the tip, unix seconds. */
  mtp: number;
}

export type ClaimWait =
  | { kind: 'height'; height: number; tip: number }
  | { kind: 'mtp'; time: number; mtp: number }
  | { kind: 'csv-blocks'; blocksLeft: number; confirmedAt: number }
  | { kind: 'csv-time'; time: number; mtp: number; confirmedAt: number };

/** The SDK's network name for the desk's (bitcoin/networks.ts calls mainnet what the SDK calls bitcoin). */
export function sdkNetworkOf(n: NetworkName): SdkNetworkName {
  return n === 'mainnet' ? 'bitcoin' : n;
}

/** Checks the exit data's shape and that it is this key's contract; returns the contract rebuilt from its terms. */
export function contractOfExitData(doc: ExitDataDoc, userXOnly: Uint8Array): BlockDeltaVtxo {
  if (doc?.version !== 1) throw new InvalidArgumentError('exit-file', `not block-delta exit data (version ${String(doc?.version)})`);
  if (!(doc.network in NETWORKS)) throw new InvalidArgumentError('exit-file', `unknown network ${String(doc.network)}`);
  const t = doc.terms;
  const mine = hex.encode(userXOnly);
  if (t.user !== mine) throw new InvalidArgumentError('wallet-file', `this contract is for key ${String(t.user)}; your wallet key is ${mine}`);
  const exitDelay: RelativeTimelock = { type: t.exitDelay.type as RelativeTimelock['type'], value: BigInt(t.exitDelay.value) };
  const c = buildBlockDeltaVtxo({ user: userXOnly, operator: hex.decode(t.operator), userSide: t.side, targetHeight: t.targetHeight, deadline: t.deadline, exitDelay });
  if (hex.encode(c.vtxoScript.encode()) !== doc.tapTree) throw new InvalidArgumentError('exit-file', 'its tap tree is not the contract its terms and your key build');
  parseOutpoint(doc.outpoint);
  if (!Number.isSafeInteger(doc.value) || doc.value <= 0) throw new InvalidArgumentError('exit-file', `bad value ${String(doc.value)}`);
  return c;
}

/** What still keeps the holder's claim out of the next block (empty: broadcast now). */
export function claimWaits(c: BlockDeltaVtxo, side: BdcSide, confirmedAt: number, tip: ChainView, parentMtp?: number): ClaimWait[] {
  const waits: ClaimWait[] = [];
  if (side === 'FAST' && tip.height < c.fastLockTime) waits.push({ kind: 'height', height: c.fastLockTime, tip: tip.height });
  if (side === 'SLOW' && tip.mtp <= c.slowLockTime) waits.push({ kind: 'mtp', time: c.slowLockTime + 1, mtp: tip.mtp });
  const d = c.terms.exitDelay;
  if (d.type === 'blocks') {
    const left = confirmedAt + Number(d.value) - (tip.height + 1);
    if (left > 0) waits.push({ kind: 'csv-blocks', blocksLeft: left, confirmedAt });
  } else {
    if (parentMtp === undefined) throw new InvalidArgumentError('parentMtp', 'a time-based CSV needs the MTP of the block before the unroll confirmed');
    const until = parentMtp + Number(d.value);
    if (tip.mtp < until) waits.push({ kind: 'csv-time', time: until, mtp: tip.mtp, confirmedAt });
  }
  return waits;
}

/** Whether the other party's claim leaf has opened its CLTV (from then on it is a race; see BDC_METASTABILITY). */
export function otherLockOpen(c: BlockDeltaVtxo, side: BdcSide, tip: ChainView): boolean {
  return side === 'FAST' ? tip.mtp > c.slowLockTime : tip.height >= c.fastLockTime;
}

const iso = (t: number): string => new Date(t * 1000).toISOString();

export function describeWait(w: ClaimWait): string {
  switch (w.kind) {
    case 'height':
      return `block ${w.height} (H; tip ${w.tip}, ${w.height - w.tip} block(s) to go)`;
    case 'mtp':
      return `median time past to reach ${w.time} = ${iso(w.time)} (T; now ${w.mtp} = ${iso(w.mtp)}, ${w.time - w.mtp} s to go)`;
    case 'csv-blocks':
      return `the exit delay: ${w.blocksLeft} more block(s) of CSV after the unroll confirmed in block ${w.confirmedAt}`;
    case 'csv-time':
      return `the exit delay: median time past to reach ${w.time} = ${iso(w.time)} (now ${w.mtp}), CSV counted from block ${w.confirmedAt}`;
  }
}

/** Virtual transactions the holder broadcasts to unroll (k of the exit window): every chain entry with a PSBT. */
export function unrollTxsOf(doc: ExitDataDoc): number {
  return Math.max(1, doc.chain.filter((c) => c.psbt !== null).length);
}

export function exitWindowOf(doc: ExitDataDoc): BdcExitWindow {
  const d = doc.terms.exitDelay;
  return bdcExitWindow({
    side: doc.terms.side,
    height: doc.terms.targetHeight,
    deadline: doc.terms.deadline,
    exitDelayBlocks: exitDelayBlocks({ type: d.type as 'blocks' | 'seconds', value: BigInt(d.value) }),
    unrollTxs: unrollTxsOf(doc),
  });
}

export function describeLatestStart(w: BdcExitWindow): string {
  const s = w.latestStart;
  return s.kind === 'height'
    ? `latest safe start of a unilateral exit: while the tip is at most block ${s.height} (point of no return ${s.pointOfNoReturn})`
    : `latest safe start of a unilateral exit: by ${iso(s.time)} (an estimate)`;
}

export type BdcExitStatus =
  | { status: 'unrolling'; steps: ExitStepReport[] }
  | { status: 'waiting'; waits: ClaimWait[]; confirmedAt: number }
  | { status: 'claimed'; txid: string; fee: number; to: string; amount: number; broadcastNow: boolean };

/** Claim fee for a one-input one-output leaf spend at `rate` sat/vB (vsize measured on the signed tx). */
const MIN_RELAY_RATE = 1.1;

export interface BdcExitParams {
  doc: ExitDataDoc;
  contract: BlockDeltaVtxo;
  identity: Identity;
  explorer: OnchainProvider;
  /** The Esplora base URL (MTP of a past block for a time-based CSV). */
  esploraUrl: string;
  indexer: IndexerProvider;
  feeWallet: AnchorBumper;
  /** The claim's output script (the holder's Bitcoin address). */
  to: Uint8Array;
  toAddress: string;
  wait: boolean;
  onStep: (s: ExitStepReport) => void;
}

async function mtpOfHeight(esploraUrl: string, height: number): Promise<number> {
  const hash = await (await fetch(`${esploraUrl}/block-height/${height}`)).text();
  const r = await fetch(`${esploraUrl}/block/${hash.trim()}`);
  if (!r.ok) throw new HashPerpError('esplora_error', `esplora: no block ${height}`, { field: 'esplora' });
  return ((await r.json()) as { mediantime: number }).mediantime;
}

/** One pass: unroll what can be unrolled, then claim if the leaf is open; `claimed` also when an earlier run claimed. */
export async function bdcExitStep(p: BdcExitParams): Promise<BdcExitStatus> {
  const op: Outpoint = parseOutpoint(p.doc.outpoint);
  const side = p.doc.terms.side;
  const spent = (await p.explorer.getTxOutspends(op.txid).catch(() => []))[op.vout];
  if (spent?.spent && spent.txid !== undefined) return { status: 'claimed', txid: spent.txid, fee: 0, to: p.toAddress, amount: 0, broadcastNow: false };

  const steps: ExitStepReport[] = [];
  const chain: ChainTx[] = p.doc.chain.map((c) => ({ txid: c.txid, type: c.type as ChainTx['type'], spends: c.spends, expiresAt: '' }));
  const unrolled = await unrollChain({
    vtxo: op, chain, repo: await repoFromExitData(p.doc), feeWallet: p.feeWallet, explorer: p.explorer, indexer: p.indexer, wait: p.wait,
    onStep: (s) => {
      steps.push(s);
      p.onStep(s);
    },
  });
  if (unrolled !== 'done') return { status: 'unrolling', steps };
  const st = await p.explorer.getTxStatus(op.txid);
  if (!st.confirmed) return { status: 'unrolling', steps };

  const tip = await p.explorer.getChainTip();
  const view: ChainView = { height: tip.height, mtp: tip.time };
  const parentMtp = p.contract.terms.exitDelay.type === 'seconds' ? await mtpOfHeight(p.esploraUrl, st.blockHeight - 1) : undefined;
  const waits = claimWaits(p.contract, side, st.blockHeight, view, parentMtp);
  if (waits.length > 0) return { status: 'waiting', waits, confirmedAt: st.blockHeight };

  const value = BigInt(p.doc.value);
  const rate = Math.max(MIN_RELAY_RATE, (await p.explorer.getFeeRate().catch(() => undefined)) ?? 2);
  const build = (fee: bigint) => claimTxWithIdentity({ contract: p.contract, outpoint: op, value, side, identity: p.identity, to: p.to, fee });
  const fee = BigInt(Math.ceil(rate * (await build(1_000n)).vsize));
  const tx = await build(fee);
  const txid = await p.explorer.broadcastTransaction(tx.hex);
  return { status: 'claimed', txid, fee: Number(fee), to: p.toAddress, amount: Number(value - fee), broadcastNow: true };
}

/** The claim's destination: a Bitcoin address of the contract's network. */
export function payoutScript(address: string, network: NetworkName): Uint8Array {
  try {
    return OutScript.encode(Address(NETWORKS[network]).decode(address.trim()));
  } catch {
    throw new InvalidArgumentError('to', `not a Bitcoin address of ${network}: ${JSON.stringify(address)}`);
  }
}
