import type { Backend } from '../../api/backend.js';
import { CancelButton } from '../../components/CancelButton.js';
import { RecordTable } from '../../components/RecordTable.js';
import { recordsOf, type Rec } from '../../lib/records.js';
import { BDC_UNITS } from './units.js';

/** The portfolio's block-delta part: positions, and resting orders with a cancel each. */
export function BdcPortfolio({ backend, sk, bdc, done }: { backend: Backend; sk: string; bdc: Rec | undefined; done: () => void }) {
  const orders = recordsOf(bdc?.orders);
  return (
    <section className="panel">
      <h2>Block-delta positions</h2>
      <RecordTable testId="portfolio-bdc" rows={recordsOf(bdc?.positions)} units={BDC_UNITS} skip={['account', 'product']} empty={<>No block-delta positions. Take a side on the <a href="#/contracts">Contracts</a> page.</>} />
      {orders.length > 0 && (
        <div style={{ marginTop: 10 }}>
          <div className="small muted">Resting block-delta orders</div>
          <RecordTable
            rows={orders}
            units={BDC_UNITS}
            empty=""
            action={(o) => <CancelButton onCancel={() => backend.products.cancelBdcOrder(sk, String(o.orderId), String(o.series))} done={done} />}
          />
        </div>
      )}
    </section>
  );
}
