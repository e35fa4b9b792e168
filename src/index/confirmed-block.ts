// A real block as the chain side confirms it, from shipped headers: what the follower would hand on.
import type { ConfirmedBlock } from '../chain/confirmed-block.js';
import type { EmbeddedChain } from '../chain/embedded.js';
import { medianTimePastAt } from '../chain/median-time-past.js';
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

/** The confirmed-block record of a shipped header: hash, header time, MTP and the subsidy-only hashprice index. */
export function confirmedBlockAt(chain: EmbeddedChain, height: number, fee144Sat = 0n): ConfirmedBlock {
  const header = chain.header(height);
  const hash = chain.hash(height);
  if (header === undefined || hash === undefined) throw new InvalidArgumentError('height', `no header shipped for height ${height}`);
  const index = hashpriceSatPerPHDay(header.bits, subsidySat(height) + fee144Sat);
  return { type: 'BlockConnected', height, hash, time: header.time, mtp: medianTimePast(chain, height), indexPrice: Number(index) };
}
