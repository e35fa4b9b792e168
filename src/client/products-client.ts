/**
 * Typed client for the product routes (forwards, options, vault, block-delta, swaps, portfolio). Runs in
 * Node and browsers: it signs through HashPerpClient (fetch + noble) and imports only types from the server.
 * Money is msat as decimal strings (use BigInt() on them); prices and sizes are integers.
 */
import type { Static } from 'typebox';
import type { HashPerpClient } from './client.js';
import type { BdcOrderBody, BdcListBody } from '../api/routes/products/bdc.js';
import type { AutoDeliveryBody, DeliveryReportBody, ForwardOrderBody, ForwardQuoteBody, RolloverBody } from '../api/routes/products/forwards.js';
import type { OptionTerms } from '../api/routes/products/options.js';
import type { OfferBody, OffersQuery } from '../api/routes/products/swaps.js';
import type { VaultTradeBody } from '../api/routes/products/vault.js';
import type { HistoryEntry } from '../api/products/port.js';

export type ForwardQuoteRequest = Static<typeof ForwardQuoteBody>;
export type ForwardOrderRequest = Static<typeof ForwardOrderBody>;
export type DeliveryReportRequest = Static<typeof DeliveryReportBody>;
export type RolloverRequest = Static<typeof RolloverBody>;
export type OptionTermsRequest = Static<typeof OptionTerms>;
export type BdcOrderRequest = Static<typeof BdcOrderBody>;
export type BdcListRequest = Static<typeof BdcListBody>;
export type SwapOfferRequest = Static<typeof OfferBody>;
export type SwapOffersQuery = Static<typeof OffersQuery>;
export type VaultTradeRequest = Static<typeof VaultTradeBody>;
export type { HistoryEntry } from '../api/products/port.js';
export { signRolloverConsent, consentBody, CONSENT_PATH, type RolloverConsent, type RolloverTerms } from '../api/products/rollover-consent.js';

type Json = Record<string, unknown>;
export interface BookLevels { bids: { price: number; size: number }[]; asks: { price: number; size: number }[] }

export interface ForwardMarketInfo { market: string; days: number; bestBid: number | null; bestAsk: number | null; fairPriceSatPerPHDay: number | null; fairVsSpotPct: number | null }
export interface ForwardQuote extends Json {
  contractValueMsat: string; collateralMsat: string; upfrontToMinerMsat: string; investorPaysMsat: string; takerFeeMsat: string;
  dailyReleaseMsat: string; capitalEfficiency: number; discountToIndex: number; expectedDeliveredMsat: string;
  impliedApySimple: number; impliedApyCompounded: number; breakEvenIndexSatPerPHDay: number; indexSatPerPHDay: number; height: number;
}
export interface ForwardOrderAck extends Json { seq: number; orderId: number; status: string; filled: number; remaining: number; contractIds: number[]; lockedMsat: string }
export interface ForwardContractView extends Json {
  contractId: number; market: string; roles: ('miner' | 'investor')[]; qtyLots: number; price: number; days: number; startHeight: number; endHeight: number;
  status: 'open' | 'closed'; daysEnded: number; daysDelivered: number; daysPartial: number; daysMissed: number; daysAwaitingReport: number;
  collateral: { lockedMsat: string; releasedMsat: string; remainingMsat: string; toMinerMsat: string; toInvestorMsat: string };
}
export interface OptionQuoteView extends Json { premiumMsat: string; modelMsat: string; windowDays: number; mu: number; sigma: number; muUsed: number; sigmaUsed: number; expiryUtc: string; basis: { index: number; height: number; mtp: number; time: number } }
export interface VaultInfo extends Json { navMsat: string; totalShares: string; sharePriceMsat: string; withdrawalDelayBlocks: number; pendingWithdrawals: Json[]; exposure: Json[] }
export interface BdcSeriesInfo extends Json {
  series: string; height: number; deadline: number; deadlineIso: string; heightEtaIso: string | null; payoutSat: number;
  bestBid: number | null; bestAsk: number | null; fairBps: number | null; status: 'open' | 'settled'; winner: 'FAST' | 'SLOW' | null;
}
export interface SeqAck extends Json { seq: number }

const enc = encodeURIComponent;

/** Product calls over an existing HashPerpClient (its credentials sign the account routes). */
export class ProductsClient {
  constructor(private readonly c: HashPerpClient) {}

