/**
 * Index ports for the browser tests: the server's real adapter (src/server/index-port.ts) over the
 * shipped mainnet headers, and a wrapper that has no block yet until the test connects the first one.
 */
import { ChainIndexPort } from '../../../src/server/index-port.js';
import type { IndexPort } from '../../../src/api/ports.js';
import type { BdcOdds, ForwardCurve, HistoryQuery, IndexValue } from '../../../src/api/schemas.js';
import { loadEmbeddedChain } from '../../../src/chain/embedded.js';
import type { HashpriceSeries, SeriesRequest } from '../../../src/index/hashprice-history.js';
import { InvalidArgumentError } from '../../../src/units/errors.js';

export function realIndex(tipHeight: number): ChainIndexPort {
  return new ChainIndexPort(loadEmbeddedChain(), { tipHeight });
}

export function wireIndexValue(height: number): IndexValue {
  return realIndex(height).current();
}

/** Answers like a server that has processed no block, until `start(height)` publishes the first tip. */
export class ColdIndex implements IndexPort {
  private started = false;
  constructor(private readonly inner: ChainIndexPort) {}
  current(): IndexValue | undefined {
    return this.started ? this.inner.current() : undefined;
  }
  at(q: { height?: number; at?: number }): IndexValue | undefined {
    return this.started ? this.inner.at(q) : undefined;
  }
  history(q: HistoryQuery): IndexValue[] {
    return this.started ? this.inner.history(q) : [];
  }
  hashpriceHistory(q: SeriesRequest): HashpriceSeries {
    if (!this.started) throw new InvalidArgumentError('to', 'no block processed yet');
    return this.inner.hashpriceHistory(q);
  }
  curve(): ForwardCurve | undefined {
    return this.started ? this.inner.curve() : undefined;
  }
  bdcOdds(q: { height: number; deadline: number }): BdcOdds {
    return this.inner.bdcOdds(q);
  }
  subscribe(listener: (v: IndexValue) => void): () => void {
    return this.inner.subscribe(listener);
  }
  start(height: number): IndexValue {
    this.started = true;
    return this.inner.publishTip(height);
  }
}
