import { useState, type FormEvent } from 'react';
import type { Backend } from '../../api/backend.js';
import type { BdcPositionView } from '../../api/products.js';
import { ResultNotice, type ActionResult } from '../../components/ActionResult.js';
import { explain } from '../../lib/api-errors.js';
import { positiveDigits } from '../../lib/whole-number.js';

/** Lists one of the account's block-delta positions as a swap offer at an asking price. */
export function OfferForm({ backend, sk, positions }: { backend: Backend; sk: string; positions: BdcPositionView[] }) {
  const [positionId, setPositionId] = useState(positions[0]?.positionId ?? '');
  const [priceSat, setPriceSat] = useState('');
  const [msg, setMsg] = useState<ActionResult | undefined>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const sat = positiveDigits(priceSat);
    if (sat === undefined) return setMsg({ ok: false, text: 'Enter the asking price in whole sat.' });
    try {
      const o = await backend.products.createSwapOffer(sk, { product: 'bdc', positionId, priceMsat: (BigInt(sat) * 1000n).toString() });
      setMsg({ ok: true, text: `Offer ${o.offerId} listed.` });
    } catch (err) {
      setMsg({ ok: false, text: explain(err, 'swap offers') });
    }
  };
  return (
    <form className="row" style={{ marginTop: 12, alignItems: 'end' }} onSubmit={submit}>
      <label className="field" style={{ flex: '1 1 200px' }}>
        Offer a position for sale
        <select value={positionId} onChange={(e) => setPositionId(e.target.value)}>
          {positions.map((p) => <option key={p.positionId} value={p.positionId}>{p.positionId} ({p.side})</option>)}
        </select>
      </label>
      <label className="field" style={{ flex: '1 1 120px' }}>
        Asking price, sat
        <input inputMode="numeric" value={priceSat} onChange={(e) => setPriceSat(e.target.value)} />
      </label>
      <button className="ghost" type="submit">List offer</button>
      <ResultNotice result={msg} style={{ flexBasis: '100%' }} />
    </form>
  );
}
