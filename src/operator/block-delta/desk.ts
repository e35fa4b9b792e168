/**
 * The operator's block-delta desk: turns the engine's positions into contract VTXOs on the live Ark
 * operator and answers for them.
 *
 * - A position the book opened (BdcPositionOpened) becomes a contract VTXO (U + S; the payout's value)
 *   paid from the operator's liquidity L, once the holder has registered its contract key U (its Ark
 *   wallet key; the API key is a different one). The contract is registered with the guard before the
 *   Ark tx is submitted, the funding is recorded before and after it (so a crash in between is resumed,
 *   never paid twice), and the engine learns it by BdcPositionFunded.
 * - Lifetime rule: only liquidity coins whose batch outlives the series' decision plus the settlement
 *   window fund a contract (contract VTXOs are never renewed).
 * - Reconciliation after every block: every funded open position has its unspent contract VTXO of the
 *   payout's value at the contract's script; every funding record is known to the engine.
 * - Documents and exit data for the holder: terms, leaves, outpoint, and every signed tx from the batch
 *   down to the contract VTXO, so the holder can exit with a plain bitcoind when the operator is gone.
 *
 * Why S funds the whole VTXO: the user's stake entered the exchange with an Ark tx the user signed (or
 * the order's escrow); a resting order must be fillable while its owner is offline, so the fill cannot
 * wait for the user's signature. From the VTXO on, nothing moves without U.
 */
import { hex } from '@scure/base';
import type { RelativeTimelock } from '@arkade-os/sdk';
import type { Command } from '../../engine/commands.js';
import type { EngineEvent } from '../../engine/events.js';
import type { Exchange } from '../../engine/exchange.js';
import { bdcModuleOf, seriesOfPosition } from '../../engine/products/bdc/index.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo, slowLockTime, type BlockDeltaVtxo, type ExportedVtxo } from '../../bitcoin/vtxo-scripts.js';
import { NETWORKS, type NetworkName } from '../../bitcoin/networks.js';
import { HashPerpError, InvalidArgumentError } from '../../units/errors.js';
import { parseXOnly } from '../../bitcoin/keys.js';
import type { ArkStore, VtxoRecord } from '../ark/ark-store.js';
import type { ArkIndexer } from '../ark/ark-indexer.js';
import type { LiquidityWallet } from '../liquidity.js';
import { outlives, type ContractTermsRecord } from './contract-guard.js';
import { SWAP_RECORD_KIND, type PendingSwap, type SwapDesk } from './swap-desk.js';
import type { TakeDesk } from './take-desk.js';

export interface DeskDeps {
  store: ArkStore;
  indexer: Pick<ArkIndexer, 'getVtxoChain'>;
  liquidity: LiquidityWallet;
  registerContract(t: ContractTermsRecord): void;
  operatorXOnly: Uint8Array;
  exitDelay: RelativeTimelock;
  window: { blocks: number; seconds: number };
  network: NetworkName;
  engine: { submit(c: Command): Promise<unknown>; on(l: (seq: number, c: Command, events: EngineEvent[]) => void): () => void; readonly exchange: Exchange };
  now(): number;
  log(msg: string): void;
  liquidityAddress: string;
  checkpointTapscript: Uint8Array;
  /** Swap offers on contract VTXOs (atomic Ark swaps); absent where nothing is funded. */
  swaps?: SwapDesk;
  /** Taker orders funded by the taker's own Ark tx; absent where nothing is funded. */
  takes?: TakeDesk;
  /** Why this mode never funds contracts (documents are still served), e.g. the engine follows another chain than the Ark operator's. */
  fundingDisabled?: string;
}

/** Funding progress of one position, written to the store around the Ark tx that pays it. */
export interface FundingRecord {
  positionId: string;
  account: string;
  script: string;
  amount: bigint;
  /** Set once the operator accepted the Ark tx: its output 0 is the contract VTXO. */
  arkTxid?: string;
}

