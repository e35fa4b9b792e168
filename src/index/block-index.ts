/**
 * The index of one followed block: its bits, the subsidy at its height on its network, and the mean fee
 * of the last FEE_WINDOW_BLOCKS blocks, priced by a rule (default: the hashprice). The chain follower
 * asks this for each block it reads; the maths of the index stays here, with the index.
 */
import { subsidy, type ChainParams } from '../chain/params.js';
import { hashpriceSatPerPHDay } from './hashprice.js';
import { FEE_WINDOW_BLOCKS } from './index-at.js';

export interface IndexInput {
  height: number;
  bits: number;
  subsidySat: bigint;
  fee144Sat: bigint;
}

/** The index inputs and value at one block (hashprice from bits + subsidy + fee144). */
export interface BlockIndex {
  bits: number;
  subsidySat: bigint;
  /** Integer mean of the fees of the last 144 blocks (rounded down), 0 when any of them is unknown. */
  fee144Sat: bigint;
  feesIncluded: boolean;
  /** sat/PH/day; bigint because regtest's trivial difficulty makes it far larger than 2^53. */
  hashpriceSatPerPHDay: bigint;
}

/** A block as the index needs it; `fees` undefined when the source did not give them. */
export interface FeeBlock {
  height: number;
  bits: number;
  fees: bigint | undefined;
}

/** The default index price rule: the hashprice of bits and subsidy + fee144 (sat/PH/day). */
export const hashpriceRule = (i: IndexInput): bigint => hashpriceSatPerPHDay(i.bits, i.subsidySat + i.fee144Sat);

/** The index at `chain[i]`, from the blocks before it in `chain` (consecutive heights). */
export function blockIndexAt(chain: readonly FeeBlock[], i: number, params: ChainParams, price: (input: IndexInput) => bigint = hashpriceRule): BlockIndex {
  const b = chain[i];
  const subsidySat = subsidy(b.height, params);
  const span = Math.min(FEE_WINDOW_BLOCKS, b.height + 1);
  let sum = 0n;
  let known = i + 1 >= span;
  for (let k = i + 1 - span; known && k <= i; k++) {
    const f = chain[k].fees;
    if (f === undefined) known = false;
    else sum += f;
  }
  // Integer mean rounded down, as indexAt: the index never rounds revenue up.
  const fee144 = known ? sum / BigInt(span) : 0n;
  return {
    bits: b.bits,
    subsidySat,
    fee144Sat: fee144,
    feesIncluded: known,
    hashpriceSatPerPHDay: price({ height: b.height, bits: b.bits, subsidySat, fee144Sat: fee144 }),
  };
}
