// The backtest form as text fields, checked into a BacktestRequest (POST /v1/backtests) with a message per
// field; pure, so it is tested without a browser.
import type { BacktestRequest } from '../../../src/backtest/index.js';

export interface BacktestForm {
  hashrateThs: string;
  costSatPerDay: string;
  from: string;
  to: string;
  resolution: 'epoch' | 'block';
  rollDays: string;
  forwardOn: boolean; forwardTenorDays: string; forwardDiscountPct: string; forwardRatioPct: string;
  perpOn: boolean; perpHorizonDays: string; perpRatioPct: string;
  putsOn: boolean; putsTenorDays: string; putsOtmPct: string; putsRatioPct: string;
}

export const DEFAULT_BACKTEST_FORM: BacktestForm = {
  hashrateThs: '1000', costSatPerDay: '0', from: '2016-01-01', to: '', resolution: 'epoch', rollDays: '30',
  forwardOn: true, forwardTenorDays: '90', forwardDiscountPct: '3', forwardRatioPct: '50',
  perpOn: false, perpHorizonDays: '30', perpRatioPct: '50',
  putsOn: true, putsTenorDays: '30', putsOtmPct: '10', putsRatioPct: '50',
};

export type BacktestFormErrors = Partial<Record<keyof BacktestForm, string>>;

const num = (s: string): number => (s.trim() === '' ? NaN : Number(s.trim()));

export function backtestRequestOf(f: BacktestForm): { ok: true; req: BacktestRequest } | { ok: false; errors: BacktestFormErrors } {
  const errors: BacktestFormErrors = {};
  const int = (k: keyof BacktestForm, lo: number, hi: number): number => {
    const v = num(f[k] as string);
    if (!Number.isInteger(v) || v < lo || v > hi) errors[k] = `a whole number ${lo}..${hi}`;
    return v;
  };
  const real = (k: keyof BacktestForm, lo: number, hi: number): number => {
    const v = num(f[k] as string);
    if (!Number.isFinite(v) || v < lo || v > hi) errors[k] = `a number ${lo}..${hi}`;
    return v;
  };
  const date = (k: 'from' | 'to'): string | undefined => {
    const t = f[k].trim();
    if (t === '') return undefined;
    if (!/^[0-9]{1,9}$/.test(t) && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(t)) errors[k] = 'a date (YYYY-MM-DD) or a block height';
    return t;
  };
  const hashrateThs = int('hashrateThs', 1, 100_000_000);
  const costSatPerDay = int('costSatPerDay', 0, 2_100_000_000_000);
  const rollDays = int('rollDays', 1, 365);
  const from = date('from'), to = date('to');
  const hedge: BacktestRequest['hedge'] = {};
  if (f.forwardOn) {
    const tenor = int('forwardTenorDays', 30, 365);
    if (![30, 90, 180, 365].includes(tenor)) errors.forwardTenorDays = '30, 90, 180 or 365';
    hedge.forward = { tenorDays: tenor as 30 | 90 | 180 | 365, discountBps: Math.round(real('forwardDiscountPct', 0, 90) * 100), ratioPct: real('forwardRatioPct', 0, 200) };
  }
  if (f.perpOn) hedge.perp = { horizonDays: int('perpHorizonDays', 1, 3_650), ratioPct: real('perpRatioPct', 0, 200) };
  if (f.putsOn) hedge.puts = { tenorDays: int('putsTenorDays', 3, 365), otmBps: Math.round(real('putsOtmPct', -50, 90) * 100), ratioPct: real('putsRatioPct', 0, 200) };
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    req: { ...(from ? { from } : {}), ...(to ? { to } : {}), resolution: f.resolution, profile: { hashrateThs, costSatPerDay }, hedge, rollDays },
  };
}

/** sat → BTC text with 4 decimals (the page's unit). */
export const satAsBtc = (sat: number): string => `${(sat / 1e8).toLocaleString('en-US', { minimumFractionDigits: 4, maximumFractionDigits: 4 })} BTC`;
