import { useEffect, useState } from 'react';
import { quoteForward, type ForwardQuote } from '../../../../src/engine/products/forward/calculator.js';
import { btcPerPhDay, msatAsBtc, ratioPct, satPerThDay } from '../../lib/format.js';
import { sliderRange, thToForwardLots } from '../../lib/position.js';

const TENORS = [30, 90, 180, 365] as const;
type View = 'miner' | 'investor';

/**
 * Hashrate-forward calculators (LOKA): pick size, tenor and a price on a slider, see both sides' numbers.
 * The arithmetic is the engine's (src/engine/products/forward/calculator.ts); this only lays it out.
 */
export function PositionBuilder({ indexPrice, curve }: { indexPrice: number | undefined; curve: Map<number, number> }) {
  const [view, setView] = useState<View>('miner');
  const [th, setTh] = useState('100');
  const [days, setDays] = useState<number>(90);
  const reference = Math.round(curve.get(days) ?? indexPrice ?? 0);
  const [price, setPrice] = useState<number | undefined>(undefined);
  useEffect(() => setPrice(undefined), [days]);
  if (indexPrice === undefined || reference <= 0) return <div className="empty">The calculators need the current index; it has not loaded yet.</div>;
  const range = sliderRange(reference);
  const p = Math.min(range.max, Math.max(range.min, price ?? reference));
  let quote: ForwardQuote | undefined;
  let error: string | undefined;
  try {
    quote = quoteForward({ qtyLots: thToForwardLots('hashrate', th), priceSatPerPHDay: p, days }, Math.round(indexPrice), view);
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  return (
    <div data-testid="position-builder">
      <div className="tabs" role="tablist">
        <button role="tab" aria-selected={view === 'miner'} onClick={() => setView('miner')}>Miner (sell hashrate)</button>
        <button role="tab" aria-selected={view === 'investor'} onClick={() => setView('investor')}>Investor (buy hashrate)</button>
      </div>
      <div className="row">
        <label className="field" style={{ flex: 1 }}>
          Hashrate, TH/s
          <input inputMode="decimal" value={th} onChange={(e) => setTh(e.target.value)} />
        </label>
        <label className="field" style={{ flex: 1 }}>
          Contract length
          <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
            {TENORS.map((d) => (
              <option key={d} value={d}>{d} days</option>
            ))}
          </select>
        </label>
      </div>
      <label className="field" style={{ marginTop: 10 }}>
        Price: <span className="num">{btcPerPhDay(p)} BTC/PH/day · {satPerThDay(p)} sat/TH/day · {ratioPct(p / indexPrice - 1, 1)} vs index</span>
        <input type="range" min={range.min} max={range.max} step={1} value={p} onChange={(e) => setPrice(Number(e.target.value))} aria-label="Contract price" />
        <span className="small muted">
          Slider from 50 % to 120 % of the {curve.has(days) ? `${days}-day forward curve point` : 'index'} ({btcPerPhDay(reference)} BTC/PH/day).
        </span>
      </label>
      {error && <div className="field-error">{error}</div>}
      {quote && view === 'miner' && (
        <dl className="preview" style={{ marginTop: 10 }} data-testid="miner-view">
          <dt>Contract value</dt><dd>{msatAsBtc(quote.contractValueMsat)}</dd>
          <dt>Collateral to lock (110 %)</dt><dd>{msatAsBtc(quote.collateralMsat)}</dd>
          <dt>Upfront to you (after 0.2 % taker fee)</dt><dd>{msatAsBtc(quote.upfrontToMinerMsat, 'holding')}</dd>
          <dt>Collateral released per delivered day</dt><dd>{msatAsBtc(quote.dailyReleaseMsat, 'holding')}</dd>
          <dt>Capital efficiency</dt><dd>{ratioPct(quote.capitalEfficiency)}</dd>
          <dt>Discount to index</dt><dd>{ratioPct(quote.discountToIndex)}</dd>
          <dt>Rewards you deliver at today's index</dt><dd>{msatAsBtc(quote.expectedDeliveredMsat, 'holding')}</dd>
        </dl>
      )}
      {quote && view === 'investor' && (
        <dl className="preview" style={{ marginTop: 10 }} data-testid="investor-view">
          <dt>You pay (incl. 0.2 % taker fee)</dt><dd>{msatAsBtc(quote.investorPaysMsat)}</dd>
          <dt>Expected BTC at today's index</dt><dd>{msatAsBtc(quote.expectedDeliveredMsat, 'holding')}</dd>
          <dt>Daily receipt at today's index</dt><dd>{msatAsBtc(quote.expectedDeliveredMsat / BigInt(days), 'holding')}</dd>
          <dt>Implied APY (simple)</dt><dd>{ratioPct(quote.impliedApySimple)}</dd>
          <dt>Implied APY (compounded)</dt><dd>{ratioPct(quote.impliedApyCompounded)}</dd>
          <dt>Break-even index</dt><dd>{btcPerPhDay(Math.ceil(quote.breakEvenIndexSatPerPHDay))} BTC/PH/day</dd>
          <dt>Miner's collateral backing you</dt><dd>{msatAsBtc(quote.collateralMsat)}</dd>
        </dl>
      )}
      <div className="small muted" style={{ marginTop: 8 }}>
        Expected figures assume the index stays where it is for the whole contract; the forward curve on the dashboard shows where the model expects it to go.
      </div>
      <div className="small muted" style={{ marginTop: 4 }} data-testid="delivery-rule">
        Delivery rule (LOKA): each contract day the miner owes the day's rewards. Delivered in full, that day's 1/n of the collateral returns to the miner.
        Delivered short (partly or not at all), the whole 1/n goes to the investor and the miner keeps the rewards of the hashrate it did deliver; there is no pro-rata split.
      </div>
    </div>
  );
}
