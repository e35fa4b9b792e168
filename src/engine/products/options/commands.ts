// Commands of the options product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.

/**
 * The vault's quote, computed at the edge (the engine has no chain history): the Hedge model value of the
 * whole size and the ask the buyer pays, with the model inputs and the chain state it was made at. The
 * engine re-checks it against its own chain view (index move, MTP age, 72-hour rule) and the vault's limits.
 */
export interface OptionQuote {
  /** Model value of the whole size, msat (decimal string). */
  modelMsat: string;
  /** What the buyer pays the vault: ceil(model × (10 000 + spreadBps) / 10 000), msat (decimal string). */
  premiumMsat: string;
  spreadBps: number;
  /** Model inputs, parts per million per year: drift μ and volatility σ estimated from the index history. */
  muPpm: number;
  sigmaPpm: number;
  /** Index (sat/PH/day), tip height and MTP when the quote was made. */
  indexAtQuote: number;
  quotedAtHeight: number;
  quotedAtMtp: number;
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
  /** Lots of 1 TH/s·day: payoff msat = lots × max(S − K, 0) for a call (capped), lots × max(K − S, 0) for a put. */
  lots: number;
  quote: OptionQuote;
}

export type OptionCommand = BuyOptionCommand;
export const OPTIONS_COMMAND_TYPES: readonly string[] = ['BuyOption'];
