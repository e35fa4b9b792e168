import { TimeInForceFields } from './TimeInForceFields.js';
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad } from '../api/hooks.js';
import { useProductLive } from '../api/product-live.js';
import type { ForwardMarketView, ForwardQuoteView } from '../api/products.js';
import { explain, friendly } from '../lib/api-errors.js';
import { depthOf } from '../lib/depth.js';
import { btcPerPhDay, msatAsBtc, satPerThDay } from '../lib/format.js';
import { takerOf, validateForwardOrder, type ForwardOrderInput } from '../lib/forward-form.js';
import type { AccountKey } from '../lib/keys.js';
import { sliderRange } from '../lib/position.js';
import { DepthChart } from './DepthChart.js';
import { Loading } from './Notice.js';
import { OrderBook } from './OrderBook.js';

const pct = (x: number | undefined) => (x !== undefined && Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : '—');
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : undefined);

/** One forward market: its book, and an order form whose preview is the server's calculator (POST /v1/forwards/quote). */
export function ForwardTrade({ backend, feed, market, info, indexPrice, curvePrice, accountKey }: {
  backend: Backend;
  feed: Feed;
  market: string;
  info: ForwardMarketView | undefined;
  indexPrice: number | undefined;
  /** The dashboard's forward curve at this tenor, when the market list has no fair price. */
  curvePrice: number | undefined;
  accountKey: AccountKey | undefined;
}) {
  const book = useLoad(() => friendly(backend.products.forwardBook(market, 20), 'forward markets'), [backend, market]);
  // The forwards:<market> channel keeps book and trades current; the HTTP read only fills the first paint.
  const live = useProductLive(feed, 'forwards', market, book.data);
  const depth = useMemo(() => depthOf(live.book), [live.book]);
  const fair = num(info?.fairPriceSatPerPHDay) ?? (curvePrice !== undefined ? Math.round(curvePrice) : undefined);
  const reference = Math.round(fair ?? depth?.mid ?? indexPrice ?? 0);
  const [f, setF] = useState<ForwardOrderInput>({ side: 'buy', price: '', th: '100', tif: 'GTC', postOnly: false });
  useEffect(() => {
    if (f.price === '' && reference > 0) setF((x) => ({ ...x, price: String(reference) }));
  }, [reference, f.price]);
  const { body, errors } = validateForwardOrder(market, f);
  const quote = useLoad<ForwardQuoteView | undefined>(
    () => (body ? friendly(backend.products.forwardQuote({ market, qtyLots: body.qty, priceSatPerPHDay: body.price, taker: takerOf(body.side) }), 'the forward calculator') : Promise.resolve(undefined)),
    [backend, market, body?.qty, body?.price, body?.side],
  );
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body || !accountKey) return;
    setResult(undefined);
    try {
      const ack = await backend.products.placeForwardOrder(accountKey.secretKeyHex, body);
      setResult({ ok: true, text: `Order ${ack.orderId} ${ack.status ?? 'accepted'}.` });
    } catch (err) {
      setResult({ ok: false, text: explain(err, 'forward orders') });
    }
  };
  const range = reference > 0 ? sliderRange(reference) : undefined;
  const q = quote.data;
  const days = info?.days ?? Number(/FWD-(\d+)D/.exec(market)?.[1] ?? NaN);
  return (
    <div className="grid trade-grid">
      <section className="panel">
        <h2>{market} book <span className="muted small">sat/PH/day</span></h2>
        {book.error ? (
          <div className="notice" data-testid="forward-unavailable">{book.error}</div>
        ) : depth ? (
          <div className="scroll-x">
            <OrderBook depth={depth} onPick={(p) => setF({ ...f, price: String(p) })} />
          </div>
        ) : <Loading what="the book" />}
      </section>
      <section className="panel">
        <h2>Depth</h2>
        {depth ? <DepthChart depth={depth} /> : book.error ? <div className="empty">No book to draw.</div> : <Loading what="depth" />}
        <dl className="kv" style={{ marginTop: 10 }}>
          <dt>Forward curve fair price</dt><dd>{fair !== undefined ? `${btcPerPhDay(fair)} BTC/PH/day` : '—'}</dd>
          <dt>Index now</dt><dd>{indexPrice !== undefined ? `${btcPerPhDay(indexPrice)} BTC/PH/day` : '—'}</dd>
          <dt>Length</dt><dd>{Number.isFinite(days) ? `${days} days (${days * 144} blocks)` : '—'}</dd>
        </dl>
        <h2 style={{ marginTop: 16 }}>Recent trades</h2>
        {live.trades.length === 0 ? (
          <div className="empty" data-testid="fwd-trades-empty">No trades since you opened this tab.</div>
        ) : (
          <table data-testid="fwd-trades">
            <thead><tr><th>Price (sat/PH/day)</th><th>BTC/PH/day</th><th>Lots</th><th>Taker</th></tr></thead>
            <tbody>
              {live.trades.map((t) => (
                <tr key={`${t.seq}-${t.price}-${t.qty}`} className={t.takerSide === 'buy' ? 'bid' : 'ask'}>
                  <td>{t.price.toLocaleString('en-US')}</td><td>{btcPerPhDay(t.price)}</td><td>{t.qty.toLocaleString('en-US')}</td><td className="muted">{t.takerSide}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel order-entry">
        <h2>Place a forward order</h2>
        <form className="order" onSubmit={submit} noValidate aria-label="Forward order">
          <div className="side-toggle" role="group" aria-label="Side">
            <button type="button" className="buy" aria-pressed={f.side === 'buy'} onClick={() => setF({ ...f, side: 'buy' })}>Buy hashrate (investor)</button>
            <button type="button" className="sell" aria-pressed={f.side === 'sell'} onClick={() => setF({ ...f, side: 'sell' })}>Sell hashrate (miner)</button>
          </div>
          <label className="field">
            Price, sat/PH/day {body && <span className="num">= {btcPerPhDay(body.price)} BTC/PH/day · {satPerThDay(body.price)} sat/TH/day</span>}
            <input inputMode="numeric" name="fwd-price" value={f.price} onChange={(e) => setF({ ...f, price: e.target.value })} aria-invalid={errors.price !== undefined} />
            {errors.price && <span className="field-error">{errors.price}</span>}
          </label>
          {range && body && (
            <input type="range" min={range.min} max={range.max} step={1} value={Math.min(range.max, Math.max(range.min, body.price))} onChange={(e) => setF({ ...f, price: e.target.value })} aria-label="Forward price" />
          )}
          <label className="field">
            Hashrate, TH/s
            <input inputMode="decimal" name="fwd-th" value={f.th} onChange={(e) => setF({ ...f, th: e.target.value })} aria-invalid={errors.th !== undefined} />
            {errors.th && <span className="field-error">{errors.th}</span>}
          </label>
          <TimeInForceFields tif={f.tif} onTif={(tif) => setF({ ...f, tif })} postOnly={f.postOnly} onPostOnly={(postOnly) => setF({ ...f, postOnly })} />
          {errors.postOnly && <div className="field-error">{errors.postOnly}</div>}
          {quote.error ? (
            <div className="notice small">{quote.error}</div>
          ) : q ? (
            f.side === 'sell' ? (
              <dl className="preview" data-testid="fwd-quote">
                <dt>Contract value</dt><dd>{msatAsBtc(q.contractValueMsat)}</dd>
                <dt>Collateral you lock (110 %)</dt><dd>{msatAsBtc(q.collateralMsat)}</dd>
                <dt>Upfront to you</dt><dd>{msatAsBtc(q.upfrontToMinerMsat, 'holding')}</dd>
                <dt>Released per delivered day</dt><dd>{msatAsBtc(q.dailyReleaseMsat, 'holding')}</dd>
                <dt>Capital efficiency</dt><dd>{pct(q.capitalEfficiency)}</dd>
                <dt>Rewards you deliver at today's index</dt><dd>{msatAsBtc(q.expectedDeliveredMsat, 'holding')}</dd>
              </dl>
            ) : (
              <dl className="preview" data-testid="fwd-quote">
                <dt>You pay upfront</dt><dd>{msatAsBtc(q.investorPaysMsat)}</dd>
                <dt>Expected BTC at today's index</dt><dd>{msatAsBtc(q.expectedDeliveredMsat, 'holding')}</dd>
                <dt>APY (simple / compounded)</dt><dd>{pct(q.impliedApySimple)} / {pct(q.impliedApyCompounded)}</dd>
                <dt>Break-even index</dt><dd>{btcPerPhDay(Math.ceil(q.breakEvenIndexSatPerPHDay))} BTC/PH/day</dd>
                <dt>Miner's collateral backing you</dt><dd>{msatAsBtc(q.collateralMsat)}</dd>
              </dl>
            )
          ) : (
            <div className="small muted">{body ? 'Asking the server’s calculator…' : 'Fill in price and hashrate to see the contract’s numbers.'}</div>
          )}
          {!accountKey && <div className="notice warn small">To send orders, create or import a key on the <a href="#/account">Account</a> page.</div>}
          <button className="primary" type="submit" disabled={!accountKey || !body || book.error !== undefined}>
            {f.side === 'buy' ? 'Buy' : 'Sell'} {body ? `${f.th.trim()} TH/s for ${Number.isFinite(days) ? `${days} days` : 'the tenor'}` : ''}
          </button>
          {result && <div className={`notice small ${result.ok ? '' : 'error'}`} role="status">{result.text}</div>}
        </form>
      </section>
    </div>
  );
}

export const FORWARD_MARKETS = ['FWD-30D', 'FWD-90D', 'FWD-180D', 'FWD-365D'] as const;
