// Hand-computed cases for HPI-PERP: margin, fees, PnL, funding, mark. Units: price in sat/PH/day ticks,
// size in lots (1 TH/s·day); notional msat = lots × price (= lots × price / 1000 sat); PnL = lots × Δprice msat.
import { describe, expect, it } from 'vitest';
import { Exchange } from '../../src/engine/exchange.js';
import { averagePremium, emaStep, fairPrice, fundingRate8hPpm, impactPremiumPpm, markPrice, premiumPpm } from '../../src/engine/products/perp/pricing.js';
import { HPI_PERP } from '../../src/engine/products/perp/spec.js';
import { Harness, MKT, block, deposit, limit, market, ofType } from './helpers.js';

describe('pricing rules', () => {
  it('funding rate: F = P + clamp(−P, ±0.05 %), capped at ±3.75 %', () => {
    expect(fundingRate8hPpm(300, HPI_PERP)).toBe(0);          // 300 + clamp(−300) = 300 − 300
    expect(fundingRate8hPpm(500, HPI_PERP)).toBe(0);          // edge of the dead band
    expect(fundingRate8hPpm(800, HPI_PERP)).toBe(300);        // 800 − 500
    expect(fundingRate8hPpm(-800, HPI_PERP)).toBe(-300);      // −800 + 500
    expect(fundingRate8hPpm(50_000, HPI_PERP)).toBe(37_500);  // 49 500 capped at 3.75 %
    expect(fundingRate8hPpm(-50_000, HPI_PERP)).toBe(-37_500);
  });

  it('mark = median(impact bid, impact ask, fair) in the mark band; a side short of the impact notional counts as fair', () => {
    // Before the market-integrity change the inputs were the best bid and ask and a missing side counted as ∓∞,
    // so a lone bid above fair set the mark (markPrice(50 000, 0, 52 000, undefined) was 52 000): that was the
    // exploit. Now a missing impact side is replaced by fair, and the mark never leaves index × (1 ± band).
    const band = HPI_PERP.markBandPpm; // 2 %
    expect(markPrice(50_000, 0, undefined, undefined, band)).toBe(50_000);
    expect(markPrice(50_000, 10_000, undefined, undefined, band)).toBe(50_500); // fair = 50 000 × 1.01 (the EMA now counts)
    expect(markPrice(50_000, 0, 49_000, 51_000, band)).toBe(50_000);  // fair between the impact prices
    expect(markPrice(50_000, 0, 50_500, 51_000, band)).toBe(50_500);  // fair below the impact bid
    expect(markPrice(50_000, 0, 48_000, 49_000, band)).toBe(49_000);  // fair above the impact ask
    expect(markPrice(50_000, 0, 40_000, undefined, band)).toBe(50_000); // one-sided: fair
    expect(markPrice(50_000, 0, 52_000, undefined, band)).toBe(50_000); // one-sided: fair (was 52 000)
    expect(markPrice(50_000, 0, undefined, 49_000, band)).toBe(50_000); // one-sided: fair (was 49 000)
    expect(markPrice(50_000, 20_000, 49_000, 52_000, band)).toBe(51_000); // fair = 50 000 × 1.02
    expect(markPrice(50_000, 0, 100_000, 100_010, band)).toBe(51_000); // clamped to the band
    expect(markPrice(50_000, 0, 10_000, 10_010, band)).toBe(49_000);
  });

  it('basis, EMA, fair price and premium in integer ppm', () => {
    // Impact premium (BitMEX): (max(0, 50 990 − 50 000) − max(0, 50 000 − 51 010)) / 50 000 = 19 800 ppm.
    // (The old basis was the top-of-book mid's, (50 990 + 51 010)/2 over the index = 20 000, and undefined
    // on a one-sided book, which froze the EMA: that was the exploit; a missing side now contributes 0.)
    expect(impactPremiumPpm(50_000, 50_990, 51_010, 38_000)).toBe(19_800);
    expect(impactPremiumPpm(50_000, 50_990, undefined, 38_000)).toBe(19_800);
    expect(impactPremiumPpm(50_000, undefined, undefined, 38_000)).toBe(0);
    expect(impactPremiumPpm(50_000, 49_000, 49_500, 38_000)).toBe(-10_000);
    expect(impactPremiumPpm(50_000, 100_000, undefined, 38_000)).toBe(38_000); // clamped to the premium band
    // α = 2/49: 0 + floor(20 000 · 2 / 49) = floor(816.33) = 816
    expect(emaStep(0, 20_000, 48)).toBe(816);
    expect(emaStep(816, 20_000, 48)).toBe(816 + Math.floor((19_184 * 2) / 49)); // 816 + 783
    expect(fairPrice(50_000, 816)).toBe(50_040); // floor(50 000 × 1.000816) = floor(50 040.8)
    expect(premiumPpm(50_990, 50_000)).toBe(19_800); // 990 / 50 000
    expect(premiumPpm(49_999, 50_000)).toBe(-20);
    expect(averagePremium([10, 20, 31])).toBe(20); // floor(61/3)
    expect(averagePremium([])).toBe(0);
  });
});

