// Commands of the swap product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.

/**
 * Offer a position for a price. The position stays with the maker (nothing is locked) until a taker accepts;
 * the offer lives until it is accepted, cancelled, reaches `expiresAtHeight`, or the maker stops holding it.
 */
export interface OfferPositionCommand {
  type: 'OfferPosition';
  account: string;
  /** 'perp' (the core's perpetual) or the name of a product module that implements transferPosition. */
  product: string;
  /** perp: the market id (e.g. 'HPI-PERP'); other products: their position id (e.g. an option id). */
  positionId: string;
  /** perp only: lots offered (positive, at most |position|); the direction is the maker's at offer time. */
  qty?: number;
  /**
   * Price, msat, signed decimal string. Positive: the taker pays the maker; negative: the maker pays the
   * taker |price| (a position worth less than nothing); zero: a gift.
   */
  priceMsat: string;
  /** The offer expires at the BlockConnected of this height (it can be accepted while the tip is below it). */
  expiresAtHeight?: number;
}

/** Withdraw a live offer (maker only). */
export interface CancelOfferCommand { type: 'CancelOffer'; account: string; offerId: number }

/**
 * Take a live offer: payment, position, collateral and history move in this one command. With `ark`
 * (the operator's desk only; no API route sets it) the position is a contract VTXO already moved by an
 * atomic Ark swap: the price was paid in that tx, so the ledger pays nothing and the position records
 * its new outpoint.
 */
export interface AcceptOfferCommand { type: 'AcceptOffer'; account: string; offerId: number; ark?: { arkTxid: string; vtxo: string } }

export type SwapCommand = OfferPositionCommand | CancelOfferCommand | AcceptOfferCommand;
export const SWAP_COMMAND_TYPES: readonly string[] = ['OfferPosition', 'CancelOffer', 'AcceptOffer'];
