// Commands of the forward product. Plain JSON data (safe integers, strings, booleans); the journal stores them as they are.
// Accounts are bare account ids (as in the core's commands); msat amounts that may pass 2^53 are decimal strings.

/** Markets: FWD-30D, FWD-90D, FWD-180D, FWD-365D. Sell = miner (sells hashrate), buy = investor. */
export interface ForwardPlaceOrderCommand {
  type: 'ForwardPlaceOrder'; account: string; market: string; side: 'buy' | 'sell';
  /** sat/PH/day, tick 1 */
  price: number;
  /** forward lots (0.0001 TH/s); at least 10,000 (1 TH/s) */
  qty: number;
  /** default GTC */
  tif?: 'GTC' | 'IOC' | 'FOK';
  postOnly?: boolean;
}
export interface ForwardCancelOrderCommand { type: 'ForwardCancelOrder'; account: string; market: string; orderId: number }
/** A miner opts in (or out) of cash delivery: at each day's end the engine pays the obligation from the free balance. */
export interface ForwardSetAutoDeliveryCommand { type: 'ForwardSetAutoDelivery'; account: string; enabled: boolean }
/**
 * The investor states what they received off-exchange for one ended contract day (signed by the investor at
 * the API layer). Accepted while the day awaits its report (from its end until REPORT_GRACE_BLOCKS later).
 */
export interface ForwardDeliveryReportCommand {
  type: 'ForwardDeliveryReport'; account: string; contractId: number; day: number;
  /** msat, decimal string */
  receivedMsat: string;
}
/**
 * Rollover (see module.ts header): the miner of an expiring contract (in its final day) opens the next
 * contract, starting exactly at the old contract's end, in one command.
 * - `with: 'book'`: sells `qty` at limit `price` on `market` against resting bids, fill-or-kill.
 * - `with: 'counterparty'`: the same investor at `price`; `investorSigned` must be true (both signed at the API layer).
 */
export interface ForwardRolloverCommand {
  type: 'ForwardRollover'; account: string; contractId: number; market: string; price: number;
  /** default: the old contract's quantity */
  qty?: number;
  with: 'book' | 'counterparty';
  investorSigned?: boolean;
}

export type ForwardCommand =
  | ForwardPlaceOrderCommand | ForwardCancelOrderCommand | ForwardSetAutoDeliveryCommand
  | ForwardDeliveryReportCommand | ForwardRolloverCommand;

export const FORWARD_COMMAND_TYPES: readonly string[] = [
  'ForwardPlaceOrder', 'ForwardCancelOrder', 'ForwardSetAutoDelivery', 'ForwardDeliveryReport', 'ForwardRollover',
];
