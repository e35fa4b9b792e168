// Commands: the only way state changes. Plain JSON-able data (numbers are safe integers), so the journal
// stores them as they are. Time enters only through BlockConnected; the engine never reads a clock.
import type { Side, TimeInForce } from './book/types.js';
import type { ProductCommand } from './products/commands.js';

export type { Side, TimeInForce };

/** Credit an account from the outside world (after the deposit's confirmations). */
export interface DepositCommand { type: 'Deposit'; account: string; amountSat: number }
/** Debit an account to the outside world; refused if it would break initial margin. */
export interface WithdrawCommand { type: 'Withdraw'; account: string; amountSat: number }
/** Capitalise a system account (insurance fund or vault) from the outside world. */
/** Credit an on-chain deposit to a custodial deposit address (`outpoint` "txid:vout"); once per outpoint. */
export interface ChainDepositCommand { type: 'ChainDeposit'; account: string; amountSat: number; outpoint: string }
/** Credit an account with what an Ark tx paid the operator's liquidity key (its memo names the account); once per txid. */
export interface ArkDepositCommand { type: 'ArkDeposit'; account: string; amountSat: number; arkTxid: string }
/** Debit an account for a payment to its Ark wallet (`toScript`, hex); held until settled or failed. Once per requestId. */
export interface ArkWithdrawalCommand { type: 'ArkWithdrawal'; account: string; amountSat: number; requestId: string; toScript: string }
/** The Ark tx that paid a pending withdrawal. */
export interface ArkWithdrawalSettledCommand { type: 'ArkWithdrawalSettled'; requestId: string; arkTxid: string }
/** The operator refused the withdrawal's Ark tx: the amount goes back to the account. Only while pending. */
export interface ArkWithdrawalFailedCommand { type: 'ArkWithdrawalFailed'; requestId: string; reason: string }
/** Capitalise a system account (insurance fund or vault) from the outside world. */
export interface FundSystemCommand { type: 'FundSystem'; account: 'insurance' | 'vault'; amountSat: number }

export interface PlaceOrderCommand {
  type: 'PlaceOrder'; account: string; market: string; side: Side; orderType: 'limit' | 'market';
  /** Limit price in ticks (sat/PH/day); absent for market orders. */
  price?: number; qty: number; tif: TimeInForce; postOnly: boolean; reduceOnly: boolean; clientOrderId?: string;
}
export interface CancelOrderCommand { type: 'CancelOrder'; account: string; market: string; orderId?: number; clientOrderId?: string }
export interface AmendOrderCommand {
  type: 'AmendOrder'; account: string; market: string; orderId?: number; clientOrderId?: string; price?: number; qty?: number;
}
export interface CancelAllCommand { type: 'CancelAll'; account: string; market?: string }
/** A block joined the best chain: updates the index, the mark, pays funding, settles PnL, liquidates. */
export interface BlockConnectedCommand {
  type: 'BlockConnected'; height: number; hash: string; time: number; mtp: number;
  /** HPI at this block, sat/PH/day (integer). */
  indexPrice: number;
}

export type Command =
  | DepositCommand | WithdrawCommand | FundSystemCommand
  | ChainDepositCommand | ArkDepositCommand | ArkWithdrawalCommand | ArkWithdrawalSettledCommand | ArkWithdrawalFailedCommand
  | PlaceOrderCommand | CancelOrderCommand | AmendOrderCommand | CancelAllCommand
  | BlockConnectedCommand
  | ProductCommand;

export type CommandType = Command['type'];
