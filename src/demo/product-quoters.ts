/**
 * The demo market maker's product quoters (forwards, block-delta series, vault seed). Each is pure over
 * (engine state, chain data): the commands it returns depend only on them, so a replayed journal gets the
 * same quotes. They diff the quotes they want against the demo account's resting orders and send only the
 * cancels and places that differ, so a block that moves nothing costs nothing. Model values are cached per
 * tip height (the forward curve and the block-delta model are the expensive parts).
 */
import type { Command, Exchange } from '../engine/index.js';
import { VAULT } from '../engine/index.js';
import { bdcChainStateAt, bdcModuleOf, beyondHorizon, seriesFairValue, BPS } from '../engine/products/bdc/index.js';
import { FORWARD_MARKETS, forwardModule } from '../engine/products/forward/index.js';
import { vaultView } from '../engine/products/vault/index.js';
import { difficultyOfBits } from '../chain/target.js';
import type { IndexChain } from '../index/chain-view.js';
import { forwardCurve } from '../index/forward-curve.js';
import type { Quoter, QuoterContext } from './market-maker.js';

export interface ForwardQuoteParams {
  levels: number;
  /** Full spread between best bid and best ask, ppm of the fair price. */
  spreadPpm: number;
  stepPpm: number;
  /** Lots (0.0001 TH/s) at the first level; each further level adds `sizeStepLots`. */
  sizeLots: number;
  sizeStepLots: number;
}

/** 50 TH/s at the first level, 2 % wide: forwards are quoted wider than the perp. */
export const DEFAULT_FORWARD_PARAMS: ForwardQuoteParams = { levels: 2, spreadPpm: 20_000, stepPpm: 10_000, sizeLots: 500_000, sizeStepLots: 500_000 };

interface Want {
  side: 'buy' | 'sell';
  price: number;
  qty: number;
}

/** The forward quotes around a fair price (sat/PH/day): bids round down, asks up, never below 1. */
export function forwardQuotes(fair: number, p: ForwardQuoteParams = DEFAULT_FORWARD_PARAMS): Want[] {
  if (!Number.isFinite(fair) || fair <= 0) return [];
  const out: Want[] = [];
  for (let i = 0; i < p.levels; i++) {
    const off = p.spreadPpm / 2 + i * p.stepPpm;
    const qty = p.sizeLots + i * p.sizeStepLots;
    const bid = Math.floor((fair * (1_000_000 - off)) / 1_000_000);
    const ask = Math.ceil((fair * (1_000_000 + off)) / 1_000_000);
    if (bid >= 1) out.push({ side: 'buy', price: bid, qty });
    out.push({ side: 'sell', price: ask, qty });
  }
  return out;
}

/** Cancels for resting orders not wanted, places for wanted quotes not resting (same side, price, qty). */
function diff<R extends Want & { id: number }>(resting: R[], want: Want[]): { cancel: R[]; place: Want[] } {
  const left = [...resting];
  const place: Want[] = [];
  for (const w of want) {
    const i = left.findIndex((r) => r.side === w.side && r.price === w.price && r.qty === w.qty);
    if (i >= 0) left.splice(i, 1);
    else place.push(w);
  }
  return { cancel: left, place };
}

function cachedPerHeight<T>(compute: (height: number) => T): (height: number) => T {
  let h = -2;
  let v: T;
  return (height) => {
    if (height !== h) {
      v = compute(height);
      h = height;
    }
    return v;
  };
}

/**
 * Forwards: each FWD market quoted around the forward curve's expected mean hashprice for its tenor, at the
 * engine's tip height. No quotes while the curve cannot be computed (before the first block, past the data).
 */
export function forwardQuoter(chain: IndexChain, params: ForwardQuoteParams = DEFAULT_FORWARD_PARAMS): Quoter {
  const fairs = cachedPerHeight((height): Map<number, number> => {
    const m = new Map<number, number>();
    if (height < 0 || height > chain.maxHeight) return m;
    try {
      for (const p of forwardCurve(chain, height).points) m.set(p.tenorDays, Number(p.hashpriceSatPerPHDay));
    } catch {
      // the curve needs epochs the data may not hold: no fair price, no quotes
    }
    return m;
  });
  return {
    name: 'forwards',
    commands: ({ exchange, account, height }) => {
      const fm = forwardModule(exchange);
      const fair = fairs(height);
      const out: Command[] = [];
      for (const [market, days] of Object.entries(FORWARD_MARKETS).sort()) {
        const book = fm.book(market);
        if (book === undefined) continue;
        const f = fair.get(days);
        const resting = book.ordersOf(account).map((o) => ({ id: o.id, side: o.side, price: o.price, qty: o.qty }));
        const { cancel, place } = diff(resting, f === undefined ? [] : forwardQuotes(f, params));
        for (const o of cancel) out.push({ type: 'ForwardCancelOrder', account, market, orderId: o.id });
        for (const w of place) out.push({ type: 'ForwardPlaceOrder', account, market, side: w.side, price: w.price, qty: w.qty, tif: 'GTC', postOnly: true });
      }
      return out;
    },
  };
}

export interface BdcQuoteParams {
  /** Open series kept listed; new ones get H = tip + 144·k for the next free k. */
  series: number;
  payoutSat: number;
  /** Half spread around the fair FAST price, bps; each further level `stepBps` further. */
  halfSpreadBps: number;
  stepBps: number;
  levels: number;
  /** Contracts per level. */
  qty: number;
  /** Monte Carlo paths when a series crosses a retarget (few: this runs at every block). */
  paths: number;
  seed: number;
}

