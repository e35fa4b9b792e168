import { useState, type FormEvent } from 'react';
import type { OrderAck } from '../../../../src/api/schemas.js';
import { describeError } from '../../api/hooks.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { KeyNeeded } from '../../components/KeyNeeded.js';
import { SideToggle } from '../../components/SideToggle.js';
import { TextField } from '../../components/TextField.js';
import { TimeInForceSelect } from '../../components/TimeInForceFields.js';
import { useAction } from '../../components/use-action.js';
import { btcPerPhDay, grouped, msatAsBtc, ppmPct, satPerPhDayText } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';
import { INITIAL_MARGIN_PPM, MAKER_FEE_PPM, previewOrder, TAKER_FEE_PPM } from '../../lib/margin.js';
import { liquidityOf, validateOrderForm, type OrderDraft, type OrderFormInput } from '../../lib/order-form.js';

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

const PERP_SIDES = [
  { value: 'buy', className: 'buy', label: 'Buy / long' },
  { value: 'sell', className: 'sell', label: 'Sell / short' },
] as const;

const initial: Omit<OrderFormInput, 'price'> = { side: 'buy', type: 'limit', qty: '100', tif: 'GTC', postOnly: false, reduceOnly: false, clientOrderId: '' };

export function OrderEntry(p: OrderEntryProps) {
  const [f, setF] = useState(initial);
  const { result, busy: sending, run } = useAction(describeError);
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
    await run(async () => {
      const ack = await p.send(draft);
      return `Order ${ack.orderId} ${ack.status.replace('_', ' ')}: ${ack.filled} filled, ${ack.remaining} remaining.`;
    });
  };

  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Order entry">
      <SideToggle value={f.side} choices={PERP_SIDES} onChange={(side) => set('side', side)} />
      <div className="row">
        <label className="field" style={{ flex: 1 }}>
          Type
          <select value={f.type} onChange={(e) => setF((x) => ({ ...x, type: e.target.value as 'limit' | 'market', tif: e.target.value === 'market' ? 'IOC' : x.tif, postOnly: e.target.value === 'market' ? false : x.postOnly }))}>
            <option value="limit">Limit</option>
            <option value="market">Market</option>
          </select>
        </label>
        <TimeInForceSelect tif={f.tif} onTif={(tif) => set('tif', tif)} allowGtc={f.type === 'limit'} />
      </div>
      {errors.tif && <div className="field-error">{errors.tif}</div>}
      {f.type === 'limit' && (
        <TextField
          label={<>Limit price, sat/PH/day {draft?.price !== undefined && <span className="num">= {btcPerPhDay(draft.price)} BTC/PH/day</span>}</>}
          inputMode="numeric"
          name="price"
          value={p.price}
          onChange={p.onPriceChange}
          error={errors.price}
        />
      )}
      <TextField label="Size, lots (1 lot = 1 TH/s for a day)" inputMode="numeric" name="qty" value={f.qty} onChange={(v) => set('qty', v)} error={errors.qty} />
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
            {preview.liquidationPrice === null ? (draft!.reduceOnly ? 'n/a (reduces only)' : 'none') : satPerPhDayText(preview.liquidationPrice)}
          </dd>
          {draft?.type === 'market' && (
            <>
              <dt className="small">Estimated at</dt>
              <dd className="small">{grouped(refPrice!)} ({(draft.side === 'buy' ? p.bestAsk : p.bestBid) !== undefined ? 'best opposite price' : 'index; the book side is empty'})</dd>
            </>
          )}
        </dl>
      ) : (
        <div className="small muted">{draft ? 'No price to estimate a market order at yet.' : 'Fill in the order to see its margin and liquidation price.'}</div>
      )}
      <div className="small muted">Liquidation assumes this order alone, margined at {ppmPct(INITIAL_MARGIN_PPM)}; other positions and free balance move it further away.</div>
      {!p.accountKey && <KeyNeeded to="send orders"> It stays in this browser.</KeyNeeded>}
      <button className="primary" type="submit" disabled={!p.accountKey || sending}>
        {sending ? 'Sending…' : `${f.side === 'buy' ? 'Buy' : 'Sell'}${draft ? ` ${grouped(draft.size)} lots` : ''}`}
      </button>
      <ResultNotice result={result} />
    </form>
  );
}
