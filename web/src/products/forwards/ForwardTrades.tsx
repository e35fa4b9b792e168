import type { ProductLive } from '../../lib/product-feed.js';
import { TableHead } from '../../components/TableHead.js';
import { btcPerPhDay, grouped } from '../../lib/format.js';

/** The trades the forwards:<market> channel has sent since the tab opened (the channel keeps no history). */
export function ForwardTrades({ trades }: { trades: ProductLive['trades'] }) {
  if (trades.length === 0) return <div className="empty" data-testid="fwd-trades-empty">No trades since you opened this tab.</div>;
  return (
    <table data-testid="fwd-trades">
      <TableHead columns={['Price (sat/PH/day)', 'BTC/PH/day', 'Lots', 'Taker']} />
      <tbody>
        {trades.map((t) => (
          <tr key={`${t.seq}-${t.price}-${t.qty}`} className={t.takerSide === 'buy' ? 'bid' : 'ask'}>
            <td>{grouped(t.price)}</td><td>{btcPerPhDay(t.price)}</td><td>{grouped(t.qty)}</td><td className="muted">{t.takerSide}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
