import { describe, expect, it } from 'vitest';
import { edgeVsFair, previewBdc, validateBdcOrder } from '../../web/src/lib/bdc.js';
import { bpsPct } from '../../web/src/lib/format.js';

const base = { side: 'FAST' as const, price: '6250', qty: '2', tif: 'GTC' as const, postOnly: false };

describe('block-delta order entry', () => {
  it('a valid form becomes the POST /v1/bdc/orders body', () => {
    expect(validateBdcOrder('BDC-830144-1772539200', base)).toEqual({ errors: {}, body: { series: 'BDC-830144-1772539200', side: 'FAST', price: 6250, qty: 2, tif: 'GTC', postOnly: false } });
  });
  it('prices outside 1..9,999 bps, fractional sizes and resting conflicts are explained per field', () => {
    expect(Object.keys(validateBdcOrder('S', { ...base, price: '10000', qty: '0' }).errors).sort()).toEqual(['price', 'qty']);
    expect(validateBdcOrder('S', { ...base, price: '0' }).errors.price).toMatch(/1 to 9,999/);
    expect(validateBdcOrder('S', { ...base, price: '62.5' }).errors.price).toBeDefined();
    expect(validateBdcOrder('S', { ...base, qty: '1000001' }).errors.qty).toMatch(/1,000,000/);
    expect(validateBdcOrder('S', { ...base, postOnly: true, tif: 'IOC' }).errors.postOnly).toMatch(/GTC/);
  });
  it('stake, fee and win (hand-computed)', () => {
    // FAST at 6,250 bps of a 100,000 sat payout stakes 62,500 sat a contract; 2 contracts = 125,000 sat.
    // Taker fee 0.2 % = 250 sat. Win: 200,000 − 125,000 − 250 = 74,750 sat.
    expect(previewBdc({ side: 'FAST', price: 6250, qty: 2, postOnly: false }, 100_000)).toEqual({
      stakeMsat: 125_000_000n, feeMsat: 250_000n, payoutMsat: 200_000_000n, winMsat: 74_750_000n, impliedPct: 62.5,
    });
    // SLOW at the same price stakes the other 3,750 bps = 37,500 sat; a post-only order pays no fee.
    expect(previewBdc({ side: 'SLOW', price: 6250, qty: 1, postOnly: true }, 100_000)).toEqual({
      stakeMsat: 37_500_000n, feeMsat: 0n, payoutMsat: 100_000_000n, winMsat: 62_500_000n, impliedPct: 37.5,
    });
  });
  it('fair odds beside the book', () => {
    expect(bpsPct(6250)).toBe('62.50 %');
    expect(bpsPct(null)).toBe('—');
    // Fair 5,000: the best ask 5,100 costs a FAST taker 100 bps over fair; the best bid 4,900 costs a SLOW taker 100.
    expect(edgeVsFair(5000, 4900, 5100)).toEqual({ fastTakerBps: 100, slowTakerBps: 100 });
    expect(edgeVsFair(5000, undefined, 4950)).toEqual({ fastTakerBps: -50 });
    expect(edgeVsFair(undefined, 4900, 5100)).toEqual({});
  });
});
