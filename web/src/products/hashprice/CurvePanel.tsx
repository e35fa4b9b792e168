import { TableHead } from '../../components/TableHead.js';
import { btcPerPhDay, satPerThDay, signedPct } from '../../lib/format.js';
import type { CurveView, IndexView } from '../../lib/index-view.js';
import { Provenance } from './Provenance.js';

/** The forward curve against the index now, with the model's stated assumptions. */
export function CurvePanel({ curve, spot, tip }: { curve: CurveView; spot: number | undefined; tip: IndexView | undefined }) {
  return (
    <>
      <table data-testid="forward-curve">
        <TableHead columns={['Contract length', 'BTC/PH/day', 'sat/TH/day', 'vs index']} />
        <tbody>
          {spot !== undefined && (
            <tr>
              <td>Index now</td>
              <td>{btcPerPhDay(spot)}</td>
              <td>{satPerThDay(spot)}</td>
              <td>—</td>
            </tr>
          )}
          {curve.points.map((p) => (
            <tr key={p.days}>
              <td>{p.days} days</td>
              <td>{btcPerPhDay(p.hashpriceSatPerPhDay)}</td>
              <td>{satPerThDay(p.hashpriceSatPerPhDay)}</td>
              <td className={spot && p.hashpriceSatPerPhDay < spot ? 'neg' : 'pos'}>{spot ? signedPct((p.hashpriceSatPerPhDay / spot - 1) * 100, 1) : '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <details style={{ marginTop: 10 }}>
        <summary className="small">Model: {curve.modelName} (assumptions)</summary>
        <ul className="small muted">
          {curve.assumptions.map((a) => (
            <li key={a.label}>
              <strong>{a.label}:</strong> {a.text}
            </li>
          ))}
        </ul>
      </details>
      <Provenance height={curve.atHeight} hash={tip?.height === curve.atHeight ? tip.hash : null} extra="each point is the expected mean hashprice over the contract" />
    </>
  );
}
