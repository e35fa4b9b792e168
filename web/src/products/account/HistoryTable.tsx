import type { HistoryEntry } from '../../api/products.js';
import { TableHead } from '../../components/TableHead.js';
import { grouped, msatAsBtc } from '../../lib/format.js';
import { historyLine } from '../../lib/history.js';

/** The account's history, newest first: what happened, the money it moved (+ in, − out) and its details. */
export function HistoryTable({ entries }: { entries: HistoryEntry[] }) {
  if (entries.length === 0) return <div className="empty">No transactions yet. Deposits, fills, funding payments, deliveries and settlements are listed here.</div>;
  return (
    <div className="scroll-x">
      <table data-testid="history">
        <TableHead columns={['Seq', 'Kind', 'What', 'Amount', 'Details']} />
        <tbody>
          {entries.map((e) => {
            const l = historyLine(e);
            return (
              <tr key={l.id}>
                <td>{grouped(l.seq)}</td>
                <td>{l.kind}</td>
                <td>{l.what}</td>
                <td className={l.amountMsat === undefined ? undefined : l.amountMsat.startsWith('-') ? 'neg' : 'pos'}>{l.amountMsat === undefined ? '' : msatAsBtc(l.amountMsat, 'holding')}</td>
                <td style={{ textAlign: 'left', whiteSpace: 'normal', minWidth: 240 }} className="small muted">{l.detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
