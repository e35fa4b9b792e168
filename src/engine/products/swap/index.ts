// Read helpers for the server (REST/WS): offers and swap history, taken from the Exchange's swap module.
import type { Exchange } from '../../exchange.js';
import { SWAP, type OfferStatus, type SwapModule, type SwapOffer } from './module.js';

export { SWAP, PERP, SwapModule, createSwapModule, perpSlice, perpNeeds, holderOf, DEFAULT_SWAP_CONFIG } from './module.js';
export type { SwapConfig, SwapOffer, OfferStatus, PerpSlice } from './module.js';
export type { SwapCommand, OfferPositionCommand, CancelOfferCommand, AcceptOfferCommand } from './commands.js';
export type { SwapEvent, SwapOfferCreated, SwapOfferCancelled, SwapOfferAccepted, SwapOfferExpired, PerpSide } from './events.js';

/** An offer as clients see it; live offers carry the product's current summary of what they move. */
export interface SwapOfferView extends SwapOffer {
  /** Open offers only: describePosition (perp: the slice at mark with its cost, value and margin). */
  position?: unknown;
}

export interface SwapOfferFilter { status?: OfferStatus; product?: string; maker?: string }

function swapOf(ex: Exchange): SwapModule {
  const m = ex.product<SwapModule>(SWAP);
  if (m === undefined) throw new Error('swap module not registered');
  return m;
}

function view(ex: Exchange, m: SwapModule, o: SwapOffer): SwapOfferView {
  const v: SwapOfferView = { ...o };
  if (o.status === 'open') {
    const position = m.describe(o, ex.productContext(-1));
    if (position !== undefined) v.position = position;
  }
  return v;
}

/** Offers, oldest first; by default every status. The market's offer board is `swapOffers(ex, { status: 'open' })`. */
export function swapOffers(ex: Exchange, filter: SwapOfferFilter = {}): SwapOfferView[] {
  const m = swapOf(ex);
  return m.allOffers()
    .filter((o) => (filter.status === undefined || o.status === filter.status)
      && (filter.product === undefined || o.product === filter.product)
      && (filter.maker === undefined || o.maker === filter.maker))
    .map((o) => view(ex, m, o));
}

export function swapOffer(ex: Exchange, offerId: number): SwapOfferView | undefined {
  const m = swapOf(ex);
  const o = m.offerById(offerId);
  return o === undefined ? undefined : view(ex, m, o);
}

/** An account's swap history: offers it made or took, newest first. */
export function swapHistoryOf(ex: Exchange, account: string): SwapOfferView[] {
  const m = swapOf(ex);
  return m.allOffers().filter((o) => o.maker === account || o.taker === account).reverse().map((o) => view(ex, m, o));
}
