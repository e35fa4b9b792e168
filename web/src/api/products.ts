import type { HashPerpClient } from '../../../src/client/client.js';
import {
  ProductsClient,
  type BdcSeriesInfo,
  type ForwardMarketInfo,
  type ForwardQuote,
  type HistoryEntry,
  type OptionQuoteView,
  type OptionTermsRequest,
  type VaultInfo,
} from '../../../src/client/products-client.js';

/**
 * The app's view of the product routes (forwards, block-delta, swaps, vault, portfolio) over the shared typed
 * client src/client/products-client.ts: public reads through the unsigned client, account actions through the
 * key's signed one (clock already synced). Pages read the records defensively: fields beyond the typed ones
 * are shown generically with their units.
 */
export type ForwardMarketView = ForwardMarketInfo;
export type ForwardQuoteView = ForwardQuote;
export type BdcSeriesView = BdcSeriesInfo;
export type VaultView = VaultInfo;
export type OptionQuote = OptionQuoteView;
export type { HistoryEntry };

export interface BookView {
  bids: { price: number; size: number }[];
  asks: { price: number; size: number }[];
}

export interface OrderAckView {
  orderId: number | string;
  status?: string;
  filled?: number;
  remaining?: number;
}

export interface BdcPositionView {
  positionId: string;
  series: string;
  side: 'FAST' | 'SLOW';
  [k: string]: unknown;
}

export interface SwapOfferView {
  /** `id` in lists, `offerId` in acknowledgements. */
  id?: number;
  offerId?: number;
  [k: string]: unknown;
}

type Rec = Record<string, unknown>;

export class ProductsApi {
  private readonly pub: ProductsClient;
  private readonly clients = new Map<string, Promise<ProductsClient>>();

  constructor(
    pub: HashPerpClient,
    private readonly signed: (secretKeyHex: string) => Promise<HashPerpClient>,
  ) {
    this.pub = new ProductsClient(pub);
  }

  private as(sk: string): Promise<ProductsClient> {
    let c = this.clients.get(sk);
    if (!c) {
      c = this.signed(sk).then((h) => new ProductsClient(h));
      this.clients.set(sk, c);
    }
    return c;
  }

  // ---- forwards
  forwardMarkets(): Promise<ForwardMarketView[]> {
    return this.pub.forwardMarkets();
  }
  forwardBook(market: string, levels = 20): Promise<BookView> {
    return this.pub.forwardBook(market, levels);
  }
  forwardQuote(body: { market: string; qtyLots: number; priceSatPerPHDay: number; taker: 'miner' | 'investor' }): Promise<ForwardQuoteView> {
    return this.pub.forwardQuote(body as Parameters<ProductsClient['forwardQuote']>[0]);
  }
  async placeForwardOrder(sk: string, body: { market: string; side: 'buy' | 'sell'; price: number; qty: number; tif?: 'GTC' | 'IOC' | 'FOK'; postOnly?: boolean }): Promise<OrderAckView> {
    return (await this.as(sk)).placeForwardOrder(body as Parameters<ProductsClient['placeForwardOrder']>[0]);
  }
  async cancelForwardOrder(sk: string, orderId: string, market: string): Promise<unknown> {
    return (await this.as(sk)).cancelForwardOrder(Number(orderId), market);
  }
  async rollover(sk: string, body: { contractId: number; market: string; price: number; qty?: number; with: 'book' | 'counterparty' }): Promise<unknown> {
    return (await this.as(sk)).rollover(body as Parameters<ProductsClient['rollover']>[0]);
  }

  async setAutoDelivery(sk: string, enabled: boolean): Promise<{ seq: number; enabled: boolean }> {
    return (await this.as(sk)).setAutoDelivery({ enabled });
  }
  async deliveryReport(sk: string, body: { contractId: number; day: number; receivedMsat: string }): Promise<{ seq: number; outcome: 'delivered' | 'partial' | 'missed' | null }> {
    return (await this.as(sk)).deliveryReport(body);
  }

  // ---- options
  optionQuote(terms: OptionTermsRequest): Promise<OptionQuoteView> {
    return this.pub.optionQuote(terms);
  }
  async buyOption(sk: string, terms: OptionTermsRequest): Promise<{ seq: number; optionId: string; quote: OptionQuoteView }> {
    return (await this.as(sk)).buyOption(terms);
  }
  async options(sk: string): Promise<Rec[]> {
    return (await this.as(sk)).options();
  }