describe('margin and fees', () => {
  function fresh(): Harness {
    const h = new Harness();
    h.run(block(1, 50_000), deposit('alice', 1000), deposit('bob', 1000));
    return h;
  }

  it('initial margin 10 % (+ taker-fee reserve) bounds a resting order: 196 lots ok, 197 refused', () => {
    // Equity 1 000 sat = 1 000 000 msat, mark = index = 50 000 (empty book).
    // N lots at 50 000: IM = N × 50 000 × 10 % = 5 000·N msat; fee reserve 0.2 % = 100·N msat.
    // 1 000 000 − 100·N ≥ 5 000·N  ⇔  N ≤ 196.08.
    const h = fresh();
    const r197 = h.run(limit('alice', 'buy', 50_000, 197));
    expect(r197).toMatchObject([{ type: 'OrderRejected', reason: 'insufficient_margin', field: 'qty' }]);
    expect(ofType(h.run(limit('alice', 'buy', 50_000, 196)), 'OrderResting')).toHaveLength(1);
  });

  it('post-only needs no fee reserve: 200 lots ok, 201 refused (10× max leverage)', () => {
    // 1 000 000 ≥ 5 000·N ⇔ N ≤ 200
    const h = fresh();
    expect(h.run(limit('alice', 'buy', 50_000, 201, { postOnly: true }))[0]).toMatchObject({ reason: 'insufficient_margin' });
    expect(h.run(limit('alice', 'buy', 50_000, 200, { postOnly: true }))[1]).toMatchObject({ type: 'OrderResting', qty: 200 });
  });

  it('taker pays 0.2 %, maker 0 %; PnL = lots × Δprice msat at the next block', () => {
    const h = fresh();
    h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }));
    const ev = h.run(market('alice', 'buy', 10));
    // notional = 10 lots × 50 000 = 500 000 msat (500 sat); taker fee = 500 000 × 0.2 % = 1 000 msat
    expect(ofType(ev, 'Trade')).toMatchObject([{ price: 50_000, qty: 10, takerFeeMsat: 1000n, makerFeeMsat: 0n, taker: 'alice', maker: 'bob' }]);
    expect(h.bal('alice')).toBe(999_000n);
    expect(h.bal('bob')).toBe(1_000_000n);
    expect(h.bal('fees')).toBe(1000n);
    // Block 2: index 51 000, empty book → mark 51 000, premium 0 → no funding.
    // alice +10 × 1 000 = +10 000 msat, bob −10 000 msat.
    h.run(block(2, 51_000));
    expect(h.bal('alice')).toBe(1_009_000n);
    expect(h.bal('bob')).toBe(990_000n);
    expect(h.bal('settle:HPI-PERP')).toBe(0n);
    expect(h.ex.ledger.total()).toBe(0n);
  });

  it('market orders carry a 5 % protection band around mark', () => {
    const h = fresh();
    h.run(deposit('carol', 1000));
    h.run(limit('bob', 'sell', 50_000, 1, { postOnly: true }), limit('carol', 'sell', 54_000, 1, { postOnly: true }));
    // mark = min(ask 50 000, fair 50 000) = 50 000 → buy band edge floor(50 000 × 1.05) = 52 500 < 54 000
    const ev = h.run(market('alice', 'buy', 2));
    expect(ev[0]).toMatchObject({ type: 'OrderAccepted', price: 52_500 });
    expect(ofType(ev, 'Trade')).toHaveLength(1);
    expect(ofType(ev, 'OrderCancelled')).toMatchObject([{ remainingQty: 1, reason: 'ioc_remainder' }]);
  });

  it('withdrawal refused when it would break initial margin', () => {
    const h = fresh();
    h.run(limit('bob', 'sell', 50_000, 100, { postOnly: true }), market('alice', 'buy', 100));
    // alice: balance 1 000 000 − fee (100 × 50 000 × 0.2 % = 10 000) = 990 000; IM = 5 000 000 × 10 % = 500 000
    expect(h.bal('alice')).toBe(990_000n);
    // 491 sat would leave 499 000 < 500 000
    const before = h.ex.stateHash();
    expect(h.run({ type: 'Withdraw', account: 'alice', amountSat: 491 })[0]).toMatchObject({ reason: 'insufficient_margin', field: 'amountSat' });
    expect(h.ex.stateHash()).toBe(before);
    expect(h.run({ type: 'Withdraw', account: 'alice', amountSat: 490 })[0]).toMatchObject({ type: 'Withdrawal', amountSat: 490 });
    expect(h.bal('alice')).toBe(500_000n);
  });
});

