/** The forward routes' read views over the live engine. */
import type { Exchange } from '../../engine/index.js';
import { forwardBook, forwardContract, forwardContractsOf, forwardMarkets, forwardModule, forwardQuoteNow } from '../../engine/products/forward/index.js';
import type { ForwardViews } from '../../api/products/views.js';

export function forwardViews(exchange: () => Exchange): ForwardViews {
  return {
    markets: () => forwardMarkets().map(({ market, days }) => ({ market, days })),
    book: (market, levels) => forwardBook(exchange(), market, levels),
    quote: (terms, taker) => forwardQuoteNow(exchange(), terms, taker),
    order(orderId) {
      const o = forwardModule(exchange()).order(orderId);
      return o === undefined ? undefined : { account: o.account, market: o.market };
    },
    restingOrders(account) {
      const fwd = forwardModule(exchange());
      return forwardMarkets().flatMap(({ market }) => fwd.book(market)!.restingOrders().filter((o) => o.account === account).map((o) => ({ orderId: o.id, market, side: o.side, price: o.price, qty: o.qty })));
    },
    contractsOf: (account) => forwardContractsOf(exchange(), account),
    investorOf: (contractId) => forwardContract(exchange(), contractId)?.investor,
    isAutoDelivery: (account) => forwardModule(exchange()).isAutoDelivery(account),
  };
}
