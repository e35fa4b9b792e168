/**
 * Confirmed blocks become engine commands here, and only here: the chain side knows nothing of the
 * engine, the engine nothing of followers. Field by field, so a change on either side fails to compile.
 */
import type { ConfirmedBlock } from '../chain/confirmed-block.js';
import type { BlockConnectedCommand } from '../engine/index.js';

export function blockConnected(b: ConfirmedBlock): BlockConnectedCommand {
  return { type: 'BlockConnected', height: b.height, hash: b.hash, time: b.time, mtp: b.mtp, indexPrice: b.indexPrice };
}
