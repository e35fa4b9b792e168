import type { DepthSeries } from '../lib/depth.js';
import { btcPerPhDay, grouped } from '../lib/format.js';
import { TableHead } from './TableHead.js';

/** Asks above (best nearest the spread), bids below, with bars proportional to cumulative size. */
export function OrderBook({ depth, rows = 12, onPick }: { depth: DepthSeries; rows?: number; onPick?: (price: number) => void }) {
  const asks = depth.asks.slice(0, rows).reverse();
  const bids = depth.bids.slice(0, rows);
  const maxQ = Math.max(asks[0]?.cumulative ?? 0, bids.at(-1)?.cumulative ?? 0, 1);
  if (asks.length === 0 && bids.length === 0) return <div className="empty">No orders in the book yet. Place the first one.</div>;
  return (
    <table data-testid="order-book">
      <TableHead columns={['Price (sat/PH/day)', 'BTC/PH/day', 'Size (lots)', 'Total']} />
      <tbody>
        {asks.map((l) => <BookRow key={`a${l.price}`} level={l} side="ask" maxQ={maxQ} onPick={onPick} />)}
        <tr className="spread-line">
          <td colSpan={4}>
            {depth.spread !== undefined ? `spread ${grouped(depth.spread)} sat/PH/day` : asks.length === 0 ? 'no asks' : 'no bids'}
          </td>
        </tr>
        {bids.map((l) => <BookRow key={`b${l.price}`} level={l} side="bid" maxQ={maxQ} onPick={onPick} />)}
      </tbody>
    </table>
  );
}

type Level = DepthSeries['bids'][number];

/** One price level: clicking it picks the price; the bar shows the cumulative size against the deepest side. */
function BookRow({ level: l, side, maxQ, onPick }: { level: Level; side: 'ask' | 'bid'; maxQ: number; onPick?: ((price: number) => void) | undefined }) {
  return (
    <tr className={`book-row ${side}`} onClick={() => onPick?.(l.price)} style={{ cursor: onPick ? 'pointer' : undefined }}>
      <td>{grouped(l.price)}</td>
      <td>{btcPerPhDay(l.price)}</td>
      <td>{grouped(l.size)}</td>
      <td style={{ position: 'relative' }}>
        {grouped(l.cumulative)}
        <span className="bar" style={{ width: `${(l.cumulative / maxQ) * 100}%` }} />
      </td>
    </tr>
  );
}
