import { describe, expect, it } from 'vitest';
import { validateOptionForm } from '../../web/src/lib/option-form.js';

const base = { optionType: 'call' as const, strikeBtc: '0.00045', days: '30', lots: '10' };

describe('the Buy an option form', () => {
  it('turns BTC/PH/day and "in N days" into the route terms (hand-computed)', () => {
    // 0.00045 BTC = 45,000 sat; 30 days × 144 = 4,320 blocks after tip 900,000.
    expect(validateOptionForm(base, 900_000)).toEqual({ errors: {}, body: { optionType: 'call', strike: 45_000, expiryHeight: 904_320, lots: 10 } });
    // 7.5 days = 1,080 blocks; 1 sat/PH/day is the smallest strike.
    expect(validateOptionForm({ ...base, optionType: 'put', strikeBtc: '0.00000001', days: '7.5', lots: '1' }, 10).body).toEqual({ optionType: 'put', strike: 1, expiryHeight: 1_090, lots: 1 });
    expect(validateOptionForm({ ...base, strikeBtc: '40' }, 0).body?.strike).toBe(4_000_000_000);
  });

  it('explains each bad field', () => {
    expect(Object.keys(validateOptionForm({ ...base, strikeBtc: '0.000000001', days: 'x', lots: '1.5' }, 1).errors).sort()).toEqual(['days', 'lots', 'strikeBtc']);
    expect(validateOptionForm({ ...base, strikeBtc: '0' }, 1).errors.strikeBtc).toMatch(/between/);
    expect(validateOptionForm({ ...base, strikeBtc: '40.00000001' }, 1).errors.strikeBtc).toMatch(/between/);
    expect(validateOptionForm({ ...base, strikeBtc: '-1' }, 1).errors.strikeBtc).toBeDefined();
    // the engine refuses expiries under 432 blocks (72 h): 2.99 days = 431 blocks
    expect(validateOptionForm({ ...base, days: '2.99' }, 1).errors.days).toMatch(/432 blocks/);
    expect(validateOptionForm({ ...base, days: '3' }, 1).body?.expiryHeight).toBe(433);
    expect(validateOptionForm({ ...base, lots: '0' }, 1).errors.lots).toBeDefined();
    expect(validateOptionForm({ ...base, lots: '1000000001' }, 1).errors.lots).toBeDefined();
  });

  it('needs the chain tip for the expiry height', () => {
    const r = validateOptionForm(base, undefined);
    expect(r.body).toBeUndefined();
    expect(r.errors.tip).toMatch(/tip/);
  });
});
