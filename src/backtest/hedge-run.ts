// "How would this hedge have done?": replays history (steps.ts) through a fresh exchange engine, block by
// block, and lets a miner hedge on it with the engine's own commands. Nothing here computes a payoff: forward
// deliveries, the perp's funding and PnL, option premiums and expiries are whatever the engine's product
// modules do with the commands and BlockConnected blocks below. This module only decides the miner's orders,
// supplies the other side (a counterparty account that bids or offers at the trade price, and the vault,
// which sells options at its own price), keeps the miner funded, and reads the miner's wealth off the ledger.
//
// Miner's wealth on the exchange = equity (balance + unsettled perp PnL) + the collateral of its open forward
// contracts (its own money, returned day by day on delivery) − the deposits made so far. Its change over a
// step is the hedge's cash flow; hedged income = unhedged income + that. Cash basis: a forward's upfront
// payment counts when it is received, a put's premium when paid and its payoff at expiry.
import { createExchange, userAccount, type Command, type EngineEvent, type Exchange } from '../engine/index.js';
import { forwardContractsOf, contractCollateral, FORWARD_MARKETS, MIN_ORDER_LOTS } from '../engine/products/forward/index.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { MAX_PRICE } from '../engine/products/perp/pricing.js';
import { BLOCKS_PER_DAY } from '../units/time.js';
import type { Step } from './steps.js';
import { periodStats, maxDrawdown, type Distribution } from './stats.js';

export const MINER = 'bt-miner';
export const COUNTERPARTY = 'bt-counterparty';
const PERP = 'HPI-PERP';
const BIG_SAT = 1_000_000_000_000_000; // 10 M BTC: the counterparty's and the vault's capital never binds

export interface MinerProfile {
  /** The miner's hashrate, TH/s (constant over the run). */
  hashrateThs: number;
  /** Running costs paid in BTC, sat per day (power, hosting...). */
  costSatPerDay: number;
}

export interface ForwardHedge { tenorDays: 30 | 90 | 180 | 365; discountBps: number; ratioPct: number }
export interface PerpHedge { horizonDays: number; ratioPct: number }
export interface PutHedge { tenorDays: number; otmBps: number; ratioPct: number }
export interface HedgeSpec { forward?: ForwardHedge; perp?: PerpHedge; puts?: PutHedge }

export interface HedgeRunOptions {
  profile: MinerProfile;
  hedge: HedgeSpec;
  /** Days between the miner's hedge decisions (the "every month"); default 30. */
  rollDays?: number;
  /** The options product's estimation window (days); default the product's default. */
  optionWindowDays?: number;
  /** Steps before this index only feed the engine's history (the options' estimation window); default 0. */
  startAt?: number;
  /**
   * The engine sees index / priceScale (a power of ten) and trades priceScale × the lots, so every msat amount
   * (lots × price) is the same: before mid-2014 the index is above what the engine admits (MAX_PRICE). Default 1;
   * choosePriceScale picks it for a range.
   */
  priceScale?: number;
  /** Points kept in `series` (every k-th step and the last); default 2000. */
  maxSeriesPoints?: number;
}

export interface SeriesPoint { height: number; time: number; index: number; unhedgedSat: number; hedgedSat: number }
export interface PeriodOutcome { fromHeight: number; toHeight: number; time: number; unhedgedSat: number; hedgedSat: number }

export interface HedgeRunResult {
  fromHeight: number;
  toHeight: number;
  steps: number;
  /** Cumulative net income (sat): production − costs, and that plus the hedge's cash flows. */
  series: SeriesPoint[];
  periods: PeriodOutcome[];
  summary: {
    unhedged: { totalSat: number; maxDrawdownSat: number; periods: Distribution };
    hedged: { totalSat: number; maxDrawdownSat: number; periods: Distribution };
    /** Hedged − unhedged over the run (sat): what the hedge earned or cost. */
    hedgeResultSat: number;
    depositsSat: number;
  };
  engine: {
    /** The engine saw index ÷ priceScale and priceScale × the lots (same msat). */
    priceScale: number;
    commands: number;
    forwardContracts: number;
    optionsBought: number;
    optionsSettled: number;
    optionPayoffSat: number;
    optionPremiumSat: number;
    fundingAndPerpPnlSat: number;
    rejections: { count: number; first: string[] };
  };
}

