// Events of the bdc product. msat amounts are bigint; prices are FAST-side basis points, sizes contracts.
import type { TimeInForce } from '../../book/types.js';
import type { BdcSide } from './commands.js';

export interface BdcSeriesListed { type: 'BdcSeriesListed'; series: string; height: number; deadline: number; payoutSat: number }

export interface BdcOrderAccepted {
  type: 'BdcOrderAccepted'; orderId: number; account: string; series: string; side: BdcSide; price: number; qty: number;
  tif: TimeInForce; postOnly: boolean; clientOrderId?: string;
}
export interface BdcOrderResting {
  type: 'BdcOrderResting'; orderId: number; account: string; series: string; side: BdcSide; price: number; qty: number;
  /** msat moved into the series' order escrow for this remainder. */
  escrowMsat: bigint;
}
export interface BdcOrderFilled { type: 'BdcOrderFilled'; orderId: number; account: string; series: string }
export type BdcCancelReason = 'user' | 'cancel_all' | 'ioc_remainder' | 'self_trade' | 'series_settled' | 'series_halted';
export interface BdcOrderCancelled {
  type: 'BdcOrderCancelled'; orderId: number; account: string; series: string; remainingQty: number; reason: BdcCancelReason;
  /** Escrow returned to the account (0 for a taker remainder, which was never escrowed). */
  releasedMsat: bigint;
}

export interface BdcTrade {
  type: 'BdcTrade'; series: string; price: number; qty: number; takerSide: BdcSide;
  makerOrderId: number; takerOrderId: number; maker: string; taker: string;
  /** 0.2 % of the taker's premium; makers pay nothing. */
  takerFeeMsat: bigint;
  fastPositionId: string; slowPositionId: string;
}

/**
 * A contract position between a user and the operator S (the central counterparty). Everything the
 * Bitcoin layer needs to build its contract VTXO: the VTXO holds `amountSat` (the whole payout of the
 * position's contracts), of which the user staked `stakeSat` and S the rest; the winner takes it all.
 * FAST's claim leaf locks to height H (a tx with nLockTime H is final once block H exists); SLOW's to time T.
 */
export interface BdcPositionOpened {
  type: 'BdcPositionOpened'; positionId: string; series: string; height: number; deadline: number; side: BdcSide;
  /** The user id (a BIP-340 x-only pubkey hex when accounts are keys). */
  account: string;
  contracts: number; amountSat: number; stakeSat: number;
}
export interface BdcPositionTransferred {
  type: 'BdcPositionTransferred'; positionId: string; series: string; height: number; deadline: number; side: BdcSide;
  from: string; to: string; contracts: number; amountSat: number;
  /** A contract VTXO moved by an atomic Ark swap: its new outpoint. */
  vtxo?: string;
}

/**
 * The header rule decided a series at block `decidedAtHeight`: FAST when it is block H (MTP of its parent
 * still below T), SLOW when its MTP reached T before height H.
 */
export interface BdcSeriesSettled {
  type: 'BdcSeriesSettled'; series: string; winner: BdcSide; decidedAtHeight: number; decidedAtHash: string; mtp: number;
  /** MTP of the parent of the deciding block, as the engine saw it (null if it did not see that block). */
  parentMtp: number | null;
  paidMsat: bigint; positions: number;
}
/**
 * The engine cannot decide a series by the header rule because it did not see every block (a height gap
 * hid block H and the first block with MTP ≥ T): nothing is paid, resting orders are cancelled, the pot and
 * the positions stay, trading and transfers are refused. `lastSeenHeight` is null when no earlier block was seen.
 */
export interface BdcSeriesHalted {
  type: 'BdcSeriesHalted'; series: string; atHeight: number; atHash: string; mtp: number; lastSeenHeight: number | null;
  potMsat: bigint; positions: number; reason: string;
}
export interface BdcPositionSettled {
  type: 'BdcPositionSettled'; positionId: string; series: string; account: string; side: BdcSide; won: boolean; payoutMsat: bigint;
  /** Set for a funded position: its contract VTXO pays the winner (a cooperative Ark tx or its claim leaf), not the ledger. */
  vtxo?: string;
}
/** The position's contract VTXO exists on the Ark operator (outpoint `txid:vout`). */
export interface BdcPositionFunded {
  type: 'BdcPositionFunded'; positionId: string; series: string; account: string; side: BdcSide; vtxo: string; amountSat: number;
}

/** The lifetime rule's horizon from now on (BdcSetHorizon). */
export interface BdcHorizonSet { type: 'BdcHorizonSet'; blocks: number; seconds: number }

export type BdcEvent =
  | BdcHorizonSet | BdcSeriesListed | BdcOrderAccepted | BdcOrderResting | BdcOrderFilled | BdcOrderCancelled | BdcTrade
  | BdcPositionOpened | BdcPositionTransferred | BdcSeriesSettled | BdcSeriesHalted | BdcPositionSettled | BdcPositionFunded;
