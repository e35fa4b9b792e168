/**
 * In-memory stand-ins for the engine and the index behind the API ports: a small price-time
 * matching book (enough to produce fills, books and trades) and a fixed index series.
 * Not the engine: the lead swaps these for adapters over src/engine + src/journal + src/index.
 */
import { HashPerpError, InvalidArgumentError } from '../../src/units/errors.js';
import type { CancelOrderCommand, ExchangePort, FeedEvent, IndexPort, PlaceOrderCommand } from '../../src/api/ports.js';
import type { Account, BdcOdds, Book, CancelAck, ForwardCurve, HistoryQuery, IndexValue, Market, OrderAck, Trade } from '../../src/api/schemas.js';

interface RestingOrder {
  orderId: string;
  clientOrderId?: string;
  account: string;
  market: string;
  side: 'buy' | 'sell';
  price: number;
  size: number;
  remaining: number;
}

export class FakeExchange implements ExchangePort {
  seq = 0;
  private nextId = 1;
  readonly orders = new Map<string, RestingOrder>();
  readonly tradeLog: Trade[] = [];
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  readonly placed: PlaceOrderCommand[] = [];
  readonly marketList: Market[] = [
    { id: 'HPI-PERP', kind: 'perp', description: 'Hashprice perpetual', tickSize: 1, priceUnit: 'sat/PH/day', sizeUnit: 'lot = 1 TH/s·day' },
  ];

  /** Everything a request could change, for "refused requests change nothing" checks. */
  digest(): string {
    // Cheap but complete enough: every change the fake can make moves one of these.
    let rem = 0;
    for (const o of this.orders.values()) rem += o.remaining;
    return `${this.seq}/${this.orders.size}/${rem}/${this.tradeLog.length}/${this.placed.length}`;
  }

  markets(): Market[] {
    return this.marketList;
  }
  book(market: string, levels: number): Book | undefined {
    if (!this.marketList.some((m) => m.id === market)) return undefined;
    const agg = (side: 'buy' | 'sell') => {
      const m = new Map<number, number>();
      for (const o of this.orders.values()) if (o.market === market && o.side === side) m.set(o.price, (m.get(o.price) ?? 0) + o.remaining);
      return [...m.entries()]
        .sort((a, b) => (side === 'buy' ? b[0] - a[0] : a[0] - b[0]))
        .slice(0, levels)
        .map(([price, size]) => ({ price, size }));
    };
    return { market, seq: this.seq, bids: agg('buy'), asks: agg('sell') };
  }
  trades(market: string, limit: number): Trade[] | undefined {
    if (!this.marketList.some((m) => m.id === market)) return undefined;
    return this.tradeLog.filter((t) => t.market === market).slice(-limit).reverse();
  }
  account(account: string): Account {
    const orders = [...this.orders.values()]
      .filter((o) => o.account === account)
      .map(({ orderId, clientOrderId, market, side, price, size, remaining }) => ({ orderId, ...(clientOrderId ? { clientOrderId } : {}), market, side, price, size, remaining }));
    return { account, balanceMsat: '123456789012345678901', availableMsat: '100000000000', positions: [], orders };
  }
  async placeOrder(cmd: PlaceOrderCommand): Promise<OrderAck> {
    if (!this.marketList.some((m) => m.id === cmd.market)) throw new HashPerpError('unknown_market', `no market ${cmd.market}`, { field: 'market' });
    if (cmd.size > 1_000_000) throw new HashPerpError('insufficient_margin', 'not enough free margin', { field: 'size' });
    const opposite = [...this.orders.values()]
      .filter((o) => o.market === cmd.market && o.side !== cmd.side)
      .sort((a, b) => (cmd.side === 'buy' ? a.price - b.price : b.price - a.price));
    const crosses = (o: RestingOrder) => cmd.type === 'market' || (cmd.side === 'buy' ? o.price <= cmd.price! : o.price >= cmd.price!);
    if (cmd.postOnly && opposite.some(crosses)) throw new HashPerpError('post_only_would_cross', 'post-only order would take liquidity', { field: 'postOnly' });
    this.placed.push(cmd);
    const seq = ++this.seq;
    const orderId = 'o' + this.nextId++;
    let remaining = cmd.size;
    for (const o of opposite) {
      if (remaining === 0 || !crosses(o)) break;
      const q = Math.min(remaining, o.remaining);
      remaining -= q;
      o.remaining -= q;
      if (o.remaining === 0) this.orders.delete(o.orderId);
      const t: Trade = { id: 't' + this.tradeLog.length, market: cmd.market, price: o.price, size: q, takerSide: cmd.side, seq };
      this.tradeLog.push(t);
      this.emit({ channel: 'trades', market: cmd.market, data: t });
    }
    let status: OrderAck['status'] = remaining === 0 ? 'filled' : remaining < cmd.size ? 'partially_filled' : 'open';
    if (remaining > 0 && cmd.type === 'limit' && (cmd.timeInForce ?? 'GTC') === 'GTC') {
      this.orders.set(orderId, { orderId, clientOrderId: cmd.clientOrderId, account: cmd.account, market: cmd.market, side: cmd.side, price: cmd.price!, size: cmd.size, remaining });
    } else if (remaining > 0) status = 'expired';
    this.emit({ channel: 'book', market: cmd.market, data: this.book(cmd.market, 50)! });
    this.emit({ channel: 'account', account: cmd.account, data: { orderId, status } });
    return { seq, orderId, ...(cmd.clientOrderId ? { clientOrderId: cmd.clientOrderId } : {}), market: cmd.market, status, filled: cmd.size - remaining, remaining };
  }
  async cancelOrder(cmd: CancelOrderCommand): Promise<CancelAck> {
    const o = this.orders.get(cmd.orderId);
    if (o === undefined || o.account !== cmd.account) throw new HashPerpError('unknown_order', `no open order ${cmd.orderId}`, { field: 'orderId' });
    this.orders.delete(cmd.orderId);
    const seq = ++this.seq;
    this.emit({ channel: 'book', market: o.market, data: this.book(o.market, 50)! });
    return { seq, orderId: o.orderId, status: 'cancelled' };
  }
  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  private emit(e: FeedEvent): void {
    for (const l of this.listeners) l(e);
  }
}

