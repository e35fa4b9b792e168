/**
 * The account history projection: every applied (seq, events) goes through `ingest`, and each event
 * that concerns an account (ledger transfers, fills, funding, deliveries, settlements, swaps, vault and
 * option activity) is appended to that account's list, newest last, bounded per account.
 * It is rebuilt on start by replaying the journal from seq 1 (`rebuildHistory`): entry ids are a
 * counter over ingested entries, so a rebuild gives the same ids and `before` cursors stay valid.
 */
import { exchangeFactory, type EngineEvent } from '../../engine/index.js';
import type { Journal } from '../../journal/index.js';
import type { HistoryEntry, HistoryKind } from '../../api/products/port.js';
import { toWire } from '../../api/wire.js';

const bare = (a: string): string => (a.startsWith('user:') ? a.slice(5) : a);
const isUser = (owner: string): boolean => owner.startsWith('user:');

export class AccountHistory {
  private readonly lists = new Map<string, HistoryEntry[]>();
  /** forward contract id -> [miner, investor] (day events name only the contract). */
  private readonly forwardParties = new Map<number, [string, string]>();
  /** Net funding per account, msat (+ received, − paid), over the whole journal. */
  private readonly funding = new Map<string, bigint>();
  private nextId = 1;
  private lastSeq = 0;

  constructor(readonly maxPerAccount = 2_000) {}

  /** Seq of the last ingested command (0 before any). */
  get seq(): number {
    return this.lastSeq;
  }

  /** Feeds one applied command's events. A seq at or below the last one ingested is ignored (replays). */
  ingest(seq: number, events: readonly EngineEvent[]): void {
    if (seq <= this.lastSeq) return;
    this.lastSeq = seq;
    for (const e of events) this.route(seq, e);
  }

  /** Net funding the account received (+) or paid (−) since the journal began, msat. */
  fundingOf(account: string): bigint {
    return this.funding.get(account) ?? 0n;
  }

  /** The account's entries, newest first: at most `limit`, only ids below `before` when given. */
  list(account: string, q: { limit?: number; before?: number } = {}): HistoryEntry[] {
    const l = this.lists.get(account);
    if (l === undefined) return [];
    const limit = q.limit ?? 100;
    const out: HistoryEntry[] = [];
    for (let i = l.length - 1; i >= 0 && out.length < limit; i--) {
      if (q.before !== undefined && l[i].id >= q.before) continue;
      out.push(l[i]);
    }
    return out;
  }

  private add(account: string, seq: number, kind: HistoryKind, e: EngineEvent, data?: Record<string, unknown>): void {
    let l = this.lists.get(account);
    if (l === undefined) this.lists.set(account, (l = []));
    const { type, ...rest } = e as unknown as { type: string } & Record<string, unknown>;
    l.push({ id: this.nextId++, seq, kind, event: type, data: toWire(data ?? rest) as Record<string, unknown> });
    if (l.length > this.maxPerAccount) l.splice(0, l.length - this.maxPerAccount);
  }

  /** A position or offer that changed hands appears in both parties' histories. */
  private swap(seq: number, e: EngineEvent, a: string, b: string): void {
    this.add(a, seq, 'swap', e);
    this.add(b, seq, 'swap', e);
  }