  // forwards
  async forwardMarkets(): Promise<ForwardMarketInfo[]> {
    return (await this.c.request<{ markets: ForwardMarketInfo[] }>('GET', '/v1/forwards/markets')).markets;
  }
  forwardBook(market: string, levels?: number): Promise<BookLevels & { market: string; days: number }> {
    return this.c.request('GET', `/v1/forwards/${enc(market)}/book`, { query: { levels } });
  }
  forwardQuote(q: ForwardQuoteRequest): Promise<ForwardQuote> {
    return this.c.request('POST', '/v1/forwards/quote', { body: q });
  }
  placeForwardOrder(o: ForwardOrderRequest): Promise<ForwardOrderAck> {
    return this.c.request('POST', '/v1/forwards/orders', { signed: true, body: o });
  }
  cancelForwardOrder(orderId: number, market?: string): Promise<SeqAck> {
    return this.c.request('DELETE', `/v1/forwards/orders/${orderId}`, { signed: true, query: { market } });
  }
  forwardContracts(): Promise<{ autoDelivery: boolean; orders: Json[]; contracts: ForwardContractView[] }> {
    return this.c.request('GET', '/v1/forwards/contracts', { signed: true });
  }
  setAutoDelivery(b: Static<typeof AutoDeliveryBody>): Promise<SeqAck & { enabled: boolean }> {
    return this.c.request('POST', '/v1/forwards/auto-delivery', { signed: true, body: b });
  }
  deliveryReport(b: DeliveryReportRequest): Promise<SeqAck & { outcome: 'delivered' | 'partial' | 'missed' | null }> {
    return this.c.request('POST', '/v1/forwards/delivery-report', { signed: true, body: b });
  }
  rollover(b: RolloverRequest): Promise<SeqAck & { toContractIds: number[] }> {
    return this.c.request('POST', '/v1/forwards/rollover', { signed: true, body: b });
  }

  // options
  optionQuote(q: OptionTermsRequest): Promise<OptionQuoteView> {
    return this.c.request('GET', '/v1/options/quote', { query: { ...q } });
  }
  buyOption(q: OptionTermsRequest): Promise<SeqAck & { optionId: string; quote: OptionQuoteView }> {
    return this.c.request('POST', '/v1/options/buy', { signed: true, body: q });
  }
  async options(): Promise<Json[]> {
    return (await this.c.request<{ options: Json[] }>('GET', '/v1/options', { signed: true })).options;
  }

  // vault
  vault(): Promise<VaultInfo> {
    return this.c.request('GET', '/v1/vault');
  }
  vaultMe(): Promise<{ shares: string; valueMsat: string; pending: Json | null }> {
    return this.c.request('GET', '/v1/vault/me', { signed: true });
  }
  vaultDeposit(amountSat: number): Promise<SeqAck> {
    return this.c.request('POST', '/v1/vault/deposit', { signed: true, body: { amountSat } });
  }
  vaultWithdraw(shares: string): Promise<SeqAck> {
    return this.c.request('POST', '/v1/vault/withdraw', { signed: true, body: { shares } });
  }
  vaultTrade(t: VaultTradeRequest): Promise<SeqAck> {
    return this.c.request('POST', '/v1/vault/trade', { signed: true, body: t });
  }

