// The lifetime rule of a block-delta series: it must be decided while the Ark batch holding its contract
// VTXOs still lives, with room left for the winner to settle cooperatively or unroll. After the batch
// expires the operator may sweep every VTXO of it not yet unrolled, the winner's included.
//
// A series is decided at the latest by the earlier of block H and MTP ≥ T, so either bound suffices:
// H ≤ tip + maxHorizon.blocks, or T ≤ MTP + maxHorizon.seconds. Only a series meeting neither is refused.
// The bound in the batch expiry's own unit (blocks on regtest, seconds on mainnet-like params) is exact;
// the other converts at the 600 s target block interval, so it holds on average, not block by block.
// Pure: the engine checks it against the tip height and MTP it tracks.
import { InvalidArgumentError } from '../../../units/errors.js';

/** The farthest a new series may be decided, from the tip: the batch life minus the settlement window. */
export interface BdcHorizon { blocks: number; seconds: number }

/** The consensus target block interval, seconds. */
export const BLOCK_SECONDS = 600;
/**
 * The deepest VTXO tree assumed: radix 2 (the operator's tree builder) over up to 128 intents × 8 outputs =
 * 1,024 leaves is 10 levels; one more for a batch whose leaf count is not a power of two.
 */
export const ASSUMED_TREE_DEPTH = 11;
/**
 * Virtual transactions a user broadcasts to unroll a contract VTXO, worst case: every tree level, the
 * checkpoint and the Ark transaction that created the VTXO. Assumed one block each (fee-bumped in turn).
 */
export const ASSUMED_UNROLL_TXS = ASSUMED_TREE_DEPTH + 2;
/**
 * Time after the outcome for the winner to act: a day of blocks to come online, settle in a batch or unroll
 * against fee competition. Capped at a quarter of the batch life so short test batches (regtest: 40
 * blocks) still leave three quarters of their life for series.
 */
export const EXIT_MARGIN_BLOCKS = 144;

/** BIP-68 relative locks below 512 are blocks, from 512 on seconds (as arkd and the SDK read them). */
const BIP68_SECONDS_FROM = 512n;

/**
 * The horizon for an operator whose batches expire after `vtxoTreeExpiry` (ArkParams.vtxoTreeExpiry):
 * batch life − (ASSUMED_UNROLL_TXS + min(EXIT_MARGIN_BLOCKS, life/4)) blocks. Examples:
 * regtest (40 blocks): window 13 + 10 = 23, horizon 17 blocks / 10,200 s;
 * mainnet-like (604,672 s ≈ 1,007 blocks): window 13 + 144 = 157 blocks = 94,200 s, horizon 510,472 s / 850 blocks.
 * Throws when the batch life leaves no horizon.
 */
export function bdcHorizonOf(p: { vtxoTreeExpiry: bigint }): BdcHorizon {
  const inSeconds = p.vtxoTreeExpiry >= BIP68_SECONDS_FROM;
  const life = Number(p.vtxoTreeExpiry);
  const windowBlocks = bdcSettlementWindow(p).blocks;
  if (inSeconds) {
    const seconds = life - windowBlocks * BLOCK_SECONDS;
    return checkBdcHorizon({ blocks: Math.floor(seconds / BLOCK_SECONDS), seconds }, 'vtxoTreeExpiry');
  }
  const blocks = life - windowBlocks;
  return checkBdcHorizon({ blocks, seconds: blocks * BLOCK_SECONDS }, 'vtxoTreeExpiry');
}

/**
 * What must remain of a batch's life after a series is decided (the same window the horizon leaves, and
 * the one the operator's contract guard checks a contract's funding coins against):
 * ASSUMED_UNROLL_TXS + min(EXIT_MARGIN_BLOCKS, life/4) blocks, and that many 600-second blocks in seconds.
 */
export function bdcSettlementWindow(p: { vtxoTreeExpiry: bigint }): { blocks: number; seconds: number } {
  const life = Number(p.vtxoTreeExpiry);
  const lifeBlocks = p.vtxoTreeExpiry >= BIP68_SECONDS_FROM ? Math.floor(life / BLOCK_SECONDS) : life;
  const blocks = ASSUMED_UNROLL_TXS + Math.min(EXIT_MARGIN_BLOCKS, Math.floor(lifeBlocks / 4));
  return { blocks, seconds: blocks * BLOCK_SECONDS };
}

export function checkBdcHorizon(h: unknown, field = 'maxHorizon'): BdcHorizon {
  const v = h as Partial<BdcHorizon> | null;
  const ok = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 1;
  if (typeof v !== 'object' || v === null || !ok(v.blocks) || !ok(v.seconds)) {
    throw new InvalidArgumentError(field, `the block-delta horizon must be { blocks, seconds }, positive integers (got ${JSON.stringify(h)})`);
  }
  return { blocks: v.blocks, seconds: v.seconds };
}

/**
 * Why a series (H, T) is beyond the horizon from this tip, or undefined when it is inside: decided by the
 * earlier of block H and MTP ≥ T, so either bound suffices.
 */
export function beyondHorizon(height: number, deadline: number, tip: { height: number; mtp: number }, h: BdcHorizon): string | undefined {
  const maxHeight = tip.height + h.blocks;
  const maxDeadline = tip.mtp + h.seconds;
  if (height <= maxHeight || deadline <= maxDeadline) return undefined;
  return `the series must be decided inside the batch life of its contract VTXOs: height ${height} is past ${maxHeight} ` +
    `(tip ${tip.height} + ${h.blocks} blocks) and deadline ${deadline} is past ${maxDeadline} (MTP ${tip.mtp} + ${h.seconds} s); either bound suffices`;
}
