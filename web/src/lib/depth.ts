import { InvalidArgumentError } from '../../../src/units/errors.js';

/** One aggregated book level as the server sends it (src/api/schemas.ts Level): price in ticks (sat/PH/day), size in lots. */
export interface BookLevel {
  price: number;
  size: number;
}

/** A level with the quantity available at this price or better (what a depth chart draws). */
export interface DepthPoint {
  price: number;
  size: number;
  cumulative: number;
}

export interface DepthSeries {
  /** Best bid first (descending price). */
  bids: DepthPoint[];
  /** Best ask first (ascending price). */
  asks: DepthPoint[];
  bestBid: number | undefined;
  bestAsk: number | undefined;
  /** bestAsk − bestBid in ticks; undefined when either side is empty. */
  spread: number | undefined;
  /** (bestBid + bestAsk) / 2 in sat/PH/day; may end in .5. */
  mid: number | undefined;
  /** spread / mid × 100. */
  spreadPct: number | undefined;
  /** A crossed book (bid ≥ ask) means the feed is stale or out of order; the UI says so instead of drawing it. */
  crossed: boolean;
}

function checkLevels(field: string, levels: readonly BookLevel[]): void {
  if (!Array.isArray(levels)) throw new InvalidArgumentError(field, 'expected an array of levels');
  levels.forEach((l, i) => {
    if (!Number.isSafeInteger(l.price) || l.price <= 0) throw new InvalidArgumentError(`${field}[${i}].price`, `expected a positive integer tick, got ${String(l.price)}`);
    if (!Number.isSafeInteger(l.size) || l.size <= 0) throw new InvalidArgumentError(`${field}[${i}].size`, `expected a positive integer lot count, got ${String(l.size)}`);
  });
}

/** Merges levels that share a price (a feed may send them split) and orders them best first. */
function cumulate(levels: readonly BookLevel[], bestFirst: (a: number, b: number) => number): DepthPoint[] {
  const byPrice = new Map<number, number>();
  for (const l of levels) byPrice.set(l.price, (byPrice.get(l.price) ?? 0) + l.size);
  const prices = [...byPrice.keys()].sort(bestFirst);
  let cumulative = 0;
  return prices.map((price) => {
    const size = byPrice.get(price)!;
    cumulative += size;
    return { price, size, cumulative };
  });
}

/** Pure: book levels -> cumulative depth on each side, best prices, spread and mid. */
export function depthSeries(bids: readonly BookLevel[], asks: readonly BookLevel[]): DepthSeries {
  checkLevels('bids', bids);
  checkLevels('asks', asks);
  const b = cumulate(bids, (x, y) => y - x);
  const a = cumulate(asks, (x, y) => x - y);
  const bestBid = b[0]?.price;
  const bestAsk = a[0]?.price;
  if (bestBid === undefined || bestAsk === undefined) {
    return { bids: b, asks: a, bestBid, bestAsk, spread: undefined, mid: undefined, spreadPct: undefined, crossed: false };
  }
  const spread = bestAsk - bestBid;
  const mid = (bestBid + bestAsk) / 2;
  return { bids: b, asks: a, bestBid, bestAsk, spread, mid, spreadPct: (spread / mid) * 100, crossed: spread <= 0 };
}

/** depthSeries of a book that may be absent or malformed: undefined then (views report a bad book rather than draw it). */
export function depthOf(book: { bids: readonly BookLevel[]; asks: readonly BookLevel[] } | undefined): DepthSeries | undefined {
  if (book === undefined) return undefined;
  try {
    return depthSeries(book.bids, book.asks);
  } catch {
    return undefined;
  }
}
