// Events of the forward product. Amounts in msat are bigint; prices sat/PH/day; sizes forward lots.

export interface ForwardOrderAccepted {
  type: 'ForwardOrderAccepted'; orderId: number; account: string; market: string; side: 'buy' | 'sell';
  price: number; qty: number; tif: 'GTC' | 'IOC' | 'FOK'; postOnly: boolean;
}
export interface ForwardOrderResting {
  type: 'ForwardOrderResting'; orderId: number; account: string; market: string; side: 'buy' | 'sell'; price: number; qty: number;
  /** escrowed for the resting quantity: the investor's upfront (bids) or the miner's 110 % collateral (asks) */
  lockedMsat: bigint;
}
export interface ForwardOrderClosed {
  type: 'ForwardOrderClosed'; orderId: number; account: string; market: string; remainingQty: number;
  reason: 'filled' | 'user' | 'ioc_remainder' | 'self_trade';
  releasedMsat: bigint;
}
export interface ForwardFilled {
  type: 'ForwardFilled'; market: string; contractId: number; price: number; qty: number; takerSide: 'buy' | 'sell';
  makerOrderId: number; takerOrderId: number; maker: string; taker: string; takerFeeMsat: bigint;
}
export interface ForwardContractOpened {
  type: 'ForwardContractOpened'; contractId: number; market: string; miner: string; investor: string;
  qtyLots: number; price: number; days: number; startHeight: number; endHeight: number;
  valueMsat: bigint; collateralMsat: bigint; rolledFrom?: number;
}
/**
 * A day whose obligation was met in full or in part (partial: deliveredMsat < obligationMsat). LOKA's rule:
 * on a partial day deliveredMsat is the rewards of the hashrate the miner did deliver, which the miner keeps
 * (nothing is paid to the investor, feeMsat is 0) while the whole tranche goes to the investor.
 */
export interface ForwardDayDelivered {
  type: 'ForwardDayDelivered'; contractId: number; day: number; meanIndex: number; obligationMsat: bigint;
  deliveredMsat: bigint; feeMsat: bigint; via: 'cash' | 'report';
}
/** A day with nothing delivered (no cash, no report before the deadline, or a report of zero). */
export interface ForwardDayMissed {
  type: 'ForwardDayMissed'; contractId: number; day: number; meanIndex: number; obligationMsat: bigint;
  via: 'cash' | 'report' | 'deadline';
}
/** A day ended without auto-delivery: it waits for the investor's DeliveryReport until `deadlineHeight`. */
export interface ForwardDayAwaitingReport {
  type: 'ForwardDayAwaitingReport'; contractId: number; day: number; meanIndex: number; obligationMsat: bigint; deadlineHeight: number;
}
export interface ForwardCollateralReleased {
  type: 'ForwardCollateralReleased'; contractId: number; day: number; toMinerMsat: bigint; toInvestorMsat: bigint; remainingMsat: bigint;
}
export interface ForwardContractClosed {
  type: 'ForwardContractClosed'; contractId: number; deliveredDays: number; partialDays: number; missedDays: number;
  /** Rewards paid to the investor: the sum over fully delivered days (partial days' rewards stay with the miner). */
  deliveredMsat: bigint; rolledInto?: number;
}
export interface ForwardAutoDeliverySet { type: 'ForwardAutoDeliverySet'; account: string; enabled: boolean }
export interface ForwardRolledOver { type: 'ForwardRolledOver'; account: string; fromContractId: number; toContractId: number; with: 'book' | 'counterparty' }
export interface ForwardPositionTransferred {
  type: 'ForwardPositionTransferred'; contractId: number; side: 'miner' | 'investor'; from: string; to: string;
}

export type ForwardEvent =
  | ForwardOrderAccepted | ForwardOrderResting | ForwardOrderClosed | ForwardFilled | ForwardContractOpened
  | ForwardDayDelivered | ForwardDayMissed | ForwardDayAwaitingReport | ForwardCollateralReleased | ForwardContractClosed
  | ForwardAutoDeliverySet | ForwardRolledOver | ForwardPositionTransferred;