export interface DeskStatus {
  positions: number;
  funded: number;
  awaitingKey: number;
  /** Positions the desk could not fund yet, with the reason (short liquidity, lifetime). */
  unfunded: { positionId: string; reason: string }[];
  /** Reconciliation problems found after the last block: each names the position and what disagrees. */
  problems: string[];
  lastReconciledHeight: number;
}

export interface ExitDataDoc {
  version: 1;
  network: NetworkName;
  positionId: string;
  terms: ContractDocument['terms'];
  outpoint: string;
  value: number;
  tapTree: string;
  /** Leaf first: the Ark tx holding the contract VTXO, its checkpoints, … the tree branch, the commitment. */
  chain: { txid: string; type: string; spends: string[]; psbt: string | null }[];
}

export interface ContractDocument {
  positionId: string;
  series: string;
  account: string;
  status: 'awaiting-key' | 'unfunded' | 'funded' | 'settled';
  reason?: string;
  network: NetworkName;
  terms: {
    side: 'FAST' | 'SLOW';
    targetHeight: number;
    deadline: number;
    slowLockTime: number;
    contracts: number;
    amountSat: number;
    /** What the holder staked, while the engine still holds the position. */
    stakeSat?: number;
    user: string | null;
    operator: string;
    exitDelay: { type: string; value: string };
  };
  funded: boolean;
  outpoint?: string;
  vtxo?: ExportedVtxo;
  /** Where a losing holder releases the contract VTXO (the operator's liquidity L): its Ark address and script. */
  operatorPayout: { address: string; script: string };
  /** The checkpoint tapscript the operator's Ark txs use (arkd's GetInfo), for building settlements. */
  checkpointTapscript: string;
  /** Once the series is decided. */
  winner?: 'FAST' | 'SLOW';
}

const KEY_KIND = 'bdc-key';

export class ContractDesk {
  private off: (() => void) | undefined;
  private retry: NodeJS.Timeout | undefined;
  private busy: Promise<void> = Promise.resolve();
  /** Why each open position has no contract VTXO yet; `retry`: a passing failure, worth another try before the next block. */
  private readonly unfunded = new Map<string, { reason: string; waits: 'key' | 'mode' | 'retry' }>();
  private problems: string[] = [];
  private lastReconciledHeight = -1;

  constructor(private readonly d: DeskDeps) {}

  start(): void {
    this.off = this.d.engine.on((_seq, _c, events) => {
      const opened = events.filter((e) => e.type === 'BdcPositionOpened').map((e) => (e as { positionId: string }).positionId);
      const block = events.some((e) => e.type === 'BlockProcessed');
      if (opened.length > 0 || block) this.enqueue(async () => {
        await this.fundPending();
        if (block) {
          for (const r of this.d.swaps?.unrecorded() ?? []) await this.d.swaps!.record(r);
          await this.reconcile();
        }
      });
    });
    this.enqueue(() => this.fundPending());
    // A funding that failed for a passing reason (a coin held by another tx) is retried before the next block.
    this.retry = setInterval(() => {
      if ([...this.unfunded.values()].some((u) => u.waits === 'retry')) this.enqueue(() => this.fundPending());
    }, 3_000);
    this.retry.unref();
  }

  stop(): void {
    this.off?.();
    if (this.retry) clearInterval(this.retry);
  }

  /** Waits for the work queued so far (tests). */
  settled(): Promise<void> {
    return this.busy;
  }

  private enqueue(job: () => Promise<void>): void {
    this.busy = this.busy.then(job).catch((e: unknown) => this.d.log(`block-delta desk: ${e instanceof Error ? e.message : String(e)}`));
  }

  get swaps(): SwapDesk | undefined {
    return this.d.swaps;
  }

  get takes(): TakeDesk | undefined {
    return this.d.takes;
  }

  // ───────────────────────────── contract keys ─────────────────────────────

