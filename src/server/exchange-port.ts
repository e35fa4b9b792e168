/**
 * ExchangePort and FundsPort over the real engine (src/engine) behind the journal's sequencer.
 * Reads are synchronous views of the live Exchange; writes are engine commands submitted through
 * the sequencer (acknowledged after fsync). An engine refusal becomes a HashPerpError with the
 * engine's reason as its code (its status is the catalogue's: duplicate_client_order_id -> 409, ...), and
 * changes nothing. Commands that could only be refused (an order id that is not live) are refused
 * here without journaling them.
 */
import { accountView, bookDepth, marketView, ordersOf, positionsOf, type Command, type EngineEvent, type PlaceOrderCommand as EnginePlaceOrder, type RejectReason } from '../engine/index.js';
import { isAccountId } from '../units/checks.js';
import { HashPerpError } from '../units/errors.js';
import { ApiError, refusalError, rejectionOf } from '../api/errors.js';
import type { CancelOrderCommand, ExchangePort, FeedEvent, FundsPort, PlaceOrderCommand } from '../api/ports.js';
import type { Account, Book, CancelAck, DepositAddressInfo, FundsAck, Market, OrderAck, Trade } from '../api/schemas.js';
import { isAddressOn, NETWORKS, type NetworkName } from '../bitcoin/networks.js';
import type { EngineCore } from './engine-host.js';
import { toWire } from '../api/wire.js';

/** Engine field names -> the wire body's. */
const FIELD: Record<string, string> = { qty: 'size', orderType: 'type', tif: 'timeInForce', amountSat: 'amountSat' };

