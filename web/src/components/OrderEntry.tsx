import { useState, type FormEvent } from 'react';
import type { OrderAck } from '../../../src/api/schemas.js';
import { describeError } from '../api/hooks.js';
import { btcPerPhDay, msatAsBtc } from '../lib/format.js';
import type { AccountKey } from '../lib/keys.js';
import { INITIAL_MARGIN_PPM, MAKER_FEE_PPM, previewOrder, TAKER_FEE_PPM } from '../lib/margin.js';

const ppmPct = (ppm: bigint) => `${Number(ppm) / 10_000} %`;
import { liquidityOf, validateOrderForm, type OrderDraft, type OrderFormInput } from '../lib/order-form.js';

export interface OrderEntryProps {
  market: string;
  /** Best bid/ask, to preview market orders at the price they would first trade at. */
  bestBid: number | undefined;
  bestAsk: number | undefined;
  /** The index, the last resort reference for a market order's preview. */
  indexPrice: number | undefined;
  price: string;
  onPriceChange: (p: string) => void;
  accountKey: AccountKey | undefined;
  send: (draft: OrderDraft) => Promise<OrderAck>;
}

const initial: Omit<OrderFormInput, 'price'> = { side: 'buy', type: 'limit', qty: '100', tif: 'GTC', postOnly: false, reduceOnly: false, clientOrderId: '' };

