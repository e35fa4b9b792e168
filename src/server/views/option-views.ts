/** The option routes' read views over the live engine. */
import type { Exchange } from '../../engine/index.js';
import { optionsOf, quoteTipOf } from '../../engine/products/options/index.js';
import type { OptionViews } from '../../api/products/views.js';

export function optionViews(exchange: () => Exchange): OptionViews {
  return {
    quoteTip: () => quoteTipOf(exchange()),
    optionsOf: (account) => optionsOf(exchange(), account),
  };
}
