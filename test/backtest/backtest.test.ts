// The backtest lab against truth it does not compute itself:
//  1. hand-computed cases on a made-up index (a perp short, a forward), every number worked out below;
//  2. a run over real history (the shipped epochs) against a reference written here from the contract terms
//     (perp PnL = position × index change less the taker fee; forward = upfront less the fee less the daily
//     obligations; puts = payoff on the expiry day less premium and fee, the premium from the pricing function
//     on a day history this test builds itself), not from the engine's ledger.
import { describe, expect, it } from 'vitest';
import { backtestSteps, runBacktest, runHedgeBacktest, periodStats, maxDrawdown, type Step } from '../../src/backtest/index.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { enginePrice, modelInputsFromHistory, type DayPoint } from '../../src/engine/products/options/index.js';
import { InvalidArgumentError } from '../../src/units/errors.js';
import { runCli } from '../run-cli.js';

const H0 = 700_000 - (700_000 % 144) + 143; // the last block of a day: step k is the last block of day d0 + k
/** Daily steps of a made-up index: `values[k]` at height H0 + 144k, income over the 144 blocks before it. */
function daily(values: number[]): Step[] {
  return values.map((index, k) => ({ height: H0 + 144 * k, time: 1_600_000_000 + 86_400 * k, mtp: 1_600_000_000 + 86_400 * k, index, indexSum: BigInt(144 * index), blocks: 144 }));
}
const sixtyDays = daily(Array.from({ length: 60 }, (_, k) => (k < 20 ? 100_000 : 80_000)));

describe('hand-computed backtests', () => {
  // 10 TH/s at 100 000 sat/PH/day earns 10/1000 PH/s × 100 000 = 1 000 sat a day, at 80 000: 800 sat.
  // Income counts from the step after the start: days 1..19 at 1 000, days 20..59 at 800 = 19 000 + 32 000.
  const unhedged = 51_000;

  it('a perp short: 100 lots sold at 100 000, index falls to 80 000: +2 000 sat less the 0.2 % taker fee (20 sat)', () => {
    const r = runHedgeBacktest(sixtyDays, { profile: { hashrateThs: 10, costSatPerDay: 0 }, hedge: { perp: { horizonDays: 10, ratioPct: 100 } } });
    expect(r.summary.unhedged.totalSat).toBe(unhedged);
    // Short 10 TH/s × 10 days = 100 lots; 100 × (100 000 − 80 000) msat = 2 000 sat; fee 100 × 100 000 × 0.002 msat = 20 sat.
    // Funding: the book is empty at every block, so the premium and the rate are 0.
    expect(r.summary.hedged.totalSat).toBe(unhedged + 2_000 - 20);
    expect(r.engine.rejections.count).toBe(0);
    // The unhedged series only rises; the hedged one falls by the fee on day 0 only (it starts at 0 and ends higher).
    expect(r.summary.unhedged.maxDrawdownSat).toBe(0);
  });

  it('a 30-day forward at 10 % under the index: upfront 27 000 sat less 54 sat fee, then 30 daily deliveries', () => {
    const r = runHedgeBacktest(sixtyDays, { profile: { hashrateThs: 10, costSatPerDay: 100 }, hedge: { forward: { tenorDays: 30, discountBps: 1_000, ratioPct: 100 } } });
    // Costs: 100 sat/day over 59 days.
    expect(r.summary.unhedged.totalSat).toBe(unhedged - 5_900);
    // 10 TH/s = 100 000 forward lots at 90 000 sat/PH/day for 30 days: 100 000 × 90 000 × 30 / 10^4 msat = 27 000 sat,
    // the miner took, so it pays 0.2 % = 54 sat. Day d ends at step d + 1 (the contract starts the block after the
    // fill) and owes 100 000 × index / 10^4 msat: 19 days × 1 000 + 11 days × 800 = 27 800 sat.
    // The second period's forward would end past the data: not sold.
    expect(r.engine.forwardContracts).toBe(1);
    expect(r.summary.hedged.totalSat).toBe(unhedged - 5_900 + 27_000 - 54 - 27_800);
    expect(r.periods.map((p) => [p.unhedgedSat, p.hedgedSat])).toEqual([
      // Period 1 = steps 0..29 (income from step 1), period 2 = steps 30..59.
      [19 * 1_000 + 10 * 800 - 29 * 100, 19 * 1_000 + 10 * 800 - 29 * 100 + 27_000 - 54 - (19 * 1_000 + 10 * 800)],
      [30 * 800 - 30 * 100, 30 * 800 - 30 * 100 - 800],
    ]);
  });

  it('above the engine\'s price bound: the engine sees index ÷ 10 and 10 × the lots, the same sat (2012-like levels)', () => {
    // 10^10 and 8·10^9 sat/PH/day (above MAX_PRICE = 4·10^9): 10 TH/s earns 10^8 and 8·10^7 sat a day.
    const big = daily(Array.from({ length: 60 }, (_, k) => (k < 20 ? 10_000_000_000 : 8_000_000_000)));
    const r = runHedgeBacktest(big, { profile: { hashrateThs: 10, costSatPerDay: 0 }, hedge: { perp: { horizonDays: 10, ratioPct: 100 } }, priceScale: 10 });
    expect(r.engine.priceScale).toBe(10);
    expect(r.summary.unhedged.totalSat).toBe(19 * 100_000_000 + 40 * 80_000_000);
    // Short 100 × 10 lots at 10^9 (engine price): 1 000 × (10^9 − 8·10^8) msat = 2·10^8 sat; fee 0.2 % of 1 000 × 10^9 msat = 2·10^6 sat.
    expect(r.summary.hedged.totalSat).toBe(19 * 100_000_000 + 40 * 80_000_000 + 200_000_000 - 2_000_000);
    expect(() => runHedgeBacktest(big, { profile: { hashrateThs: 10, costSatPerDay: 0 }, hedge: {}, priceScale: 3 })).toThrow(/priceScale/);
  });

  it('statistics: quantiles and drawdown by hand', () => {
    expect(periodStats([4, 1, 3, 2])).toMatchObject({ min: 1, max: 4, median: 2.5, p10: 1.3, p90: 3.7, mean: 2.5 });
    expect(maxDrawdown([0, 5, 3, 6, 1, 2])).toBe(5);
  });

  it('cheaters: bad inputs are refused naming the field', () => {
    const bad = (hedge: object, profile = { hashrateThs: 10, costSatPerDay: 0 }): string => {
      try {
        runHedgeBacktest(sixtyDays, { profile, hedge } as never);
        return 'accepted';
      } catch (e) {
        return e instanceof InvalidArgumentError ? (e.field ?? '') : String(e);
      }
    };
    expect(bad({ forward: { tenorDays: 45, discountBps: 0, ratioPct: 50 } })).toBe('hedge.forward.tenorDays');
    expect(bad({ perp: { horizonDays: 0, ratioPct: 50 } })).toBe('hedge.perp.horizonDays');
    expect(bad({ puts: { tenorDays: 30, otmBps: 0, ratioPct: 500 } })).toBe('hedge.puts.ratioPct');
    expect(bad({}, { hashrateThs: 0, costSatPerDay: 0 })).toBe('profile.hashrateThs');
  });
});