export function OrderEntry(p: OrderEntryProps) {
  const [f, setF] = useState(initial);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [sending, setSending] = useState(false);
  const [attempted, setAttempted] = useState(false);
  const input: OrderFormInput = { ...f, price: p.price };
  const { draft, errors: allErrors } = validateOrderForm(p.market, input);
  // A field nobody has typed in yet is not an error to shout about until a send is attempted.
  const errors = { ...allErrors };
  if (!attempted && p.price.trim() === '') delete errors.price;
  if (!attempted && f.qty.trim() === '') delete errors.qty;
  const refPrice = draft?.type === 'limit' ? draft.price : draft?.side === 'buy' ? (p.bestAsk ?? p.indexPrice) : (p.bestBid ?? p.indexPrice);
  const preview = draft && refPrice !== undefined ? previewOrder({ side: draft.side, qty: draft.size, price: refPrice, liquidity: liquidityOf(draft), reduceOnly: draft.reduceOnly }) : undefined;
  const set = <K extends keyof typeof initial>(k: K, v: (typeof initial)[K]) => setF((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setAttempted(true);
    if (!draft || !p.accountKey) return;
    setSending(true);
    setResult(undefined);
    try {
      const ack = await p.send(draft);
      setResult({ ok: true, text: `Order ${ack.orderId} ${ack.status.replace('_', ' ')}: ${ack.filled} filled, ${ack.remaining} remaining.` });
    } catch (err) {
      setResult({ ok: false, text: describeError(err) });
    } finally {
      setSending(false);
    }
  };

  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Order entry">
      <div className="side-toggle" role="group" aria-label="Side">
        <button type="button" className="buy" aria-pressed={f.side === 'buy'} onClick={() => set('side', 'buy')}>Buy / long</button>
        <button type="button" className="sell" aria-pressed={f.side === 'sell'} onClick={() => set('side', 'sell')}>Sell / short</button>
      </div>
      <div className="row">
        <label className="field" style={{ flex: 1 }}>
          Type
          <select value={f.type} onChange={(e) => setF((x) => ({ ...x, type: e.target.value as 'limit' | 'market', tif: e.target.value === 'market' ? 'IOC' : x.tif, postOnly: e.target.value === 'market' ? false : x.postOnly }))}>
            <option value="limit">Limit</option>
            <option value="market">Market</option>
          </select>
        </label>
        <label className="field" style={{ flex: 1 }}>
          Time in force
          <select value={f.tif} onChange={(e) => set('tif', e.target.value as OrderFormInput['tif'])}>
            {f.type === 'limit' && <option value="GTC">GTC (rests)</option>}
            <option value="IOC">IOC (fill now, cancel rest)</option>
            <option value="FOK">FOK (all or nothing)</option>
          </select>
        </label>
      </div>
      {errors.tif && <div className="field-error">{errors.tif}</div>}
      {f.type === 'limit' && (
        <label className="field">
          Limit price, sat/PH/day {draft?.price !== undefined && <span className="num">= {btcPerPhDay(draft.price)} BTC/PH/day</span>}
          <input inputMode="numeric" value={p.price} onChange={(e) => p.onPriceChange(e.target.value)} aria-invalid={errors.price !== undefined} name="price" />
          {errors.price && <span className="field-error">{errors.price}</span>}
        </label>
      )}
      <label className="field">
        Size, lots (1 lot = 1 TH/s for a day)
        <input inputMode="numeric" value={f.qty} onChange={(e) => set('qty', e.target.value)} aria-invalid={errors.qty !== undefined} name="qty" />
        {errors.qty && <span className="field-error">{errors.qty}</span>}
      </label>
      <div className="checks">
        <label className="check">
          <input type="checkbox" checked={f.postOnly} disabled={f.type === 'market'} onChange={(e) => set('postOnly', e.target.checked)} /> Post-only
        </label>
        <label className="check">
          <input type="checkbox" checked={f.reduceOnly} onChange={(e) => set('reduceOnly', e.target.checked)} /> Reduce-only
        </label>
      </div>
      {errors.postOnly && <div className="field-error">{errors.postOnly}</div>}
      <label className="field">
        Client order id (optional; makes resending safe)
        <input value={f.clientOrderId} onChange={(e) => set('clientOrderId', e.target.value)} name="clientOrderId" />
        {errors.clientOrderId && <span className="field-error">{errors.clientOrderId}</span>}
      </label>

      {preview ? (
        <dl className="preview" data-testid="order-preview">
          <dt>Notional</dt>
          <dd>{msatAsBtc(preview.notionalMsat)}</dd>
          <dt>Initial margin ({ppmPct(INITIAL_MARGIN_PPM)})</dt>
          <dd data-testid="preview-margin">{msatAsBtc(preview.initialMarginMsat)}</dd>
          <dt>Fee ({liquidityOf(draft!) === 'maker' ? `maker ${ppmPct(MAKER_FEE_PPM)}` : `taker ${ppmPct(TAKER_FEE_PPM)}`})</dt>
          <dd>{msatAsBtc(preview.feeMsat)}</dd>
          <dt>Required</dt>
          <dd>{msatAsBtc(preview.requiredMsat)}</dd>
          <dt>Liquidation price</dt>
          <dd data-testid="preview-liquidation">
            {preview.liquidationPrice === null ? (draft!.reduceOnly ? 'n/a (reduces only)' : 'none') : `${preview.liquidationPrice.toLocaleString('en-US')} sat/PH/day`}
          </dd>
          {draft?.type === 'market' && (
            <>
              <dt className="small">Estimated at</dt>
              <dd className="small">{refPrice!.toLocaleString('en-US')} ({(draft.side === 'buy' ? p.bestAsk : p.bestBid) !== undefined ? 'best opposite price' : 'index; the book side is empty'})</dd>
            </>
          )}
        </dl>
      ) : (
        <div className="small muted">{draft ? 'No price to estimate a market order at yet.' : 'Fill in the order to see its margin and liquidation price.'}</div>
      )}
      <div className="small muted">Liquidation assumes this order alone, margined at {ppmPct(INITIAL_MARGIN_PPM)}; other positions and free balance move it further away.</div>
      {!p.accountKey && (
        <div className="notice warn small">
          To send orders, create or import a key on the <a href="#/account">Account</a> page. It stays in this browser.
        </div>
      )}
      <button className="primary" type="submit" disabled={!p.accountKey || sending}>
        {sending ? 'Sending…' : `${f.side === 'buy' ? 'Buy' : 'Sell'}${draft ? ` ${draft.size.toLocaleString('en-US')} lots` : ''}`}
      </button>
      {result && <div className={`notice ${result.ok ? '' : 'error'} small`} role="status">{result.text}</div>}
    </form>
  );
}
