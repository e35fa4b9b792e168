// The engine's view of a real block: what a BlockConnected command carries, computed from shipped headers.
import type { EmbeddedChain } from '../chain/embedded.js';
import { medianTimePastAt } from '../chain/median-time-past.js';
import type { BlockConnectedCommand } from '../engine/commands.js';
import { InvalidArgumentError } from '../units/errors.js';
import { hashpriceSatPerPHDay, subsidySat } from './hashprice.js';

/** Median time past of the 11 blocks ending at `height` (BIP113), from shipped header times. */
export function medianTimePast(chain: EmbeddedChain, height: number): number {
  return medianTimePastAt(height, (h) => {
    const t = chain.timeAt(h);
    if (t === undefined) throw new InvalidArgumentError('height', `no header time shipped for height ${h} (needed for the MTP at ${height})`);
    return t;
  });
}

/** BlockConnected for a shipped header: hash, header time, MTP and the subsidy-only hashprice index. */
export function blockCommandAt(chain: EmbeddedChain, height: number, fee144Sat = 0n): BlockConnectedCommand {
  const header = chain.header(height);
  const hash = chain.hash(height);
  if (header === undefined || hash === undefined) throw new InvalidArgumentError('height', `no header shipped for height ${height}`);
  const index = hashpriceSatPerPHDay(header.bits, subsidySat(height) + fee144Sat);
  return { type: 'BlockConnected', height, hash, time: header.time, mtp: medianTimePast(chain, height), indexPrice: Number(index) };
}