function refusal(e: EngineEvent & { reason: RejectReason; message: string; field?: string }): HashPerpError {
  return refusalError(e, (f) => 'body.' + (FIELD[f] ?? f));
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function rejectionIn(events: EngineEvent[]): HashPerpError | undefined {
  const r = rejectionOf(events);
  return r === undefined ? undefined : refusal(r);
}

type PayoutRequest = { account: string; amountSat: number; address: string; seq: number };

export interface WithdrawalPayout {
  /** Called after the Withdraw command is applied: builds and signs the payout, so its txid is known before it is sent. */
  prepare(cmd: PayoutRequest): Promise<{ txid: string; broadcast(): Promise<void> }>;
  /** Whether the node has the tx (mempool or chain): asked after a failed broadcast, before the debit is reversed. */
  isKnown(txid: string): Promise<boolean>;
  recordPaid(cmd: PayoutRequest, txid: string): void;
  /** The node could not say whether it has the tx: the debit stands and the payout is sent again later. */
  recordInDoubt(cmd: PayoutRequest, txid: string, why: string): void;
  recordFailure?(cmd: PayoutRequest, error: string): void;
  depositAddress?(account: string): DepositAddressInfo;
}

export interface EngineExchangeOptions {
  /** Recent trades kept per market for /trades (they are not part of the engine state). */
  tradeHistory?: number;
  /** Whether the faucet exists (embedded mode). */
  faucet?: boolean;
  /** Whether on-chain custody (deposit addresses, payouts) will be attached (bitcoind mode). */
  onchain?: boolean;
  /** On-chain payout of withdrawals; without it a withdrawal is a ledger debit only (embedded mode). */
  payout?: WithdrawalPayout;
  /** The network withdrawal addresses must be valid on (default regtest). */
  network?: () => NetworkName;
  /** Why on-chain withdrawals are refused on this server (custodial custody off with bitcoind), if they are. */
  onchainWithdrawalsOff?: string;
}

export class EngineExchange implements ExchangePort, FundsPort {
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private readonly tradeLog = new Map<string, Trade[]>();
  private readonly dirtyBooks = new Set<string>();
  private flushScheduled = false;
  private tradeSeq = 0;
  private readonly maxTrades: number;
  readonly faucet?: FundsPort['faucet'];
  readonly depositAddress?: FundsPort['depositAddress'];
  readonly network?: FundsPort['network'];
  private payout: WithdrawalPayout | undefined;

  constructor(
    private readonly core: EngineCore,
    private readonly opts: EngineExchangeOptions = {},
  ) {
    this.maxTrades = opts.tradeHistory ?? 1000;
    core.on((seq, _cmd, events) => this.onEvents(seq, events));
    if (opts.faucet) this.faucet = (c) => this.credit(c.account, c.amountSat);
    this.payout = opts.payout;
    if (opts.network !== undefined) this.network = opts.network;
    if (opts.onchain) {
      this.depositAddress = (account) => {
        const fn = this.payout?.depositAddress;
        if (fn === undefined) throw new HashPerpError('custody_unavailable', 'on-chain custody is not running yet; retry shortly');
        return fn.call(this.payout, account);
      };
    }
  }

  /** Attaches on-chain custody once the chain's network is known. */
  attachPayout(p: WithdrawalPayout): void {
    this.payout = p;
  }

  // ---- reads ----

  markets(): Market[] {
    const ex = this.core.exchange;
    const out: Market[] = [];
    for (const m of ex.markets.values()) {
      const v = marketView(ex, m.spec.id)!;
      const market: Market & Record<string, unknown> = {
        id: m.spec.id,
        kind: 'perp',
        description: 'Hashprice perpetual: settles every block to the hashprice index (HPI), funding every block',
        tickSize: m.spec.tick,
        priceUnit: 'sat/PH/day',
        sizeUnit: 'lot = 1 TH/s for a day (0.001 PH·day): 1 lot × 1 sat/PH/day = 1 msat',
        index: v.index ?? null,
        mark: v.mark ?? null,
        fair: v.fair ?? null,
        bestBid: v.bestBid ?? null,
        bestAsk: v.bestAsk ?? null,
        fundingRate8hPpm: v.fundingRate8hPpm,
        avgPremiumPpm: v.avgPremiumPpm,
        openInterest: v.openInterest,
        height: v.height,
        initialMarginPpm: m.spec.initialMarginPpm,
        maintenanceMarginPpm: m.spec.maintenanceMarginPpm,
        takerFeePpm: m.spec.takerFeePpm,
        makerFeePpm: m.spec.makerFeePpm,
      };
      out.push(market);
    }
    return out;
  }

  book(market: string, levels: number): Book | undefined {
    const d = bookDepth(this.core.exchange, market, levels);
    if (d === undefined) return undefined;
    return {
      market,
      seq: this.core.lastSeq,
      bids: d.bids.map((l) => ({ price: l.price, size: l.qty })),
      asks: d.asks.map((l) => ({ price: l.price, size: l.qty })),
    };
  }

  trades(market: string, limit: number): Trade[] | undefined {
    if (!this.core.exchange.markets.has(market)) return undefined;
    return (this.tradeLog.get(market) ?? []).slice(0, limit);
  }

  account(account: string): Account {
    const ex = this.core.exchange;
    const v = accountView(ex, account);
    return {
      account,
      balanceMsat: v.balanceMsat.toString(),
      availableMsat: v.withdrawableMsat.toString(),
      equityMsat: v.equityMsat.toString(),
      initialMarginMsat: v.initialMarginMsat.toString(),
      maintenanceMarginMsat: v.maintenanceMarginMsat.toString(),
      positions: positionsOf(ex, account).map((p) => ({
        market: p.market,
        size: p.qty,
        entryPrice: p.entryPrice,
        unrealizedPnlMsat: p.pnlFromEntryMsat.toString(),
        mark: p.mark,
        unsettledPnlMsat: p.unsettledPnlMsat.toString(),
      })),
      orders: ordersOf(ex, account).map((o) => ({
        orderId: String(o.orderId),
        ...(o.clientOrderId !== undefined ? { clientOrderId: o.clientOrderId } : {}),
        market: o.market,
        side: o.side,
        price: o.price,
        size: o.qty,
        remaining: o.qty,
      })),
    } as Account;
  }

  // ---- writes ----

  async placeOrder(c: PlaceOrderCommand): Promise<OrderAck> {
    const cmd: EnginePlaceOrder = {
      type: 'PlaceOrder',
      account: c.account,
      market: c.market,
      side: c.side,
      orderType: c.type,
      qty: c.size,
      tif: c.timeInForce ?? (c.type === 'market' ? 'IOC' : 'GTC'),
      postOnly: c.postOnly ?? false,
      reduceOnly: c.reduceOnly ?? false,
    };
    if (c.price !== undefined) cmd.price = c.price;
    if (c.clientOrderId !== undefined) cmd.clientOrderId = c.clientOrderId;
    if (!this.core.exchange.markets.has(c.market)) throw new HashPerpError('unknown_market', `no market ${c.market}`, { field: 'body.market' });
    const { seq, events } = await this.core.submit(cmd);
    const bad = rejectionIn(events);
    if (bad) throw bad;
    let accepted = c.size;
    let filled = 0;
    let resting = 0;
    let status: OrderAck['status'] = 'filled';
    for (const e of events) {
      if (e.type === 'OrderAccepted' && e.orderId === seq) accepted = e.qty;
      else if (e.type === 'Trade' && e.takerOrderId === seq) filled += e.qty;
      else if (e.type === 'OrderResting' && e.orderId === seq) resting = e.qty;
      else if (e.type === 'OrderCancelled' && e.orderId === seq) status = 'cancelled';
    }
    if (resting > 0) status = filled > 0 ? 'partially_filled' : 'open';
    else if (status !== 'cancelled' && filled < accepted) status = 'expired';
    return { seq, orderId: String(seq), ...(c.clientOrderId !== undefined ? { clientOrderId: c.clientOrderId } : {}), market: c.market, status, filled, remaining: resting };
  }

  async cancelOrder(c: CancelOrderCommand): Promise<CancelAck> {
    const id = /^[1-9][0-9]{0,15}$/.test(c.orderId) ? Number(c.orderId) : undefined;
    const live = id === undefined ? undefined : ordersOf(this.core.exchange, c.account).find((o) => o.orderId === id);
    if (live === undefined) throw new HashPerpError('unknown_order', `no live order ${c.orderId} on this account`, { field: 'params.orderId' });
    const { seq, events } = await this.core.submit({ type: 'CancelOrder', account: c.account, market: live.market, orderId: live.orderId });
    const bad = rejectionIn(events);
    if (bad) throw bad;
    return { seq, orderId: c.orderId, status: 'cancelled' };
  }

  private async credit(account: string, amountSat: number): Promise<FundsAck> {
    const { seq, events } = await this.core.submit({ type: 'Deposit', account, amountSat });
    const bad = rejectionIn(events);
    if (bad) throw bad;
    return this.fundsAck(seq, account, 'deposit', amountSat, null);
  }

  async withdraw(c: { account: string; amountSat: number; address: string }): Promise<FundsAck> {
    if (this.opts.onchainWithdrawalsOff !== undefined) throw new HashPerpError('not_allowed', this.opts.onchainWithdrawalsOff);
    const payout = this.payout;
    if (this.opts.onchain && payout === undefined) throw new HashPerpError('custody_unavailable', 'on-chain custody is not running yet; retry shortly');
    // Before anything is journaled: an address the server's network cannot pay is a bad request, in every mode.
    const net = this.network?.() ?? 'regtest';
    if (!isAddressOn(NETWORKS[net], c.address)) throw new ApiError('invalid_argument', `not a valid Bitcoin address on this server's network (${net})`, 'body.address');
    const { seq, events } = await this.core.submit({ type: 'Withdraw', account: c.account, amountSat: c.amountSat });
    const bad = rejectionIn(events);
    if (bad) throw bad;
    if (payout === undefined) {
      return { ...this.fundsAck(seq, c.account, 'withdrawal', c.amountSat, null), note: 'no on-chain custody in this mode: debited from the ledger only' };
    }
    const w = { ...c, seq };
    const reverse = async (e: unknown): Promise<never> => {
      // The ledger debit stands only with a payout behind it: reverse it, and say why.
      const why = errorText(e);
      payout.recordFailure?.(w, why);
      await this.core.submit({ type: 'Deposit', account: c.account, amountSat: c.amountSat });
      throw new HashPerpError('payout_failed', `the payout could not be made (${why}); the withdrawal was reversed`);
    };
    let signed: { txid: string; broadcast(): Promise<void> };
    try {
      signed = await payout.prepare(w);
    } catch (e) {
      return reverse(e); // nothing was sent
    }
    try {
      await signed.broadcast();
    } catch (e) {
      // A timeout or a dropped connection can follow the node's acceptance: reverse only if the node lacks the tx.
      let known: boolean;
      try {
        known = await payout.isKnown(signed.txid);
      } catch (e2) {
        payout.recordInDoubt(w, signed.txid, `${errorText(e)}; then ${errorText(e2)}`);
        return { ...this.fundsAck(seq, c.account, 'withdrawal', c.amountSat, signed.txid), note: 'the node did not confirm the broadcast: the debit stands and the signed payout is sent again until the node has it' };
      }
      if (!known) return reverse(e);
    }
    payout.recordPaid(w, signed.txid);
    return this.fundsAck(seq, c.account, 'withdrawal', c.amountSat, signed.txid);
  }

  /** Deposits credited by the chain watcher (after confirmations). */
  async creditDeposit(account: string, amountSat: number): Promise<FundsAck> {
    return this.credit(account, amountSat);
  }

  /** A custodial deposit, once per outpoint (the engine refuses the same outpoint again: seq null). */
  async creditChainDeposit(account: string, amountSat: number, outpoint: string): Promise<{ seq: number | null }> {
    const { seq, events } = await this.core.submit({ type: 'ChainDeposit', account, amountSat, outpoint });
    const r = rejectionOf(events);
    if (r === undefined) return { seq };
    if (r.reason === 'duplicate_deposit') return { seq: null };
    throw refusal(r);
  }

  private fundsAck(seq: number, account: string, kind: FundsAck['kind'], amountSat: number, txid: string | null): FundsAck {
    const v = accountView(this.core.exchange, account);
    return { seq, account, kind, amountSat, balanceMsat: v.balanceMsat.toString(), availableMsat: v.withdrawableMsat.toString(), txid };
  }

  // ---- feeds ----

  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: FeedEvent): void {
    for (const l of this.listeners) l(e);
  }

  private onEvents(seq: number, events: EngineEvent[]): void {
    for (const e of events) {
      switch (e.type) {
        case 'Trade': {
          const t: Trade = { id: `${seq}-${++this.tradeSeq}`, market: e.market, price: e.price, size: e.qty, takerSide: e.takerSide, seq, height: this.core.chainTip().height };
          let list = this.tradeLog.get(e.market);
          if (list === undefined) this.tradeLog.set(e.market, (list = []));
          list.unshift(t);
          if (list.length > this.maxTrades) list.pop();
          this.dirtyBooks.add(e.market);
          if (this.listeners.size > 0) this.emit({ channel: 'trades', market: e.market, data: t });
          break;
        }
        case 'OrderResting':
        case 'OrderCancelled':
        case 'OrderExpired':
        case 'OrderAmended':
        case 'MarkPrice':
          this.dirtyBooks.add(e.market);
          break;
      }
      if (this.listeners.size > 0) {
        const account = (e as { account?: unknown }).account;
        if (isAccountId(account)) this.emit({ channel: 'account', account, data: { seq, event: toWire(e) } });
        if (e.type === 'Trade') {
          for (const a of [e.maker, e.taker]) if (isAccountId(a)) this.emit({ channel: 'account', account: a, data: { seq, event: toWire(e) } });
        }
      }
    }
    // Books go out once per event-loop turn, not once per command: a burst of orders is one update.
    if (this.dirtyBooks.size > 0 && !this.flushScheduled && this.listeners.size > 0) {
      this.flushScheduled = true;
      setImmediate(() => this.flushBooks());
    }
  }

  private flushBooks(): void {
    this.flushScheduled = false;
    const markets = [...this.dirtyBooks];
    this.dirtyBooks.clear();
    for (const m of markets) {
      const b = this.book(m, 50);
      if (b !== undefined) this.emit({ channel: 'book', market: m, data: b });
    }
  }
}

export type { Command };
