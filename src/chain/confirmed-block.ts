/**
 * A block buried under the confirmation depth: what the chain side hands on, and never takes back.
 * `type` names it as Bitcoin Core's validation interface does (BlockConnected); the server maps it to
 * the engine's command of the same name, so the chain side needs nothing from the engine.
 */
export interface ConfirmedBlock {
  type: 'BlockConnected';
  height: number;
  hash: string;
  /** Header time (unix seconds). */
  time: number;
  /** Median time past of the 11 blocks ending at this one. */
  mtp: number;
  /** The block's index price, sat/PH/day (an integer below 2^53). */
  indexPrice: number;
}
