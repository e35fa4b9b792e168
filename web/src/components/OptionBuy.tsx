import { useEffect, useState, type FormEvent } from 'react';
import type { Backend } from '../api/backend.js';
import { useLoad } from '../api/hooks.js';
import type { OptionQuote } from '../api/products.js';
import { explain, friendly } from '../lib/api-errors.js';
import { btcPerPhDay, msatAsBtc } from '../lib/format.js';
import { BLOCKS_PER_DAY, validateOptionForm, type OptionFormInput } from '../lib/option-form.js';

const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(1)} %` : '—');

/**
 * "Buy an option": a European call or put on the hashprice index, sold by the vault. The server's quote
 * (GET /v1/options/quote) is shown before anything is bought; buying (POST /v1/options/buy) re-quotes at that moment.
 */
export function OptionBuy({ backend, sk, tipHeight, indexPrice, onBought }: { backend: Backend; sk: string; tipHeight: number | undefined; indexPrice: number | undefined; onBought: () => void }) {
  const [f, setF] = useState<OptionFormInput>({ optionType: 'call', strikeBtc: indexPrice !== undefined ? btcPerPhDay(indexPrice) : '', days: '30', lots: '10' });
  useEffect(() => {
    if (f.strikeBtc === '' && indexPrice !== undefined) setF((x) => ({ ...x, strikeBtc: btcPerPhDay(indexPrice) }));
  }, [indexPrice, f.strikeBtc]);
  const { body, errors } = validateOptionForm(f, tipHeight);
  const quote = useLoad<OptionQuote | undefined>(
    () => (body ? friendly(backend.products.optionQuote(body), 'options') : Promise.resolve(undefined)),
    [backend, body?.optionType, body?.strike, body?.expiryHeight, body?.lots],
  );
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body) return;
    setResult(undefined);
    setBusy(true);
    try {
      const r = await backend.products.buyOption(sk, body);
      setResult({ ok: true, text: `Bought option ${r.optionId} for ${msatAsBtc(r.quote.premiumMsat)}.` });
      onBought();
    } catch (err) {
      setResult({ ok: false, text: explain(err, 'options') });
    } finally {
      setBusy(false);
    }
  };
  const q = quote.data;
  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Buy an option" data-testid="option-buy">
      <div className="side-toggle" role="group" aria-label="Option type">
        <button type="button" className="buy" aria-pressed={f.optionType === 'call'} onClick={() => setF({ ...f, optionType: 'call' })}>Call (pays if hashprice ends above)</button>
        <button type="button" className="sell" aria-pressed={f.optionType === 'put'} onClick={() => setF({ ...f, optionType: 'put' })}>Put (pays if below)</button>
      </div>
      <div className="row">
        <label className="field" style={{ flex: '1 1 160px' }}>
          Strike, BTC/PH/day {body && <span className="num small muted">= {body.strike.toLocaleString('en-US')} sat/PH/day</span>}
          <input inputMode="decimal" name="opt-strike" value={f.strikeBtc} onChange={(e) => setF({ ...f, strikeBtc: e.target.value })} aria-invalid={errors.strikeBtc !== undefined} />
          {errors.strikeBtc && <span className="field-error">{errors.strikeBtc}</span>}
        </label>
        <label className="field" style={{ flex: '1 1 120px' }}>
          Expires in, days {body && <span className="num small muted">= height {body.expiryHeight.toLocaleString('en-US')}</span>}
          <input inputMode="decimal" name="opt-days" value={f.days} onChange={(e) => setF({ ...f, days: e.target.value })} aria-invalid={errors.days !== undefined} />
          {errors.days && <span className="field-error">{errors.days}</span>}
        </label>
        <label className="field" style={{ flex: '1 1 100px' }}>
          Lots (1 TH/s·day each)
          <input inputMode="numeric" name="opt-lots" value={f.lots} onChange={(e) => setF({ ...f, lots: e.target.value })} aria-invalid={errors.lots !== undefined} />
          {errors.lots && <span className="field-error">{errors.lots}</span>}
        </label>
      </div>
      {errors.tip && <div className="small muted">{errors.tip}</div>}
      {quote.error ? (
        <div className="notice small" data-testid="option-quote-error">{quote.error}</div>
      ) : q ? (
        <dl className="preview" data-testid="option-quote">
          <dt>Premium you pay</dt><dd>{msatAsBtc(q.premiumMsat)}</dd>
          <dt>Model value</dt><dd>{msatAsBtc(q.modelMsat)}</dd>
          <dt>Drift μ / volatility σ (yearly)</dt><dd>{pct(q.mu)} / {pct(q.sigma)}</dd>
          <dt>Expires (estimated)</dt><dd>{q.expiryUtc}{body ? ` · ${((body.expiryHeight - (tipHeight ?? 0)) / BLOCKS_PER_DAY).toFixed(1)} days of blocks` : ''}</dd>
        </dl>
      ) : (
        <div className="small muted">{body ? 'Asking the vault for a quote…' : 'Fill in strike, expiry and lots to see the premium.'}</div>
      )}
      <button className="primary" type="submit" disabled={!body || !q || busy}>
        Buy {f.optionType} {body ? `for ${q ? msatAsBtc(q.premiumMsat) : '…'}` : ''}
      </button>
      {result && <div className={`notice small ${result.ok ? '' : 'error'}`} role="status">{result.text}</div>}
    </form>
  );
}
