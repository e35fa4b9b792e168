// Commands of the bdc product (block-delta contracts, Powswap). Plain JSON data (safe integers, strings,
// booleans); the journal stores them as they are.
import type { TimeInForce } from '../../book/types.js';

/** FAST wins if height H is mined first; SLOW if MTP reaches the deadline T first. */
export type BdcSide = 'FAST' | 'SLOW';

/**
 * Lists a series "height H is mined before MTP reaches T" (operator/admin: the gateway only lets the
 * operator send it). Market id `BDC-<H>-<T>`.
 */
export interface BdcListSeriesCommand {
  type: 'BdcListSeries';
  /** Target height H (a CLTV height lock: below 500,000,000). */
  height: number;
  /** Deadline T, unix seconds, compared with MTP (BIP113); a CLTV time lock, so 500,000,000 ≤ T ≤ 2^32 − 1. */
  deadline: number;
  /** What one contract pays its winner, sat; a multiple of 10,000 so that one bps is a whole sat. */
  payoutSat: number;
}

/**
 * An order on a series' book. `price` is always the FAST side's price in basis points of the payout
 * (1..9999): FAST pays price/10000 × payout per contract, SLOW pays (10000 − price)/10000 × payout.
 * FAST orders are the book's bids, SLOW orders its asks.
 */
export interface BdcPlaceOrderCommand {
  type: 'BdcPlaceOrder';
  account: string;
  series: string;
  side: BdcSide;
  price: number;
  /** Contracts. */
  qty: number;
  tif: TimeInForce;
  postOnly: boolean;
  clientOrderId?: string;
}

/**
 * Sets the lifetime rule's horizon (horizon.ts): a series must be decided by block tip + `blocks` or by MTP +
 * `seconds`, inside the batch life of its contract VTXOs. Sent by the server, not a user: at start, from its
 * Ark operator's parameters (bdcHorizonOf), whenever the engine's differs. A journaled command rather than a
 * start-up option, so a replay of the journal reaches the same state with no configuration at all.
 */
export interface BdcSetHorizonCommand { type: 'BdcSetHorizon'; blocks: number; seconds: number }

export interface BdcCancelOrderCommand { type: 'BdcCancelOrder'; account: string; series: string; orderId?: number; clientOrderId?: string }
/** Cancels the account's resting orders on one series, or on every series when `series` is absent. */
export interface BdcCancelAllCommand { type: 'BdcCancelAll'; account: string; series?: string }

/**
 * The operator's desk opened the position's contract VTXO (U + S, the payout's value) on the Ark
 * operator: from now on the VTXO, not the ledger, pays the winner. Operator-only (no API route sends it).
 */
export interface BdcPositionFundedCommand { type: 'BdcPositionFunded'; positionId: string; vtxo: string }

/**
 * A taker order whose stake comes straight from the taker's Ark wallet: one Ark tx the taker signed spends
 * its stake VTXO(s) and the operator's liquidity into the contract VTXO `vtxo` (the whole payout of `qty`).
 * In this one command the engine books the stake the tx brings in (`depositSat`, world -> taker), fills the
 * order fill-or-kill at `price` or better, and marks every position it opens as funded by `vtxo`. Operator-only
 * (the desk sends it once the taker's signatures are verified); the same Ark tx is never booked twice.
 */
export interface BdcTakeWithArkCommand {
  type: 'BdcTakeWithArk'; account: string; series: string; side: BdcSide; price: number; qty: number; arkTxid: string; vtxo: string; depositSat: number;
}

export type BdcCommand = BdcListSeriesCommand | BdcPlaceOrderCommand | BdcCancelOrderCommand | BdcCancelAllCommand | BdcSetHorizonCommand | BdcPositionFundedCommand | BdcTakeWithArkCommand;
export const BDC_COMMAND_TYPES: readonly string[] = ['BdcListSeries', 'BdcPlaceOrder', 'BdcCancelOrder', 'BdcCancelAll', 'BdcSetHorizon', 'BdcPositionFunded', 'BdcTakeWithArk'];
