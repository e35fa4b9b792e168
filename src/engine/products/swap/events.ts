// Events of the swap product: together they are the swap history (offer made, withdrawn, taken, lapsed).
// Accounts are user ids (no `user:` prefix); offer ids are the seq of the OfferPosition command.

export type PerpSide = 'long' | 'short';

export interface SwapOfferCreated {
  type: 'SwapOfferCreated';
  offerId: number; maker: string; product: string; positionId: string;
  /** perp only: lots offered and their direction. */
  qty?: number; side?: PerpSide;
  /** Signed: > 0 the taker pays the maker, < 0 the maker pays the taker. */
  priceMsat: bigint;
  expiresAtHeight?: number;
  /** The product's summary of the position when offered (describePosition), if it gives one. */
  position?: unknown;
  height: number;
}

export interface SwapOfferCancelled { type: 'SwapOfferCancelled'; offerId: number; maker: string; product: string; positionId: string; height: number }

export interface SwapOfferAccepted {
  type: 'SwapOfferAccepted';
  offerId: number; maker: string; taker: string; product: string; positionId: string;
  qty?: number; side?: PerpSide;
  priceMsat: bigint;
  /** perp only: the cost basis that moved with the lots and their unsettled value at mark (qty × mark − cost). */
  costMsat?: bigint; valueMsat?: bigint; mark?: number;
  height: number;
  /** Set when the position was a contract VTXO moved (and the price paid) by this atomic Ark swap. */
  arkTxid?: string;
}

export interface SwapOfferExpired {
  type: 'SwapOfferExpired';
  offerId: number; maker: string; product: string; positionId: string;
  /** 'height': expiresAtHeight reached; 'position_gone': at a block the maker no longer held what was offered. */
  reason: 'height' | 'position_gone';
  height: number;
}

export type SwapEvent = SwapOfferCreated | SwapOfferCancelled | SwapOfferAccepted | SwapOfferExpired;
