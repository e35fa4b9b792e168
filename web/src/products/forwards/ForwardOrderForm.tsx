import type { FormEvent } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import type { ForwardQuoteView } from '../../api/products.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { KeyNeeded } from '../../components/KeyNeeded.js';
import { SideToggle } from '../../components/SideToggle.js';
import { TextField } from '../../components/TextField.js';
import { TimeInForceFields } from '../../components/TimeInForceFields.js';
import { useAction } from '../../components/use-action.js';
import { explain, friendly } from '../../lib/api-errors.js';
import { btcPerPhDay, satPerThDay } from '../../lib/format.js';
import { takerOf, validateForwardOrder, type ForwardOrderInput } from '../../lib/forward-form.js';
import type { AccountKey } from '../../lib/keys.js';
import { sliderRange } from '../../lib/position.js';
import { ForwardQuotePreview } from './ForwardQuotePreview.js';

const FORWARD_SIDES = [
  { value: 'buy', className: 'buy', label: 'Buy hashrate (investor)' },
  { value: 'sell', className: 'sell', label: 'Sell hashrate (miner)' },
] as const;

/** A forward order whose preview is the server's calculator (POST /v1/forwards/quote), asked afresh as the form changes. */
export function ForwardOrderForm({ backend, market, days, reference, f, setF, bookFailed, accountKey }: {
  backend: Backend;
  market: string;
  /** The tenor, NaN when neither the market list nor the name says it. */
  days: number;
  /** The price the slider centres on (fair, mid or index); 0 when there is none yet. */
  reference: number;
  /** Kept by the market view, so a click in its book can set the price. */
  f: ForwardOrderInput;
  setF: (f: ForwardOrderInput) => void;
  bookFailed: boolean;
  accountKey: AccountKey | undefined;
}) {
  const { body, errors } = validateForwardOrder(market, f);
  const quote = useLoad<ForwardQuoteView | undefined>(
    () => (body ? friendly(backend.products.forwardQuote({ market, qtyLots: body.qty, priceSatPerPHDay: body.price, taker: takerOf(body.side) }), 'the forward calculator') : Promise.resolve(undefined)),
    [backend, market, body?.qty, body?.price, body?.side],
  );
  const { result, run } = useAction((e) => explain(e, 'forward orders'));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body || !accountKey) return;
    await run(async () => {
      const ack = await backend.products.placeForwardOrder(accountKey.secretKeyHex, body);
      return `Order ${ack.orderId} ${ack.status ?? 'accepted'}.`;
    });
  };
  const range = reference > 0 ? sliderRange(reference) : undefined;
  const q = quote.data;
  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Forward order">
      <SideToggle value={f.side} choices={FORWARD_SIDES} onChange={(side) => setF({ ...f, side })} />
      <TextField
        label={<>Price, sat/PH/day {body && <span className="num">= {btcPerPhDay(body.price)} BTC/PH/day · {satPerThDay(body.price)} sat/TH/day</span>}</>}
        inputMode="numeric"
        name="fwd-price"
        value={f.price}
        onChange={(price) => setF({ ...f, price })}
        error={errors.price}
      />
      {range && body && (
        <input type="range" min={range.min} max={range.max} step={1} value={Math.min(range.max, Math.max(range.min, body.price))} onChange={(e) => setF({ ...f, price: e.target.value })} aria-label="Forward price" />
      )}
      <TextField label="Hashrate, TH/s" inputMode="decimal" name="fwd-th" value={f.th} onChange={(th) => setF({ ...f, th })} error={errors.th} />
      <TimeInForceFields tif={f.tif} onTif={(tif) => setF({ ...f, tif })} postOnly={f.postOnly} onPostOnly={(postOnly) => setF({ ...f, postOnly })} />
      {errors.postOnly && <div className="field-error">{errors.postOnly}</div>}
      {quote.error ? (
        <div className="notice small">{quote.error}</div>
      ) : q ? (
        <ForwardQuotePreview side={f.side} q={q} />
      ) : (
        <div className="small muted">{body ? 'Asking the server’s calculator…' : 'Fill in price and hashrate to see the contract’s numbers.'}</div>
      )}
      {!accountKey && <KeyNeeded to="send orders" />}
      <button className="primary" type="submit" disabled={!accountKey || !body || bookFailed}>
        {f.side === 'buy' ? 'Buy' : 'Sell'} {body ? `${f.th.trim()} TH/s for ${Number.isFinite(days) ? `${days} days` : 'the tenor'}` : ''}
      </button>
      <ResultNotice result={result} />
    </form>
  );
}
