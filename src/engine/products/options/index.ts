// Read helpers for the server (REST/WS) and the edge quote. Plain functions over the Exchange.
import type { Exchange } from '../../exchange.js';
import type { OptionsModule, OptionPosition } from './module.js';
import { OPTIONS } from './module.js';
import type { QuoteTip } from './quote.js';

export { OptionsModule, optionsFactory, OPTIONS, DEFAULT_OPTIONS_CONFIG, OPTION_WINDOW_DAYS, checkOptionWindowDays, collateralAccount, type OptionPosition, type OptionsConfig } from './module.js';
export { CALL_CAP_STRIKE_MULTIPLE, EXPIRY_DAY_BLOCKS, collateralMsat, payoffMsat, liabilityMsat } from './rules.js';
export { quoteOption, type OptionQuoteRequest, type OptionQuoteResult, type QuoteTip } from './quote.js';
export { enginePrice, modelInputsFromHistory, type DayPoint, type EnginePrice, type ModelInputs } from './model.js';
export type { BuyOptionCommand, OptionQuote, OptionCommand } from './commands.js';
export type { OptionEvent, OptionBought, OptionSettled, OptionTransferred } from './events.js';

function mod(ex: Exchange): OptionsModule {
  const m = ex.product<OptionsModule>(OPTIONS);
  if (m === undefined) throw new Error('options product is not registered');
  return m;
}

/** Options a user holds or held (open and settled), by id. */
export function optionsOf(ex: Exchange, account: string): OptionPosition[] {
  return mod(ex).ofHolder(account);
}

export function optionById(ex: Exchange, optionId: string): OptionPosition | undefined {
  return mod(ex).get(optionId);
}

/** Every open option, with the expiry day observed so far. */
export function openOptionsView(ex: Exchange): { options: OptionPosition[]; lockedMsat: bigint } {
  return { options: mod(ex).openOptions(), lockedMsat: mod(ex).locked() };
}

/** The engine's chain view and options product, as quoteOption wants them (undefined before the first block). */
export function quoteTipOf(ex: Exchange): QuoteTip | undefined {
  const c = ex.productContext(0).chain;
  return c.index === undefined ? undefined : { height: c.height, mtp: c.mtp, time: c.time, index: c.index, options: mod(ex) };
}

/** The engine's price for these terms now (what a BuyOption would pay), or why it cannot price. */
export function optionPriceOf(ex: Exchange, terms: { optionType: 'call' | 'put'; strike: number; lots: number; expiryHeight: number }): ReturnType<OptionsModule['priceAt']> {
  return mod(ex).priceAt(ex.productContext(0).chain, terms);
}
