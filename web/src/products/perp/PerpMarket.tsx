import type { IndexValue, Market } from '../../../../src/api/schemas.js';
import type { Backend } from '../../api/backend.js';
import type { Loaded } from '../../api/hooks.js';
import { DepthChart } from '../../components/DepthChart.js';
import { ErrorNotice, Loading } from '../../components/Notice.js';
import { OrderBook } from '../../components/OrderBook.js';
import { btcPerPhDay, grouped } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';
import { VaultTrade } from '../vault/VaultTrade.js';
import { OrderEntry } from './OrderEntry.js';
import { RecentTrades } from './RecentTrades.js';
import type { PerpMarketState } from './use-perp-market.js';

/** The perpetual's trading view: book, depth, recent trades, the order form and the trade against the vault. */
export function PerpMarket({ backend, perp, market: m, index, indexPrice, price, onPriceChange, accountKey }: {
  backend: Backend;
  perp: Market;
  market: PerpMarketState;
  index: Loaded<IndexValue>;
  indexPrice: number | undefined;
  /** The limit price, kept by the page so a click in the book survives switching tabs. */
  price: string;
  onPriceChange: (p: string) => void;
  accountKey: AccountKey | undefined;
}) {
  const { book, trades, depth } = m;
  return (
    <>
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <h1>{perp.id} <span className="muted small">{perp.description}</span></h1>
        <div className="small muted num" data-testid="trade-index">
          {indexPrice !== undefined ? `Index ${btcPerPhDay(indexPrice)} BTC/PH/day · height ${grouped(index.data!.height)}` : index.error ?? 'Index loading…'}
        </div>
      </div>
      <div className="grid trade-grid">
        <section className="panel">
          <h2>Order book</h2>
          {book.error && !book.data ? (
            <ErrorNotice title="The book could not be loaded" message={book.error} onRetry={book.reload} />
          ) : depth ? (
            <OrderBook depth={depth} onPick={(p) => onPriceChange(String(p))} />
          ) : book.data ? (
            <div className="notice error">The server sent a book this page cannot read.</div>
          ) : (
            <Loading what="the book" />
          )}
        </section>
        <section className="panel">
          <h2>Depth</h2>
          {depth ? <DepthChart depth={depth} /> : <Loading what="depth" />}
          <h2 style={{ marginTop: 16 }}>Recent trades</h2>
          {trades.error ? <ErrorNotice title="Trades could not be loaded" message={trades.error} onRetry={trades.reload} /> : <RecentTrades trades={trades.data ?? []} />}
        </section>
        <section className="panel order-entry">
          <h2>Place an order</h2>
          <OrderEntry
            market={perp.id}
            bestBid={depth?.bestBid}
            bestAsk={depth?.bestAsk}
            indexPrice={indexPrice}
            price={price}
            onPriceChange={onPriceChange}
            accountKey={accountKey}
            send={(d) => backend.placeOrder(accountKey!.secretKeyHex, d)}
          />
          <h2 style={{ marginTop: 16 }}>vs vault at index ± spread</h2>
          <VaultTrade backend={backend} market={perp.id} indexPrice={indexPrice} accountKey={accountKey} />
        </section>
      </div>
    </>
  );
}
