// Events of the options product.

export interface OptionBought {
  type: 'OptionBought';
  optionId: string; account: string; optionType: 'call' | 'put'; strike: number; expiryHeight: number; lots: number;
  premiumMsat: bigint; modelMsat: bigint; feeMsat: bigint; collateralMsat: bigint;
  muPpm: number; sigmaPpm: number; indexAtQuote: number; quotedAtHeight: number; height: number;
}

export interface OptionSettled {
  type: 'OptionSettled';
  optionId: string; account: string; expiryHeight: number;
  /** The expiry day's index sum and block count (mean = sum / blocks). */
  indexSum: bigint; blocks: number; payoffMsat: bigint; releasedMsat: bigint;
}

export interface OptionTransferred { type: 'OptionTransferred'; optionId: string; from: string; to: string }

export type OptionEvent = OptionBought | OptionSettled | OptionTransferred;
