// Swap offers on the perp: hand-computed payments, cost and margin at the boundary, and every refusal.
// Setup (perpSetup): Alice long 10 lots at cost 1 100 000 msat (mark 110 000), balance 1 098 000; Bob short 10.
import { describe, expect, test } from 'vitest';
import { Exchange } from '../../src/engine/exchange.js';
import { SwapModule, perpNeeds, perpSlice, swapHistoryOf, swapOffer, swapOffers } from '../../src/engine/products/swap/index.js';
import { Harness, block, deposit, limit, ofType } from '../engine/helpers.js';
import { accept, cancel, lastOfferId, offer, offerPerp, perpPos, perpSetup, refused } from './swap-helpers.js';

describe('perp slice arithmetic (mirrors the core movePosition)', () => {
  const short = { market: 'HPI-PERP', owner: 'user:x', qty: -3, costMsat: -300_001n };
  test('a part moves cost × lots / |qty| truncated toward zero, as the core does', () => {
    // 1 of 3 short lots: −300 001 / 3 = −100 000.33 → −100 000 (floor would say −100 001).
    // Value at mark 100 000: −1 × 100 000 − (−100 000) = 0; margin ceil(100 000 × 100 000 / 10^6) = 10 000.
    expect(perpSlice(short, 1, 100_000, 100_000)).toEqual({ qty: -1, costMsat: -100_000n, valueMsat: 0n, marginMsat: 10_000n });
  });
  test('the whole position moves its whole cost; margin rounds up', () => {
    // −3 × 100 001 + 300 001 = −2; margin ceil(300 003 × 0.1) = ceil(30 000.3) = 30 001.
    expect(perpSlice(short, 3, 100_001, 100_000)).toEqual({ qty: -3, costMsat: -300_001n, valueMsat: -2n, marginMsat: 30_001n });
  });
  test('needs: the taker posts price⁺ + margin + loss; the maker only when it pays (plus any gain it gives away)', () => {
    const loss = { qty: 1, costMsat: 0n, valueMsat: -7n, marginMsat: 10n };
    expect(perpNeeds(loss, 100n)).toEqual({ takerMsat: 117n, makerMsat: 0n });
    expect(perpNeeds(loss, -100n)).toEqual({ takerMsat: 17n, makerMsat: 100n });
    const gain = { ...loss, valueMsat: 7n };
    expect(perpNeeds(gain, -100n)).toEqual({ takerMsat: 10n, makerMsat: 107n });
  });
});

