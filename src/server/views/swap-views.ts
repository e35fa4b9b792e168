/** The swap routes' read views over the live engine. */
import type { Exchange } from '../../engine/index.js';
import { swapOffer, swapOffers } from '../../engine/products/swap/index.js';
import type { SwapViews } from '../../api/products/views.js';

export function swapViews(exchange: () => Exchange): SwapViews {
  return {
    offers: (filter) => swapOffers(exchange(), filter),
    offer: (offerId) => swapOffer(exchange(), offerId),
  };
}