  /** The holder's contract key U (an x-only key of its Ark wallet). Positions waiting for it are funded next. */
  setContractKey(account: string, key: string): void {
    const x = hex.encode(parseXOnly('key', key));
    if (x === hex.encode(this.d.operatorXOnly)) throw new InvalidArgumentError('key', 'the contract key must be the holder’s own, not the operator’s');
    this.d.store.commit({ meta: [{ kind: KEY_KIND, id: account, value: x }] });
    this.enqueue(() => this.fundPending());
  }

  contractKey(account: string): string | undefined {
    return this.d.store.meta(KEY_KIND, account) as string | undefined;
  }

  // ───────────────────────────── funding ─────────────────────────────

  private get bdc() {
    return bdcModuleOf(this.d.engine.exchange);
  }

  private contractOf(positionId: string, user: string): { c: BlockDeltaVtxo; terms: ContractTermsRecord } {
    const p = this.bdc.getPosition(positionId)!;
    const s = this.bdc.getSeries(p.series)!;
    const c = buildBlockDeltaVtxo({ user: hex.decode(user), operator: this.d.operatorXOnly, userSide: p.side, targetHeight: s.height, deadline: s.deadline, exitDelay: this.d.exitDelay });
    const terms: ContractTermsRecord = {
      script: hex.encode(c.vtxoScript.pkScript), user, operator: hex.encode(this.d.operatorXOnly), side: p.side, height: s.height, deadline: s.deadline,
      exitDelay: Number(this.d.exitDelay.value), payoutSat: BigInt(s.payoutSat), series: s.id, registeredAt: Math.floor(this.d.now() / 1000),
    };
    return { c, terms };
  }

  /** Every open, unfunded position whose holder has a contract key: resume a recorded funding, or pay a new one. */
  private async fundPending(): Promise<void> {
    for (const s of this.bdc.listSeries()) {
      if (s.status !== 'open') continue;
      for (const p of this.bdc.positionsOfSeries(s.id)) {
        if (p.vtxo !== undefined) continue;
        const account = p.owner.slice('user:'.length);
        const key = this.contractKey(account);
        if (key === undefined) {
          this.unfunded.set(p.id, { reason: 'awaiting the holder’s contract key (POST /v1/bdc/contract-key)', waits: 'key' });
          continue;
        }
        if (this.d.fundingDisabled !== undefined) {
          this.unfunded.set(p.id, { reason: this.d.fundingDisabled, waits: 'mode' });
          continue;
        }
        try {
          await this.fund(p.id, account, key, BigInt(p.contracts * s.payoutSat));
          this.unfunded.delete(p.id);
        } catch (e) {
          this.unfunded.set(p.id, { reason: e instanceof Error ? e.message : String(e), waits: 'retry' });
        }
      }
    }
  }

  private async fund(positionId: string, account: string, key: string, amount: bigint): Promise<void> {
    const { terms } = this.contractOf(positionId, key);
    let rec = this.d.store.meta('bdc-funding', positionId) as FundingRecord | undefined;
    if (rec?.arkTxid === undefined) {
      // A crash after the operator accepted the tx but before it was recorded: find its output.
      const paid = rec !== undefined ? this.d.store.vtxosByScript(terms.script).find((v) => v.amount === amount && !this.boundElsewhere(v, positionId)) : undefined;
      if (paid !== undefined) {
        rec = { ...rec!, arkTxid: paid.txid };
        this.d.store.commit({ meta: [{ kind: 'bdc-funding', id: positionId, value: rec }] });
      }
    }
    if (rec?.arkTxid === undefined) {
      this.d.registerContract(terms);
      const start: FundingRecord = { positionId, account, script: terms.script, amount };
      this.d.store.commit({ meta: [{ kind: 'bdc-funding', id: positionId, value: start }] });
      const arkTxid = await this.d.liquidity.pay([{ script: hex.decode(terms.script), amount }], undefined, (v) => outlives(v.expiresAt, terms, this.d.window, this.d.engine.exchange.chainTip()));
      rec = { ...start, arkTxid };
      this.d.store.commit({ meta: [{ kind: 'bdc-funding', id: positionId, value: rec }] });
    }
    await this.d.engine.submit({ type: 'BdcPositionFunded', positionId, vtxo: `${rec.arkTxid}:0` } as Command);
    this.d.log(`block-delta desk: ${positionId} funded by ${rec.arkTxid}:0 (${amount} sat)`);
  }

