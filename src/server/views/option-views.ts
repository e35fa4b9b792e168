/** The option routes' read views over the live engine. */
import type { Exchange } from '../../engine/index.js';
import { DEFAULT_OPTIONS_CONFIG, optionsOf, quoteOption, quoteTipOf } from '../../engine/products/options/index.js';
import type { IndexChain } from '../../index/chain-view.js';
import type { OptionViews } from '../../api/products/views.js';

export function optionViews(exchange: () => Exchange, chain: IndexChain): OptionViews {
  return {
    quoteTip: () => quoteTipOf(exchange()),
    quote: (tip, terms) => quoteOption(tip, terms),
    feePpm: DEFAULT_OPTIONS_CONFIG.feePpm,
    optionsOf: (account) => optionsOf(exchange(), account),
  };
}
