import { useState, type FormEvent } from 'react';
import type { Backend } from '../api/backend.js';
import type { BacktestReport } from '../../../src/backtest/index.js';
import { ErrorNotice } from '../components/Notice.js';
import { TextField } from '../components/TextField.js';
import { backtestRequestOf, DEFAULT_BACKTEST_FORM, satAsBtc, type BacktestForm, type BacktestFormErrors } from '../lib/backtest-form.js';
import { BacktestCharts } from '../products/backtest/BacktestCharts.js';

/**
 * "How would this hedge have done?": a miner's profile and hedge, run by the server through the exchange engine
 * over real history (POST /v1/backtests), drawn as hedged against unhedged income with drawdowns and the spread
 * of per-period outcomes.
 */
export function Backtest({ backend }: { backend: Backend }) {
  const [f, setF] = useState<BacktestForm>(DEFAULT_BACKTEST_FORM);
  const [errors, setErrors] = useState<BacktestFormErrors>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [report, setReport] = useState<BacktestReport | undefined>();
  const set = <K extends keyof BacktestForm>(k: K) => (v: BacktestForm[K]) => setF({ ...f, [k]: v });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const r = backtestRequestOf(f);
    setErrors(r.ok ? {} : r.errors);
    if (!r.ok) return;
    if (backend.backtest === undefined) return setError('This server offers no backtests.');
    setBusy(true);
    setError(undefined);
    try {
      setReport(await backend.backtest(r.req));
    } catch (x) {
      setError(x instanceof Error ? x.message : String(x));
    } finally {
      setBusy(false);
    }
  };
  const field = (k: keyof BacktestForm, label: string, inputMode: 'numeric' | 'decimal' | 'text' = 'numeric') => (
    <TextField style={{ flex: '1 1 120px' }} label={label} name={`bt-${k}`} inputMode={inputMode} value={f[k] as string} onChange={set(k) as (v: string) => void} error={errors[k]} />
  );
  const check = (k: 'forwardOn' | 'perpOn' | 'putsOn', label: string) => (
    <label className="small" style={{ flex: '1 1 100%' }}><input type="checkbox" checked={f[k]} onChange={(e) => set(k)(e.target.checked)} data-testid={`bt-${k}`} /> {label}</label>
  );
  const s = report?.summary;
  return (
    <main>
      <h1>How would this hedge have done?</h1>
      <p className="small muted">
        Real hashprice history (subsidy only) replayed block by block through the exchange's own engine: the forwards you sell are delivered
        day by day, the perp short pays and receives PnL and funding, the puts are bought from the vault at its own price and settle on the expiry day.
      </p>
      <form className="panel" onSubmit={submit} data-testid="backtest-form">
        <h3>Miner</h3>
        <div className="row">
          {field('hashrateThs', 'Hashrate, TH/s')}
          {field('costSatPerDay', 'Costs paid in BTC, sat/day')}
          {field('from', 'From (date or height)', 'text')}
          {field('to', 'To (empty: newest)', 'text')}
          <label className="field" style={{ flex: '1 1 120px' }}>
            Resolution
            <select value={f.resolution} onChange={(e) => set('resolution')(e.target.value as 'epoch' | 'block')} name="bt-resolution">
              <option value="epoch">per day, from every retarget</option>
              <option value="block">per block (shipped headers)</option>
            </select>
          </label>
          {field('rollDays', 'Hedge every N days')}
        </div>
        <h3>Hedge</h3>
        <div className="row">{check('forwardOn', 'Sell a forward every period')}{field('forwardTenorDays', 'Tenor, days (30/90/180/365)')}{field('forwardDiscountPct', 'Discount to the index, %', 'decimal')}{field('forwardRatioPct', 'Share of hashrate, %', 'decimal')}</div>
        <div className="row">{check('perpOn', 'Hold a perp short')}{field('perpHorizonDays', 'Sized for N days of output')}{field('perpRatioPct', 'Share of hashrate, %', 'decimal')}</div>
        <div className="row">{check('putsOn', 'Buy puts every period')}{field('putsTenorDays', 'Expiry, days')}{field('putsOtmPct', 'Strike below the index, %', 'decimal')}{field('putsRatioPct', 'Share of hashrate, %', 'decimal')}</div>
        <button className="primary" type="submit" disabled={busy}>{busy ? 'Running…' : 'Run backtest'}</button>
      </form>
      {error && <ErrorNotice title="The backtest was refused" message={error} />}
      {report && s && (
        <section className="panel" data-testid="backtest-result">
          <div className="scroll-x">
          <table className="records">
            <thead><tr><th /><th>Total</th><th>Max drawdown</th><th>Worst period</th><th>p10</th><th>Median</th><th>p90</th><th>Best period</th></tr></thead>
            <tbody>
              {(['unhedged', 'hedged'] as const).map((k) => (
                <tr key={k} data-testid={`backtest-${k}`}>
                  <th>{k}</th><td>{satAsBtc(s[k].totalSat)}</td><td>{satAsBtc(s[k].maxDrawdownSat)}</td><td>{satAsBtc(s[k].periods.min)}</td>
                  <td>{satAsBtc(s[k].periods.p10)}</td><td>{satAsBtc(s[k].periods.median)}</td><td>{satAsBtc(s[k].periods.p90)}</td><td>{satAsBtc(s[k].periods.max)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          <p className="small">
            Hedge result {satAsBtc(s.hedgeResultSat)} over heights {report.fromHeight}..{report.toHeight}: {report.engine.forwardContracts} forward contracts,
            puts {satAsBtc(report.engine.optionPremiumSat)} paid and {satAsBtc(report.engine.optionPayoffSat)} received, perp {satAsBtc(report.engine.fundingAndPerpPnlSat)};
            {' '}{report.engine.rejections.count} orders refused by the engine.
          </p>
          <BacktestCharts report={report} />
          <p className="small muted" data-testid="backtest-basis">{report.basis}</p>
        </section>
      )}
    </main>
  );
}
