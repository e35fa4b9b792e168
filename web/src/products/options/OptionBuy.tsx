import { useEffect, useState, type FormEvent } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import type { OptionQuote } from '../../api/products.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { SideToggle } from '../../components/SideToggle.js';
import { TextField } from '../../components/TextField.js';
import { useAction } from '../../components/use-action.js';
import { explain, friendly } from '../../lib/api-errors.js';
import { btcPerPhDay, grouped, msatAsBtc, ratioPct } from '../../lib/format.js';
import { BLOCKS_PER_DAY, validateOptionForm, type OptionFormInput } from '../../lib/option-form.js';

const OPTION_TYPES = [
  { value: 'call', className: 'buy', label: 'Call (pays if hashprice ends above; at most 2 × strike per lot)' },
  { value: 'put', className: 'sell', label: 'Put (pays if below)' },
] as const;

/**
 * "Buy an option": a European call or put on the hashprice index, sold by the vault. The server's quote
 * (GET /v1/options/quote) is the engine's own price, shown before anything is bought; buying (POST /v1/options/buy)
 * sends that premium as the most the buyer pays, and the engine charges its price at that moment.
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
  const { result, busy, run } = useAction((e) => explain(e, 'options'));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body) return;
    await run(async () => {
      const r = await backend.products.buyOption(sk, body);
      return `Bought option ${r.optionId} for ${msatAsBtc(r.quote.premiumMsat)}.`;
    }, onBought);
  };
  const q = quote.data;
  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Buy an option" data-testid="option-buy">
      <SideToggle label="Option type" value={f.optionType} choices={OPTION_TYPES} onChange={(optionType) => setF({ ...f, optionType })} />
      <div className="row">
        <TextField
          style={{ flex: '1 1 160px' }}
          label={<>Strike, BTC/PH/day {body && <span className="num small muted">= {grouped(body.strike)} sat/PH/day</span>}</>}
          inputMode="decimal"
          name="opt-strike"
          value={f.strikeBtc}
          onChange={(strikeBtc) => setF({ ...f, strikeBtc })}
          error={errors.strikeBtc}
        />
        <TextField
          style={{ flex: '1 1 120px' }}
          label={<>Expires in, days {body && <span className="num small muted">= height {grouped(body.expiryHeight)}</span>}</>}
          inputMode="decimal"
          name="opt-days"
          value={f.days}
          onChange={(days) => setF({ ...f, days })}
          error={errors.days}
        />
        <TextField style={{ flex: '1 1 100px' }} label="Lots (1 TH/s·day each)" inputMode="numeric" name="opt-lots" value={f.lots} onChange={(lots) => setF({ ...f, lots })} error={errors.lots} />
      </div>
      {errors.tip && <div className="small muted">{errors.tip}</div>}
      {quote.error ? (
        <div className="notice small" data-testid="option-quote-error">{quote.error}</div>
      ) : q ? (
        <dl className="preview" data-testid="option-quote">
          <dt>Premium you pay</dt><dd>{msatAsBtc(q.premiumMsat)}</dd>
          <dt>Model value</dt><dd>{msatAsBtc(q.modelMsat)}</dd>
          <dt>Estimation window</dt><dd data-testid="option-window">the last {q.windowDays} days of the index</dd>
          <dt>Drift μ / volatility σ (yearly)</dt>
          <dd data-testid="option-mu-sigma">
            estimated {ratioPct(q.mu, 1)} / {ratioPct(q.sigma, 1)}; priced with {ratioPct(q.muUsed, 1)} / {ratioPct(q.sigmaUsed, 1)}
          </dd>
          <dt>How it is priced</dt>
          <dd className="small">
            By the exchange's engine from the daily index it recorded itself (the Hedge drift model on the expiry day's mean, plus the vault's 1 % spread).
            The vault never prices with σ below 10 % a year; until the engine has recorded 5 whole days it uses μ = 0 and σ = 10 %.
          </dd>
          <dt>Expires (estimated)</dt><dd>{q.expiryUtc}{body ? ` · ${((body.expiryHeight - (tipHeight ?? 0)) / BLOCKS_PER_DAY).toFixed(1)} days of blocks` : ''}</dd>
          <dt>Most it can pay</dt>
          <dd data-testid="option-cap">
            {body && f.optionType === 'call'
              ? `${msatAsBtc(BigInt(body.lots) * 2n * BigInt(body.strike))}: a call pays at most 2 × strike per lot (the vault locks that much). It is a call spread from strike to 3 × strike, and the premium prices it as one.`
              : body
                ? `${msatAsBtc(BigInt(body.lots) * BigInt(body.strike))}: a put pays at most the strike per lot (the index cannot fall below 0).`
                : ''}
          </dd>
        </dl>
      ) : (
        <div className="small muted">{body ? 'Asking the vault for a quote…' : 'Fill in strike, expiry and lots to see the premium.'}</div>
      )}
      <button className="primary" type="submit" disabled={!body || !q || busy}>
        Buy {f.optionType} {body ? `for ${q ? msatAsBtc(q.premiumMsat) : '…'}` : ''}
      </button>
      <ResultNotice result={result} />
    </form>
  );
}