  private boundElsewhere(v: VtxoRecord, positionId: string): boolean {
    return (this.d.store.metaAll('bdc-funding') as FundingRecord[]).some((r) => r.positionId !== positionId && r.arkTxid === v.txid);
  }

  // ───────────────────────────── reconciliation ─────────────────────────────

  /** Ledger (the engine's positions) against VTXOs (the operator's store); the problems it finds, by position. */
  reconcileNow(): string[] {
    const problems: string[] = [];
    // Several positions may share one contract VTXO (a taker's fills against several makers, one Ark tx).
    const byVtxo = new Map<string, { ids: string[]; want: bigint; series: string; side: string; open: boolean }>();
    for (const s of this.bdc.listSeries()) {
      for (const p of this.bdc.positionsOfSeries(s.id)) {
        if (p.vtxo === undefined) continue;
        const g = byVtxo.get(p.vtxo) ?? { ids: [], want: 0n, series: s.id, side: p.side, open: s.status === 'open' };
        g.ids.push(p.id);
        g.want += BigInt(p.contracts * s.payoutSat);
        byVtxo.set(p.vtxo, g);
      }
    }
    for (const [vtxo, g] of byVtxo) {
      const who = g.ids.join(', ');
      const [txid, vout] = vtxo.split(':');
      const v = this.d.store.vtxo(txid!, Number(vout));
      if (v === undefined) {
        problems.push(`${who}: its contract VTXO ${vtxo} is unknown to the operator`);
        continue;
      }
      const terms = this.d.store.contract(v.script);
      if (terms === undefined || terms.series !== g.series || terms.side !== g.side) problems.push(`${who}: ${vtxo} is not a registered ${g.series} ${g.side} contract`);
      if (v.amount !== g.want) problems.push(`${who}: ${vtxo} holds ${v.amount} sat, the position ${g.want}`);
      if (g.open && (v.spentBy !== '' || v.swept)) problems.push(`${who}: ${vtxo} is ${v.swept ? 'swept' : `spent by ${v.spentBy}`} while the series is open`);
    }
    for (const r of this.d.swaps?.unrecorded() ?? []) problems.push(`${r.positionId}: swap ${r.swapId} finalized on the Ark operator, not yet recorded in the engine${r.reason ? ` (${r.reason})` : ''}`);
    for (const r of this.d.store.metaAll('bdc-funding') as FundingRecord[]) {
      const p = this.bdc.getPosition(r.positionId);
      if (r.arkTxid === undefined) problems.push(`${r.positionId}: a funding was started and not finished (resumed at the next pass)`);
      else if (p !== undefined && p.vtxo === undefined) problems.push(`${r.positionId}: funded by ${r.arkTxid}:0 but the engine does not know it yet`);
    }
    return problems;
  }

  private async reconcile(): Promise<void> {
    this.problems = this.reconcileNow();
    this.lastReconciledHeight = this.d.engine.exchange.chainTip().height;
    for (const p of this.problems) this.d.log(`block-delta reconciliation: ${p}`);
  }

  status(): DeskStatus {
    let positions = 0;
    let funded = 0;
    for (const s of this.bdc.listSeries()) for (const p of this.bdc.positionsOfSeries(s.id)) {
      positions++;
      if (p.vtxo !== undefined) funded++;
    }
    const unfunded = [...this.unfunded].map(([positionId, u]) => ({ positionId, reason: u.reason }));
    const awaitingKey = [...this.unfunded.values()].filter((u) => u.waits === 'key').length;
    return { positions, funded, awaitingKey, unfunded, problems: [...this.problems], lastReconciledHeight: this.lastReconciledHeight };
  }

