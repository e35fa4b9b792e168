// Swap offers against the real product modules that implement transferPosition (forward, options, bdc): the
// offer carries the product's description, acceptance pays the price and hands over the position with its
// collateral, the product's later settlement pays the new holder, and a product refusal reverses the payment.
import { describe, expect, test } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { BuyOptionCommand } from '../../src/engine/products/options/commands.js';
import { optionById } from '../../src/engine/products/options/index.js';
import { forwardModule } from '../../src/engine/products/forward/index.js';
import { bdcModuleOf } from '../../src/engine/products/bdc/index.js';
import { Harness, block, deposit, hashOf, ofType } from '../engine/helpers.js';
import { accept, lastOfferId, offer, refused } from './swap-helpers.js';

function sound(h: Harness): void {
  expect(h.ex.ledger.total()).toBe(0n);
  for (const [k, v] of h.ex.ledger.entries()) if (k !== 'world') expect(v >= 0n, k).toBe(true);
}

describe('forward positions', () => {
  // M sells I 1 TH/s (10 000 lots) for 30 days at 90 000: contract c1 with 2 970 000 msat collateral in fwd:c1.
  function setup(): Harness {
    const h = new Harness();
    h.run(block(100, 100_000), deposit('M', 10_000), deposit('I', 10_000), deposit('I2', 10_000),
      { type: 'ForwardPlaceOrder', account: 'M', market: 'FWD-30D', side: 'sell', price: 90_000, qty: 10_000 },
      { type: 'ForwardPlaceOrder', account: 'I', market: 'FWD-30D', side: 'buy', price: 90_000, qty: 10_000 });
    return h;
  }

  test('the investor side moves to the taker for the price; the collateral stays in the contract', () => {
    const h = setup();
    const collateral = h.bal('fwd:c1');
    expect(collateral).toBe(2_970_000n);
    const [created] = ofType(h.run(offer('I', 'forward', 'c1:investor', '2500000')), 'SwapOfferCreated');
    expect(created.position).toMatchObject({ product: 'forward', positionId: 'c1:investor', holder: 'I', side: 'investor' });
    const i = h.bal('I'), i2 = h.bal('I2');
    const evs = h.run(accept('I2', created.offerId));
    expect(ofType(evs, 'ForwardPositionTransferred')).toEqual([{ type: 'ForwardPositionTransferred', contractId: 1, side: 'investor', from: 'I', to: 'I2' }]);
    expect(ofType(evs, 'SwapOfferAccepted')).toHaveLength(1);
    expect(h.bal('I')).toBe(i + 2_500_000n);
    expect(h.bal('I2')).toBe(i2 - 2_500_000n);
    expect(h.bal('fwd:c1')).toBe(collateral);
    expect(forwardModule(h.ex).describePosition('c1:investor', 'user:I2')).toMatchObject({ holder: 'I2' });
    expect(forwardModule(h.ex).describePosition('c1:investor', 'user:I')).toBeUndefined();
    sound(h);
  });

  test("the product's refusal (one account on both sides) reverses the payment", () => {
    const h = setup();
    h.run(offer('M', 'forward', 'c1:miner', '1000'));
    refused(h, accept('I', lastOfferId(h)), 'not_allowed', 'to');
  });
});

describe('option positions', () => {
  const S = 50_000;
  const buy = (account: string): BuyOptionCommand => ({
    // A 2-lot put at K 52 000 expiring at 1500, quoted at the tip; the engine prices it, 6 000 msat is the buyer's limit.
    type: 'BuyOption', account, optionType: 'put', strike: 52_000, lots: 2, expiryHeight: 1500,
    quote: { premiumMsat: '6000', indexAtQuote: S, quotedAtHeight: 1000, quotedAtMtp: 1_700_000_000 + 1000 * 600 - 3600 },
  });

  test('the holder changes; the payoff at expiry goes to the taker', () => {
    const h = new Harness();
    // Six whole days of index history first (the option model's input): days alternate 50 000 / 51 000.
    for (let x = 0; x < 1000; x++) h.run(block(x, Math.floor(x / 144) % 2 === 0 ? S : 51_000));
    h.run(block(1000, S), { type: 'FundSystem', account: 'vault', amountSat: 10_000 }, deposit('alice', 100), deposit('bob', 100));
    const [bought] = ofType(h.run(buy('alice') as Command), 'OptionBought');
    expect(bought).toBeDefined();
    const [created] = ofType(h.run(offer('alice', 'options', bought.optionId, '3000')), 'SwapOfferCreated');
    expect(created.position).toMatchObject({ optionId: bought.optionId, optionType: 'put', strike: '52000', lots: '2' });
    const alice = h.bal('alice');
    h.run(accept('bob', created.offerId));
    expect(optionById(h.ex, bought.optionId)).toMatchObject({ holder: 'bob', buyer: 'alice' });
    for (let x = 1001; x <= 1500; x++) h.run(block(x, S));
    // Index 50 000 all through the expiry day: the put pays 2 × (52 000 − 50 000) = 4 000 msat, to Bob.
    expect(optionById(h.ex, bought.optionId)).toMatchObject({ status: 'settled', payoffMsat: 4_000n });
    expect(h.bal('bob')).toBe(100_000n - 3000n + 4000n);
    expect(h.bal('alice')).toBe(alice + 3000n);
    sound(h);
  });
});

describe('block-delta positions', () => {
  const T = 1_700_000_000, H = 110, SERIES = `BDC-${H}-${T}`;
  const blk = (height: number, mtp: number): Command => ({ type: 'BlockConnected', height, hash: hashOf(height), time: mtp + 3600, mtp, indexPrice: 50_000 });
  const order = (account: string, side: 'FAST' | 'SLOW', price: number, qty: number): Command =>
    ({ type: 'BdcPlaceOrder', account, series: SERIES, side, price, qty, tif: 'GTC', postOnly: false }) as Command;

  test('the FAST position moves to the taker, who is paid when height H comes first', () => {
    const h = new Harness();
    // Alice rests SLOW 3 @ 6000 bps, Bob takes FAST 2: position `${SERIES}#1` (2 contracts of 10 000 sat).
    h.run(blk(100, T - 50_000), { type: 'BdcListSeries', height: H, deadline: T, payoutSat: 10_000 } as Command,
      deposit('alice', 100_000), deposit('bob', 100_000), deposit('carol', 20_000),
      order('alice', 'SLOW', 6000, 3), order('bob', 'FAST', 6500, 2));
    const pid = `${SERIES}#1`;
    expect(bdcModuleOf(h.ex).describePosition(pid, 'user:bob')).toMatchObject({ side: 'FAST', contracts: 2 });
    h.run(offer('bob', 'bdc', pid, '15000000'));
    const bob = h.bal('bob');
    h.run(accept('carol', lastOfferId(h)));
    expect(bdcModuleOf(h.ex).describePosition(pid, 'user:carol')).toMatchObject({ account: 'carol' });
    expect(h.bal('bob')).toBe(bob + 15_000_000n);
    // Height 110 before the deadline: FAST wins 2 × 10 000 sat, paid to Carol.
    h.run(blk(110, T - 100));
    expect(h.bal('carol')).toBe(20_000_000n - 15_000_000n + 20_000_000n);
    expect(h.bal('bob')).toBe(bob + 15_000_000n);
    sound(h);
  });
});
