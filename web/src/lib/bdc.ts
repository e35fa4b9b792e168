import { BPS, MAX_ORDER_CONTRACTS, stakeMsat, takerFeeMsat } from '../../../src/engine/products/bdc/terms.js';
import { wholeNumber } from './whole-number.js';
import { postOnlyError, type TimeInForceChoice } from './time-in-force.js';
import type { FieldErrors } from './field-errors.js';
import { grouped } from './format.js';

/**
 * Block-delta order entry: FAST wins if height H is mined before MTP passes T, SLOW otherwise. Prices are
 * FAST's stake in basis points of the payout (FAST + SLOW = 10,000 bps); the engine's own terms module does
 * the money, so the preview cannot drift from what is charged.
 */
export type BdcSide = 'FAST' | 'SLOW';

export interface BdcOrderInput extends TimeInForceChoice {
  side: BdcSide;
  /** FAST price, bps of the payout. */
  price: string;
  /** Contracts. */
  qty: string;
}

export interface BdcOrderBody extends TimeInForceChoice {
  series: string;
  side: BdcSide;
  price: number;
  qty: number;
}

export type BdcFieldErrors = FieldErrors<keyof BdcOrderInput>;

export function validateBdcOrder(series: string, f: BdcOrderInput): { body?: BdcOrderBody; errors: BdcFieldErrors } {
  const errors: BdcFieldErrors = {};
  const price = wholeNumber(f.price);
  if (price === undefined || price < 1 || price >= BPS) errors.price = 'Enter the FAST price in whole basis points, 1 to 9,999 (5,000 = even odds).';
  const qty = wholeNumber(f.qty);
  if (qty === undefined || qty < 1 || qty > MAX_ORDER_CONTRACTS) errors.qty = `Enter a whole number of contracts, 1 to ${grouped(MAX_ORDER_CONTRACTS)}.`;
  const postOnly = postOnlyError(f.postOnly, f.tif);
  if (postOnly) errors.postOnly = postOnly;
  if (Object.keys(errors).length > 0) return { errors };
  return { body: { series, side: f.side, price: price!, qty: qty!, tif: f.tif, postOnly: f.postOnly }, errors };
}

export interface BdcPreview {
  /** What the side stakes, msat (its price share of the payout per contract). */
  stakeMsat: bigint;
  /** Taker fee if it trades at once (0 when post-only). */
  feeMsat: bigint;
  /** What the winner collects: the whole payout per contract. */
  payoutMsat: bigint;
  /** Net gain if this side wins: payout − stake − fee. */
  winMsat: bigint;
  /** The probability the price implies for this side, percent. */
  impliedPct: number;
}

export function previewBdc(body: Pick<BdcOrderBody, 'side' | 'price' | 'qty' | 'postOnly'>, payoutSat: number): BdcPreview {
  const stake = stakeMsat(body.side, body.price, payoutSat, body.qty);
  const fee = body.postOnly ? 0n : takerFeeMsat(stake);
  const payout = BigInt(payoutSat) * BigInt(body.qty) * 1000n;
  const sideBps = body.side === 'FAST' ? body.price : BPS - body.price;
  return { stakeMsat: stake, feeMsat: fee, payoutMsat: payout, winMsat: payout - stake - fee, impliedPct: sideBps / 100 };
}

/**
 * The model's view beside the book: how many bps the best price a FAST buyer can take (best ask) and a
 * SLOW buyer can take (best bid) sit from fair. Positive = the price is worse than fair for the taker.
 */
export function edgeVsFair(fairBps: number | undefined, bestBid: number | undefined, bestAsk: number | undefined): { fastTakerBps?: number; slowTakerBps?: number } {
  if (fairBps === undefined) return {};
  return {
    ...(bestAsk !== undefined ? { fastTakerBps: bestAsk - fairBps } : {}),
    ...(bestBid !== undefined ? { slowTakerBps: fairBps - bestBid } : {}),
  };
}