  // ───────────────────────────── documents ─────────────────────────────

  /** The holder of a position (open, or settled with a contract): the routes serve documents to it alone. */
  record(positionId: string): { account: string } {
    const p = this.bdc.getPosition(positionId);
    if (p !== undefined) return { account: p.owner.slice('user:'.length) };
    const h = this.lastHolder(positionId);
    if (h !== undefined) return { account: h.account };
    throw new HashPerpError('unknown_position', `no contract position ${positionId}`, { field: 'positionId' });
  }

  /**
   * Who holds a funded position's contract VTXO now, by the desk's own records (its funding, then every
   * recorded swap): what documents rest on once the engine has settled the series and forgotten it.
   */
  private lastHolder(positionId: string): { account: string; key: string; outpoint: string; script: string } | undefined {
    const f = this.d.store.meta('bdc-funding', positionId) as FundingRecord | undefined;
    if (f?.arkTxid === undefined) return undefined;
    const terms = this.d.store.contract(f.script);
    if (terms === undefined) return undefined;
    let h = { account: f.account, key: terms.user, outpoint: `${f.arkTxid}:0`, script: f.script };
    const swaps = this.d.store.metaAll(SWAP_RECORD_KIND) as PendingSwap[];
    for (const w of swaps.filter((x) => x.positionId === positionId && x.status === 'recorded').sort((a, b) => a.createdAt - b.createdAt)) {
      const v = this.d.store.vtxo(w.swapId, 0);
      h = { account: w.buyer, key: w.buyerKey, outpoint: `${w.swapId}:0`, script: v?.script ?? h.script };
    }
    return h;
  }

  /** What every contract document says of the operator: its key and exit delay in the terms, where losers release, its checkpoint script. */
  private operatorTerms(): Pick<ContractDocument['terms'], 'operator' | 'exitDelay'> {
    return { operator: hex.encode(this.d.operatorXOnly), exitDelay: { type: this.d.exitDelay.type, value: this.d.exitDelay.value.toString() } };
  }

  private operatorParts(): Pick<ContractDocument, 'operatorPayout' | 'checkpointTapscript'> {
    return { operatorPayout: { address: this.d.liquidityAddress, script: hex.encode(this.d.liquidity.script) }, checkpointTapscript: hex.encode(this.d.checkpointTapscript) };
  }

  /** The document of a decided series' contract, from the desk's records: the holder settles or exits with it. */
  private decidedContract(positionId: string): ContractDocument {
    const h = this.lastHolder(positionId);
    const terms = h === undefined ? undefined : this.d.store.contract(h.script);
    const s = this.bdc.getSeries(seriesOfPosition(positionId));
    if (h === undefined || terms === undefined || s === undefined) throw new HashPerpError('unknown_position', `no contract position ${positionId}`, { field: 'positionId' });
    const [txid, vout] = h.outpoint.split(':');
    const v = this.d.store.vtxo(txid!, Number(vout));
    const c = buildBlockDeltaVtxo({ user: hex.decode(h.key), operator: this.d.operatorXOnly, userSide: terms.side, targetHeight: s.height, deadline: s.deadline, exitDelay: this.d.exitDelay });
    const amount = Number(v?.amount ?? 0n);
    return {
      positionId, series: s.id, account: h.account, network: this.d.network, status: 'settled',
      reason: `${s.id} was decided${s.winner !== undefined ? ` (${s.winner} won)` : ''}; ${v === undefined ? 'the contract VTXO is unknown' : v.spentBy !== '' ? `the contract VTXO was spent by ${v.spentBy}` : v.unrolled ? 'the contract VTXO is on chain: claim through your leaf' : 'settle it now (the winner is paid, the loser releases to the operator) or exit alone'}`,
      terms: {
        side: terms.side, targetHeight: s.height, deadline: s.deadline, slowLockTime: slowLockTime(s.deadline), contracts: Math.floor(amount / s.payoutSat), amountSat: amount,
        user: h.key, ...this.operatorTerms(),
      },
      funded: true,
      outpoint: h.outpoint,
      vtxo: exportBlockDeltaVtxo(c, NETWORKS[this.d.network]),
      ...this.operatorParts(),
      ...(s.winner !== undefined ? { winner: s.winner } : {}),
    };
  }

