import type { Trade } from '../../../src/api/schemas.js';
import { btcPerPhDay, grouped } from '../lib/format.js';

export function RecentTrades({ trades }: { trades: Trade[] }) {
  if (trades.length === 0) return <div className="empty">No trades yet in this market.</div>;
  return (
    <table data-testid="recent-trades">
      <thead>
        <tr>
          <th>Price (sat/PH/day)</th>
          <th>BTC/PH/day</th>
          <th>Size</th>
          <th>Height</th>
        </tr>
      </thead>
      <tbody>
        {trades.map((t) => (
          <tr key={t.id} className={t.takerSide === 'buy' ? 'bid' : 'ask'}>
            <td>{t.price.toLocaleString('en-US')}</td>
            <td>{btcPerPhDay(t.price)}</td>
            <td>{grouped(t.size)}</td>
            <td className="muted">{t.height ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