  // block-delta
  async bdcSeries(): Promise<BdcSeriesInfo[]> {
    return (await this.c.request<{ series: BdcSeriesInfo[] }>('GET', '/v1/bdc/series')).series;
  }
  bdcBook(series: string, levels?: number): Promise<BookLevels & { series: string; fairBps: number | null }> {
    return this.c.request('GET', `/v1/bdc/series/${enc(series)}/book`, { query: { levels } });
  }
  listBdcSeries(b: BdcListRequest): Promise<SeqAck & { series: string }> {
    return this.c.request('POST', '/v1/bdc/series', { signed: true, body: b });
  }
  placeBdcOrder(o: BdcOrderRequest): Promise<SeqAck & { orderId: number; status: string; filled: number; remaining: number; positionIds: string[] }> {
    return this.c.request('POST', '/v1/bdc/orders', { signed: true, body: o });
  }
  cancelBdcOrder(orderId: number, series?: string): Promise<SeqAck> {
    return this.c.request('DELETE', `/v1/bdc/orders/${orderId}`, { signed: true, query: { series } });
  }
  bdcPositions(): Promise<{ positions: Json[]; orders: Json[] }> {
    return this.c.request('GET', '/v1/bdc/positions', { signed: true });
  }
  /** Registers the x-only key of the account's Ark wallet as U in its contract VTXOs (not the API key). */
  setBdcContractKey(key: string): Promise<{ key: string }> {
    return this.c.request('POST', '/v1/bdc/contract-key', { signed: true, body: { key } });
  }
  /** Accept an offer on a contract VTXO as an atomic Ark swap (your VTXOs with their tap trees pay the price). */
  prepareBdcSwap(offerId: number, inputs: { txid: string; vout: number; tapTree: string }[]): Promise<Json & { swapId: string; arkTx: string; checkpoints: string[]; sellerInputs: number[]; buyerInputs: number[] }> {
    return this.c.request('POST', '/v1/bdc/swaps', { signed: true, body: { offerId, inputs } });
  }
  /** Take a series from your Ark wallet in one Ark tx you sign (fill-or-kill at the limit). */
  prepareBdcTake(body: { series: string; side: 'FAST' | 'SLOW'; price: number; qty: number; inputs: { txid: string; vout: number; tapTree: string }[] }): Promise<Json & { takeId: string; arkTx: string; checkpoints: string[]; userInputs: number[]; depositSat: number; stakeSat: number }> {
    return this.c.request('POST', '/v1/bdc/take', { signed: true, body });
  }
  signBdcTake(takeId: string, arkTx: string, checkpoints: string[]): Promise<Json & { takeId: string; status: string; reason?: string; positions?: string[] }> {
    return this.c.request('POST', `/v1/bdc/take/${takeId}/signatures`, { signed: true, body: { arkTx, checkpoints } });
  }
  bdcSwaps(): Promise<{ swaps: (Json & { swapId: string; seller: string; buyer: string; arkTx: string; checkpoints: string[]; sellerInputs: number[]; buyerInputs: number[]; status: string; signed: { seller: boolean; buyer: boolean } })[] }> {
    return this.c.request('GET', '/v1/bdc/swaps', { signed: true });
  }
  signBdcSwap(swapId: string, arkTx: string, checkpoints: string[]): Promise<Json & { swapId: string; status: string; reason?: string }> {
    return this.c.request('POST', `/v1/bdc/swaps/${swapId}/signatures`, { signed: true, body: { arkTx, checkpoints } });
  }
  bdcContractKey(): Promise<{ key: string | null }> {
    return this.c.request('GET', '/v1/bdc/contract-key', { signed: true });
  }
  /** Your contracts: open, and decided ones still to settle or exit. */
  bdcContracts(): Promise<{ contracts: (Json & { positionId: string; status: string; outpoint?: string })[] }> {
    return this.c.request('GET', '/v1/bdc/contracts', { signed: true });
  }
  /** Signed: only the holder (or the operator) may read it; anyone else gets 404. positionId contains '#': it is percent-encoded here. */
  bdcContract(positionId: string): Promise<Json & { positionId: string; status: string; funded: boolean; outpoint?: string; reason?: string }> {
    return this.c.request('GET', `/v1/bdc/contracts/${enc(positionId)}`, { signed: true });
  }
  /** Signed, like the document. */
  bdcExitPackage(positionId: string): Promise<Json> {
    return this.c.request('GET', `/v1/bdc/contracts/${enc(positionId)}/exit-package`, { signed: true });
  }
  /** The path of the exit package (a signed GET: a plain link cannot fetch it). */
  bdcExitPackagePath(positionId: string): string {
    return `/v1/bdc/contracts/${enc(positionId)}/exit-package`;
  }

  // swaps
  async swapOffers(q: SwapOffersQuery = {}): Promise<Json[]> {
    return (await this.c.request<{ offers: Json[] }>('GET', '/v1/swaps/offers', { query: { ...q } })).offers;
  }
  offerPosition(b: SwapOfferRequest): Promise<SeqAck & { offerId: number }> {
    return this.c.request('POST', '/v1/swaps/offers', { signed: true, body: b });
  }
  cancelOffer(offerId: number): Promise<SeqAck> {
    return this.c.request('DELETE', `/v1/swaps/offers/${offerId}`, { signed: true });
  }
  acceptOffer(offerId: number): Promise<SeqAck> {
    return this.c.request('POST', `/v1/swaps/offers/${offerId}/accept`, { signed: true });
  }

  // portfolio
  history(q: { limit?: number; before?: number } = {}): Promise<{ entries: HistoryEntry[]; nextBefore: number | null }> {
    return this.c.request('GET', '/v1/account/history', { signed: true, query: q });
  }
  portfolio(): Promise<Json & { balances: { balanceMsat: string; equityMsat: string; availableMsat: string } }> {
    return this.c.request('GET', '/v1/account/portfolio', { signed: true });
  }
}
