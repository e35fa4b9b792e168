/**
 * Where hashprice has been: the index over any height range of the shipped mainnet data, as a step series.
 *
 * Every point is the index at its height, by the index's own rule (hashprice.ts): hashpriceSatPerPHDay(bits(h),
 * subsidy(h)). Headers carry no fees and the only shipped fee data (blocks 0..438) is all zero, so the series is
 * subsidy only — what `indexAt` publishes at these heights. The index moves only at retargets (new bits, every
 * 2016 blocks) and halvings (every 210,000 blocks), so the points at those heights carry the whole series:
 *   - `epoch`: the change points — each retarget and halving in the range — plus the range's ends;
 *   - `day`:   those, plus the first block of every 144-block day (heights 144d..144d+143) whose headers are
 *              all shipped, at its header time;
 *   - `block`: those, plus every shipped block in the range.
 * Bits come from epochs.csv (verified against the shipped headers; the newest epochs from Electrum's targets).
 * Times are header times where shipped, else interpolated between known block times (`timeEstimated`).
 * Used by the API (`GET /v1/index/history?resolution=`), the CLI (`hashperp index history`) and the web chart.
 */
import { difficultyOfBits } from '../chain/target.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { BLOCKS_PER_DAY, parseIsoDate } from '../units/time.js';
import type { IndexChain } from './chain-view.js';
import { HALVING_INTERVAL, hashpriceSatPerPHDay, subsidySat } from './hashprice.js';
import { EPOCH_BLOCKS } from './retarget.js';
import { heightAtTime, timeAtHeight } from './time-map.js';

export const HISTORY_RESOLUTIONS = ['epoch', 'day', 'block'] as const;
export type HistoryResolution = (typeof HISTORY_RESOLUTIONS)[number];
/** The most points one series may hold; a wider request is refused, naming a coarser resolution. */
export const HISTORY_POINT_CAP = 5_000;

export const HISTORY_BASIS =
  'subsidy only: hashprice = subsidy × 86,400 × 10^15 / (difficulty × 2^32) sat per PH/s per day, fees not included ' +
  '(headers carry no fees); difficulty from the bits of every retarget since 2009 (data/mainnet/epochs.csv), ' +
  'subsidy 50 BTC halved every 210,000 blocks';

export interface HistoryPoint {
  height: number;
  /** Unix seconds: the header time where shipped, else estimated (`timeEstimated`). */
  time: number;
  timeEstimated: boolean;
  epoch: number;
  bits: string;
  difficulty: number;
  subsidySat: bigint;
  hashpriceSatPerPHDay: bigint;
  /** Why this height is a point: the range's start, a retarget, a halving, a day's first block, a block. */
  kind: 'start' | 'retarget' | 'halving' | 'day' | 'block' | 'end';
}

export interface HalvingMark {
  /** 210,000 × `halving`. */
  height: number;
  halving: number;
  time: number;
  timeEstimated: boolean;
  subsidySatBefore: bigint;
  subsidySatAfter: bigint;
}

export interface HashpriceSeries {
  resolution: HistoryResolution;
  fromHeight: number;
  toHeight: number;
  feesIncluded: false;
  basis: string;
  points: HistoryPoint[];
  /** The halvings inside [fromHeight, toHeight]. */
  halvings: HalvingMark[];
}

/** The series as JSON carries it (API, `hashperp index history --json`): sat amounts as decimal strings. */
export type HashpriceSeriesWire = Omit<HashpriceSeries, 'points' | 'halvings'> & {
  pointCap: number;
  points: (Omit<HistoryPoint, 'subsidySat' | 'hashpriceSatPerPHDay'> & { subsidySat: string; hashpriceSatPerPHDay: string })[];
  halvings: (Omit<HalvingMark, 'subsidySatBefore' | 'subsidySatAfter'> & { subsidySatBefore: string; subsidySatAfter: string })[];
};

/** The published index at `height` where fees are unknown (every height past 438): subsidy only. */
export function subsidyOnlyHashprice(chain: IndexChain, height: number): bigint {
  return hashpriceSatPerPHDay(chain.bitsAt(height), subsidySat(height));
}

/** A range bound as given: a height, or an ISO date (the height in force then). */
export type HistoryBound = { height: number } | { date: string };

/** Parses `--from`/`?from=`: digits are a height, anything else must be an ISO 8601 date. */
export function parseHistoryBound(field: string, s: string): HistoryBound {
  const t = s.trim();
  if (/^[0-9]+$/.test(t)) return { height: assertSafeInteger(field, Number(t), 0) };
  parseIsoDate(field, t);
  return { date: t };
}

/** The height a bound names on this chain (a date: the height in force then, by header times). */
export function resolveBound(chain: IndexChain, field: string, b: HistoryBound): number {
  if ('height' in b) return b.height;
  const t = parseIsoDate(field, b.date);
  try {
    return heightAtTime(chain, t).height;
  } catch (e) {
    if (e instanceof InvalidArgumentError) throw new InvalidArgumentError(field, e.message.replace(/^at: /, ''));
    throw e;
  }
}

export interface SeriesRequest {
  from?: HistoryBound;
  to?: HistoryBound;
  resolution: HistoryResolution;
  /** The newest height the caller may show (a server's tip); default the newest covered height. */
  upTo?: number;
  maxPoints?: number;
}