describe('a backtest over real history against an independent reference', () => {
  const chain = loadEmbeddedChain();
  const window = 28;
  // Two years of epochs from mid-2016, with the options window as warm-up before the miner starts.
  const from = 420_000, to = 420_000 + 144 * 730;
  const steps = backtestSteps(chain, { fromHeight: from - 144 * window, toHeight: to, resolution: 'epoch' });
  const startAt = steps.findIndex((s) => s.height >= from);
  const profile = { hashrateThs: 2_000, costSatPerDay: 0 };
  const hedge = { forward: { tenorDays: 90 as const, discountBps: 300, ratioPct: 60 }, perp: { horizonDays: 20, ratioPct: 50 }, puts: { tenorDays: 30, otmBps: 500, ratioPct: 40 } };
  const r = runHedgeBacktest(steps, { profile, hedge, optionWindowDays: window, startAt, rollDays: 30 });

  /** The reference: the contract terms applied to the index path, in msat, with no engine. */
  function reference(): { unhedged: bigint; hedge: bigint; premiums: bigint; payoffs: bigint } {
    const last = steps[steps.length - 1].height;
    const H = BigInt(profile.hashrateThs);
    let unhedged = 0n, hedgeFlow = 0n, premiums = 0n, payoffs = 0n;
    let q = 0; // perp position (negative = short)
    const fwd: { qty: bigint; days: number; next: number; startStep: number }[] = [];
    const puts: { strike: bigint; lots: bigint; expiry: number }[] = [];
    const days: DayPoint[] = [];
    let nextRoll = -1;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (i > 0) days.push({ day: Math.floor(steps[i - 1].height / 144), time: steps[i - 1].time, value: BigInt(steps[i - 1].index) << BigInt(Math.floor(steps[i - 1].height / 210_000)) });
      if (days.length > window) days.shift();
      if (i < startAt) continue;
      if (i > startAt) unhedged += (H * s.indexSum) / 144n;
      // Perp: PnL of the position held since the last step (mark = index: the book is empty at every block).
      if (i > startAt) hedgeFlow += BigInt(q) * BigInt(s.index - steps[i - 1].index);
      // Forward days ending at this step: the obligation on this block's index (one block seen per day).
      for (const f of fwd)
        if (f.next < f.days && i === f.startStep + f.next + 1) {
          hedgeFlow -= (f.qty * BigInt(s.index)) / 10_000n;
          f.next++;
        }
      for (const p of puts)
        if (p.expiry === s.height) {
          const pay = p.strike > BigInt(s.index) ? p.lots * (p.strike - BigInt(s.index)) : 0n;
          payoffs += pay;
          hedgeFlow += pay;
        }
      if (s.height >= nextRoll) {
        nextRoll = s.height + 30 * 144;
        // Forward: sold at index × (1 − 3 %), 60 % × 2 000 TH/s × 30/90 = 400 TH/s = 4 000 000 lots, taker fee 0.2 %.
        const qty = BigInt(Math.round(0.6 * profile.hashrateThs * 10_000 * 30 / 90));
        const price = BigInt(Math.floor((s.index * 9_700) / 10_000));
        if (s.height + 1 + 90 * 144 <= last) {
          const value = (qty * price * 90n) / 10_000n;
          hedgeFlow += value - (value * 2_000n) / 1_000_000n;
          fwd.push({ qty, days: 90, next: 0, startStep: i });
        }
        // Perp: re-size to −50 % × 2 000 × 20 = −20 000 lots at the index, 0.2 % taker fee on the traded notional.
        const target = -Math.round(0.5 * profile.hashrateThs * 20);
        if (target !== q) {
          hedgeFlow -= (BigInt(Math.abs(target - q)) * BigInt(s.index) * 2_000n) / 1_000_000n;
          q = target;
        }
        // Puts: the vault's price from this test's own day history (model.ts's inputs), plus the 0.2 % fee.
        const expiry = s.height + 30 * 144;
        if (expiry <= last) {
          const strike = BigInt(Math.floor((s.index * 9_500) / 10_000));
          const lots = BigInt(Math.round(0.4 * profile.hashrateThs * 30));
          const m = modelInputsFromHistory(days, 5, 100_000);
          if (!m.ok) throw new Error(m.reason);
          const p = enginePrice({ type: 'put', strike, lots, expiryHeight: expiry, tipHeight: s.height, index: s.index, muPpm: m.inputs.muPpm, sigmaPpm: m.inputs.sigmaPpm, spreadBps: 100 });
          if (p.modelMsat > 0n) {
            const paid = p.premiumMsat + (p.premiumMsat * 2_000n) / 1_000_000n;
            premiums += paid;
            hedgeFlow -= paid;
            puts.push({ strike, lots, expiry });
          }
        }
      }
    }
    return { unhedged, hedge: hedgeFlow, premiums, payoffs };
  }

  it('unhedged income, option premiums and payoffs, and the hedge result agree with the reference', () => {
    const ref = reference();
    expect(r.engine.rejections.count).toBe(0);
    expect(r.summary.unhedged.totalSat).toBe(Number(ref.unhedged / 1000n));
    // Premiums and payoffs: exact up to the sat floor of the totals.
    expect(Math.abs(r.engine.optionPremiumSat - Number(ref.premiums / 1000n))).toBeLessThanOrEqual(1);
    expect(Math.abs(r.engine.optionPayoffSat - Number(ref.payoffs / 1000n))).toBeLessThanOrEqual(1);
    // The whole hedge: both sides are msat sums floored to sat once.
    const diff = Math.abs(r.summary.hedgeResultSat - Number(ref.hedge / 1000n));
    expect(diff).toBeLessThanOrEqual(1);
    expect(r.engine.forwardContracts).toBeGreaterThan(15);
    expect(r.engine.optionsBought).toBeGreaterThan(15);
  });

  it('the request layer and the CLI give the same numbers for the same run', async () => {
    const rep = runBacktest(chain, { from: String(from), to: String(to), profile, hedge, optionWindowDays: window });
    expect(rep.summary).toEqual(r.summary);
    const cli = await runCli('backtest', '--from', String(from), '--to', String(to), '--hashrate', '2000', '--forward', '90:300:60', '--perp', '20:50', '--puts', '30:500:40', '--option-window', '28', '--json');
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out).summary).toEqual(JSON.parse(JSON.stringify(r.summary)));
    const refused = await runCli('backtest', '--from', '2012-01-01');
    expect(refused.code).toBe(1);
    // 2012 .. today spans nine decades of index: no one price scale keeps 4 digits at both ends.
    expect(refused.err).toMatch(/from: the index spans .* split the range/);
  });
});
