/**
 * Demo takers: a few small, seeded participants that take the demo maker's quotes so a newcomer sees a living
 * market (trades, a moving mark, open interest). Each is an ordinary engine account (`demo-taker-<n>`, which no
 * BIP-340 key can name, distinct from the maker's so self-trade prevention never cancels their fills), funded
 * at start, that at every processed block may send IOC orders on HPI-PERP, on the first FWD markets and on the
 * open block-delta series. The decision is pure: a PRNG seeded by (seed, tip height) and the takers' current
 * positions give the orders, so the same seed and block sequence give the same flow.
 *
 * Flow: each block a regime (drawn per `regimeBlocks` window) leans the perp takers toward buying, selling or
 * neither, so positions build up and unwind like real order flow; a taker never holds more than `perpCapLots`
 * (an order that would pass the cap is cut to it) and flattens (reduce-only) once it reaches the cap.
 */
import { userAccount, type Command, type Exchange } from '../engine/index.js';
import { BDC_PRODUCT, bdcModuleOf, BPS } from '../engine/products/bdc/index.js';
import { FORWARD_MARKETS, forwardModule } from '../engine/products/forward/index.js';
import { seededRng, type Rng } from '../pricing/prng.js';

export const DEMO_TAKER_PREFIX = 'demo-taker-';

export interface TakerParams {
  /** Number of taker accounts. */
  accounts: number;
  seed: number;
  /** Collateral kept on each taker account, sat (topped up like the maker's). */
  depositSat: number;
  /** Per taker and block, the chance of a perp order. */
  perpProb: number;
  /** Perp order size: 1..perpMaxLots lots (the maker's first level is 20). */
  perpMaxLots: number;
  /** A taker's perp position never passes ±perpCapLots; at the cap it flattens. */
  perpCapLots: number;
  /** Blocks per flow regime; each regime leans buys/sells by ±regimeBias (or not at all). */
  regimeBlocks: number;
  regimeBias: number;
  /** FWD markets traded (the first `fwdMarkets` by tenor). */
  fwdMarkets: number;
  /** Per taker and block, the chance of a forward order. */
  fwdProb: number;
  /** Forward order size: 1..fwdMaxThs TH/s (10,000 lots each; the maker's first level is 50 TH/s). */
  fwdMaxThs: number;
  /** A taker stops opening forwards while it is party to this many open contracts (they close at expiry). */
  fwdMaxContracts: number;
  /** Per taker and block, the chance of a block-delta order on one open series. */
  bdcProb: number;
  /** Block-delta order size: 1..bdcMaxQty contracts (the maker's levels are 10). */
  bdcMaxQty: number;
  /** A taker stops opening block-delta positions while it holds this many (they close when their series settles). */
  bdcMaxPositions: number;
}

export const DEFAULT_TAKER_PARAMS: TakerParams = {
  accounts: 3, seed: 1, depositSat: 100_000_000,
  perpProb: 0.5, perpMaxLots: 5, perpCapLots: 30, regimeBlocks: 24, regimeBias: 0.35,
  fwdMarkets: 2, fwdProb: 0.08, fwdMaxThs: 3, fwdMaxContracts: 24,
  bdcProb: 0.1, bdcMaxQty: 3, bdcMaxPositions: 20,
};

/** What the decision reads: positions per taker (same order as the accounts) and the books' best prices. */
export interface TakerView {
  height: number;
  /** Perp markets and each taker's signed position (lots). */
  perp: { market: string; positions: number[] }[];
  forwards: { market: string; bestBid: number | undefined; bestAsk: number | undefined }[];
  /** Open series with their best FAST bid / SLOW offer (bps). */
  bdc: { series: string; bestBid: number | undefined; bestAsk: number | undefined }[];
  /** Per taker: open forward contracts it is party to, open block-delta positions it holds. */
  fwdContracts: number[];
  bdcPositions: number[];
}

