/** The option routes' read views over the live engine. */
import type { Exchange } from '../../engine/index.js';
import { DEFAULT_OPTIONS_CONFIG, OPTIONS, OPTION_WINDOW_DAYS, optionsOf, quoteOption, quoteTipOf, type OptionsModule } from '../../engine/products/options/index.js';
import type { IndexChain } from '../../index/chain-view.js';
import type { OptionViews } from '../../api/products/views.js';

export function optionViews(exchange: () => Exchange, chain: IndexChain): OptionViews {
  return {
    quoteTip: () => quoteTipOf(exchange()),
    quote: (tip, terms) => quoteOption(tip, terms),
    feePpm: DEFAULT_OPTIONS_CONFIG.feePpm,
    parameters: () => {
      const c = exchange().product<OptionsModule>(OPTIONS)?.config ?? DEFAULT_OPTIONS_CONFIG;
      return {
        windowDays: c.historyDays, windowDaysMin: OPTION_WINDOW_DAYS.min, windowDaysMax: OPTION_WINDOW_DAYS.max, windowDaysDefault: OPTION_WINDOW_DAYS.default,
        minHistoryDays: c.minHistoryDays, sigmaFloorPpm: c.sigmaFloorPpm, spreadBps: c.spreadBps, feePpm: c.feePpm,
        maxIndexMoveBps: c.maxIndexMoveBps, maxQuoteAgeS: c.maxQuoteAgeS, minExpiryBlocks: c.minExpiryBlocks, maxLockedPpm: c.maxLockedPpm, maxLots: c.maxLots,
      };
    },
    optionsOf: (account) => optionsOf(exchange(), account),
  };
}