export class FakeIndex implements IndexPort {
  readonly values: IndexValue[] = [];
  private readonly listeners = new Set<(v: IndexValue) => void>();
  constructor(first = 900_000, count = 20) {
    for (let i = 0; i < count; i++) this.push(first + i);
  }
  push(height: number): IndexValue {
    // extraField: adapters publish more than the schema names; it must reach the client.
    const v = {
      height,
      blockHash: height.toString(16).padStart(64, '0'),
      time: 1_750_000_000 + (height - 900_000) * 600,
      difficulty: 126e12,
      hashpriceSatPerPHDay: String(48_000 + (height % 7)),
      hashpriceBtcPerPHDay: '0.00048000',
      feesIncluded: false,
      extraField: 'kept',
    } as IndexValue;
    this.values.push(v);
    for (const l of this.listeners) l(v);
    return v;
  }
  current(): IndexValue | undefined {
    return this.values.at(-1);
  }
  at(q: { height?: number; at?: number }): IndexValue | undefined {
    if (q.height !== undefined) return this.values.find((v) => v.height === q.height);
    return this.values.filter((v) => v.time! <= q.at!).at(-1);
  }
  history(q: HistoryQuery): IndexValue[] {
    const step = q.step ?? 1;
    return this.values.filter((v) => (q.from === undefined || v.height >= q.from) && (q.to === undefined || v.height <= q.to) && (v.height - this.values[0].height) % step === 0).slice(0, q.limit ?? 1000);
  }
  curve(): ForwardCurve | undefined {
    const tip = this.current()!;
    return { atHeight: tip.height, points: [30, 90, 180, 365].map((tenorDays) => ({ tenorDays, hashpriceSatPerPHDay: String(Math.floor(48_000 * Math.exp(-0.001 * tenorDays))) })), model: { name: 'fake' }, assumptions: { growth: 'test' } };
  }
  bdcOdds(q: { height: number; deadline: number }): BdcOdds {
    const tip = this.current()!;
    if (q.height <= tip.height) throw new InvalidArgumentError('height', `height ${q.height} is already mined`);
    return { targetHeight: q.height, deadline: q.deadline, height: tip.height, blockHash: tip.blockHash, pFast: 0.5, pSlow: 0.5, fairBps: 5000 };
  }
  subscribe(listener: (v: IndexValue) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
