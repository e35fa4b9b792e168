/**
 * IndexPort over the real index and pricing modules: src/index (indexAt, heightAtTime,
 * forwardCurve) on a chain view, src/pricing (bdcOdds). The tip is whatever the chain follower
 * last published (`publishTip`); by default the newest covered height.
 */
import { forwardCurve } from '../index/forward-curve.js';
import type { IndexChain } from '../index/chain-view.js';
import { runBacktest, type BacktestReport, type BacktestRequest } from '../backtest/index.js';
import { hashpriceSeries, type HashpriceSeries, type SeriesRequest } from '../index/hashprice-history.js';
import { indexAt, type IndexValue as CoreIndexValue } from '../index/index-at.js';
import { heightAtTime } from '../index/time-map.js';
import { bdcOdds } from '../pricing/block-arrival.js';
import { InvalidArgumentError } from '../units/errors.js';
import type { IndexPort } from '../api/ports.js';
import { toWire } from '../api/wire.js';
import type { BdcOdds, ForwardCurve, HistoryQuery, IndexValue } from '../api/schemas.js';

/** MTP is the median of the last 11 header times: about 5 block intervals behind the tip's own time. */
const MTP_LAG_BLOCKS = 5;

export class ChainIndexPort implements IndexPort {
  private tip: number;
  private readonly cache = new Map<number, IndexValue>();
  private curveCache: { tip: number; curve: ForwardCurve } | undefined;
  private readonly listeners = new Set<(v: IndexValue) => void>();

  constructor(
    private readonly chain: IndexChain,
    opts: { tipHeight?: number; cacheSize?: number } = {},
  ) {
    this.tip = opts.tipHeight ?? chain.maxHeight;
    this.maxCache = opts.cacheSize ?? 20_000;
  }
  private readonly maxCache: number;

  get tipHeight(): number {
    return this.tip;
  }

  /** The chain follower calls this per connected block (or with the new tip after a reorg). */
  publishTip(height: number): IndexValue {
    if (!Number.isSafeInteger(height) || height < 0 || height > this.chain.maxHeight) throw new InvalidArgumentError('height', `tip ${height} is outside 0..${this.chain.maxHeight}`);
    if (height < this.tip) this.cache.clear(); // reorg: values at disconnected heights may change
    this.tip = height;
    const v = this.valueAt(height);
    for (const l of this.listeners) l(v);
    return v;
  }

  private valueAt(height: number): IndexValue {
    let v = this.cache.get(height);
    if (v === undefined) {
      v = toWire<CoreIndexValue>(indexAt(this.chain, height)) as IndexValue;
      if (this.cache.size >= this.maxCache) this.cache.delete(this.cache.keys().next().value as number);
      this.cache.set(height, v);
    }
    return v;
  }

  current(): IndexValue {
    return this.valueAt(this.tip);
  }

  at(q: { height?: number; at?: number }): IndexValue | undefined {
    if (q.height !== undefined) return q.height <= this.tip ? this.valueAt(q.height) : undefined;
    const { height, exact, basis } = heightAtTime(this.chain, q.at!);
    if (height > this.tip) return undefined;
    return { ...this.valueAt(height), heightFromTime: { at: q.at, exact, basis } } as IndexValue;
  }

  history(q: HistoryQuery): IndexValue[] {
    const step = q.step ?? 1;
    const limit = q.limit ?? 1000;
    const to = Math.min(q.to ?? this.tip, this.tip);
    const from = Math.max(0, q.from ?? to - (limit - 1) * step);
    const out: IndexValue[] = [];
    for (let h = from; h <= to && out.length < limit; h += step) out.push(this.valueAt(h));
    return out;
  }

  /** The hashprice series of the shipped data, never past the tip the follower has published. */
  /** Backtests run on the whole shipped history (it is the past; the tip does not bound it). */
  backtest(r: BacktestRequest): BacktestReport {
    return runBacktest(this.chain, r);
  }

  hashpriceHistory(q: SeriesRequest): HashpriceSeries {
    return hashpriceSeries(this.chain, { ...q, upTo: Math.min(q.upTo ?? this.tip, this.tip) });
  }

  curve(): ForwardCurve {
    if (this.curveCache?.tip !== this.tip) this.curveCache = { tip: this.tip, curve: toWire(forwardCurve(this.chain, this.tip)) as ForwardCurve };
    return this.curveCache.curve;
  }

  bdcOdds(q: { height: number; deadline: number }): BdcOdds {
    const tip = this.current();
    const blocks = q.height - tip.height;
    if (blocks <= 0) throw new InvalidArgumentError('height', `height ${q.height} is already mined (tip ${tip.height})`);
    const h = (tip as unknown as { hashrate?: { h2016?: { hashrateHps?: number }; impliedHps?: number } }).hashrate;
    const hashrateHps = h?.h2016?.hashrateHps ?? h?.impliedHps;
    const odds = bdcOdds({ blocks, seconds: 0, ...(hashrateHps ? { hashrateHps, difficulty: tip.difficulty } : { intervalS: 600 }) });
    const { time: tipTime, basis: tipTimeBasis } = this.tipTime(tip, odds.meanIntervalS);
    const seconds = q.deadline - tipTime + MTP_LAG_BLOCKS * odds.meanIntervalS;
    if (seconds <= 0) throw new InvalidArgumentError('deadline', `deadline ${q.deadline} has passed by the tip's median time past`);
    const priced = bdcOdds({ blocks, seconds, intervalS: odds.meanIntervalS });
    const out = {
      ...(toWire(priced) as object),
      targetHeight: q.height,
      deadline: q.deadline,
      height: tip.height,
      blockHash: tip.blockHash,
      pFast: priced.pFast,
      pSlow: priced.pSlow,
      fairBps: priced.fairBps,
      timing: `seconds = deadline − tip time + ${MTP_LAG_BLOCKS} mean intervals (MTP lags the tip by about 5 blocks); tip time: ${tipTimeBasis}; rate from the 2016-block hashrate estimate`,
    };
    return out as BdcOdds;
  }

  /** The tip's header time, or an estimate from the nearest earlier known time when headers are not shipped. */
  private tipTime(tip: IndexValue, intervalS: number): { time: number; basis: string } {
    if (tip.time !== null) return { time: tip.time, basis: 'the tip header time' };
    for (let e = Math.floor(tip.height / 2016); e >= 0; e--) {
      const row = this.chain.epochs[e];
      if (row?.startTime === undefined) continue;
      const time = row.startTime + (tip.height - row.startHeight) * intervalS;
      return { time, basis: `estimated: block ${row.startHeight} time ${row.startTime} + ${tip.height - row.startHeight} blocks × ${intervalS.toFixed(1)} s (no header shipped for the tip)` };
    }
    throw new InvalidArgumentError('height', `no known block time at or before the tip ${tip.height}`);
  }

  subscribe(listener: (v: IndexValue) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