  private route(seq: number, e: EngineEvent): void {
    switch (e.type) {
      case 'LedgerTransfer': {
        const kind: HistoryKind = e.reason === 'funding' ? 'funding' : e.reason === 'fwd_delivery' ? 'delivery' : 'transfer';
        if (e.reason === 'funding') {
          if (isUser(e.from)) this.funding.set(bare(e.from), this.fundingOf(bare(e.from)) - e.amountMsat);
          if (isUser(e.to)) this.funding.set(bare(e.to), this.fundingOf(bare(e.to)) + e.amountMsat);
        }
        const base = { reason: e.reason, ...(e.market !== undefined ? { market: e.market } : {}) };
        if (isUser(e.from)) this.add(bare(e.from), seq, kind, e, { ...base, amountMsat: -e.amountMsat, counterparty: bare(e.to) });
        if (isUser(e.to)) this.add(bare(e.to), seq, kind, e, { ...base, amountMsat: e.amountMsat, counterparty: bare(e.from) });
        return;
      }
      case 'Trade':
        this.add(e.maker, seq, 'fill', e, { ...fields(e), role: 'maker', side: e.takerSide === 'buy' ? 'sell' : 'buy' });
        if (e.taker !== e.maker) this.add(e.taker, seq, 'fill', e, { ...fields(e), role: 'taker', side: e.takerSide });
        return;
      case 'ForwardFilled':
        this.add(e.maker, seq, 'fill', e, { ...fields(e), role: 'maker', side: e.takerSide === 'buy' ? 'sell' : 'buy' });
        this.add(e.taker, seq, 'fill', e, { ...fields(e), role: 'taker', side: e.takerSide });
        return;
      case 'BdcTrade':
        this.add(bare(e.maker), seq, 'fill', e, { ...fields(e), role: 'maker', side: e.takerSide === 'FAST' ? 'SLOW' : 'FAST' });
        this.add(bare(e.taker), seq, 'fill', e, { ...fields(e), role: 'taker', side: e.takerSide });
        return;
      case 'ForwardContractOpened':
        this.forwardParties.set(e.contractId, [e.miner, e.investor]);
        this.add(e.miner, seq, 'position', e, { ...fields(e), role: 'miner' });
        this.add(e.investor, seq, 'position', e, { ...fields(e), role: 'investor' });
        return;
      case 'ForwardPositionTransferred': {
        const p = this.forwardParties.get(e.contractId);
        if (p !== undefined) p[e.side === 'miner' ? 0 : 1] = e.to;
        this.swap(seq, e, e.from, e.to);
        return;
      }
      case 'ForwardDayDelivered':
      case 'ForwardDayMissed':
      case 'ForwardDayAwaitingReport':
      case 'ForwardCollateralReleased':
      case 'ForwardContractClosed': {
        const p = this.forwardParties.get(e.contractId);
        if (p === undefined) return;
        const kind: HistoryKind = e.type === 'ForwardContractClosed' ? 'settlement' : 'delivery';
        this.add(p[0], seq, kind, e);
        if (p[1] !== p[0]) this.add(p[1], seq, kind, e);
        return;
      }
      case 'BdcPositionOpened':
        this.add(bare(e.account), seq, 'position', e);
        return;
      case 'BdcPositionSettled':
        this.add(bare(e.account), seq, 'settlement', e);
        return;
      case 'BdcPositionTransferred':
        this.swap(seq, e, bare(e.from), bare(e.to));
        return;
      case 'OptionBought':
        this.add(e.account, seq, 'option', e);
        return;
      case 'OptionSettled':
        this.add(e.account, seq, 'settlement', e);
        return;
      case 'OptionTransferred':
        this.swap(seq, e, e.from, e.to);
        return;
      case 'VaultDeposited':
      case 'VaultWithdrawalRequested':
      case 'VaultWithdrawalExecuted':
      case 'VaultTraded':
        this.add(e.account, seq, 'vault', e);
        return;
      case 'SwapOfferCreated':
      case 'SwapOfferCancelled':
      case 'SwapOfferExpired':
        this.add(e.maker, seq, 'swap', e);
        return;
      case 'SwapOfferAccepted':
        this.swap(seq, e, e.maker, e.taker);
        return;
      case 'Liquidation':
        this.add(e.account, seq, 'settlement', e);
        return;
      default:
        return;
    }
  }
}

function fields(e: EngineEvent): Record<string, unknown> {
  const { type: _t, ...rest } = e as unknown as { type: string } & Record<string, unknown>;
  return rest;
}

/**
 * Replays the journal from seq 1 into a fresh engine and hands every command's events to `onEvents`
 * (the live engine comes from snapshot + tail and keeps no events of the snapshotted prefix).
 * Stops after `upTo` (the live engine's seq at start) so nothing is seen twice. Returns the last seq.
 */
export async function replayJournalEvents(journal: Journal, onEvents: (seq: number, events: EngineEvent[]) => void, upTo = Number.MAX_SAFE_INTEGER, batch = 5_000): Promise<number> {
  const machine = exchangeFactory.create();
  let from = 1;
  let last = 0;
  while (last < upTo) {
    const entries = await journal.read(from, batch);
    if (entries.length === 0) break;
    for (const en of entries) {
      if (en.seq > upTo) return last;
      onEvents(en.seq, machine.apply(exchangeFactory.decodeCommand(en.payload), en.seq));
      last = en.seq;
    }
    from = entries[entries.length - 1].seq + 1;
  }
  return last;
}

/** Rebuilds the history projection from the journal alone (see replayJournalEvents). */
export function rebuildHistory(journal: Journal, history: AccountHistory, upTo?: number, batch?: number): Promise<number> {
  return replayJournalEvents(journal, (seq, events) => history.ingest(seq, events), upTo, batch);
}