export function takerAccounts(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${DEMO_TAKER_PREFIX}${i + 1}`);
}

/** The PRNG of one block: a function of (seed, height) only, so a restart continues the same flow. */
export function blockRng(seed: number, height: number): Rng {
  return seededRng((Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(height >>> 0, 0x85ebca6b)) >>> 0);
}

/** −1, 0 or +1: this block's regime (buy-heavy, neutral, sell-heavy), constant over a `regimeBlocks` window. */
export function regimeOf(seed: number, height: number, p: TakerParams): number {
  const r = blockRng(seed ^ 0x5bd1e995, Math.floor(Math.max(0, height) / Math.max(1, p.regimeBlocks))).next();
  return r < 1 / 3 ? -1 : r < 2 / 3 ? 0 : 1;
}

const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng.next() * (hi - lo + 1));

/**
 * The orders of one block, in account order: pure over (view, params). Perp orders are market IOC (the
 * engine takes the band edge as their limit); forward and block-delta orders are IOC at the best opposite quote.
 */
export function takerOrders(accounts: readonly string[], view: TakerView, p: TakerParams = DEFAULT_TAKER_PARAMS): Command[] {
  const rng = blockRng(p.seed, view.height);
  const buyProb = 0.5 + regimeOf(p.seed, view.height, p) * p.regimeBias;
  const out: Command[] = [];
  const fwds = view.forwards.slice(0, Math.max(0, p.fwdMarkets));
  accounts.forEach((account, i) => {
    for (const { market, positions } of view.perp) {
      const pos = positions[i] ?? 0;
      const u = rng.next(), s = rng.next(), q = int(rng, 1, p.perpMaxLots);
      if (Math.abs(pos) >= p.perpCapLots) {
        out.push({ type: 'PlaceOrder', account, market, side: pos > 0 ? 'sell' : 'buy', orderType: 'market', qty: Math.abs(pos), tif: 'IOC', postOnly: false, reduceOnly: true });
        continue;
      }
      if (u >= p.perpProb) continue;
      const side = s < buyProb ? 'buy' : 'sell';
      const qty = Math.min(q, side === 'buy' ? p.perpCapLots - pos : p.perpCapLots + pos);
      if (qty > 0) out.push({ type: 'PlaceOrder', account, market, side, orderType: 'market', qty, tif: 'IOC', postOnly: false, reduceOnly: false });
    }
    if (fwds.length > 0) {
      const u = rng.next(), k = int(rng, 0, fwds.length - 1), s = rng.next(), ths = int(rng, 1, p.fwdMaxThs);
      const f = fwds[k]!;
      const side = s < 0.5 ? 'buy' : 'sell';
      const price = side === 'buy' ? f.bestAsk : f.bestBid;
      if (u < p.fwdProb && (view.fwdContracts[i] ?? 0) < p.fwdMaxContracts && price !== undefined) {
        out.push({ type: 'ForwardPlaceOrder', account, market: f.market, side, price, qty: ths * 10_000, tif: 'IOC' });
      }
    }
    if (view.bdc.length > 0) {
      const u = rng.next(), k = int(rng, 0, view.bdc.length - 1), s = rng.next(), qty = int(rng, 1, p.bdcMaxQty);
      const b = view.bdc[k]!;
      // FAST lifts the best SLOW offer; SLOW hits the best FAST bid (both prices are the FAST price in bps).
      const side = s < 0.5 ? 'FAST' : 'SLOW';
      const price = side === 'FAST' ? b.bestAsk : b.bestBid;
      if (u < p.bdcProb && (view.bdcPositions[i] ?? 0) < p.bdcMaxPositions && price !== undefined && price >= 1 && price < BPS) {
        out.push({ type: 'BdcPlaceOrder', account, series: b.series, side, price, qty, tif: 'IOC', postOnly: false });
      }
    }
  });
  return out;
}

/** The view of the engine state the decision reads. */
export function takerView(ex: Exchange, accounts: readonly string[]): TakerView {
  const perp = [...ex.markets.values()].map((m) => ({ market: m.spec.id, positions: accounts.map((a) => m.positions.get(userAccount(a))?.qty ?? 0) }));
  let forwards: TakerView['forwards'] = [];
  let fwdContracts = accounts.map(() => 0);
  const fm = ex.product<ReturnType<typeof forwardModule>>('forward');
  if (fm !== undefined) {
    forwards = Object.entries(FORWARD_MARKETS)
      .sort((a, b) => a[1] - b[1])
      .flatMap(([market]) => {
        const book = fm.book(market);
        return book === undefined ? [] : [{ market, bestBid: book.bestBid(), bestAsk: book.bestAsk() }];
      });
    fwdContracts = accounts.map((a) => fm.contractsOf(a).filter((c) => c.status === 'open').length);
  }
  let bdc: TakerView['bdc'] = [];
  let bdcPositions = accounts.map(() => 0);
  const bm = ex.product<ReturnType<typeof bdcModuleOf>>(BDC_PRODUCT);
  if (bm !== undefined) {
    const tip = ex.chainTip();
    bdc = bm.listSeries()
      .filter((s) => s.status === 'open' && s.height > tip.height)
      .map((s) => ({ series: s.id, bestBid: s.book.bestBid(), bestAsk: s.book.bestAsk() }));
    bdcPositions = accounts.map((a) => bm.positionsOf(a).length);
  }
  return { height: ex.chainTip().height, perp, forwards, bdc, fwdContracts, bdcPositions };
}