export const DEFAULT_BDC_PARAMS: BdcQuoteParams = { series: 3, payoutSat: 100_000, halfSpreadBps: 150, stepBps: 150, levels: 2, qty: 10, paths: 400, seed: 1 };

/** Bids (FAST) and asks (SLOW) around a fair FAST price in bps, inside 1..9999. */
export function bdcQuotes(fairBps: number, p: BdcQuoteParams = DEFAULT_BDC_PARAMS): Want[] {
  if (!Number.isFinite(fairBps)) return [];
  const out: Want[] = [];
  for (let i = 0; i < p.levels; i++) {
    const off = p.halfSpreadBps + i * p.stepBps;
    const bid = Math.floor(fairBps - off);
    const ask = Math.ceil(fairBps + off);
    if (bid >= 1 && bid < BPS) out.push({ side: 'buy', price: bid, qty: p.qty });
    if (ask >= 1 && ask < BPS) out.push({ side: 'sell', price: ask, qty: p.qty });
  }
  return out;
}

/**
 * The terms of a new series `k` days of blocks ahead: H = tip + 144·k and T = MTP + the expected time to
 * mine those blocks at the model's hashrate (rounded up to 10 minutes), so the fair odds start near 50 %.
 */
export function newSeriesTerms(chain: IndexChain, tip: { height: number; mtp: number }, k: number): { height: number; deadline: number } {
  const state = bdcChainStateAt(chain, tip);
  const secondsPerBlock = (difficultyOfBits(state.bits) * 2 ** 32) / state.hashrateHps;
  const blocks = 144 * k;
  const deadline = Math.ceil((tip.mtp + blocks * secondsPerBlock) / 600) * 600;
  return { height: tip.height + blocks, deadline };
}

/**
 * Block-delta: keeps `series` open series listed (BdcListSeries as the operator) and quotes FAST bids and
 * SLOW offers around the block-arrival model's fair bps (src/engine/products/bdc/fair-value.ts), the same
 * model and options the /v1/bdc routes show beside the book.
 */
export function bdcQuoter(chain: IndexChain, params: BdcQuoteParams = DEFAULT_BDC_PARAMS): Quoter {
  let cacheHeight = -2;
  const cache = new Map<string, number | undefined>();
  const fairOf = (ex: Exchange, s: { id: string; height: number; deadline: number }, tip: { height: number; mtp: number }): number | undefined => {
    if (tip.height !== cacheHeight) {
      cache.clear();
      cacheHeight = tip.height;
    }
    if (cache.has(s.id)) return cache.get(s.id);
    let v: number | undefined;
    try {
      const f = seriesFairValue({ height: s.height, deadline: s.deadline }, bdcChainStateAt(chain, tip), { paths: params.paths, seed: params.seed });
      v = f.decided ? undefined : f.fair.fairBps;
    } catch {
      v = undefined;
    }
    cache.set(s.id, v);
    return v;
  };
  return {
    name: 'bdc',
    commands: ({ exchange, account }: QuoterContext) => {
      const tipView = exchange.productContext(0).chain;
      if (tipView.height < 0 || tipView.height > chain.maxHeight) return [];
      const tip = { height: tipView.height, mtp: tipView.mtp };
      const m = bdcModuleOf(exchange);
      const out: Command[] = [];
      const open = m.listSeries().filter((s) => s.status === 'open' && s.height > tip.height && s.deadline > tip.mtp);
      const series = open.map((s) => ({ id: s.id, height: s.height, deadline: s.deadline }));
      const taken = new Set(open.map((s) => s.height));
      for (let k = 1; series.length < params.series && k <= params.series * 2; k++) {
        let t: { height: number; deadline: number };
        try {
          t = newSeriesTerms(chain, tip, k);
        } catch {
          break;
        }
        // Further steps are further still: past the engine's horizon (the lifetime rule) none would list.
        if (m.horizon !== undefined && beyondHorizon(t.height, t.deadline, tip, m.horizon) !== undefined) break;
        // One series per 144-block step: later ones fill the far end as the near ones settle.
        if (open.some((s) => s.height >= t.height) || taken.has(t.height)) continue;
        taken.add(t.height);
        out.push({ type: 'BdcListSeries', height: t.height, deadline: t.deadline, payoutSat: params.payoutSat });
        series.push({ id: `BDC-${t.height}-${t.deadline}`, ...t });
      }
      const resting = m.ordersOf(account);
      for (const s of series) {
        const fair = fairOf(exchange, s, tip);
        const mine = resting.filter((o) => o.series === s.id).map((o) => ({ id: o.id, side: o.side === 'FAST' ? ('buy' as const) : ('sell' as const), price: o.price, qty: o.qty }));
        const { cancel, place } = diff(mine, fair === undefined ? [] : bdcQuotes(fair, params));
        for (const o of cancel) out.push({ type: 'BdcCancelOrder', account, series: s.id, orderId: o.id });
        for (const w of place) out.push({ type: 'BdcPlaceOrder', account, series: s.id, side: w.side === 'buy' ? 'FAST' : 'SLOW', price: w.price, qty: w.qty, tif: 'GTC', postOnly: true });
      }
      return out;
    },
  };
}

/**
 * The vault's seed capital: at demo start, when the vault holds nothing and has no shares, the operator
 * funds it (FundSystem vault; the shares go to the house), so options can be bought and VaultTrade works.
 */
export function vaultSeeder(amountSat = 500_000_000): Quoter {
  return {
    name: 'vault',
    setup: ({ exchange }) => (vaultView(exchange).totalShares === 0n && exchange.ledger.balance(VAULT) === 0n ? [{ type: 'FundSystem', account: 'vault', amountSat }] : []),
    commands: () => [],
  };
}
