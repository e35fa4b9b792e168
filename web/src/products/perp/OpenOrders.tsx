import type { Backend } from '../../api/backend.js';
import { CancelButton } from '../../components/CancelButton.js';
import { RecordTable } from '../../components/RecordTable.js';
import type { Rec } from '../../lib/records.js';
import { PERP_UNITS } from './units.js';

/** Resting perpetual orders, each with its cancel; shown only while there are any. */
export function OpenOrders({ backend, sk, orders, done }: { backend: Backend; sk: string; orders: Rec[]; done: () => void }) {
  if (orders.length === 0) return null;
  return (
    <section className="panel">
      <h2>Open orders</h2>
      <RecordTable
        testId="open-orders"
        rows={orders}
        units={PERP_UNITS}
        empty="No open orders."
        action={(o) => <CancelButton onCancel={() => backend.cancelOrder(sk, String(o.orderId))} done={done} />}
      />
    </section>
  );
}
