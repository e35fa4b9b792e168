// The forward contract's terms as data: markets and tenors, the day grid, the contract and day records,
// the ledger accounts that hold escrow and collateral, and what a resting order escrows.
import { BLOCKS_PER_DAY } from '../../../units/time.js';
import { MAX_PRICE } from '../perp/pricing.js';
import { collateralOfValue, contractValueMsat } from './calculator.js';

export const FORWARD_MARKETS: Readonly<Record<string, number>> = { 'FWD-30D': 30, 'FWD-90D': 90, 'FWD-180D': 180, 'FWD-365D': 365 };
/** A contract day: blocks [start + DAY_BLOCKS·d, start + DAY_BLOCKS·(d+1)). */
export const DAY_BLOCKS = BLOCKS_PER_DAY;
/** An investor has one day after a day ends to report what it received. */
export const REPORT_GRACE_BLOCKS = BLOCKS_PER_DAY;
export const MIN_ORDER_LOTS = 10_000;
/** The engine's price bound (perp pricing) holds for forwards too. */
export const MAX_FORWARD_PRICE = MAX_PRICE;

export type Side = 'buy' | 'sell';
export type DayStatus = 'delivered' | 'partial' | 'missed' | 'awaiting';

export interface DayRecord {
  day: number;
  endHeight: number;
  meanIndex: number;
  obligationMsat: bigint;
  /** Full day: the rewards paid to the investor. Partial day: the rewards the miner keeps (LOKA). */
  deliveredMsat: bigint;
  feeMsat: bigint;
  toMinerMsat: bigint;
  toInvestorMsat: bigint;
  status: DayStatus;
  via: 'cash' | 'report' | 'deadline' | null;
}

export interface ForwardContract {
  id: number;
  market: string;
  days: number;
  miner: string;
  investor: string;
  qtyLots: number;
  price: number;
  valueMsat: bigint;
  collateralMsat: bigint;
  releasedMsat: bigint;
  startHeight: number;
  /** next day to end (0..days) */
  nextDay: number;
  /** running Σ index and block count of day `nextDay` */
  daySum: bigint;
  dayBlocks: number;
  history: DayRecord[];
  /** days that ended and await the investor's report, ascending (their deadlines ascend with them) */
  awaiting: number[];
  status: 'open' | 'closed';
  rolledFrom: number | null;
  rolledInto: number[];
}

export const orderEscrow = (orderId: number): string => `fwd:o${orderId}`;
export const contractCollateral = (contractId: number): string => `fwd:c${contractId}`;
export const endHeightOf = (c: { startHeight: number; days: number }): number => c.startHeight + DAY_BLOCKS * c.days;

/** What a resting order of `qty` lots at `price` escrows: the upfront (bid) or 110 % collateral (ask). */
export function escrowFor(side: Side, qty: number, price: number, days: number): bigint {
  const value = contractValueMsat({ qtyLots: qty, priceSatPerPHDay: price, days });
  return side === 'buy' ? value : collateralOfValue(value);
}
