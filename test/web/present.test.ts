import { describe, expect, it } from 'vitest';
import { explain, isNotOffered } from '../../web/src/lib/api-errors.js';
import { columnsOf, fieldsOf, flatten, labelOf, present } from '../../web/src/lib/present.js';

describe('server records shown with units', () => {
  it('units follow the API naming convention', () => {
    expect(present('unrealizedPnlMsat', '-1500')).toBe('-0.00000002 BTC'); // holdings round down
    expect(present('valueMsat', '123456789000')).toBe('1.23456789 BTC');
    expect(present('payoutSat', 100_000)).toBe('100,000 sat');
    expect(present('fairBps', 6250)).toBe('62.50 %');
    expect(present('fundingRate8hPpm', 375)).toBe('0.0375 %');
    expect(present('expiryHeight', 830_000)).toBe('830,000');
    expect(present('deadline', 1_772_539_200)).toBe('2026-03-03 12:00 UTC');
    expect(present('createdAt', 1_772_539_200_000)).toBe('2026-03-03 12:00 UTC'); // ms
    expect(present('liquidationPrice', 151_578)).toBe('151,578 sat/PH/day');
    expect(present('funded', false)).toBe('no');
    expect(present('winner', null)).toBe('—');
    expect(present('leaves', [1, 2])).toBeUndefined();
  });
  it('labels, nested fields and columns', () => {
    expect(labelOf('unrealizedPnlMsat')).toBe('Unrealised PnL');
    expect(labelOf('openInterest')).toBe('Open interest');
    expect(labelOf('collateral.remainingMsat')).toBe('Collateral remaining');
    const k = { contractId: 3, collateral: { lockedMsat: '1000', remainingMsat: '500' }, history: [] };
    expect(flatten(k)).toEqual({ contractId: 3, 'collateral.lockedMsat': '1000', 'collateral.remainingMsat': '500', history: [] });
    expect(present('collateral.remainingMsat', '500000')).toBe('0.00000500 BTC');
    expect(columnsOf([flatten(k), { contractId: 4, extra: 'x' }])).toEqual(['contractId', 'collateral.lockedMsat', 'collateral.remainingMsat', 'extra']);
    expect(fieldsOf({ a: 1, b: { c: 1 } }).map((f) => f.key)).toEqual(['a']);
  });
  it('a missing route reads as "not offered", other errors keep the server’s words', () => {
    const noRoute = { status: 404, code: 'not_found', message: 'no route GET /v1/bdc/series' };
    expect(isNotOffered(noRoute)).toBe(true);
    expect(explain(noRoute, 'block-delta contracts')).toBe('This server does not offer block-delta contracts yet (its API has no such route). Other pages keep working.');
    expect(isNotOffered({ status: 404, message: 'no series BDC-1-2' })).toBe(false);
    expect(explain({ status: 409, message: 'position is not in a batch yet', field: 'params.positionId' }, 'x')).toBe('position is not in a batch yet (field params.positionId)');
    expect(explain({ status: 401, message: 'bad signature' }, 'x')).toBe("The server did not accept this key's signature: bad signature");
    expect(explain(new TypeError('Failed to fetch'), 'x')).toMatch(/Cannot reach the HashPerp server/);
  });
});