describe('funding', () => {
  it('pays 1/48 of the 8-hour rate per block, longs to shorts, dust to fees', () => {
    const h = new Harness();
    h.run(block(1, 50_000), deposit('alice', 1000), deposit('bob', 1000), deposit('carol', 1000), deposit('dave', 1000));
    h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }), limit('alice', 'buy', 50_000, 10, { tif: 'IOC' }));
    expect(h.bal('alice')).toBe(999_000n); // taker fee 1 000 msat
    // 100-lot quotes (≥ the 5 000 sat impact notional: 99 lots × 50 990 msat fill it). They were 1-lot quotes
    // when the top of book set the mark; 1 lot now counts for nothing (the exploit), so the quotes are sized up.
    h.run(limit('carol', 'buy', 50_990, 100, { postOnly: true }), limit('dave', 'sell', 51_010, 100, { postOnly: true }));
    const ev = h.run(block(2, 50_000));
    // impact bid 50 990, impact ask 51 010 → impact premium 990/50 000 = 19 800 ppm (the old mid basis was
    // 20 000, EMA 816); EMA = floor(19 800·2/49) = 808; fair = floor(50 040.4) = 50 040
    // mark = median(50 990, 51 010, 50 040) = 50 990 (inside index ± 2 %)
    // premium = (50 990 − 50 000)/50 000 = 19 800 ppm; window [0, 19 800] → average 9 900
    // F = 9 900 − 500 = 9 400 ppm per 8 h; per block 1/48.
    expect(ofType(ev, 'MarkPrice')[0]).toMatchObject({ mark: 50_990, fair: 50_040, basisEmaPpm: 808 });
    expect(ofType(ev, 'FundingPaid')[0]).toMatchObject({ premiumPpm: 19_800, avgPremiumPpm: 9_900, rate8hPpm: 9_400 });
    // alice long 10: value 10 × 50 990 = 509 900; PnL = 509 900 − 500 000 = 9 900
    //   funding = ceil(509 900 × 9 400 / 48 000 000) = ceil(99.855…) = 100 → receives 9 900 − 100 = 9 800
    // bob short 10: PnL −9 900; funding = ceil(−99.855…) = −99 → pays 9 900 − 99 = 9 801
    // pool: +9 801 − 9 800 = 1 msat of rounding dust → fees
    expect(h.bal('alice')).toBe(999_000n + 9_800n);
    expect(h.bal('bob')).toBe(1_000_000n - 9_801n);
    expect(h.bal('fees')).toBe(1_000n + 1n);
    expect(h.bal('settle:HPI-PERP')).toBe(0n);
    // Block 3, same book: premium 19 800 again, EMA 808 + floor(18 992·2/49) = 808 + 775 = 1 583; fair 50 079;
    // mark still 50 990 (bid); window [0, 19 800, 19 800] → average 13 200 → F = 12 700.
    // alice: PnL 0 (settled at 50 990), funding ceil(509 900 × 12 700 / 48e6) = ceil(134.91) = 135 paid;
    // bob receives floor(134.91) = 134; dust 1.
    const ev3 = h.run(block(3, 50_000));
    expect(ofType(ev3, 'FundingPaid')[0]).toMatchObject({ avgPremiumPpm: 13_200, rate8hPpm: 12_700 });
    expect(h.bal('alice')).toBe(999_000n + 9_800n - 135n);
    expect(h.bal('bob')).toBe(1_000_000n - 9_801n + 134n);
    expect(h.ex.ledger.total()).toBe(0n);
  });

  it('negative premium: shorts pay longs', () => {
    const h = new Harness();
    h.run(block(1, 50_000), deposit('alice', 1000), deposit('bob', 1000), deposit('carol', 1000), deposit('dave', 1000));
    h.run(limit('bob', 'sell', 50_000, 10, { postOnly: true }), limit('alice', 'buy', 50_000, 10, { tif: 'IOC' }));
    h.run(limit('carol', 'buy', 48_990, 110, { postOnly: true }), limit('dave', 'sell', 49_010, 110, { postOnly: true })); // impact-sized: 103 lots × 49 010 ≥ 5 000 sat
    const ev = h.run(block(2, 50_000));
    // impact premium −990/50 000 = −19 800 ppm; EMA = floor(−39 600/49) = floor(−808.2) = −809; fair = floor(50 000 × 0.999191) = 49 959
    // mark = median(48 990, 49 010, 49 959) = 49 010; premium = −990/50 000 = −19 800; avg −9 900; F = −9 400
    expect(ofType(ev, 'FundingPaid')[0]).toMatchObject({ premiumPpm: -19_800, rate8hPpm: -9_400, mark: 49_010 });
    // alice: value 490 100, PnL −9 900; funding ceil(490 100 × −9 400 / 48e6) = ceil(−95.98) = −95 → she receives 95
    // bob: PnL +9 900, funding ceil(+95.98) = 96 paid
    expect(h.bal('alice')).toBe(999_000n - 9_900n + 95n);
    expect(h.bal('bob')).toBe(1_000_000n + 9_900n - 96n);
    expect(h.bal('fees')).toBe(1_001n);
  });
});