const hashOf = (h: number): string => h.toString(16).padStart(64, '0');
const satOf = (msat: bigint): number => Number(msat / 1000n);

function checkRatio(field: string, v: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 200) throw new InvalidArgumentError(field, `must be a percentage 0..200, got ${String(v)}`);
  return v;
}

/** Field-named checks of the miner's inputs (the API's schema says the same; the CLI and tests rely on these). */
export function checkHedgeOptions(o: HedgeRunOptions): void {
  const p = o.profile;
  if (typeof p !== 'object' || p === null) throw new InvalidArgumentError('profile', 'is required');
  assertSafeInteger('profile.hashrateThs', p.hashrateThs, 1, 100_000_000);
  assertSafeInteger('profile.costSatPerDay', p.costSatPerDay, 0, 2_100_000_000_000);
  const h = o.hedge ?? {};
  if (h.forward !== undefined) {
    if (!Object.values(FORWARD_MARKETS).includes(h.forward.tenorDays)) throw new InvalidArgumentError('hedge.forward.tenorDays', `must be one of ${Object.values(FORWARD_MARKETS).join(', ')}, got ${String(h.forward.tenorDays)}`);
    assertSafeInteger('hedge.forward.discountBps', h.forward.discountBps, 0, 9_000);
    checkRatio('hedge.forward.ratioPct', h.forward.ratioPct);
  }
  if (h.perp !== undefined) {
    assertSafeInteger('hedge.perp.horizonDays', h.perp.horizonDays, 1, 3_650);
    checkRatio('hedge.perp.ratioPct', h.perp.ratioPct);
  }
  if (h.puts !== undefined) {
    assertSafeInteger('hedge.puts.tenorDays', h.puts.tenorDays, 3, 365);
    assertSafeInteger('hedge.puts.otmBps', h.puts.otmBps, -5_000, 9_000);
    checkRatio('hedge.puts.ratioPct', h.puts.ratioPct);
  }
  if (o.rollDays !== undefined) assertSafeInteger('rollDays', o.rollDays, 1, 365);
}

/** Runs one backtest. `steps` from backtestSteps; throws InvalidArgumentError (field named) on bad inputs. */
/**
 * The smallest power of ten that brings the range's largest index under MAX_PRICE, or a refusal when the
 * smallest index would then keep fewer than 4 significant digits (the engine's prices are integers).
 */
export function choosePriceScale(steps: readonly Step[]): number {
  let max = 0, min = Infinity;
  for (const s of steps) {
    if (s.index > max) max = s.index;
    if (s.index < min) min = s.index;
  }
  let scale = 1;
  while (max / scale > MAX_PRICE) scale *= 10;
  if (min / scale < 10_000)
    throw new InvalidArgumentError('from', `the index spans ${min}..${max} sat/PH/day over this range: the engine prices at most ${MAX_PRICE}, and scaling the largest under it (÷${scale}) leaves the smallest with under 4 digits; split the range (e.g. end it before mid-2014 or start it after)`);
  return scale;
}

