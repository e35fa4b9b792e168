import { describe, expect, it } from 'vitest';
import { backtestRequestOf, DEFAULT_BACKTEST_FORM, satAsBtc } from '../../web/src/lib/backtest-form.js';

describe('the backtest form', () => {
  it('turns percentages into the request the API takes (hand-computed)', () => {
    const r = backtestRequestOf({ ...DEFAULT_BACKTEST_FORM, forwardDiscountPct: '2.5', putsOtmPct: '10', perpOn: true, to: '2020-01-01' });
    expect(r).toEqual({
      ok: true,
      req: {
        from: '2016-01-01', to: '2020-01-01', resolution: 'epoch', profile: { hashrateThs: 1000, costSatPerDay: 0 }, rollDays: 30,
        hedge: { forward: { tenorDays: 90, discountBps: 250, ratioPct: 50 }, perp: { horizonDays: 30, ratioPct: 50 }, puts: { tenorDays: 30, otmBps: 1000, ratioPct: 50 } },
      },
    });
    expect(satAsBtc(123_456_789)).toBe('1.2346 BTC');
  });

  it('names each bad field; unchecked legs are not checked', () => {
    const r = backtestRequestOf({ ...DEFAULT_BACKTEST_FORM, hashrateThs: '0', forwardTenorDays: '45', from: 'yesterday', putsRatioPct: 'x' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.errors).sort()).toEqual(['forwardTenorDays', 'from', 'hashrateThs', 'putsRatioPct']);
    expect(backtestRequestOf({ ...DEFAULT_BACKTEST_FORM, putsOn: false, putsRatioPct: 'x' }).ok).toBe(true);
  });
});
