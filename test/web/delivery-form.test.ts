import { describe, expect, it } from 'vitest';
import { validateDeliveryReport } from '../../web/src/lib/delivery-form.js';

const k = { contractId: 7, days: 30 };

describe('the forward delivery report form', () => {
  it('sends the day and what arrived in msat (hand-computed)', () => {
    // 0.00012345 BTC = 12,345 sat = 12,345,000 msat
    expect(validateDeliveryReport(k, { day: '3', receivedBtc: '0.00012345' })).toEqual({ errors: {}, body: { contractId: 7, day: 3, receivedMsat: '12345000' } });
    expect(validateDeliveryReport(k, { day: '29', receivedBtc: '0' }).body).toEqual({ contractId: 7, day: 29, receivedMsat: '0' });
    expect(validateDeliveryReport({ contractId: 1, days: undefined }, { day: '3649', receivedBtc: '1' }).body?.receivedMsat).toBe('100000000000');
  });
  it('refuses days outside the contract and bad amounts, naming the field', () => {
    expect(validateDeliveryReport(k, { day: '30', receivedBtc: '0' }).errors.day).toMatch(/0 .* to 29/);
    expect(validateDeliveryReport(k, { day: '-1', receivedBtc: '0' }).errors.day).toBeDefined();
    expect(validateDeliveryReport(k, { day: '1', receivedBtc: '0.000000001' }).errors.receivedBtc).toBeDefined();
    expect(validateDeliveryReport(k, { day: '1', receivedBtc: '-0.1' }).errors.receivedBtc).toMatch(/negative/);
    expect(validateDeliveryReport(k, { day: 'x', receivedBtc: 'y' }).body).toBeUndefined();
  });
});