  // ---- block-delta
  bdcSeries(): Promise<BdcSeriesView[]> {
    return this.pub.bdcSeries();
  }
  bdcBook(series: string): Promise<BookView & { fairBps: number | null }> {
    return this.pub.bdcBook(series);
  }
  async placeBdcOrder(sk: string, body: { series: string; side: 'FAST' | 'SLOW'; price: number; qty: number; tif?: 'GTC' | 'IOC' | 'FOK'; postOnly?: boolean }): Promise<OrderAckView & { positionIds?: string[] }> {
    return (await this.as(sk)).placeBdcOrder(body);
  }
  /** Taking from the Ark wallet: the desk builds the one Ark tx (stake VTXOs + the operator's liquidity in, the contract VTXO out). */
  async prepareBdcTake(sk: string, body: { series: string; side: 'FAST' | 'SLOW'; price: number; qty: number; inputs: { txid: string; vout: number; tapTree: string }[] }) {
    return (await this.as(sk)).prepareBdcTake(body);
  }
  async signBdcTake(sk: string, takeId: string, arkTx: string, checkpoints: string[]) {
    return (await this.as(sk)).signBdcTake(takeId, arkTx, checkpoints);
  }
  async cancelBdcOrder(sk: string, orderId: string, series: string): Promise<unknown> {
    return (await this.as(sk)).cancelBdcOrder(Number(orderId), series);
  }
  async bdcPositions(sk: string): Promise<BdcPositionView[]> {
    return (await (await this.as(sk)).bdcPositions()).positions as BdcPositionView[];
  }
  /** The account's contracts whose series is decided but whose contract VTXO is still to settle or exit. */
  async bdcContractsToSettle(sk: string): Promise<Rec[]> {
    return (await (await this.as(sk)).bdcContracts()).contracts.filter((c) => c.status === 'settled') as Rec[];
  }
  /** Signed: only the holder (or the operator) may read a contract document or its exit package. */
  async bdcContract(sk: string, positionId: string): Promise<Rec> {
    return (await this.as(sk)).bdcContract(positionId);
  }
  async bdcExitPackage(sk: string, positionId: string): Promise<unknown> {
    return (await this.as(sk)).bdcExitPackage(positionId);
  }
  /** The x-only key registered as U of the account's contract VTXOs (null when none). */
  async bdcContractKey(sk: string): Promise<string | null> {
    return (await (await this.as(sk)).bdcContractKey()).key;
  }
  async setBdcContractKey(sk: string, key: string): Promise<{ key: string }> {
    return (await this.as(sk)).setBdcContractKey(key);
  }

  // ---- swaps
  async swapOffers(): Promise<SwapOfferView[]> {
    return (await this.pub.swapOffers()) as SwapOfferView[];
  }
  async createSwapOffer(sk: string, body: { product: 'perp' | 'forward' | 'options' | 'bdc'; positionId: string; qty?: number; priceMsat: string; expiresAtHeight?: number }): Promise<{ offerId: number }> {
    return (await this.as(sk)).offerPosition(body);
  }
  async acceptSwapOffer(sk: string, offerId: string): Promise<unknown> {
    return (await this.as(sk)).acceptOffer(Number(offerId));
  }

  // ---- vault
  vault(): Promise<VaultView> {
    return this.pub.vault();
  }
  async vaultMe(sk: string): Promise<Rec> {
    return (await this.as(sk)).vaultMe();
  }
  async vaultDeposit(sk: string, amountSat: number): Promise<unknown> {
    return (await this.as(sk)).vaultDeposit(amountSat);
  }
  async vaultWithdraw(sk: string, shares: string): Promise<unknown> {
    return (await this.as(sk)).vaultWithdraw(shares);
  }
  /** A perp trade with the vault as counterparty, at the index ± its spread (limitPrice caps a buy / floors a sell). */
  async vaultTrade(sk: string, body: { market: string; side: 'buy' | 'sell'; qty: number; limitPrice?: number }): Promise<{ seq: number } & Rec> {
    return (await this.as(sk)).vaultTrade(body as Parameters<ProductsClient['vaultTrade']>[0]);
  }

  // ---- portfolio
  async history(sk: string, limit = 50): Promise<HistoryEntry[]> {
    return (await (await this.as(sk)).history({ limit })).entries;
  }
  async portfolio(sk: string): Promise<Rec> {
    return (await this.as(sk)).portfolio();
  }
}
