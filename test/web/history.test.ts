import { describe, expect, it } from 'vitest';
import { historyLine } from '../../web/src/lib/history.js';

describe('history lines', () => {
  it('a transfer names its reason and keeps its signed amount', () => {
    const l = historyLine({ id: 7, seq: 380, kind: 'transfer', event: 'LedgerTransfer', data: { from: 'user:ab', to: 'bdc:BDC-1-2:pot', amountMsat: '-1040000000', reason: 'bdc_stake' } });
    expect(l).toEqual({ id: 7, seq: 380, kind: 'transfer', what: 'Bdc stake', amountMsat: '-1040000000', detail: 'From user:ab · To bdc:BDC-1-2:pot' });
    expect(historyLine({ id: 1, seq: 2, kind: 'transfer', event: 'LedgerTransfer', data: { amountMsat: '1000000000', reason: 'deposit' } }).what).toBe('Deposit');
  });
  it('other events read as words with their facts in units', () => {
    const l = historyLine({ id: 9, seq: 380, kind: 'fill', event: 'BdcTrade', data: { series: 'BDC-823688-1704006283', price: 5200, qty: 2, takerFeeMsat: '2080000', account: 'ab' } });
    expect(l.what).toBe('Bdc trade');
    expect(l.amountMsat).toBeUndefined();
    expect(l.detail).toBe('Series BDC-823688-1704006283 · Price 5,200 · Quantity 2 · Taker fee 0.00002080 BTC');
  });
});
