/**
 * The product channels of the /v1/ws feed (`forwards:<market>`, `bdc:<series>`): routing keys and the fold of
 * their messages into what a page shows (the latest book, newest trades first). Pure, so the ordering rules
 * (a book older than the one shown is ignored; trades are not duplicated on a resubscribe) are unit-tested.
 */
export type ProductChannel = 'forwards' | 'bdc';

export interface BookLevelsView {
  bids: { price: number; size: number }[];
  asks: { price: number; size: number }[];
}

export interface ProductTradeView {
  seq: number;
  price: number;
  qty: number;
  takerSide: string;
}

export interface ProductFeedMessage {
  type: ProductChannel;
  market: string;
  kind: 'book' | 'trade';
  data: unknown;
}

export interface ProductLive {
  book: BookLevelsView | undefined;
  /** The seq of the book shown (undefined: from an HTTP read or the subscribe snapshot, which carry none). */
  bookSeq: number | undefined;
  /** Whether the feed has sent a book: from then on an HTTP read (possibly older) no longer replaces it. */
  bookFromFeed: boolean;
  trades: ProductTradeView[];
}

export const emptyLive = (): ProductLive => ({ book: undefined, bookSeq: undefined, bookFromFeed: false, trades: [] });

/** The routing key of a channel/market pair, as the server keys its subscriptions. */
export const productKey = (channel: ProductChannel, market: string): string => `${channel}:${market}`;

export function isProductMessage(m: unknown): m is ProductFeedMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as Record<string, unknown>;
  return (r.type === 'forwards' || r.type === 'bdc') && typeof r.market === 'string' && (r.kind === 'book' || r.kind === 'trade');
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

function levels(v: unknown): { price: number; size: number }[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: { price: number; size: number }[] = [];
  for (const l of v) {
    if (typeof l !== 'object' || l === null) return undefined;
    const { price, size } = l as Record<string, unknown>;
    if (!isInt(price) || !isInt(size)) return undefined;
    out.push({ price, size });
  }
  return out;
}

/** Folds one product message into the view; a malformed or stale message leaves it unchanged. */
export function applyProductMessage(live: ProductLive, msg: ProductFeedMessage, maxTrades = 30): ProductLive {
  const d = (typeof msg.data === 'object' && msg.data !== null ? msg.data : {}) as Record<string, unknown>;
  if (msg.kind === 'book') {
    const bids = levels(d.bids);
    const asks = levels(d.asks);
    if (bids === undefined || asks === undefined) return live;
    const seq = isInt(d.seq) ? d.seq : undefined;
    if (seq !== undefined && live.bookSeq !== undefined && seq < live.bookSeq) return live;
    return { ...live, book: { bids, asks }, bookSeq: seq ?? live.bookSeq, bookFromFeed: true };
  }
  const { seq, price, qty, takerSide } = d;
  if (!isInt(seq) || !isInt(price) || !isInt(qty)) return live;
  // One command can fill several levels: same seq, different prices, all kept; an exact repeat is dropped.
  if (live.trades.some((t) => t.seq === seq && t.price === price && t.qty === qty && t.takerSide === String(takerSide ?? ''))) return live;
  const t: ProductTradeView = { seq, price, qty, takerSide: String(takerSide ?? '') };
  return { ...live, trades: [t, ...live.trades].sort((a, b) => b.seq - a.seq).slice(0, maxTrades) };
}

/** A book read over HTTP replaces the shown one only while no feed book has arrived. */
export function withHttpBook(live: ProductLive, book: BookLevelsView): ProductLive {
  return live.bookFromFeed ? live : { ...live, book: { bids: book.bids, asks: book.asks } };
}