describe('orders', () => {
  function two(): Harness {
    const h = new Harness();
    h.run(block(1, 50_000), deposit('alice', 10_000), deposit('bob', 10_000));
    return h;
  }

  it('self-trade prevention expires the resting order and matching continues', () => {
    const h = two();
    h.run(limit('alice', 'sell', 50_000, 2), limit('bob', 'sell', 50_100, 3));
    const ev = h.run(limit('alice', 'buy', 50_100, 4));
    expect(ofType(ev, 'OrderExpired')).toMatchObject([{ orderId: 4, account: 'alice', remainingQty: 2, reason: 'self_trade' }]);
    expect(ofType(ev, 'Trade')).toMatchObject([{ maker: 'bob', qty: 3, price: 50_100 }]);
    expect(ofType(ev, 'OrderResting')).toMatchObject([{ qty: 1, price: 50_100 }]);
  });

  it('client order id refused while live, reusable after cancel; cancel by client id', () => {
    const h = two();
    h.run(limit('alice', 'buy', 49_000, 1, { clientOrderId: 'x1' }));
    expect(h.run(limit('alice', 'buy', 49_000, 1, { clientOrderId: 'x1' }))[0]).toMatchObject({ reason: 'duplicate_client_order_id' });
    expect(h.run(limit('bob', 'buy', 49_000, 1, { clientOrderId: 'x1' }))[0]).toMatchObject({ type: 'OrderAccepted' }); // per account
    expect(h.run({ type: 'CancelOrder', account: 'alice', market: MKT, clientOrderId: 'x1' })[0]).toMatchObject({ type: 'OrderCancelled', reason: 'user' });
    expect(h.run(limit('alice', 'buy', 49_000, 1, { clientOrderId: 'x1' }))[0]).toMatchObject({ type: 'OrderAccepted' });
  });

  it('FOK refused unless fully fillable; IOC cancels the rest; post-only refused when crossing', () => {
    const h = two();
    h.run(limit('bob', 'sell', 50_000, 3));
    expect(h.run(limit('alice', 'buy', 50_000, 4, { tif: 'FOK' }))[0]).toMatchObject({ reason: 'fok_not_fillable' });
    expect(h.run(limit('alice', 'buy', 50_000, 1, { postOnly: true }))[0]).toMatchObject({ reason: 'post_only_would_cross' });
    const ev = h.run(limit('alice', 'buy', 50_000, 5, { tif: 'IOC' }));
    expect(ofType(ev, 'Trade')[0]).toMatchObject({ qty: 3 });
    expect(ofType(ev, 'OrderCancelled')[0]).toMatchObject({ remainingQty: 2, reason: 'ioc_remainder' });
  });

  it('reduce-only: refused when flat, clipped to the position, trimmed when the position shrinks', () => {
    const h = two();
    expect(h.run(limit('alice', 'sell', 51_000, 1, { reduceOnly: true }))[0]).toMatchObject({ reason: 'reduce_only_would_increase' });
    h.run(limit('bob', 'sell', 50_000, 5), limit('alice', 'buy', 50_000, 5)); // alice long 5
    expect(h.run(limit('alice', 'buy', 49_000, 1, { reduceOnly: true }))[0]).toMatchObject({ reason: 'reduce_only_would_increase' });
    const ev = h.run(limit('alice', 'sell', 52_000, 8, { reduceOnly: true }));
    expect(ev[0]).toMatchObject({ type: 'OrderAccepted', qty: 5 });
    const roId = (ev[0] as { orderId: number }).orderId;
    // alice sells 3 elsewhere (plain order): long 2 → the reduce-only order is trimmed to 2
    h.run(limit('bob', 'buy', 50_000, 3), );
    const ev2 = h.run(limit('alice', 'sell', 50_000, 3));
    expect(ofType(ev2, 'OrderAmended')).toMatchObject([{ orderId: roId, qty: 2 }]);
  });

  it('cancel-all removes every resting order of the account, oldest first, and frees its margin', () => {
    const h = two();
    h.run(limit('alice', 'buy', 49_000, 2), limit('alice', 'sell', 51_000, 3), limit('bob', 'buy', 48_000, 1));
    const ev = h.run({ type: 'CancelAll', account: 'alice' });
    expect(ev).toMatchObject([
      { type: 'OrderCancelled', orderId: 4, remainingQty: 2, reason: 'cancel_all' },
      { type: 'OrderCancelled', orderId: 5, remainingQty: 3, reason: 'cancel_all' },
    ]);
    expect(h.ex.initialMargin('user:alice')).toBe(0n);
    expect(h.ex.market(MKT)?.book.size).toBe(1);
  });

  it('amend: qty down keeps priority; price change re-queues and may trade', () => {
    const h = two();
    h.run(deposit('carol', 10_000));
    const a = (h.run(limit('alice', 'sell', 50_100, 5))[0] as { orderId: number }).orderId;
    h.run(limit('carol', 'sell', 50_100, 5));
    expect(h.run({ type: 'AmendOrder', account: 'alice', market: MKT, orderId: a, qty: 3 })[0]).toMatchObject({ requeued: false, qty: 3 });
    expect(ofType(h.run(limit('bob', 'buy', 50_100, 1)), 'Trade')[0]).toMatchObject({ maker: 'alice' }); // still first
    h.run(limit('bob', 'buy', 49_000, 4));
    const ev = h.run({ type: 'AmendOrder', account: 'alice', market: MKT, orderId: a, price: 49_000 });
    expect(ev[0]).toMatchObject({ type: 'OrderAmended', requeued: true });
    expect(ofType(ev, 'Trade')[0]).toMatchObject({ maker: 'bob', taker: 'alice', qty: 2, price: 49_000 });
  });
});

