import type { ForwardCurve, IndexValue } from '../../../src/api/schemas.js';

/**
 * What the dashboard shows about one index value, read from the wire object (src/index IndexValue with
 * bigints as decimal strings). The schema keeps extra properties open (hashrate, retarget, basis), so those
 * parts are read defensively: a missing part becomes a stated reason, never a made-up number.
 */
export interface RetargetView {
  retargetHeight: number;
  blocksRemaining: number;
  changePct: number;
  expectedSecondsToRetarget: number;
  final: boolean;
}

export interface IndexView {
  height: number;
  hash: string | null;
  time: number | null;
  /** sat/PH/day; index values are far below 2^53, so a number is exact. */
  hashpriceSatPerPhDay: number;
  difficulty: number;
  feesIncluded: boolean;
  /** H/s over the last 144 blocks, else 2016, else undefined. */
  hashrateHps: number | undefined;
  hashrateWindow: 144 | 2016 | undefined;
  /** Why there is no estimate, when there is none. */
  hashrateUnavailable: string | undefined;
  retarget: RetargetView | { unavailable: string };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Decimal-string sats (or a number) to a number; NaN for anything else so the UI shows a dash, not a lie. */
export function satNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return NaN;
}

function readRetarget(r: unknown): RetargetView | { unavailable: string } {
  if (!isObj(r)) return { unavailable: 'The server did not send a retarget projection.' };
  if (typeof r.unavailable === 'string') return { unavailable: r.unavailable };
  if (isNum(r.retargetHeight) && isNum(r.blocksRemaining) && isNum(r.changePct) && isNum(r.expectedSecondsToRetarget)) {
    return { retargetHeight: r.retargetHeight, blocksRemaining: r.blocksRemaining, changePct: r.changePct, expectedSecondsToRetarget: r.expectedSecondsToRetarget, final: r.final === true };
  }
  return { unavailable: 'The retarget projection is incomplete.' };
}

function readHashrate(h: unknown): Pick<IndexView, 'hashrateHps' | 'hashrateWindow' | 'hashrateUnavailable'> {
  const est = (w: unknown): number | undefined => (isObj(w) && isNum(w.hashrateHps) ? w.hashrateHps : undefined);
  if (!isObj(h)) return { hashrateHps: undefined, hashrateWindow: undefined, hashrateUnavailable: 'The server sent no hashrate estimate.' };
  const h144 = est(h.h144);
  if (h144 !== undefined) return { hashrateHps: h144, hashrateWindow: 144, hashrateUnavailable: undefined };
  const h2016 = est(h.h2016);
  if (h2016 !== undefined) return { hashrateHps: h2016, hashrateWindow: 2016, hashrateUnavailable: undefined };
  const why = isObj(h.h144) && typeof h.h144.unavailable === 'string' ? h.h144.unavailable : 'block times around this height are not known';
  return { hashrateHps: undefined, hashrateWindow: undefined, hashrateUnavailable: why };
}

export function toIndexView(v: IndexValue): IndexView {
  const extra = v as IndexValue & Obj;
  return {
    height: v.height,
    hash: v.blockHash,
    time: v.time,
    hashpriceSatPerPhDay: satNumber(v.hashpriceSatPerPHDay),
    difficulty: v.difficulty,
    feesIncluded: v.feesIncluded,
    ...readHashrate(extra.hashrate),
    retarget: readRetarget(extra.retarget),
  };
}

/** The index's hashprice, sat/PH/day, for the forms that price against it; undefined until there is a number. */
export function indexPriceOf(v: IndexValue | undefined): number | undefined {
  const hp = v ? toIndexView(v).hashpriceSatPerPhDay : NaN;
  return Number.isFinite(hp) ? hp : undefined;
}

/**
 * Change over 24 h = 144 blocks: the newest value at or below height − 144 is the reference.
 * undefined when nothing reaches back that far (the UI says so).
 */
export function change24h(current: { height: number; hashpriceSatPerPhDay: number }, history: readonly IndexValue[]):
  | { pct: number; from: { height: number; hashpriceSatPerPhDay: number } }
  | undefined {
  const target = current.height - 144;
  let ref: IndexValue | undefined;
  for (const v of history) if (v.height <= target && (ref === undefined || v.height > ref.height)) ref = v;
  const refHp = ref ? satNumber(ref.hashpriceSatPerPHDay) : NaN;
  if (ref === undefined || !(refHp > 0)) return undefined;
  return { pct: (current.hashpriceSatPerPhDay / refHp - 1) * 100, from: { height: ref.height, hashpriceSatPerPhDay: refHp } };
}

/**
 * Points for the history chart (BTC/PH/day against header time). lightweight-charts wants strictly increasing
 * times; header times are not monotone, so the first of ties is kept and regressions dropped. Values whose
 * block time is unknown cannot be placed on a time axis and are left out rather than put at 1970.
 */
export function historySeries(history: readonly IndexValue[]): { time: number; value: number }[] {
  const sorted = [...history].sort((a, b) => a.height - b.height);
  const out: { time: number; value: number }[] = [];
  for (const v of sorted) {
    if (v.time === null || !(v.time > 0)) continue;
    const hp = satNumber(v.hashpriceSatPerPHDay);
    if (!Number.isFinite(hp)) continue;
    const last = out.at(-1);
    if (last !== undefined && v.time <= last.time) continue;
    out.push({ time: v.time, value: hp / 1e8 });
  }
  return out;
}

export interface CurveView {
  atHeight: number;
  points: { days: number; hashpriceSatPerPhDay: number }[];
  modelName: string;
  /** The model's stated assumptions, as label + text, in the server's order. */
  assumptions: { label: string; text: string }[];
}

const LABELS: Record<string, string> = { fitWindow: 'Fit window', growth: 'Growth', blockTiming: 'Block timing', subsidy: 'Subsidy', fees: 'Fees', averaging: 'Averaging' };

export function toCurveView(c: ForwardCurve): CurveView {
  const assumptions = Object.entries(c.assumptions as Obj)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([k, text]) => ({ label: LABELS[k] ?? k, text }));
  return {
    atHeight: c.atHeight,
    points: c.points.map((p) => ({ days: p.tenorDays, hashpriceSatPerPhDay: satNumber(p.hashpriceSatPerPHDay) })),
    modelName: c.model.name,
    assumptions,
  };
}