/** The heights of the series and why each is there (a retarget or halving wins over a day or block). */
function pointHeights(chain: IndexChain, from: number, to: number, resolution: HistoryResolution): Map<number, HistoryPoint['kind']> {
  const kinds = new Map<number, HistoryPoint['kind']>();
  kinds.set(from, 'start');
  for (let h = Math.ceil((from + 1) / EPOCH_BLOCKS) * EPOCH_BLOCKS; h <= to; h += EPOCH_BLOCKS) kinds.set(h, 'retarget');
  for (let h = Math.ceil((from + 1) / HALVING_INTERVAL) * HALVING_INTERVAL; h <= to; h += HALVING_INTERVAL) kinds.set(h, 'halving');
  if (resolution !== 'epoch')
    for (const seg of chain.segments) {
      const lo = Math.max(from, seg.firstHeight);
      const hi = Math.min(to, seg.lastHeight);
      if (lo > hi) continue;
      if (resolution === 'block') {
        for (let h = lo; h <= hi; h++) if (!kinds.has(h)) kinds.set(h, 'block');
        continue;
      }
      // Days whose 144 headers are all in this segment.
      for (let d = Math.ceil(seg.firstHeight / BLOCKS_PER_DAY); (d + 1) * BLOCKS_PER_DAY - 1 <= seg.lastHeight; d++) {
        const h = d * BLOCKS_PER_DAY;
        if (h >= lo && h <= hi && !kinds.has(h)) kinds.set(h, 'day');
      }
    }
  if (!kinds.has(to)) kinds.set(to, 'end');
  return kinds;
}

function pointAt(chain: IndexChain, height: number, kind: HistoryPoint['kind']): HistoryPoint {
  const bits = chain.bitsAt(height);
  const shipped = chain.timeAt(height);
  const t = shipped !== undefined ? { time: shipped, exact: true } : timeAtHeight(chain, height);
  return {
    height,
    time: t.time,
    timeEstimated: !t.exact,
    epoch: Math.floor(height / EPOCH_BLOCKS),
    bits: bits.toString(16).padStart(8, '0'),
    difficulty: difficultyOfBits(bits),
    subsidySat: subsidySat(height),
    hashpriceSatPerPHDay: subsidyOnlyHashprice(chain, height),
    kind,
  };
}

/**
 * The hashprice series over [from, to] (defaults: genesis, `upTo`) at a resolution. InvalidArgumentError
 * (field `from`, `to` or `resolution`) for a range outside the data, reversed, or over the point cap.
 */
export function hashpriceSeries(chain: IndexChain, req: SeriesRequest): HashpriceSeries {
  if (!HISTORY_RESOLUTIONS.includes(req.resolution)) throw new InvalidArgumentError('resolution', `expected one of ${HISTORY_RESOLUTIONS.join(', ')}, got ${JSON.stringify(req.resolution)}`);
  const upTo = assertSafeInteger('upTo', req.upTo ?? chain.maxHeight, 0, chain.maxHeight);
  const cap = assertSafeInteger('maxPoints', req.maxPoints ?? HISTORY_POINT_CAP, 2);
  const from = req.from === undefined ? 0 : resolveBound(chain, 'from', req.from);
  const to = req.to === undefined ? upTo : resolveBound(chain, 'to', req.to);
  if (from > upTo) throw new InvalidArgumentError('from', `height ${from} is past the newest height available, ${upTo}`);
  if (to > upTo) throw new InvalidArgumentError('to', `height ${to} is past the newest height available, ${upTo}`);
  if (from > to) throw new InvalidArgumentError('from', `from (height ${from}) is after to (height ${to})`);
  const kinds = pointHeights(chain, from, to, req.resolution);
  if (kinds.size > cap) {
    const coarser = req.resolution === 'block' ? "'day' or 'epoch'" : "'epoch'";
    throw new InvalidArgumentError(
      'resolution',
      `${req.resolution} resolution over heights ${from}..${to} gives ${kinds.size} points, more than the cap of ${cap}: narrow from/to` +
        (req.resolution === 'epoch' ? '' : ` or use ${coarser}`),
    );
  }
  const points = [...kinds.entries()].sort((a, b) => a[0] - b[0]).map(([h, k]) => pointAt(chain, h, k));
  const halvings: HalvingMark[] = points
    .filter((p) => p.height > 0 && p.height % HALVING_INTERVAL === 0)
    .map((p) => ({
      height: p.height,
      halving: p.height / HALVING_INTERVAL,
      time: p.time,
      timeEstimated: p.timeEstimated,
      subsidySatBefore: subsidySat(p.height - 1),
      subsidySatAfter: p.subsidySat,
    }));
  const sampling =
    req.resolution === 'epoch'
      ? 'one point per retarget and halving'
      : req.resolution === 'day'
        ? 'one point per retarget and halving, and per 144-block day where all its headers are shipped'
        : 'one point per retarget and halving, and per block where its header is shipped';
  return { resolution: req.resolution, fromHeight: from, toHeight: to, feesIncluded: false, basis: `${HISTORY_BASIS}; ${sampling}; each value holds until the next point`, points, halvings };
}