  contract(positionId: string): ContractDocument {
    const p = this.bdc.getPosition(positionId);
    if (p === undefined) return this.decidedContract(positionId);
    const s = this.bdc.getSeries(p.series)!;
    const account = p.owner.slice('user:'.length);
    const key = this.contractKey(account) ?? null;
    const doc: ContractDocument = {
      positionId, series: s.id, account, network: this.d.network,
      status: p.vtxo !== undefined ? 'funded' : key === null ? 'awaiting-key' : 'unfunded',
      terms: {
        side: p.side, targetHeight: s.height, deadline: s.deadline, slowLockTime: slowLockTime(s.deadline), contracts: p.contracts, amountSat: p.contracts * s.payoutSat,
        stakeSat: Number(p.stakeMsat / 1000n), user: key, ...this.operatorTerms(),
      },
      funded: p.vtxo !== undefined,
      ...this.operatorParts(),
    };
    const reason = this.unfunded.get(positionId)?.reason;
    if (reason !== undefined && p.vtxo === undefined) doc.reason = reason;
    if (key !== null) {
      const user = p.vtxo !== undefined ? this.fundedKey(p.vtxo) ?? key : key;
      doc.terms.user = user;
      doc.vtxo = exportBlockDeltaVtxo(this.contractOf(positionId, user).c, NETWORKS[this.d.network]);
    }
    if (p.vtxo !== undefined) doc.outpoint = p.vtxo;
    return doc;
  }

  /**
   * The account's contracts: its open positions, and the decided ones whose contract VTXO it still has to
   * settle or exit (the engine forgets a position when its series settles; the desk's records do not).
   */
  contractsOf(account: string): ContractDocument[] {
    const open = this.bdc.positionsOf(account).map((p) => this.contract(p.id));
    const decided: ContractDocument[] = [];
    for (const f of this.d.store.metaAll('bdc-funding') as FundingRecord[]) {
      if (this.bdc.getPosition(f.positionId) !== undefined) continue;
      const h = this.lastHolder(f.positionId);
      if (h?.account !== account) continue;
      const [txid, vout] = h.outpoint.split(':');
      const v = this.d.store.vtxo(txid!, Number(vout));
      if (v === undefined || v.spentBy !== '' || v.swept) continue;
      decided.push(this.decidedContract(f.positionId));
    }
    return [...open, ...decided];
  }

  /** The key a funded contract was built with (the holder may have registered another one since). */
  private fundedKey(outpoint: string): string | undefined {
    const [txid, vout] = outpoint.split(':');
    const v = this.d.store.vtxo(txid!, Number(vout));
    return v === undefined ? undefined : this.d.store.contract(v.script)?.user;
  }

  /** Everything the holder needs to put its contract VTXO on chain without the operator, as JSON. */
  async exitPackage(positionId: string): Promise<string> {
    const doc = this.contract(positionId);
    if (doc.outpoint === undefined) throw new HashPerpError('not_batched', `position ${positionId} has no contract VTXO yet (${doc.reason ?? doc.status})`, { field: 'positionId' });
    const [txid, vout] = doc.outpoint.split(':');
    const { chain } = await this.d.indexer.getVtxoChain({ txid: txid!, vout: Number(vout) });
    const data: ExitDataDoc = {
      version: 1, network: this.d.network, positionId, terms: doc.terms, outpoint: doc.outpoint, value: doc.terms.amountSat, tapTree: doc.vtxo!.tapTree,
      chain: chain.map((c) => ({ txid: c.txid, type: String(c.type), spends: c.spends, psbt: this.d.store.virtualTx(c.txid)?.psbt ?? null })),
    };
    return JSON.stringify(data);
  }
}
