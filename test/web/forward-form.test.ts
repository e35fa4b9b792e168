import { describe, expect, it } from 'vitest';
import { takerOf, validateForwardOrder } from '../../web/src/lib/forward-form.js';

const base = { side: 'sell' as const, price: '105000', th: '100', tif: 'GTC' as const, postOnly: false };

describe('forward order entry', () => {
  it('TH/s is sent as forward lots of 0.0001 TH/s', () => {
    // 100 TH/s = 1,000,000 lots; 12.5 TH/s = 125,000.
    expect(validateForwardOrder('FWD-90D', base)).toEqual({ errors: {}, body: { market: 'FWD-90D', side: 'sell', price: 105_000, qty: 1_000_000, tif: 'GTC', postOnly: false } });
    expect(validateForwardOrder('FWD-90D', { ...base, th: '12.5', price: '1,000' }).body).toMatchObject({ qty: 125_000, price: 1000 });
  });
  it('explains each bad field', () => {
    const e = validateForwardOrder('FWD-90D', { ...base, th: '0.5', price: '-1', postOnly: true, tif: 'FOK' }).errors;
    expect(e.th).toBe('the minimum forward size is 1 TH/s');
    expect(e.price).toMatch(/whole sat/);
    expect(e.postOnly).toMatch(/GTC/);
  });
  it("a buyer is the calculator's investor, a seller its miner", () => {
    expect(takerOf('buy')).toBe('investor');
    expect(takerOf('sell')).toBe('miner');
  });
});
