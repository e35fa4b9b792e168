// The edge's half of buying an option: ask the engine for its price at its own state (the same function a
// BuyOption runs: μ and σ from the index history the engine recorded, the Hedge model, the vault's spread) and
// package it into a BuyOption whose quote is the buyer's limit. Nothing here is trusted by the engine: the
// command's premium is only the most the buyer pays, and the engine re-prices it when it applies.
import type { HistoryEstimate } from '../../../pricing/index-history.js';
import type { HpiOptionPrice } from '../../../pricing/options.js';
import { HashPerpError, InvalidArgumentError, assertSafeInteger } from '../../../units/errors.js';
import { BLOCKS_PER_DAY, formatUtc } from '../../../units/time.js';
import type { BuyOptionCommand } from './commands.js';
import type { OptionsModule } from './module.js';

export interface OptionQuoteRequest {
  account: string;
  optionType: 'call' | 'put';
  strike: number;
  expiryHeight: number;
  lots: number;
}

/** The engine's chain view and its options product (quoteTipOf in index.ts makes one from an Exchange). */
export interface QuoteTip {
  height: number;
  mtp: number;
  time: number;
  index: number;
  /**
   * The engine's options product: its price is the quote. quoteTipOf always sets it; it is optional only so
   * views typed with the bare chain view can pass the tip through. Without it there is nothing to quote from.
   */
  options?: Pick<OptionsModule, 'priceAt' | 'indexHistory' | 'config'>;
}

export interface OptionQuoteResult {
  command: BuyOptionCommand;
  /** Model inputs as the engine estimated them (μ, σ per year with standard errors) and as it prices (rounded to ppm). */
  model: { windowDays: number; mu: number; sigma: number; muUsed: number; sigmaUsed: number; stdErrLogDrift: number; stdErrSigma: number; window: HistoryEstimate['window']; method: string };
  price: HpiOptionPrice;
  modelMsat: bigint;
  premiumMsat: bigint;
  /** The vault's spread over model (bps) and the call's payoff cap per lot (msat per lot; null for a put). */
  spreadBps: number;
  callCapPerLotMsat: bigint | null;
  /** Expected date of the expiry height at 600 s per block from the tip's header time (display only). */
  expiryEstimateUtc: string;
}

/**
 * The vault's quote: exactly what the engine charges at its current state (the engine's own index
 * history decides μ and σ).
 */
export function quoteOption(tip: QuoteTip, req: OptionQuoteRequest): OptionQuoteResult {
  assertSafeInteger('tip.height', tip.height, 0);
  assertSafeInteger('tip.index', tip.index, 1);
  if (req.optionType !== 'call' && req.optionType !== 'put') throw new InvalidArgumentError('optionType', "expected 'call' or 'put'");
  const options = tip.options;
  if (options === undefined) throw new HashPerpError('market_not_ready', 'the quote needs the engine\'s options product (make the tip with quoteTipOf)', { field: 'quote' });
  const r = options.priceAt({ height: tip.height, index: tip.index }, req);
  if (!r.ok) {
    if (r.code === 'market_not_ready') throw new HashPerpError('market_not_ready', r.reason, { field: 'quote' });
    if (r.code === 'expiry_too_soon') throw new HashPerpError('expiry_too_soon', r.reason, { field: 'expiryHeight' });
    throw new InvalidArgumentError('strike', r.reason);
  }
  const { price: p, inputs } = r;
  // Standard errors and the method of the estimate the engine priced with (display; the price uses the ppm-rounded inputs).
  const est = inputs.estimate
    ?? { mu: 0, sigma: inputs.sigmaPpm / 1e6, stdErrLogDrift: 0, stdErrSigma: 0, method: `prior: the engine has recorded ${inputs.points} whole days of the index, fewer than the ${options.config.minHistoryDays} it estimates from` };
  const floor = options.config.sigmaFloorPpm / 1e6;
  const spreadBps = options.config.spreadBps;
  const command: BuyOptionCommand = {
    type: 'BuyOption', account: req.account, optionType: req.optionType, strike: req.strike, expiryHeight: req.expiryHeight, lots: req.lots,
    quote: {
      premiumMsat: p.premiumMsat.toString(), indexAtQuote: tip.index, quotedAtHeight: tip.height, quotedAtMtp: tip.mtp,
      modelMsat: p.modelMsat.toString(), spreadBps, muPpm: inputs.muPpm, sigmaPpm: inputs.sigmaPpm,
    },
  };
  return {
    command,
    model: {
      windowDays: options.config.historyDays,
      mu: est.mu, sigma: est.sigma, muUsed: inputs.muPpm / 1e6, sigmaUsed: inputs.sigmaPpm / 1e6, stdErrLogDrift: est.stdErrLogDrift, stdErrSigma: est.stdErrSigma,
      window: inputs.points === 0
        ? { fromHeight: tip.height, toHeight: tip.height, points: 0, sampling: 'none' }
        : { fromHeight: inputs.fromDay * BLOCKS_PER_DAY, toHeight: inputs.toDay * BLOCKS_PER_DAY + BLOCKS_PER_DAY - 1, points: inputs.points, sampling: 'day' },
      method: inputs.basis === 'estimate'
        ? `${est.method}; on the ${inputs.points} whole days of the index the engine recorded (window: the last ${options.config.historyDays} days) from BlockConnected (index × 2^era, so halvings are not volatility); σ used = max(estimate, the vault's floor ${floor})`
        : `${est.method}: μ = 0, σ = the vault's floor ${floor}`,
    },
    price: p.price,
    modelMsat: p.modelMsat,
    premiumMsat: p.premiumMsat,
    spreadBps,
    callCapPerLotMsat: p.capPerLot ?? null,
    expiryEstimateUtc: formatUtc(tip.time + (req.expiryHeight - tip.height) * 600),
  };
}
