// Fair value beside a series' book, for the server (edge code: the engine never calls it, it has no model).
// Gathers what the block-arrival model needs from a chain view and the engine's tip, and calls
// src/pricing/bdc-fair-value.ts. Pure: same chain data, tip and options, same answer.
import type { IndexChain } from '../../../index/chain-view.js';
import { estimateHashrate, impliedHashrateHps } from '../../../index/hashrate.js';
import { EPOCH_BLOCKS } from '../../../index/retarget.js';
import { bdcFairValue, type BdcChainState, type BdcFairValue } from '../../../pricing/bdc-fair-value.js';
import { InvalidArgumentError, assertSafeInteger } from '../../../units/errors.js';
import type { BdcSide } from './commands.js';

export interface BdcTip {
  /** Tip height and its MTP (unix s), e.g. from the engine's chain view. */
  height: number;
  mtp: number;
}

export interface BdcStateOptions {
  /** Bits for block tip + 1 when the chain view cannot give them (a live tip past the shipped epochs). */
  nextBits?: number;
  /** Hashrate (H/s) to use instead of the 2016-block estimate. */
  hashrateHps?: number;
  hashrateGrowthPerDay?: number;
}

/**
 * The model's chain state at `tip`: bits for the next block, the start time of its epoch, and the
 * 2016-block hashrate estimate (chainwork over time), falling back to the hashrate the difficulty implies
 * (D × 2^32 / 600) when the window's header times are not known.
 */
export function bdcChainStateAt(chain: IndexChain, tip: BdcTip, opts: BdcStateOptions = {}): BdcChainState & { hashrateBasis: string } {
  const height = assertSafeInteger('tip.height', tip.height, 0);
  const mtp = assertSafeInteger('tip.mtp', tip.mtp, 0);
  const bits = opts.nextBits ?? chain.bitsAt(height + 1);
  const epochStart = Math.floor((height + 1) / EPOCH_BLOCKS) * EPOCH_BLOCKS;
  // Unused by the model when tip + 1 starts the epoch; otherwise the header time of the epoch's first block.
  const epochStartTime = epochStart === height + 1 ? mtp : chain.timeAt(epochStart);
  if (epochStartTime === undefined) throw new InvalidArgumentError('chain', `no header time for height ${epochStart}, the start of the epoch of block ${height + 1}`);
  let hashrateHps: number;
  let hashrateBasis: string;
  if (opts.hashrateHps !== undefined) {
    hashrateHps = opts.hashrateHps;
    hashrateBasis = 'given by the caller';
  } else {
    const est = estimateHashrate((h) => chain.chainworkAt(h), (h) => chain.timeAt(h), height, 2016);
    if ('hashrateHps' in est) {
      hashrateHps = est.hashrateHps;
      hashrateBasis = `2016-block estimate over heights ${est.fromHeight}..${est.toHeight}`;
    } else {
      hashrateHps = impliedHashrateHps(bits);
      hashrateBasis = `implied by the difficulty (${est.unavailable})`;
    }
  }
  const state: BdcChainState & { hashrateBasis: string } = { height, mtp, bits, epochStartTime, hashrateHps, hashrateBasis };
  if (opts.hashrateGrowthPerDay !== undefined) state.hashrateGrowthPerDay = opts.hashrateGrowthPerDay;
  return state;
}

export type SeriesFairValue =
  | { series: { height: number; deadline: number }; decided: false; fair: BdcFairValue }
  | { series: { height: number; deadline: number }; decided: true; winner: BdcSide; fairBps: 0 | 10_000; basis: string };

/**
 * Fair value of the FAST side in bps beside the book. A series the chain has decided (height reached, or
 * MTP at the deadline) is worth 10,000 or 0: the engine settles it by the header rule at that block.
 */
export function seriesFairValue(series: { height: number; deadline: number }, state: BdcChainState,
  opts: { paths?: number; seed?: number } = {}): SeriesFairValue {
  if (series.height <= state.height) {
    return { series, decided: true, winner: 'FAST', fairBps: 10_000, basis: `height ${series.height} is mined (tip ${state.height}) and the series was open until then` };
  }
  if (state.mtp >= series.deadline) {
    return { series, decided: true, winner: 'SLOW', fairBps: 0, basis: `MTP ${state.mtp} reached the deadline ${series.deadline} before height ${series.height}` };
  }
  return { series, decided: false, fair: bdcFairValue(state, { height: series.height, time: series.deadline }, opts) };
}
