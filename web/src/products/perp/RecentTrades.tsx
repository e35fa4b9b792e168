import type { Trade } from '../../../../src/api/schemas.js';
import { TableHead } from '../../components/TableHead.js';
import { btcPerPhDay, grouped } from '../../lib/format.js';

export function RecentTrades({ trades }: { trades: Trade[] }) {
  if (trades.length === 0) return <div className="empty">No trades yet in this market.</div>;
  return (
    <table data-testid="recent-trades">
      <TableHead columns={['Price (sat/PH/day)', 'BTC/PH/day', 'Size', 'Height']} />
      <tbody>
        {trades.map((t) => (
          <tr key={t.id} className={t.takerSide === 'buy' ? 'bid' : 'ask'}>
            <td>{grouped(t.price)}</td>
            <td>{btcPerPhDay(t.price)}</td>
            <td>{grouped(t.size)}</td>
            <td className="muted">{t.height ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
