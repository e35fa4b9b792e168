// The edge's half of buying an option: estimate μ and σ from the index history, price with the Hedge
// model, apply the vault's spread, and package the result into a BuyOption command the engine re-checks.
// Runs outside the engine (it reads chain history); the engine only ever sees the command.
import type { IndexChain } from '../../../index/chain-view.js';
import { modelInputsAt, type HistoryEstimate } from '../../../pricing/index-history.js';
import { vaultOptionQuote, type HpiOptionPrice } from '../../../pricing/options.js';
import { InvalidArgumentError, assertSafeInteger } from '../../../units/errors.js';
import { formatUtc } from '../../../units/time.js';
import type { BuyOptionCommand } from './commands.js';
import { DEFAULT_OPTIONS_CONFIG } from './module.js';

export interface OptionQuoteRequest {
  account: string;
  optionType: 'call' | 'put';
  strike: number;
  expiryHeight: number;
  lots: number;
  /** The vault's spread over model (default: the engine's minimum, 100 bps). */
  spreadBps?: number;
  /** History window for μ and σ (days, default 56). */
  windowDays?: number;
}

/** The engine's chain view the quote must agree with (from BlockConnected). */
export interface QuoteTip { height: number; mtp: number; time: number; index: number }

export interface OptionQuoteResult {
  command: BuyOptionCommand;
  /** Model inputs as estimated (μ, σ per year with standard errors) and as used (rounded to ppm). */
  model: { mu: number; sigma: number; muUsed: number; sigmaUsed: number; stdErrLogDrift: number; stdErrSigma: number; window: HistoryEstimate['window']; method: string };
  price: HpiOptionPrice;
  modelMsat: bigint;
  premiumMsat: bigint;
  /** Expected date of the expiry height at 600 s per block from the tip's header time (display only). */
  expiryEstimateUtc: string;
}

export function quoteOption(chain: IndexChain, tip: QuoteTip, req: OptionQuoteRequest): OptionQuoteResult {
  assertSafeInteger('tip.height', tip.height, 0);
  assertSafeInteger('tip.index', tip.index, 1);
  if (req.optionType !== 'call' && req.optionType !== 'put') throw new InvalidArgumentError('optionType', "expected 'call' or 'put'");
  const est = modelInputsAt(chain, tip.height, req.windowDays ?? 56);
  const muPpm = Math.round(est.mu * 1e6);
  const sigmaPpm = Math.round(est.sigma * 1e6);
  const spreadBps = req.spreadBps ?? DEFAULT_OPTIONS_CONFIG.minSpreadBps;
  // Priced with the ppm-rounded inputs the command carries, so anyone can recompute the premium from it.
  const q = vaultOptionQuote({
    type: req.optionType, spotSatPerPHDay: tip.index, strikeSatPerPHDay: req.strike, lots: req.lots,
    mu: muPpm / 1e6, sigma: sigmaPpm / 1e6, tipHeight: tip.height, expiryHeight: req.expiryHeight, spreadBps, tipMtp: tip.mtp,
  });
  const command: BuyOptionCommand = {
    type: 'BuyOption', account: req.account, optionType: req.optionType, strike: req.strike, expiryHeight: req.expiryHeight, lots: req.lots,
    quote: {
      modelMsat: q.modelMsat.toString(), premiumMsat: q.askMsat.toString(), spreadBps, muPpm, sigmaPpm,
      indexAtQuote: tip.index, quotedAtHeight: tip.height, quotedAtMtp: tip.mtp,
    },
  };
  return {
    command,
    model: { mu: est.mu, sigma: est.sigma, muUsed: muPpm / 1e6, sigmaUsed: sigmaPpm / 1e6, stdErrLogDrift: est.stdErrLogDrift, stdErrSigma: est.stdErrSigma, window: est.window, method: est.method },
    price: q.price,
    modelMsat: q.modelMsat,
    premiumMsat: q.askMsat,
    expiryEstimateUtc: formatUtc(tip.time + (req.expiryHeight - tip.height) * 600),
  };
}
