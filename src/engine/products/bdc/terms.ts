// The arithmetic of a block-delta series: its id, what each side stakes, the taker fee. Integers only.
import { ppmOf } from '../../ppm.js';
import type { BdcSide } from './commands.js';

/** Basis points in the whole payout: FAST's price + SLOW's price = 10,000. */
export const BPS = 10_000;
/** Payouts are whole multiples of this (sat), so one bps of one contract is a whole sat (a VTXO amount). */
export const PAYOUT_STEP_SAT = 10_000;
/** CLTV: lock values below this are heights, at or above it unix times (BIP65 / nLockTime). */
export const LOCKTIME_THRESHOLD = 500_000_000;
export const MAX_LOCKTIME = 0xffff_ffff;
/** Largest payout per contract (1 BTC) and order size; keep every msat product far inside bigint comfort and VTXOs sane. */
export const MAX_PAYOUT_SAT = 100_000_000;
export const MAX_ORDER_CONTRACTS = 1_000_000;
/** Taker fee on the premium the taker pays, ppm (0.2 %); makers pay nothing. */
export const TAKER_FEE_PPM = 2_000n;

export const seriesId = (height: number, deadline: number): string => `BDC-${height}-${deadline}`;

/** sat one contract of `side` stakes at FAST price `price` bps: price/10000 × payout for FAST, the rest for SLOW. */
export function stakeSat(side: BdcSide, price: number, payoutSat: number): number {
  const bps = side === 'FAST' ? price : BPS - price;
  return (bps * payoutSat) / BPS; // exact: payoutSat is a multiple of 10,000
}

/** msat that `contracts` of `side` stake at `price`. */
export function stakeMsat(side: BdcSide, price: number, payoutSat: number, contracts: number): bigint {
  return BigInt(stakeSat(side, price, payoutSat)) * BigInt(contracts) * 1000n;
}

/** The taker fee on a premium (msat), rounded down. */
export function takerFeeMsat(premiumMsat: bigint): bigint {
  return ppmOf(premiumMsat, TAKER_FEE_PPM);
}

/** The book side of a contract side: FAST orders bid for the FAST price, SLOW orders offer it. */
export const bookSide = (side: BdcSide): 'buy' | 'sell' => (side === 'FAST' ? 'buy' : 'sell');
export const contractSide = (side: 'buy' | 'sell'): BdcSide => (side === 'buy' ? 'FAST' : 'SLOW');
