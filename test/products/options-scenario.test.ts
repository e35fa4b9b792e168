// End to end on real 2014 blocks (heights 312,040 → 312,540, across the retarget at 312,480 that cut the
// index 7.5 %): μ and σ estimated from the shipped index history, the vault's quote built at the edge and
// re-checked by the engine, LPs in and out of the vault, and settlement on the mean index of the expiry
// day, checked against the mean of the replayed headers' own index values.
import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { Exchange } from '../../src/engine/exchange.js';
import { optionsOf, quoteOption, quoteTipOf } from '../../src/engine/products/options/index.js';
import { vaultPositionOf, vaultView } from '../../src/engine/products/vault/index.js';
import { confirmedBlockAt as blockCommandAt } from '../../src/index/confirmed-block.js';
import { modelInputsAt } from '../../src/pricing/index-history.js';
import { priceHpiOption } from '../../src/pricing/options.js';
import { Harness, deposit, ofType } from '../engine/helpers.js';

const chain = loadEmbeddedChain();
const TIP = 312_040;
const EXPIRY = 312_540; // expiry day 312,397 .. 312,540: 83 blocks before the retarget, 61 after
const BTC = 100_000_000;

function zeroSum(h: Harness): void {
  expect(h.ex.ledger.total()).toBe(0n);
  for (const [k, v] of h.ex.ledger.entries()) if (k !== 'world') expect(v, k).toBeGreaterThanOrEqual(0n);
}

