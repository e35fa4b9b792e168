import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { ResultLine, type ActionResult } from '../../components/ActionResult.js';
import { explain } from '../../lib/api-errors.js';
import { validateDeliveryReport } from '../../lib/delivery-form.js';
import type { Rec } from '../../lib/records.js';

/** The investor reports what a contract day delivered off-exchange; the server answers delivered, partial or missed. */
export function DeliveryReport({ backend, sk, contract, done }: { backend: Backend; sk: string; contract: Rec; done: () => void }) {
  const [open, setOpen] = useState(false);
  const ended = typeof contract.daysEnded === 'number' ? contract.daysEnded : undefined;
  const [day, setDay] = useState(ended !== undefined && ended > 0 ? String(ended - 1) : '0');
  const [received, setReceived] = useState('');
  const [msg, setMsg] = useState<ActionResult | undefined>(undefined);
  if (!open) return <button className="ghost" onClick={() => setOpen(true)}>Report delivery</button>;
  const { body, errors } = validateDeliveryReport({ contractId: Number(contract.contractId), days: typeof contract.days === 'number' ? contract.days : undefined }, { day, receivedBtc: received });
  const go = async () => {
    if (!body) return setMsg({ ok: false, text: errors.day ?? errors.receivedBtc ?? 'Check the form.' });
    try {
      const r = await backend.products.deliveryReport(sk, body);
      setMsg({ ok: true, text: `Day ${body.day}: ${r.outcome ?? 'recorded'}.` });
      done();
    } catch (e) {
      setMsg({ ok: false, text: explain(e, 'delivery reports') });
    }
  };
  return (
    <div className="grid" style={{ gap: 4, minWidth: 180 }} data-testid="delivery-report">
      <input inputMode="numeric" value={day} onChange={(e) => setDay(e.target.value)} aria-label="Contract day (0 = first)" placeholder="day" />
      <input inputMode="decimal" value={received} onChange={(e) => setReceived(e.target.value)} aria-label="Received, BTC" placeholder="received, BTC" />
      <span className="small muted">Less than the day's obligation counts as short (LOKA): the day's whole collateral tranche is released to you and the rewards you report go back to the miner.</span>
      <button className="ghost" onClick={() => void go()}>Report day {day}</button>
      <ResultLine result={msg} />
    </div>
  );
}