export function runHedgeBacktest(steps: readonly Step[], o: HedgeRunOptions): HedgeRunResult {
  checkHedgeOptions(o);
  const startAt = o.startAt ?? 0;
  if (steps.length - startAt < 2) throw new InvalidArgumentError('toHeight', 'the range holds fewer than two steps to account');
  const H = BigInt(o.profile.hashrateThs);
  const costPerDayMsat = BigInt(o.profile.costSatPerDay) * 1000n;
  const rollBlocks = (o.rollDays ?? 30) * BLOCKS_PER_DAY;
  const ex: Exchange = createExchange(o.optionWindowDays === undefined ? {} : { products: { optionWindowDays: o.optionWindowDays } });
  const miner = userAccount(MINER);
  const lastHeight = steps[steps.length - 1].height;
  const scale = o.priceScale ?? 1;
  if (!Number.isSafeInteger(scale) || scale < 1 || !/^10*$/.test(String(scale))) throw new InvalidArgumentError('priceScale', `must be a power of ten, got ${String(scale)}`);
  /** The index as the engine sees it. */
  const px = (s: Step): number => Math.floor(s.index / scale);

  let seq = 0;
  let rejections = 0;
  const firstRejections: string[] = [];
  let optionsBought = 0, optionsSettled = 0, optionPayoff = 0n, optionPremium = 0n, perpFlows = 0n;
  const apply = (c: Command): EngineEvent[] => {
    const events = ex.apply(c, ++seq);
    for (const e of events) {
      if (e.type === 'CommandRejected' || e.type === 'OrderRejected') {
        rejections++;
        if (firstRejections.length < 10) firstRejections.push(`${c.type} at height ${ex.productContext(0).chain.height}: ${e.reason} (${e.message})`);
      } else if (e.type === 'OptionBought' && e.account === MINER) {
        optionsBought++;
        optionPremium += e.premiumMsat + e.feeMsat;
      } else if (e.type === 'OptionSettled' && e.account === MINER) {
        optionsSettled++;
        optionPayoff += e.payoffMsat;
      } else if (e.type === 'LedgerTransfer' && e.market === PERP && (e.to === miner || e.from === miner)) {
        perpFlows += e.to === miner ? e.amountMsat : -e.amountMsat;
      }
    }
    return events;
  };

  let deposits = 0n;
  const deposit = (sat: bigint): void => {
    if (sat <= 0n) return;
    apply({ type: 'Deposit', account: MINER, amountSat: Number(sat) });
    deposits += sat * 1000n;
  };
  apply({ type: 'Deposit', account: COUNTERPARTY, amountSat: BIG_SAT });
  apply({ type: 'FundSystem', account: 'vault', amountSat: BIG_SAT });
  apply({ type: 'ForwardSetAutoDelivery', account: MINER, enabled: true });

  const wealth = (): bigint => {
    let w = ex.equity(miner);
    for (const k of forwardContractsOf(ex, MINER)) if (k.status === 'open' && k.miner === MINER) w += ex.ledger.balance(contractCollateral(k.id));
    return w - deposits;
  };
  const perpQty = (): number => ex.market(PERP)?.positions.get(miner)?.qty ?? 0;

  /** The miner's hedge decisions at one step: forwards sold, the perp short re-sized, puts bought. */
  const roll = (s: Step): void => {
    const h = o.hedge;
    // Keep the miner's free balance above three periods of production plus the perp's notional, so deliveries
    // never fall short and the short is never liquidated: a hedge test, not a margin test.
    const need = (3n * H * BigInt(s.index) * BigInt(rollBlocks)) / BigInt(BLOCKS_PER_DAY) + BigInt(Math.abs(perpQty()) + scale * Math.round(((h.perp?.ratioPct ?? 0) / 100) * o.profile.hashrateThs * (h.perp?.horizonDays ?? 0))) * BigInt(px(s)) * 2n;
    const free = ex.available(miner);
    if (free < need) deposit((need - free) / 1000n + 1n);
    if (h.forward !== undefined && h.forward.ratioPct > 0) {
      const days = h.forward.tenorDays;
      const market = Object.entries(FORWARD_MARKETS).find(([, d]) => d === days)?.[0] as string;
      const end = s.height + 1 + days * BLOCKS_PER_DAY;
      // Each period sells 30/tenor of the covered hashrate, so overlapping contracts add up to the ratio.
      const qty = scale * Math.max(MIN_ORDER_LOTS, Math.round(((h.forward.ratioPct / 100) * o.profile.hashrateThs * 10_000 * rollBlocks) / (days * BLOCKS_PER_DAY)));
      const price = Math.max(1, Math.floor((px(s) * (10_000 - h.forward.discountBps)) / 10_000));
      if (end <= lastHeight) {
        apply({ type: 'ForwardPlaceOrder', account: COUNTERPARTY, market, side: 'buy', price, qty, tif: 'GTC' });
        apply({ type: 'ForwardPlaceOrder', account: MINER, market, side: 'sell', price, qty, tif: 'IOC' });
      }
    }
    if (h.perp !== undefined) {
      const target = -scale * Math.round((h.perp.ratioPct / 100) * o.profile.hashrateThs * h.perp.horizonDays);
      const diff = target - perpQty();
      if (diff !== 0) {
        const qty = Math.abs(diff);
        const price = ex.market(PERP)?.mark ?? px(s);
        apply({ type: 'PlaceOrder', account: COUNTERPARTY, market: PERP, side: diff < 0 ? 'buy' : 'sell', orderType: 'limit', price, qty, tif: 'GTC', postOnly: false, reduceOnly: false });
        apply({ type: 'PlaceOrder', account: MINER, market: PERP, side: diff < 0 ? 'sell' : 'buy', orderType: 'limit', price, qty, tif: 'IOC', postOnly: false, reduceOnly: false });
        apply({ type: 'CancelAll', account: COUNTERPARTY, market: PERP });
      }
    }
    if (h.puts !== undefined && h.puts.ratioPct > 0) {
      const expiryHeight = s.height + h.puts.tenorDays * BLOCKS_PER_DAY;
      const lots = scale * Math.round((h.puts.ratioPct / 100) * o.profile.hashrateThs * h.puts.tenorDays);
      const strike = Math.max(1, Math.floor((px(s) * (10_000 - h.puts.otmBps)) / 10_000));
      if (expiryHeight <= lastHeight && lots >= 1) {
        apply({
          type: 'BuyOption', account: MINER, optionType: 'put', strike, lots, expiryHeight,
          // The limit is open: the test is what the vault's own price would have cost.
          quote: { premiumMsat: '1000000000000000000000', indexAtQuote: px(s), quotedAtHeight: s.height, quotedAtMtp: s.mtp },
        });
      }
    }
  };

  const series: SeriesPoint[] = [];
  const periods: PeriodOutcome[] = [];
  let cumUn = 0n, cumHe = 0n;
  // Drawdowns over every step (the series is thinned for charts).
  const fullUn: number[] = [], fullHe: number[] = [];
  let lastWealth = 0n;
  let nextRoll = -1;
  let period: { from: number; time: number; un: bigint; he: bigint } | undefined;
  const every = Math.max(1, Math.ceil((steps.length - startAt) / (o.maxSeriesPoints ?? 2000)));
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    apply({ type: 'BlockConnected', height: s.height, hash: hashOf(s.height), time: s.time, mtp: s.mtp, indexPrice: px(s) });
    if (i < startAt) continue;
    if (i === startAt) {
      lastWealth = wealth();
      nextRoll = s.height;
    }
    const income = i === startAt ? 0n : (H * s.indexSum) / BigInt(BLOCKS_PER_DAY) - (costPerDayMsat * BigInt(s.blocks)) / BigInt(BLOCKS_PER_DAY);
    if (s.height >= nextRoll) {
      roll(s);
      nextRoll = s.height + rollBlocks;
      if (period !== undefined) periods.push({ fromHeight: period.from, toHeight: s.height, time: period.time, unhedgedSat: satOf(period.un), hedgedSat: satOf(period.he) });
      period = { from: s.height, time: s.time, un: 0n, he: 0n };
    }
    const w = wealth();
    const hedgeFlow = w - lastWealth;
    lastWealth = w;
    cumUn += income;
    cumHe += income + hedgeFlow;
    if (period !== undefined) {
      period.un += income;
      period.he += income + hedgeFlow;
    }
    fullUn.push(satOf(cumUn));
    fullHe.push(satOf(cumHe));
    if ((i - startAt) % every === 0 || i === steps.length - 1) series.push({ height: s.height, time: s.time, index: s.index, unhedgedSat: satOf(cumUn), hedgedSat: satOf(cumHe) });
  }
  if (period !== undefined && period.from < lastHeight) periods.push({ fromHeight: period.from, toHeight: lastHeight, time: period.time, unhedgedSat: satOf(period.un), hedgedSat: satOf(period.he) });

  const un = fullUn;
  const he = fullHe;
  return {
    fromHeight: steps[startAt].height,
    toHeight: lastHeight,
    steps: steps.length - startAt,
    series,
    periods,
    summary: {
      unhedged: { totalSat: satOf(cumUn), maxDrawdownSat: maxDrawdown(un), periods: periodStats(periods.map((p) => p.unhedgedSat)) },
      hedged: { totalSat: satOf(cumHe), maxDrawdownSat: maxDrawdown(he), periods: periodStats(periods.map((p) => p.hedgedSat)) },
      hedgeResultSat: satOf(cumHe - cumUn),
      depositsSat: satOf(deposits),
    },
    engine: {
      priceScale: scale,
      commands: seq,
      forwardContracts: forwardContractsOf(ex, MINER).length,
      optionsBought, optionsSettled,
      optionPayoffSat: satOf(optionPayoff),
      optionPremiumSat: satOf(optionPremium),
      fundingAndPerpPnlSat: satOf(perpFlows),
      rejections: { count: rejections, first: firstRejections },
    },
  };
}
