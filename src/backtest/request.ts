// A backtest as the CLI and the API ask for it: a range (heights or dates), a resolution, the miner's profile
// and hedge. Resolves the range on the chain, prepends the options' estimation window as warm-up (blocks the
// engine sees before the miner starts, so the vault prices from history from the first day), and runs.
import type { IndexChain } from '../index/chain-view.js';
import { parseHistoryBound, resolveBound } from '../index/hashprice-history.js';
import { DEFAULT_OPTIONS_CONFIG, checkOptionWindowDays } from '../engine/products/options/index.js';
import { InvalidArgumentError } from '../units/errors.js';
import { BLOCKS_PER_DAY } from '../units/time.js';
import { choosePriceScale, runHedgeBacktest, type HedgeRunResult, type HedgeSpec, type MinerProfile } from './hedge-run.js';
import { BACKTEST_RESOLUTIONS, backtestSteps, firstEngineHeight, firstSafeHeight, type BacktestResolution } from './steps.js';

export interface BacktestRequest {
  /** A height (digits) or an ISO date; defaults: see resolveRange. */
  from?: string;
  to?: string;
  resolution?: BacktestResolution;
  profile: MinerProfile;
  hedge: HedgeSpec;
  rollDays?: number;
  optionWindowDays?: number;
}

export interface BacktestReport extends HedgeRunResult {
  request: Required<Pick<BacktestRequest, 'resolution' | 'profile' | 'hedge'>> & { rollDays: number; optionWindowDays: number };
  basis: string;
}

/**
 * Heights [from, to] and the warm-up start. Defaults — epoch: the first height the engine admits plus the
 * warm-up, to the newest height; block: the newest shipped segment.
 */
export function resolveRange(chain: IndexChain, r: Pick<BacktestRequest, 'from' | 'to' | 'resolution'>, windowDays: number): { from: number; to: number; warmFrom: number } {
  const resolution = r.resolution ?? 'epoch';
  if (!BACKTEST_RESOLUTIONS.includes(resolution)) throw new InvalidArgumentError('resolution', `expected 'epoch' or 'block', got ${JSON.stringify(resolution)}`);
  const engineFrom = firstEngineHeight(chain);
  const safeFrom = firstSafeHeight(chain);
  const warm = windowDays * BLOCKS_PER_DAY;
  const bound = (field: 'from' | 'to', v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const h = resolveBound(chain, field, parseHistoryBound(field, v));
    if (h > chain.maxHeight) throw new InvalidArgumentError(field, `height ${h} is past the newest covered height ${chain.maxHeight}`);
    return h;
  };
  let from = bound('from', r.from);
  let to = bound('to', r.to);
  if (resolution === 'block') {
    const seg = chain.segmentOf(from ?? to ?? chain.segments[chain.segments.length - 1].lastHeight);
    if (seg === undefined) throw new InvalidArgumentError(r.from !== undefined ? 'from' : 'to', `no shipped headers there; shipped segments: ${chain.segments.map((s) => `${s.firstHeight}..${s.lastHeight}`).join(', ')}`);
    const lo = Math.max(seg.firstHeight, safeFrom);
    from ??= Math.min(seg.lastHeight, Math.max(lo, engineFrom) + warm);
    to ??= seg.lastHeight;
    if (from < lo) throw new InvalidArgumentError('from', `block resolution starts at ${lo} or later in this segment (shipped headers, and an index the backtest can add up exactly)`);
    return { from, to, warmFrom: Math.max(lo, from - warm) };
  }
  from ??= Math.min(chain.maxHeight, engineFrom + warm);
  to ??= chain.maxHeight;
  if (from < safeFrom) throw new InvalidArgumentError('from', `the backtest starts at height ${safeFrom} or later (earlier, the index is above 2^53 sat/PH/day)`);
  if (to < from) throw new InvalidArgumentError('to', `to (height ${to}) is before from (height ${from})`);
  return { from, to, warmFrom: Math.max(safeFrom, from - warm) };
}

export function runBacktest(chain: IndexChain, r: BacktestRequest): BacktestReport {
  const windowDays = r.optionWindowDays === undefined ? DEFAULT_OPTIONS_CONFIG.historyDays : checkOptionWindowDays(r.optionWindowDays, 'optionWindowDays');
  const resolution = r.resolution ?? 'epoch';
  const { from, to, warmFrom } = resolveRange(chain, r, windowDays);
  if (to - from < 7 * BLOCKS_PER_DAY) throw new InvalidArgumentError('to', `the range ${from}..${to} is shorter than a week`);
  const steps = backtestSteps(chain, { fromHeight: warmFrom, toHeight: to, resolution });
  const startAt = steps.findIndex((s) => s.height >= from);
  const rollDays = r.rollDays ?? 30;
  const priceScale = choosePriceScale(steps);
  const result = runHedgeBacktest(steps, { profile: r.profile, hedge: r.hedge ?? {}, rollDays, optionWindowDays: windowDays, startAt: Math.max(0, startAt), priceScale });
  return {
    request: { resolution, profile: r.profile, hedge: r.hedge ?? {}, rollDays, optionWindowDays: windowDays },
    ...result,
    basis:
      `${resolution === 'epoch' ? 'one block a day from the bits of every retarget (times interpolated where no header is shipped)' : 'every shipped block'}; ` +
      'subsidy-only index (headers carry no fees); the miner mines hashrateThs TH/s and pays costSatPerDay; every ' +
      `${rollDays} days it sells forwards, re-sizes its perp short and buys puts through the exchange engine (` +
      (warmFrom < from ? `heights ${warmFrom}..${from - 1} only fill the options' ${windowDays}-day estimation window` : `no history before ${from} to warm the options' ${windowDays}-day window up: the vault prices from its prior until it has recorded 5 days`) +
      `); hedged = unhedged + the change of its exchange wealth (equity + forward collateral − deposits), cash basis` +
      (priceScale > 1 ? `; the index here is above what the engine prices (4·10⁹ sat/PH/day), so the engine saw it ÷ ${priceScale} and traded ${priceScale} × the lots (the same msat, prices rounded to ${priceScale} sat/PH/day)` : ''),
  };
}
