import { describe, expect, it } from 'vitest';
import { liquidityOf, validateOrderForm, type OrderFormInput } from '../../web/src/lib/order-form.js';

const base: OrderFormInput = { side: 'buy', type: 'limit', price: '50000', qty: '10', tif: 'GTC', postOnly: false, reduceOnly: false, clientOrderId: '' };

describe('validateOrderForm', () => {
  it('a plain limit order becomes the PlaceOrder body', () => {
    expect(validateOrderForm('HPI-PERP', base)).toEqual({ errors: {}, draft: { market: 'HPI-PERP', side: 'buy', type: 'limit', price: 50_000, size: 10, timeInForce: 'GTC', postOnly: false, reduceOnly: false } });
  });
  it('market orders drop the price and must be IOC or FOK', () => {
    const m = validateOrderForm('HPI-PERP', { ...base, type: 'market', price: 'junk', tif: 'IOC' });
    expect(m.draft).toEqual({ market: 'HPI-PERP', side: 'buy', type: 'market', size: 10, timeInForce: 'IOC', postOnly: false, reduceOnly: false });
    expect(validateOrderForm('HPI-PERP', { ...base, type: 'market' }).errors.tif).toMatch(/IOC or FOK/);
  });
  it('post-only conflicts are explained', () => {
    expect(validateOrderForm('HPI-PERP', { ...base, postOnly: true, tif: 'IOC' }).errors.postOnly).toMatch(/GTC/);
    expect(validateOrderForm('HPI-PERP', { ...base, type: 'market', tif: 'FOK', postOnly: true }).errors.postOnly).toMatch(/market/);
    const ok = validateOrderForm('HPI-PERP', { ...base, postOnly: true, clientOrderId: 'my-1' });
    expect(ok.draft?.clientOrderId).toBe('my-1');
    expect(liquidityOf(ok.draft!)).toBe('maker');
  });
  it('bad numbers name the field', () => {
    expect(Object.keys(validateOrderForm('HPI-PERP', { ...base, qty: '1.5', price: '0' }).errors).sort()).toEqual(['price', 'qty']);
    expect(validateOrderForm('HPI-PERP', { ...base, qty: '1,000' }).draft?.size).toBe(1000);
    expect(validateOrderForm('HPI-PERP', { ...base, clientOrderId: 'has space' }).errors.clientOrderId).toBeDefined();
  });
});