describe('rejections change nothing', () => {
  it('each bad command returns a reason and leaves stateHash unchanged', () => {
    const h = new Harness(new Exchange({ markets: [{ id: MKT }, { id: 'TICK10', tick: 10 }] }));
    h.run(block(1, 50_000), deposit('alice', 100), deposit('bob', 100));
    h.run(limit('bob', 'sell', 50_000, 1), limit('alice', 'buy', 49_000, 1, { clientOrderId: 'c' }));
    const cases: [unknown, string, string?][] = [
      [{ ...limit('alice', 'buy', 49_000, 1), market: 'NOPE' }, 'unknown_market', 'market'],
      [limit('alice', 'buy', 49_000, 0), 'invalid_argument', 'qty'],
      [limit('alice', 'buy', 49_000, 1.5), 'invalid_argument', 'qty'],
      [limit('alice', 'buy', 49_000.5, 1), 'price_off_tick', 'price'],
      [{ ...limit('alice', 'buy', 49_005, 1), market: 'TICK10' }, 'price_off_tick', 'price'],
      [limit('alice', 'buy', -5, 1), 'invalid_argument', 'price'],
      [limit('alice', 'buy', 49_000, 1000), 'insufficient_margin', 'qty'],
      [limit('alice', 'buy', 50_000, 1, { postOnly: true }), 'post_only_would_cross'],
      [limit('alice', 'buy', 50_000, 2, { tif: 'FOK' }), 'fok_not_fillable'],
      [limit('alice', 'buy', 48_000, 1, { clientOrderId: 'c' }), 'duplicate_client_order_id'],
      [limit('alice', 'sell', 51_000, 1, { reduceOnly: true }), 'reduce_only_would_increase'],
      [{ ...limit('alice', 'buy', 49_000, 1), side: 'up' }, 'invalid_argument', 'side'],
      [{ ...limit('alice', 'buy', 49_000, 1), account: '' }, 'invalid_argument', 'account'],
      [{ type: 'CancelOrder', account: 'alice', market: MKT, orderId: 999 }, 'unknown_order'],
      [{ type: 'CancelOrder', account: 'alice', market: MKT, orderId: 4 }, 'unknown_order'], // bob's order
      [{ type: 'AmendOrder', account: 'alice', market: MKT, clientOrderId: 'c', price: 49_000.5 }, 'price_off_tick'],
      [{ type: 'AmendOrder', account: 'alice', market: MKT, clientOrderId: 'c', qty: 1000 }, 'insufficient_margin'],
      [{ type: 'Withdraw', account: 'alice', amountSat: 101 }, 'insufficient_balance'],
      [{ type: 'Deposit', account: 'alice', amountSat: 0 }, 'invalid_argument', 'amountSat'],
      [{ type: 'Deposit', account: 'a:b', amountSat: 1 }, 'invalid_argument', 'account'],
      [{ ...block(2, 50_000), indexPrice: 0 }, 'invalid_argument', 'indexPrice'],
      [block(1, 50_000), 'stale_block'],
      [{ type: 'Explode' }, 'invalid_argument', 'type'],
      [{ type: 'CancelAll', account: 'alice', market: 'NOPE' }, 'unknown_market'],
    ];
    for (const [cmd, reason, field] of cases) {
      const before = h.ex.stateHash();
      const ev = h.ex.apply(cmd as never, 1000);
      expect(ev, JSON.stringify(cmd)).toHaveLength(1);
      expect(ev[0], JSON.stringify(cmd)).toMatchObject(field ? { reason, field } : { reason });
      expect(h.ex.stateHash(), JSON.stringify(cmd)).toBe(before);
    }
  });

  it('orders are refused before the first index', () => {
    const h = new Harness();
    h.run(deposit('alice', 100));
    expect(h.run(limit('alice', 'buy', 1, 1))[0]).toMatchObject({ reason: 'market_not_ready' });
  });
});
