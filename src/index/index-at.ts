/**
 * The hashprice index (HPI) at one height: difficulty, subsidy, fees, hashprice, hashrate estimates,
 * next-retarget projection, and what the value was computed from. Pure over a chain view.
 */
import { difficultyOfBits } from '../chain/target.js';
import { assertSafeInteger } from '../units/errors.js';
import { invalidField } from '../units/checks.js';
import { formatBtc } from '../units/money.js';
import type { IndexChain } from './chain-view.js';
import { hashpriceSatPerPHDay, subsidySat } from './hashprice.js';
import { estimateHashrate, impliedHashrateHps, type HashrateEstimate } from './hashrate.js';
import { EPOCH_BLOCKS, retargetProjection, type RetargetProjection } from './retarget.js';

/**
 * Blocks the index averages fees over (the "fee144" of the index rule). A window of the index's definition,
 * not a time conversion: it equals BLOCKS_PER_DAY (units/time.ts) today, but changing the fee window
 * must not change how heights convert to days, nor the other way round, so it is its own constant.
 */
export const FEE_WINDOW_BLOCKS = 144;

export interface IndexOptions {
  /**
   * Mean fees (sat) of the last 144 blocks, when the caller has them from a source that gives fees
   * (bitcoind getblockstats, Esplora). Otherwise the chain view's per-block fees are used where known.
   */
  fee144Sat?: bigint;
}

export type Unavailable = { unavailable: string };

export interface IndexValue {
  height: number;
  /** Hash of the block at `height`, or null when no shipped header or epoch table row gives it. */
  blockHash: string | null;
  /** Header time of the block at `height` where known (unix seconds), else null. */
  time: number | null;
  epoch: number;
  bits: string;
  difficulty: number;
  subsidySat: bigint;
  fee144Sat: bigint;
  feesIncluded: boolean;
  rewardSat: bigint;
  hashpriceSatPerPHDay: bigint;
  hashpriceBtcPerPHDay: string;
  hashpriceSatPerTHDay: number;
  hashrate: {
    impliedHps: number;
    h144: HashrateEstimate | Unavailable;
    h2016: HashrateEstimate | Unavailable;
  };
  retarget: RetargetProjection | Unavailable;
  /** What the value was computed from, in words and references. */
  basis: {
    bitsFrom: string;
    hash: string;
    fees: string;
    /** The nearest height in the same epoch (same bits, hence same difficulty) whose hash is known. */
    sameBitsBlock: { height: number; hash: string } | null;
  };
}

function fee144(chain: IndexChain, height: number, opts: IndexOptions): { sat: bigint; included: boolean; basis: string } {
  if (opts.fee144Sat !== undefined) {
    if (typeof opts.fee144Sat !== 'bigint' || opts.fee144Sat < 0n) throw invalidField('fee144Sat', 'a non-negative bigint', opts.fee144Sat);
    return { sat: opts.fee144Sat, included: true, basis: 'fee144 given by the caller' };
  }
  const from = Math.max(0, height - FEE_WINDOW_BLOCKS + 1);
  let sum = 0n;
  for (let h = from; h <= height; h++) {
    const f = chain.feesAt(h);
    if (f === undefined) return { sat: 0n, included: false, basis: `fees unknown for block ${h} (headers carry no fees); fee144 taken as 0` };
    sum += f;
  }
  const n = BigInt(height - from + 1);
  // Integer mean, rounded down (the index never rounds revenue up).
  return { sat: sum / n, included: true, basis: `mean fees of blocks ${from}..${height} (${n} blocks), rounded down to a sat` };
}

function sameBitsBlock(chain: IndexChain, height: number): { height: number; hash: string } | null {
  const e = chain.epochs[Math.floor(height / EPOCH_BLOCKS)];
  const seg = chain.segmentOf(height);
  const candidates = [height, ...(seg ? [] : [e.startHeight, e.endHeight])].filter((h) => h <= chain.maxHeight);
  for (const h of candidates) {
    const hash = chain.hash(h);
    if (hash) return { height: h, hash };
  }
  return null;
}

export function indexAt(chain: IndexChain, height: number, opts: IndexOptions = {}): IndexValue {
  assertSafeInteger('height', height, 0, chain.maxHeight);
  const epoch = chain.epochs[Math.floor(height / EPOCH_BLOCKS)];
  const bits = chain.bitsAt(height);
  const subsidy = subsidySat(height);
  const fees = fee144(chain, height, opts);
  const reward = subsidy + fees.sat;
  const hp = hashpriceSatPerPHDay(bits, reward);
  const hash = chain.hash(height) ?? null;
  const time = chain.timeAt(height) ?? null;
  const timeAt = (h: number): number | undefined => chain.timeAt(h);
  const chainworkAt = (h: number): bigint => chain.chainworkAt(h);

  let retarget: RetargetProjection | Unavailable;
  const startTime = chain.timeAt(epoch.startHeight);
  if (height === epoch.startHeight) retarget = { unavailable: `height ${height} is the first block of epoch ${epoch.epoch}: no progress to project from yet` };
  else if (startTime === undefined || time === null)
    retarget = { unavailable: `needs header times at heights ${epoch.startHeight} and ${height}; ${startTime === undefined ? epoch.startHeight : height} is not shipped` };
  else retarget = retargetProjection({ bits, epochStartHeight: epoch.startHeight, epochStartTime: startTime, height, time });

  const same = hash ? { height, hash } : sameBitsBlock(chain, height);
  return {
    height,
    blockHash: hash,
    time,
    epoch: epoch.epoch,
    bits: bits.toString(16).padStart(8, '0'),
    difficulty: difficultyOfBits(bits),
    subsidySat: subsidy,
    fee144Sat: fees.sat,
    feesIncluded: fees.included,
    rewardSat: reward,
    hashpriceSatPerPHDay: hp,
    hashpriceBtcPerPHDay: formatBtc(hp),
    hashpriceSatPerTHDay: Number(hp) / 1000,
    hashrate: {
      impliedHps: impliedHashrateHps(bits),
      h144: estimateHashrate(chainworkAt, timeAt, height, 144),
      h2016: estimateHashrate(chainworkAt, timeAt, height, 2016),
    },
    retarget,
    basis: {
      bitsFrom:
        epoch.bitsSource === 'header'
          ? `epoch ${epoch.epoch} bits 0x${bits.toString(16)} from mainnet headers (epochs.csv, verified against the shipped headers)`
          : `epoch ${epoch.epoch} bits 0x${bits.toString(16)} from Electrum checkpoint targets (epochs.csv bits_source=${epoch.bitsSource}); no header shipped`,
      hash: hash
        ? `hash of the block at height ${height}`
        : `no header or hash is shipped for height ${height}; blockHash is null. The value depends only on the epoch's bits and the subsidy schedule` +
          (same ? `; block ${same.height} has the same bits and hash ${same.hash}` : ''),
      fees: fees.basis,
      sameBitsBlock: same,
    },
  };
}
