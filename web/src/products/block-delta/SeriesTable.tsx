import type { BdcSeriesView } from '../../api/products.js';
import { TableHead } from '../../components/TableHead.js';
import { describeDeadline, describeHeight, type ChainTip } from '../../lib/deadline.js';
import { bpsPct, grouped, satAmount } from '../../lib/format.js';

/** The listed series; clicking a row opens its book and order form. */
export function SeriesTable({ list, tip, selected, onSelect }: { list: BdcSeriesView[]; tip: ChainTip; selected: string | undefined; onSelect: (s: string) => void }) {
  // On a phone each series becomes a card of label/value lines (styles.css `table.stack`), so nothing scrolls sideways.
  return (
    <div className="scroll-x">
      <table data-testid="bdc-series" className="stack">
        <TableHead columns={['Series', 'Block H', 'Deadline T', 'Payout', 'FAST bid / ask', 'Model fair', 'Status']} />
        <tbody>
          {list.map((s) => (
            <tr key={s.series} className="selectable" aria-selected={s.series === selected} onClick={() => onSelect(s.series)}>
              <td className="mono" data-label="Series">{s.series}</td>
              <td data-label="Block H">{grouped(s.height)}<div className="small muted">{describeHeight(s.height, tip)}</div></td>
              <td data-label="Deadline T">{describeDeadline(s.deadline, tip.time)}</td>
              <td data-label="Payout">{satAmount(s.payoutSat)}</td>
              <td data-label="FAST bid / ask">{bpsPct(s.bestBid)} / {bpsPct(s.bestAsk)}</td>
              <td className="fair" data-label="Model fair">{bpsPct(s.fairBps)}</td>
              <td data-label="Status">{s.winner ? `${s.status ?? 'decided'}: ${s.winner} won` : (s.status ?? 'open')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
