// Commands of the options product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.

/**
 * The quote the buyer saw (quote.ts makes it from the engine's own state). The engine takes none of its
 * numbers as the truth: it prices the option itself (model.ts) and
 *  - refuses when its premium is above `premiumMsat` (the buyer's limit: the most it will pay),
 *  - refuses a quote whose index or MTP is too far from its own chain view (the freshness rule),
 *  - records its own model value, μ, σ and spread; the ones here are informational and ignored.
 */
export interface OptionQuote {
  /** The most the buyer pays the vault for the whole size, msat (decimal string): the limit. */
  premiumMsat: string;
  /** Index (sat/PH/day), tip height and MTP when the quote was made (the freshness rule). */
  indexAtQuote: number;
  quotedAtHeight: number;
  quotedAtMtp: number;
  /** Informational only (what the quote showed); the engine ignores them. */
  modelMsat?: string;
  spreadBps?: number;
  muPpm?: number;
  sigmaPpm?: number;
}

/** Buy a European HPI call or put from the vault. */
export interface BuyOptionCommand {
  type: 'BuyOption';
  account: string;
  optionType: 'call' | 'put';
  /** Strike, sat/PH/day (= msat per lot). */
  strike: number;
  /** Last block of the expiry day; the payoff uses the mean index of blocks expiryHeight−143 .. expiryHeight. */
  expiryHeight: number;
  /**
   * Lots of 1 TH/s·day: payoff msat = lots × min(max(S − K, 0), 2K) for a call (the cap is a contract term:
   * a call spread K .. 3K, priced as such), lots × max(K − S, 0) for a put.
   */
  lots: number;
  quote: OptionQuote;
}

export type OptionCommand = BuyOptionCommand;
export const OPTIONS_COMMAND_TYPES: readonly string[] = ['BuyOption'];
