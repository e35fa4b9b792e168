// BlockConnected: the engine's only clock. Each block moves every market's mark and funding, settles every
// position to the mark, liquidates what fell below maintenance, then lets the products run.
import type { BlockConnectedCommand } from '../commands.js';
import type { EngineEvent } from '../events.js';
import { MAX_PRICE } from '../products/perp/pricing.js';
import { Rejection } from '../rejection.js';
import { markAndFunding } from './funding.js';
import { liquidationSweep } from './liquidation.js';
import { productsOnBlock } from './product-host.js';
import { settle } from './settlement.js';
import type { EngineState } from './state.js';
import { isSafeInt } from './validation.js';

export function blockConnected(s: EngineState, c: BlockConnectedCommand, seq: number, out: EngineEvent[]): Rejection | undefined {
  if (!isSafeInt(c.height) || c.height < 0) return new Rejection('invalid_argument', 'height must be a non-negative integer', 'height');
  if (typeof c.hash !== 'string' || !/^[0-9a-f]{64}$/.test(c.hash)) return new Rejection('invalid_argument', 'hash must be 64 lowercase hex digits', 'hash');
  if (!isSafeInt(c.time) || c.time < 0) return new Rejection('invalid_argument', 'time must be a non-negative integer', 'time');
  if (!isSafeInt(c.mtp) || c.mtp < 0) return new Rejection('invalid_argument', 'mtp must be a non-negative integer', 'mtp');
  if (!isSafeInt(c.indexPrice) || c.indexPrice <= 0 || c.indexPrice > MAX_PRICE) {
    return new Rejection('invalid_argument', 'indexPrice must be a positive integer (sat/PH/day)', 'indexPrice');
  }
  const chain = s.chain;
  if (c.height === chain.height && c.hash === chain.hash) return new Rejection('stale_block', 'block already connected', 'hash');
  chain.height = c.height;
  chain.hash = c.hash;
  chain.time = c.time;
  chain.mtp = c.mtp;
  chain.index = c.indexPrice;
  for (const m of s.markets.values()) {
    const mark = markAndFunding(m, c.indexPrice, c.height, out);
    settle(s, m, mark, c.height, out);
  }
  liquidationSweep(s, seq, out);
  productsOnBlock(s, seq, out);
  out.push({ type: 'BlockProcessed', height: c.height, hash: c.hash, time: c.time, mtp: c.mtp });
  return undefined;
}
