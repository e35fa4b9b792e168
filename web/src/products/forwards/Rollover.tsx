import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { ResultLine, type ActionResult } from '../../components/ActionResult.js';
import { explain } from '../../lib/api-errors.js';
import { FORWARD_MARKETS } from '../../lib/forward-markets.js';
import type { Rec } from '../../lib/records.js';
import { positiveDigits } from '../../lib/whole-number.js';

/** A miner closes an expiring contract and opens the next one at a price, through the book, in one step. */
export function Rollover({ backend, sk, contract, done }: { backend: Backend; sk: string; contract: Rec; done: () => void }) {
  const [open, setOpen] = useState(false);
  const [market, setMarket] = useState(String(contract.market ?? 'FWD-30D'));
  const [price, setPrice] = useState(String(contract.price ?? ''));
  const [msg, setMsg] = useState<ActionResult | undefined>(undefined);
  if (!open) return <button className="ghost" onClick={() => setOpen(true)}>Roll over</button>;
  const go = async () => {
    const tick = positiveDigits(price);
    if (tick === undefined) return setMsg({ ok: false, text: 'Enter a price in whole sat/PH/day.' });
    try {
      await backend.products.rollover(sk, { contractId: Number(contract.contractId), market, price: Number(tick), with: 'book' });
      setMsg({ ok: true, text: 'Rolled over.' });
      done();
    } catch (e) {
      setMsg({ ok: false, text: explain(e, 'rollovers') });
    }
  };
  return (
    <div className="grid" style={{ gap: 4, minWidth: 180 }}>
      <select value={market} onChange={(e) => setMarket(e.target.value)} aria-label="Roll into">
        {FORWARD_MARKETS.map((m) => <option key={m}>{m}</option>)}
      </select>
      <input inputMode="numeric" value={price} onChange={(e) => setPrice(e.target.value)} aria-label="Price, sat/PH/day" />
      <button className="ghost" onClick={() => void go()}>Roll into {market}</button>
      <ResultLine result={msg} />
    </div>
  );
}
