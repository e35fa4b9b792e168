// The options' estimation window: a validated product parameter, kept across snapshot/restore, shown with every
// quote, and its default the one the vault-selling backtest chose (docs/option-window.md).
import { describe, expect, it } from 'vitest';
import { backtestSteps, firstEngineHeight, vaultWindowStudy } from '../../src/backtest/index.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { Exchange } from '../../src/engine/exchange.js';
import { DEFAULT_OPTIONS_CONFIG, OPTION_WINDOW_DAYS, OPTIONS, quoteOption, quoteTipOf, type OptionsModule } from '../../src/engine/products/options/index.js';
import { confirmedBlockAt } from '../../src/index/confirmed-block.js';
import { modelInputsAt } from '../../src/pricing/index-history.js';
import { InvalidArgumentError } from '../../src/units/errors.js';

const chain = loadEmbeddedChain();

describe('the option window parameter', () => {
  it('is validated where the exchange is configured, naming the field', () => {
    for (const bad of [6, 3_651, 28.5, '28'])
      expect(() => new Exchange({ products: { optionWindowDays: bad as number } })).toThrow(InvalidArgumentError);
    try {
      new Exchange({ products: { optionWindowDays: 2 } });
    } catch (e) {
      expect((e as InvalidArgumentError).field).toBe('optionWindowDays');
    }
  });

  it('decides how many days μ and σ come from, survives snapshot/restore, and every quote shows it', () => {
    const tip = 312_040;
    const run = (window: number | undefined): Exchange => {
      const ex = new Exchange(window === undefined ? {} : { products: { optionWindowDays: window } });
      let seq = 0;
      for (let x = tip - 40 * 144; x <= tip; x++) ex.apply(confirmedBlockAt(chain, x), ++seq);
      return ex;
    };
    const ex = run(14);
    const q = quoteOption(quoteTipOf(ex)!, { account: 'a', optionType: 'put', strike: 2_900_000_000, expiryHeight: tip + 500, lots: 1 });
    expect(q.model.windowDays).toBe(14);
    expect(q.model.window.points).toBe(14);
    // The estimate over 14 whole days read from the headers agrees (the engine floors each day's mean).
    const est = modelInputsAt(chain, Math.floor(tip / 144) * 144 - 1, 14);
    expect(q.model.sigma).toBeCloseTo(est.sigma, 4);
    // Snapshot/restore keeps the window (a restored engine prices the same).
    const back = Exchange.restore(ex.snapshot());
    expect(back.product<OptionsModule>(OPTIONS)!.config.historyDays).toBe(14);
    expect(back.snapshot()).toBe(ex.snapshot());
    // The default engine's snapshot carries no window field (older snapshots and hashes unchanged).
    const d = run(undefined);
    expect(d.snapshot()).not.toMatch(/windowDays/);
    expect(quoteOption(quoteTipOf(d)!, { account: 'a', optionType: 'put', strike: 2_900_000_000, expiryHeight: tip + 500, lots: 1 }).model.windowDays).toBe(OPTION_WINDOW_DAYS.default);
    // Cheater: a snapshot with an impossible window is refused on restore.
    expect(() => Exchange.restore(ex.snapshot().replace('"windowDays":14', '"windowDays":1'))).toThrow(InvalidArgumentError);
  });
});

describe('the default window, chosen by the vault-selling backtest', () => {
  it('28 days: the vault does not lose on calls or puts over the shipped history; 56 days loses on puts', () => {
    expect(DEFAULT_OPTIONS_CONFIG.historyDays).toBe(28);
    const steps = backtestSteps(chain, { fromHeight: firstEngineHeight(chain), toHeight: chain.maxHeight, resolution: 'epoch' });
    // The doc's table trades weekly with windows up to 365 days; the test trades every 14 days on the same start.
    const r = vaultWindowStudy(steps, { windows: [28, 56], everyDays: 14, startAt: 366 });
    const [w28, w56] = r.windows;
    expect(w28.calls.vaultPnlSat).toBeGreaterThan(0);
    expect(w28.puts.vaultPnlSat).toBeGreaterThan(0);
    expect(w56.puts.vaultPnlSat).toBeLessThan(0);
    expect(r.shortestNotLosing).toBe(28);
  }, 120_000);
});