describe('accepting a perp offer', () => {
  test('moves the lots with their cost, pays the price, and needs exactly price + 10 % margin', () => {
    const h = perpSetup();
    h.run(offerPerp('alice', 4, '5000'));
    const id = lastOfferId(h);
    // Slice: 4 lots, cost 1 100 000 × 4 / 10 = 440 000, value at mark 4 × 110 000 − 440 000 = 0,
    // margin ceil(440 000 × 10 %) = 44 000. Carol needs 5 000 + 44 000 = 49 000 msat free.
    h.run(deposit('carol', 48));
    const r = refused(h, accept('carol', id), 'insufficient_margin', 'account');
    expect(r.message).toContain('49000');
    h.run(deposit('carol', 1));
    const evs = h.run(accept('carol', id));
    const acc = ofType(evs, 'SwapOfferAccepted');
    expect(acc).toEqual([{
      type: 'SwapOfferAccepted', offerId: id, maker: 'alice', taker: 'carol', product: 'perp', positionId: 'HPI-PERP',
      qty: 4, side: 'long', priceMsat: 5000n, costMsat: 440_000n, valueMsat: 0n, mark: 110_000, height: 2,
    }]);
    expect(ofType(evs, 'LedgerTransfer')).toEqual([{ type: 'LedgerTransfer', from: 'user:carol', to: 'user:alice', amountMsat: 5000n, reason: 'swap_payment' }]);
    expect(perpPos(h.ex, 'alice')).toEqual({ qty: 6, cost: 660_000n });
    expect(perpPos(h.ex, 'carol')).toEqual({ qty: 4, cost: 440_000n });
    expect(h.bal('alice')).toBe(1_098_000n + 5000n);
    expect(h.bal('carol')).toBe(49_000n - 5000n);
    // The bound is exact for a taker without orders: the core now sees Carol with no free collateral at all.
    expect(h.ex.available('user:carol')).toBe(0n);
    expect(h.ex.equity('user:carol')).toBe(h.ex.initialMargin('user:carol'));
    expect(h.ex.ledger.total()).toBe(0n);
    // The moved lots settle for their new holder: +10 000 per lot at the next block.
    h.run(block(3, 120_000));
    expect(h.bal('carol')).toBe(44_000n + 40_000n);
    expect(h.bal('alice')).toBe(1_103_000n + 60_000n);
    expect(h.bal('bob')).toBe(900_000n - 100_000n);
  });

  test('a taker that cannot pay the price is refused with the state unchanged', () => {
    const h = perpSetup();
    h.run(offerPerp('alice', 4, '100000'), deposit('carol', 50));
    refused(h, accept('carol', lastOfferId(h)), 'insufficient_balance', 'account');
    refused(h, accept('nobody', lastOfferId(h)), 'insufficient_balance', 'account');
    expect(swapOffer(h.ex, lastOfferId(h))?.status).toBe('open');
  });

  test("a loss at mark inside the block moves to the taker and counts against its margin", () => {
    const h = perpSetup();
    // (This test used to let Dave's lone 1-lot ask pull the mark to 105 000 between blocks: a 1-lot quote setting
    // the mark was the market-integrity exploit, and the mark now moves only at blocks, from impact prices. The
    // unsettled loss now comes from a real trade above mark inside the block.)
    // Alice buys 10 more lots from Dave at 114 000 (mark 110 000): 20 lots at cost 1 100 000 + 1 140 000 = 2 240 000.
    h.run(deposit('dave', 1000), limit('dave', 'sell', 114_000, 10), limit('alice', 'buy', 114_000, 10), offerPerp('alice', 4, '0'));
    const id = lastOfferId(h);
    // Slice cost 2 240 000 × 4/20 = 448 000, value 4 × 110 000 − 448 000 = −8 000, margin ceil(440 000 × 10 %) = 44 000:
    // needs 0 + 44 000 + 8 000 = 52 000.
    h.run(deposit('carol', 51));
    refused(h, accept('carol', id), 'insufficient_margin');
    h.run(deposit('carol', 1));
    const [acc] = ofType(h.run(accept('carol', id)), 'SwapOfferAccepted');
    expect(acc.valueMsat).toBe(-8_000n);
    expect(acc.mark).toBe(110_000);
    expect(h.ex.equity('user:carol')).toBe(52_000n - 8_000n);
    expect(h.ex.initialMargin('user:carol')).toBe(44_000n);
    expect(h.ex.available('user:carol')).toBe(0n);
  });

  test('a gain at mark is not counted toward the taker margin; a price can pay it to the maker', () => {
    const h = perpSetup();
    // (Was: Dave's lone 1-lot bid lifted the mark to 115 000 between blocks, the exploit; see the test above.)
    // Alice buys 10 more lots from Dave at 106 000 (mark 110 000): 20 lots at cost 1 100 000 + 1 060 000 = 2 160 000.
    h.run(deposit('dave', 1000), limit('dave', 'sell', 106_000, 10), limit('alice', 'buy', 106_000, 10), offerPerp('alice', 4, '8000'));
    const id = lastOfferId(h);
    const aliceEquity = h.ex.equity('user:alice');
    // Slice cost 432 000, value 4 × 110 000 − 432 000 = +8 000; margin ceil(440 000 × 10 %) = 44 000; needs 8 000 + 44 000.
    h.run(deposit('carol', 51));
    refused(h, accept('carol', id), 'insufficient_margin');
    h.run(deposit('carol', 1));
    h.run(accept('carol', id));
    // Alice sold +8 000 of unsettled value for 8 000 msat: her equity does not move.
    expect(h.ex.equity('user:alice')).toBe(aliceEquity);
    expect(h.ex.equity('user:carol')).toBe(52_000n - 8_000n + 8_000n);
  });

  test('a negative price: the maker pays the taker, and must have it free', () => {
    const h = perpSetup();
    // Alice free: min(1 098 000, 1 098 000 − IM ceil(1 100 000 × 10 %) = 110 000) = 988 000.
    expect(h.ex.available('user:alice')).toBe(988_000n);
    h.run(offerPerp('alice', 2, '-988001'));
    const tooMuch = lastOfferId(h);
    h.run(deposit('eve', 1000));
    refused(h, accept('eve', tooMuch), 'insufficient_balance', 'offerId');
    h.run(offerPerp('alice', 2, '-3000'));
    const id = lastOfferId(h);
    h.run(accept('eve', id));
    expect(h.bal('alice')).toBe(1_098_000n - 3000n);
    expect(h.bal('eve')).toBe(1_000_000n + 3000n);
    expect(perpPos(h.ex, 'eve')).toEqual({ qty: 2, cost: 220_000n });
    // The short side moves the same way: Bob gives 3 short lots (cost −1 100 000 × 3 / 10 = −330 000) to Eve,
    // who nets 2 long − 3 short = 1 short with cost 220 000 − 330 000 = −110 000.
    h.run(offerPerp('bob', 3, '0'));
    h.run(accept('eve', lastOfferId(h)));
    expect(perpPos(h.ex, 'bob')).toEqual({ qty: -7, cost: -770_000n });
    expect(perpPos(h.ex, 'eve')).toEqual({ qty: -1, cost: -110_000n });
    expect(h.ex.ledger.total()).toBe(0n);
  });

  test('a maker who no longer holds the offered lots: refused, then the offer lapses at the next block', () => {
    const h = perpSetup();
    h.run(deposit('carol', 1000), offerPerp('alice', 6, '0'));
    const id = lastOfferId(h);
    // Alice sells 5 lots to Bob (who covers): 5 long left < 6 offered.
    h.run(limit('bob', 'buy', 110_000, 5), limit('alice', 'sell', 110_000, 5));
    expect(perpPos(h.ex, 'alice')?.qty).toBe(5);
    const r = refused(h, accept('carol', id), 'not_owner', 'offerId');
    expect(r.message).toContain('no longer holds');
    const evs = h.run(block(3, 110_000));
    expect(ofType(evs, 'SwapOfferExpired')).toEqual([{
      type: 'SwapOfferExpired', offerId: id, maker: 'alice', product: 'perp', positionId: 'HPI-PERP', reason: 'position_gone', height: 3,
    }]);
    refused(h, accept('carol', id), 'unknown_offer', 'offerId');
  });

  test('a maker whose position flipped side no longer holds the offer', () => {
    const h = perpSetup();
    h.run(deposit('carol', 1000), deposit('bob', 10_000), offerPerp('alice', 2, '0'));
    const id = lastOfferId(h);
    h.run(limit('bob', 'buy', 110_000, 12), limit('alice', 'sell', 110_000, 12));
    expect(perpPos(h.ex, 'alice')?.qty).toBe(-2);
    refused(h, accept('carol', id), 'not_owner');
  });

  test('self-accept and double accept are refused', () => {
    const h = perpSetup();
    h.run(deposit('carol', 1000), deposit('dave', 1000), offerPerp('alice', 1, '100'));
    const id = lastOfferId(h);
    refused(h, accept('alice', id), 'not_allowed', 'account');
    h.run(accept('carol', id));
    expect(perpPos(h.ex, 'carol')?.qty).toBe(1);
    refused(h, accept('dave', id), 'unknown_offer', 'offerId');
    refused(h, accept('carol', id), 'unknown_offer', 'offerId');
    expect(perpPos(h.ex, 'alice')?.qty).toBe(9);
  });

  test('cancel: maker only, once; a cancelled offer cannot be taken', () => {
    const h = perpSetup();
    h.run(deposit('carol', 1000), offerPerp('alice', 1, '100'));
    const id = lastOfferId(h);
    refused(h, cancel('bob', id), 'not_owner', 'offerId');
    refused(h, cancel('alice', 999), 'unknown_offer', 'offerId');
    expect(h.run(cancel('alice', id))).toEqual([{ type: 'SwapOfferCancelled', offerId: id, maker: 'alice', product: 'perp', positionId: 'HPI-PERP', height: 2 }]);
    refused(h, cancel('alice', id), 'unknown_offer');
    refused(h, accept('carol', id), 'unknown_offer');
  });

  test('expiry: live below expiresAtHeight, lapses at the block of that height', () => {
    const h = perpSetup();
    refused(h, offerPerp('alice', 1, '0', { expiresAtHeight: 2 }), 'expiry_too_soon', 'expiresAtHeight');
    h.run(deposit('carol', 1000), offerPerp('alice', 1, '0', { expiresAtHeight: 4 }));
    const id = lastOfferId(h);
    h.run(offerPerp('alice', 1, '0', { expiresAtHeight: 3 }));
    const short = lastOfferId(h);
    expect(ofType(h.run(block(3, 110_000)), 'SwapOfferExpired').map((e) => [e.offerId, e.reason])).toEqual([[short, 'height']]);
    expect(ofType(h.run(block(4, 110_000)), 'SwapOfferExpired').map((e) => [e.offerId, e.reason])).toEqual([[id, 'height']]);
    refused(h, accept('carol', id), 'unknown_offer');
    expect(swapOffer(h.ex, id)).toMatchObject({ status: 'expired', expiredReason: 'height', closedAtHeight: 4 });
  });

  test('an offer taken at the last live height goes through', () => {
    const h = perpSetup();
    h.run(deposit('carol', 1000), offerPerp('alice', 1, '0', { expiresAtHeight: 3 }));
    expect(ofType(h.run(accept('carol', lastOfferId(h))), 'SwapOfferAccepted')).toHaveLength(1);
    expect(ofType(h.run(block(3, 110_000)), 'SwapOfferExpired')).toEqual([]);
  });
});

