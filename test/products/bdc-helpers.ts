// Shared by the BDC tests: the running series (H = 110, T = 1 700 000 000, payout 10 000 sat) and a block
// with a chosen MTP (the header rule reads height and MTP only).
import type { Command } from '../../src/engine/commands.js';
import { hashOf } from '../engine/helpers.js';

export const T = 1_700_000_000;
export const H = 110;
export const SERIES = `BDC-${H}-${T}`;
export const SAT = 1000n;

/** A block with a chosen MTP (the header rule reads height and MTP only). */
export function blk(height: number, mtp: number): Command {
  return { type: 'BlockConnected', height, hash: hashOf(height), time: mtp + 3600, mtp, indexPrice: 50_000 };
}