describe('options + vault on replayed real blocks', () => {
  it('quotes from the index history, sells, follows the expiry day and settles on its mean', () => {
    const h = new Harness();
    // The engine prices from the index history it saw itself: replay from 310,032 (day 2153) to the tip, so it
    // holds the 13 whole days 2153..2165 (310,032 .. 311,903, across the retarget at 310,464) and runs day 2166.
    for (let x = 310_032; x <= TIP; x++) h.run(blockCommandAt(chain, x));
    h.run(deposit('lp1', 2 * BTC), deposit('lp2', 2 * BTC), deposit('alice', BTC), deposit('bob', BTC));
    h.run({ type: 'VaultDeposit', account: 'lp1', amountSat: 1 * BTC });
    expect(vaultPositionOf(h.ex, 'lp1').shares).toBe(100_000_000n); // 1 share = 1 sat

    const tip = quoteTipOf(h.ex);
    expect(tip).toMatchObject({ height: TIP, index: 2_900_928_674 });
    if (tip === undefined) throw new Error('no tip');
    const strike = 2_900_000_000;
    const call = quoteOption(tip, { account: 'alice', optionType: 'call', strike, expiryHeight: EXPIRY, lots: 3 });
    const put = quoteOption(tip, { account: 'bob', optionType: 'put', strike, expiryHeight: EXPIRY, lots: 3 });
    // μ and σ: the engine's estimate from its own 13 recorded days agrees with the edge's history estimator over
    // the same 13 whole days read from the shipped headers (the engine floors each day's mean to a sat).
    const est = modelInputsAt(chain, TIP, 14);
    expect(est.window).toMatchObject({ fromHeight: 310_032, toHeight: 311_903, points: 13 });
    expect(call.model.window).toMatchObject({ fromHeight: 310_032, toHeight: 311_903, points: 13 });
    expect(call.model.mu).toBeCloseTo(est.mu, 5); // within ~1 ppm: the engine floors day means and mean times
    expect(call.model.sigma).toBeCloseTo(est.sigma, 5);
    expect(call.command.quote.muPpm).toBe(Math.round(call.model.mu * 1e6));
    expect(call.command.quote.sigmaPpm).toBe(Math.round(call.model.sigma * 1e6)); // above the vault's 0.1 floor
    expect(est.sigma).toBeGreaterThan(0);
    // The put's model value is the pricer's at the engine's rounded inputs; the ask is ceil(model × 1.01).
    const again = priceHpiOption({ type: 'put', spotSatPerPHDay: tip.index, strikeSatPerPHDay: strike, lots: 3,
      mu: (put.command.quote.muPpm ?? NaN) / 1e6, sigma: (put.command.quote.sigmaPpm ?? NaN) / 1e6, tipHeight: TIP, expiryHeight: EXPIRY });
    expect(put.command.quote.modelMsat).toBe(again.premiumMsat.toString());
    expect(BigInt(put.command.quote.premiumMsat)).toBe((again.premiumMsat * 10_100n + 9_999n) / 10_000n);
    // The 2014 drift is strongly negative (difficulty rising fast), so the put is worth more than the call.
    expect(put.modelMsat).toBeGreaterThan(call.modelMsat);
    expect(call.expiryEstimateUtc).toMatch(/^2014-07-/);

    const sold = h.run(call.command, put.command);
    expect(ofType(sold, 'OptionBought')).toHaveLength(2);
    zeroSum(h);

    // Replay to expiry; LP2 joins, LP1 asks for half of its shares back at 312,240 (paid 144 blocks later).
    const day: bigint[] = [];
    let copy: Harness | undefined;
    for (let x = TIP + 1; x <= EXPIRY; x++) {
      const b = blockCommandAt(chain, x);
      if (x >= EXPIRY - 143) day.push(BigInt(b.indexPrice));
      const ev = h.run(b);
      if (x === TIP + 100) h.run({ type: 'VaultDeposit', account: 'lp2', amountSat: BTC / 2 });
      if (x === TIP + 200) h.run({ type: 'VaultRequestWithdrawal', account: 'lp1', shares: '50000000' });
      if (x === TIP + 344) expect(ofType(ev, 'VaultWithdrawalExecuted')).toMatchObject([{ account: 'lp1', shares: 50_000_000n }]);
      if (x === 312_450) {
        copy = new Harness(Exchange.restore(h.ex.snapshot()));
        copy.seq = h.seq;
      }
      if (copy !== undefined && x > 312_450) copy.run(b);
      expect(h.ex.ledger.total()).toBe(0n);
    }
    // The expiry day straddles the retarget: both index levels are in it.
    expect(new Set(day.map(String)).size).toBe(2);
    const sum = day.reduce((a, b) => a + b, 0n);
    const k = BigInt(strike);
    // Hand formula on the replayed headers' values: put pays floor(3 × (144K − Σ) / 144), the call nothing (mean < K).
    expect(sum < 144n * k).toBe(true);
    const putPay = (3n * (144n * k - sum)) / 144n;
    const [a, b] = [optionsOf(h.ex, 'alice')[0], optionsOf(h.ex, 'bob')[0]];
    expect(a).toMatchObject({ status: 'settled', payoffMsat: 0n, indexSum: sum, blocks: 144 });
    expect(b).toMatchObject({ status: 'settled', payoffMsat: putPay, indexSum: sum, blocks: 144 });
    expect(putPay).toBeGreaterThan(0n);

    // The vault's books: with every option settled, NAV is its ledger account, and it equals what went in and out:
    // deposits + premia + the buyers' 0.2 % fees (which go to the vault) − payoffs − LP withdrawals.
    const sumOf = (t: 'premiumMsat' | 'feeMsat' | 'payoffMsat'): bigint => [a, b].reduce((s, o) => s + (o[t] ?? 0n), 0n);
    const paidOut = ofType(h.events, 'VaultWithdrawalExecuted').reduce((s, e) => s + e.payoutMsat, 0n);
    const deposited = BigInt(1.5 * BTC) * 1000n;
    const view = vaultView(h.ex);
    expect(view.nav.lowMsat).toBe(view.nav.ledgerMsat);
    expect(view.nav.ledgerMsat).toBe(deposited + sumOf('premiumMsat') + sumOf('feeMsat') - sumOf('payoffMsat') - paidOut);
    expect(view.pending).toEqual([]);
    zeroSum(h);
    expect(copy?.ex.stateHash()).toBe(h.ex.stateHash());
  });
});