describe('refused offers', () => {
  test.each([
    ['bad account', offerPerp('a b', 1, '0'), 'invalid_argument', 'account'],
    ['no position', offerPerp('carol', 1, '0'), 'unknown_position', 'positionId'],
    ['unknown market', offer('alice', 'perp', 'NOPE', '0', { qty: 1 }), 'unknown_market', 'positionId'],
    ['qty above the position', offerPerp('alice', 11, '0'), 'invalid_argument', 'qty'],
    ['qty zero', offerPerp('alice', 0, '0'), 'invalid_argument', 'qty'],
    ['qty fractional', offerPerp('alice', 1.5, '0'), 'invalid_argument', 'qty'],
    ['price with decimals', offerPerp('alice', 1, '1.5'), 'invalid_argument', 'priceMsat'],
    ['price with a leading zero', offerPerp('alice', 1, '01'), 'invalid_argument', 'priceMsat'],
    ['price minus zero', offerPerp('alice', 1, '-0'), 'invalid_argument', 'priceMsat'],
    ['price above 21 M BTC', offerPerp('alice', 1, '2100000000000000001'), 'invalid_argument', 'priceMsat'],
    ['price as a number', { ...offerPerp('alice', 1, '0'), priceMsat: 5 }, 'invalid_argument', 'priceMsat'],
    ['unknown product', offer('alice', 'nope', 'x', '0'), 'invalid_argument', 'product'],
    ['swap offers are not positions', offer('alice', 'swap', '1', '0'), 'invalid_argument', 'product'],
    ['expiry not an integer', offerPerp('alice', 1, '0', { expiresAtHeight: 3.5 }), 'invalid_argument', 'expiresAtHeight'],
    ['expiry in the past', offerPerp('alice', 1, '0', { expiresAtHeight: 1 }), 'expiry_too_soon', 'expiresAtHeight'],
    ['positionId empty', offer('alice', 'perp', '', '0', { qty: 1 }), 'invalid_argument', 'positionId'],
  ] as const)('%s', (_name, cmd, reason, field) => {
    refused(perpSetup(), cmd as never, reason, field);
  });

  test('accept / cancel with a bad offer id or account', () => {
    const h = perpSetup();
    refused(h, { type: 'AcceptOffer', account: 'carol', offerId: '7' } as never, 'invalid_argument', 'offerId');
    refused(h, accept('carol', 12345), 'unknown_offer', 'offerId');
    refused(h, accept('', 1), 'invalid_argument', 'account');
    refused(h, { type: 'CancelOffer', account: 'alice' } as never, 'invalid_argument', 'offerId');
  });

  test('at most 100 live offers per account (cancelled ones free a slot)', () => {
    const h = perpSetup();
    for (let i = 0; i < 100; i++) h.run(offerPerp('alice', 1, String(i)));
    expect(swapOffers(h.ex, { status: 'open', maker: 'alice' })).toHaveLength(100);
    refused(h, offerPerp('alice', 1, '0'), 'exposure_limit', 'account');
    h.run(cancel('alice', lastOfferId(h)));
    expect(ofType(h.run(offerPerp('alice', 1, '0')), 'SwapOfferCreated')).toHaveLength(1);
  });
});

