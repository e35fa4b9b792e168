/**
 * Unilateral exit with the SDK's own pieces: the exit-chain resolver reads the VTXO's branch from
 * the local repository first (full capture stores the PSBTs) and only then from the operator's
 * indexer; `Unroll.Session` broadcasts it one transaction at a time, each as a 1-parent-1-child
 * package whose child spends the P2A anchor with fees from an `OnchainWallet` of the same identity.
 * Nothing here needs the operator when the branch is stored: the Esplora is the user's choice.
 */
import { hex, base64 } from '@scure/base';
import {
  ChainTxType,
  createExitChainResolver,
  InMemoryVirtualTxRepository,
  OnchainWallet,
  Transaction,
  Unroll,
  type ChainTx,
  type AnchorBumper,
  type ExtendedVirtualCoin,
  type IndexerProvider,
  type OnchainProvider,
  type Wallet,
} from '@arkade-os/sdk';
import type { VirtualTxRepository } from '@arkade-os/sdk/repositories/sqlite';
import { InvalidArgumentError } from '../units/errors.js';

export interface Outpoint {
  txid: string;
  vout: number;
}

export function parseOutpoint(s: string): Outpoint {
  const m = /^([0-9a-fA-F]{64}):(\d{1,5})$/.exec(s.trim());
  if (m === null) throw new InvalidArgumentError('vtxo', `expected TXID:VOUT, got ${JSON.stringify(s)}`);
  return { txid: m[1]!.toLowerCase(), vout: Number(m[2]) };
}

/**
 * Leaf first, commitment last: the order arkd's GetVtxoChain returns and `Unroll.Session` walks
 * from the end. The local repository stores branches the other way round (position 0 = root), so
 * the chain is re-ordered by its `spends` edges whichever source answered.
 */
export function leafFirst(chain: ChainTx[]): ChainTx[] {
  const byId = new Map(chain.map((c) => [c.txid, c]));
  const out: ChainTx[] = [];
  const seen = new Set<string>();
  const visit = (c: ChainTx): void => {
    if (seen.has(c.txid)) return;
    seen.add(c.txid);
    for (const p of c.spends) {
      const parent = byId.get(p);
      if (parent) visit(parent);
    }
    out.push(c);
  };
  for (const c of chain) visit(c);
  return out.reverse();
}

export function exitResolver(wallet: Wallet, repo: VirtualTxRepository) {
  return createExitChainResolver({ indexer: wallet.indexerProvider, repository: repo });
}

export type ExitStepReport =
  | { type: 'broadcast'; txid: string; package: [string, string] }
  | { type: 'wait'; txid: string }
  | { type: 'done'; vtxo: string };

/**
 * Drives one VTXO's unroll. With `wait`, blocks on each confirmation (the SDK polls the Esplora);
 * without, it does what can be done now and returns at the first unconfirmed transaction: running
 * it again resumes, since every step is decided from what the chain already holds.
 */
export async function unrollVtxo(params: {
  wallet: Wallet;
  repo: VirtualTxRepository;
  feeWallet: OnchainWallet;
  vtxo: Outpoint;
  wait: boolean;
  onStep: (s: ExitStepReport) => void;
}): Promise<'done' | 'waiting'> {
  const { wallet, repo, vtxo } = params;
  const chain = leafFirst(await exitResolver(wallet, repo).getVtxoChain(vtxo));
  return unrollChain({ ...params, chain, explorer: wallet.onchainProvider, indexer: wallet.indexerProvider });
}

/**
 * The same, for any VTXO whose branch is known (a contract VTXO's exit data): the indexer is only
 * asked for a transaction the repository lacks, so with the branch stored the operator may be gone.
 */
export async function unrollChain(params: {
  vtxo: Outpoint;
  chain: ChainTx[];
  repo: VirtualTxRepository;
  feeWallet: AnchorBumper;
  explorer: OnchainProvider;
  indexer: IndexerProvider;
  wait: boolean;
  onStep: (s: ExitStepReport) => void;
}): Promise<'done' | 'waiting'> {
  const { vtxo } = params;
  const session = new Unroll.Session({ ...vtxo, chain: params.chain }, params.feeWallet, params.explorer, params.indexer, params.repo);
  for (;;) {
    const step = await session.next();
    if (step.type === Unroll.StepType.WAIT && !params.wait) {
      params.onStep({ type: 'wait', txid: step.txid });
      return 'waiting';
    }
    await step.do();
    if (step.type === Unroll.StepType.UNROLL) params.onStep({ type: 'broadcast', txid: step.tx.id, package: step.pkg });
    else if (step.type === Unroll.StepType.WAIT) params.onStep({ type: 'wait', txid: step.txid });
    else {
      params.onStep({ type: 'done', vtxo: `${vtxo.txid}:${vtxo.vout}` });
      return 'done';
    }
    // The Esplora needs a moment to index what was just broadcast (the SDK's iterator waits 1 s too).
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/** A repository holding one exported VTXO's branch, for `unrollChain` without the operator. */
export async function repoFromExitData(v: ExitDataVtxo): Promise<InMemoryVirtualTxRepository> {
  const repo = new InMemoryVirtualTxRepository();
  await repo.upsertVirtualTxs(v.chain.filter((c) => c.psbt !== null).map((c) => ({ txid: c.txid, psbt: c.psbt, expiresAt: null, type: 0 })));
  return repo;
}

export interface ExitDataVtxo {
  outpoint: string;
  value: number;
  /** The VTXO's taproot tree (hex), from which every exit leaf can be rebuilt. */
  tapTree: string;
  /** Leaf first: the VTXO's tx … down to the commitment (whose PSBT is not needed: it is on chain). */
  chain: { txid: string; type: string; spends: string[]; psbt: string | null }[];
}

export interface ExitData {
  version: 1;
  network: string;
  /** The server's x-only signer key the VTXO scripts commit to. */
  serverPubkey: string;
  vtxos: ExitDataVtxo[];
  missing: { outpoint: string; reason: string }[];
}

/** Everything needed to unroll the wallet's VTXOs without the operator (the key file aside). */
export async function collectExitData(wallet: Wallet, repo: VirtualTxRepository, vtxos: Pick<ExtendedVirtualCoin, 'txid' | 'vout' | 'value' | 'tapTree'>[], networkName: string): Promise<ExitData> {
  const resolver = exitResolver(wallet, repo);
  const out: ExitData = { version: 1, network: networkName, serverPubkey: hex.encode(wallet.arkServerPublicKey), vtxos: [], missing: [] };
  for (const v of vtxos) {
    const outpoint = `${v.txid}:${v.vout}`;
    try {
      const chain = leafFirst(await resolver.getVtxoChain({ txid: v.txid, vout: v.vout }));
      const want = chain.filter((c) => c.type !== ChainTxType.COMMITMENT && c.type !== ChainTxType.UNSPECIFIED).map((c) => c.txid);
      const psbts = new Map<string, string>();
      for (const p of await resolver.getVirtualTxs(want)) psbts.set(Transaction.fromPSBT(base64.decode(p)).id, p);
      const lacking = want.filter((t) => !psbts.has(t));
      if (lacking.length > 0) {
        out.missing.push({ outpoint, reason: `no PSBT held for ${lacking.join(', ')}` });
        continue;
      }
      out.vtxos.push({
        outpoint,
        value: v.value,
        tapTree: hex.encode(v.tapTree),
        chain: chain.map((c) => ({ txid: c.txid, type: c.type, spends: c.spends, psbt: psbts.get(c.txid) ?? null })),
      });
    } catch (e) {
      out.missing.push({ outpoint, reason: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
