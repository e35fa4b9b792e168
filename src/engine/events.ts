// Events: what the engine tells projections and feeds. Amounts in msat are bigint; prices ticks, sizes lots.
import type { Side, TimeInForce } from './book/types.js';
import type { ProductEvent } from './products/events.js';
import type { CatalogueCodes } from '../units/error-catalogue.js';

/** The catalogue codes the engine refuses with (a reason missing from src/units/error-catalogue.ts does not compile). */
export type RejectReason = CatalogueCodes<
  | 'invalid_argument' | 'unknown_market' | 'unknown_account' | 'market_not_ready' | 'price_off_tick'
  | 'insufficient_margin' | 'insufficient_balance' | 'post_only_would_cross' | 'fok_not_fillable'
  | 'duplicate_client_order_id' | 'unknown_order' | 'reduce_only_would_increase' | 'no_liquidity'
  | 'stale_block' | 'price_out_of_band'
  | 'duplicate_ark_tx' | 'duplicate_request_id' | 'unknown_withdrawal' | 'duplicate_deposit'
  // products
  | 'unknown_position' | 'unknown_series' | 'unknown_offer' | 'unknown_contract' | 'not_owner' | 'expiry_too_soon'
  | 'quote_stale' | 'withdrawal_pending' | 'exposure_limit' | 'already_settled' | 'too_early' | 'not_allowed'
>;

export interface CommandRejected { type: 'CommandRejected'; seq: number; command: string; reason: RejectReason; field?: string; message: string }
export interface OrderRejected {
  type: 'OrderRejected'; seq: number; account: string; market: string; reason: RejectReason; field?: string; message: string;
  clientOrderId?: string;
}
export interface OrderAccepted {
  type: 'OrderAccepted'; orderId: number; account: string; market: string; side: Side; orderType: 'limit' | 'market';
  /** The effective limit (for market orders: the protection band's edge). */
  price: number; qty: number; tif: TimeInForce; postOnly: boolean; reduceOnly: boolean; clientOrderId?: string;
}
export interface TradeEvent {
  type: 'Trade'; market: string; price: number; qty: number; takerSide: Side;
  makerOrderId: number; takerOrderId: number; maker: string; taker: string;
  makerFeeMsat: bigint; takerFeeMsat: bigint; liquidation: boolean;
}
export interface OrderResting { type: 'OrderResting'; orderId: number; account: string; market: string; side: Side; price: number; qty: number }
export interface OrderFilled { type: 'OrderFilled'; orderId: number; account: string; market: string }
export type CancelReason = 'user' | 'cancel_all' | 'ioc_remainder' | 'liquidation' | 'reduce_only';
export interface OrderCancelled { type: 'OrderCancelled'; orderId: number; account: string; market: string; remainingQty: number; reason: CancelReason }
export interface OrderExpired { type: 'OrderExpired'; orderId: number; account: string; market: string; remainingQty: number; reason: 'self_trade' }
export interface OrderAmended { type: 'OrderAmended'; orderId: number; account: string; market: string; price: number; qty: number; requeued: boolean }
export interface LedgerTransfer { type: 'LedgerTransfer'; from: string; to: string; amountMsat: bigint; reason: TransferReason; market?: string }
export type TransferReason =
  | 'deposit' | 'withdrawal' | 'withdrawal_reversal' | 'system_funding' | 'taker_fee' | 'maker_fee' | 'pnl_settlement' | 'funding' | 'liquidation_fee'
  | 'liquidation_to_vault' | 'shortfall_cover' | 'settlement_dust'
  | 'swap_payment'
  | 'option_premium' | 'option_fee' | 'option_collateral' | 'option_payoff' | 'option_collateral_release' | 'vault_deposit' | 'vault_withdrawal' | 'vault_trade' | 'vault_trade_fee'
  | 'fwd_order_lock' | 'fwd_order_release' | 'fwd_upfront' | 'fwd_collateral_lock' | 'fwd_collateral_release' | 'fwd_delivery' | 'fwd_delivery_fee'
  | 'bdc_escrow' | 'bdc_escrow_release' | 'bdc_premium' | 'bdc_payout' | 'bdc_vtxo_payout' | 'bdc_ark_stake';
export interface DepositEvent { type: 'Deposit'; account: string; amountSat: number }
export interface WithdrawalEvent { type: 'Withdrawal'; account: string; amountSat: number }
export interface ArkDepositEvent { type: 'ArkDeposit'; account: string; amountSat: number; arkTxid: string }
export interface ArkWithdrawalRequestedEvent { type: 'ArkWithdrawalRequested'; account: string; amountSat: number; requestId: string; toScript: string }
export interface ArkWithdrawalSettledEvent { type: 'ArkWithdrawalSettled'; account: string; amountSat: number; requestId: string; arkTxid: string }
export interface ArkWithdrawalFailedEvent { type: 'ArkWithdrawalFailed'; account: string; amountSat: number; requestId: string; reason: string }
export interface MarkPriceEvent { type: 'MarkPrice'; market: string; height: number; index: number; fair: number; mark: number; basisEmaPpm: number }
export interface FundingPaid {
  type: 'FundingPaid'; market: string; height: number; premiumPpm: number; avgPremiumPpm: number;
  /** 8-hour rate in ppm; this block pays 1/48 of it. Positive: longs pay shorts. */
  rate8hPpm: number; mark: number;
}
export interface PositionChanged { type: 'PositionChanged'; account: string; market: string; qty: number; costMsat: bigint }
export interface LiquidationEvent {
  type: 'Liquidation'; account: string; market: string; mark: number; positionQty: number;
  closedInBook: number; toVault: number; toAdl: number; feeMsat: bigint; remainingBalanceMsat: bigint;
}
export interface AdlEvent { type: 'ADL'; market: string; from: string; account: string; qty: number; costMsat: bigint }
export interface SettlementShortfall { type: 'SettlementShortfall'; market: string; height: number; shortfallMsat: bigint; coveredMsat: bigint; haircutMsat: bigint }
export interface BlockProcessed { type: 'BlockProcessed'; height: number; hash: string; time: number; mtp: number }

export type EngineEvent =
  | CommandRejected | OrderRejected | OrderAccepted | TradeEvent | OrderResting | OrderFilled | OrderCancelled | OrderExpired
  | OrderAmended | LedgerTransfer | DepositEvent | WithdrawalEvent | MarkPriceEvent
  | ArkDepositEvent | ArkWithdrawalRequestedEvent | ArkWithdrawalSettledEvent | ArkWithdrawalFailedEvent | FundingPaid | PositionChanged
  | LiquidationEvent | AdlEvent | SettlementShortfall | BlockProcessed
  | ProductEvent;