describe('offer records, views and snapshots', () => {
  test('SwapOfferCreated carries the slice at mark; views and history list both sides', () => {
    const h = perpSetup();
    const [created] = ofType(h.run(offerPerp('alice', 4, '5000', { expiresAtHeight: 100 })), 'SwapOfferCreated');
    expect(created).toEqual({
      type: 'SwapOfferCreated', offerId: created.offerId, maker: 'alice', product: 'perp', positionId: 'HPI-PERP', qty: 4, side: 'long',
      priceMsat: 5000n, expiresAtHeight: 100, height: 2,
      position: { product: 'perp', market: 'HPI-PERP', side: 'long', qty: 4, costMsat: '440000', mark: 110_000, valueMsat: '0', marginMsat: '44000' },
    });
    expect(swapOffers(h.ex, { status: 'open' })[0].position).toEqual(created.position);
    h.run(deposit('carol', 100), accept('carol', created.offerId), offerPerp('carol', 1, '1'));
    expect(swapHistoryOf(h.ex, 'carol').map((o) => [o.id, o.maker, o.taker, o.status])).toEqual([
      [lastOfferId(h), 'carol', null, 'open'], [created.offerId, 'alice', 'carol', 'accepted'],
    ]);
    expect(swapHistoryOf(h.ex, 'bob')).toEqual([]);
    expect(swapOffers(h.ex, { product: 'options' })).toEqual([]);
  });

  test('restore(snapshot()) reproduces the state hash and the behaviour that follows', () => {
    const h = perpSetup();
    h.run(deposit('carol', 1000), deposit('dave', 1000),
      offerPerp('alice', 2, '700', { expiresAtHeight: 4 }), offerPerp('alice', 3, '-50'), offerPerp('bob', 1, '10'), offerPerp('bob', 2, '0'));
    const [a1, a2, b1, b2] = ofType(h.events, 'SwapOfferCreated').map((e) => e.offerId);
    h.run(accept('carol', a2), cancel('bob', b2));
    const copy = new Harness(Exchange.restore(h.ex.snapshot()));
    copy.seq = h.seq;
    expect(copy.ex.stateHash()).toBe(h.ex.stateHash());
    const more = [accept('dave', b1), block(3, 111_000), accept('carol', a1), offerPerp('carol', 1, '5'), block(4, 112_000)];
    const e1 = h.run(...more), e2 = copy.run(...more);
    expect(e2).toEqual(e1);
    expect(copy.ex.stateHash()).toBe(h.ex.stateHash());
    expect(ofType(e1, 'SwapOfferAccepted')).toHaveLength(2);
    expect(ofType(e1, 'SwapOfferExpired')).toEqual([]);
    // The swap module's own snapshot round-trips.
    const m = h.ex.product<SwapModule>('swap') as SwapModule;
    const fresh = new SwapModule();
    fresh.restore(JSON.parse(JSON.stringify(m.snapshot())));
    expect(fresh.snapshot()).toEqual(m.snapshot());
  });
});
