// The engine's mutable state: one plain object that every command handler takes first. Nothing here
// decides anything; the rules live in the sibling modules and read or change this object.
import { OrderBook } from '../book/order-book.js';
import type { Side } from '../book/types.js';
import { userAccount, type Ledger } from '../ledger/ledger.js';
import { HPI_PERP, normalizeSpec, type PerpSpec } from '../products/perp/spec.js';
import type { ProductContext, ProductModule, ProductsConfig } from '../products/product.js';
import { productFactories } from '../products/registry.js';
import { createArkFunds, type ArkFundsState } from './ark-funds.js';

export interface Position {
  qty: number;
  /** Σ signed lots × price (msat) since the last settlement (settlement resets it to qty × mark). */
  cost: bigint;
  /** |entry notional| msat of the open position (display, ADL ranking); not used for money. */
  entryCost: bigint;
  /** Σ remaining lots × price of resting buy / sell orders (msat), for initial margin. */
  buyOpen: bigint;
  sellOpen: bigint;
  /** Ids of the resting reduce-only orders (few), so trims never walk an account's whole order list. */
  reduceOnlyIds: Set<number> | undefined;
}

export interface OrderMeta {
  id: number; owner: string; market: string; side: Side; price: number; qty: number; reduceOnly: boolean;
  clientOrderId?: string;
}

export interface MarketState {
  spec: PerpSpec;
  book: OrderBook;
  index: number | undefined;
  /** The mark the last block set (see funding.ts); every rule between blocks reads this one. */
  mark: number | undefined;
  basisEmaPpm: number;
  premiums: number[];
  rate8hPpm: number;
  positions: Map<string, Position>;
  orders: Map<number, OrderMeta>;
  /** The spec's rates as bigint, converted once (the spec never changes after construction). */
  rates: MarketRates;
  /** positions' owners in name order, cached between blocks; reset whenever an owner is added or removed. */
  sortedOwners: string[] | undefined;
}

export interface MarketRates { initialMarginPpm: bigint; maintenanceMarginPpm: bigint; takerFeePpm: bigint; makerFeePpm: bigint; liquidationFeePpm: bigint }

/** Markets by id; a partial spec takes HPI-PERP's defaults for the missing fields. */
export interface ExchangeConfig { markets?: (Partial<PerpSpec> & { id: string })[]; products?: ProductsConfig }

/** The chain as the last BlockConnected left it (height −1 before the first block). */
export interface ChainState { height: number; hash: string; time: number; mtp: number; index: number | undefined }

/** The functions a ProductContext lends; they close over the state only, so they are made once. */
export type ProductHooks = Pick<ProductContext, 'available' | 'equity' | 'product' | 'perp'>;

export interface EngineState {
  readonly ledger: Ledger;
  readonly markets: Map<string, MarketState>;
  /** The markets in the Map's order, for index loops on the hot path. */
  readonly marketList: MarketState[];
  /** owner → clientOrderId → live order id (nested, so no key string is built per lookup). */
  readonly clientIds: Map<string, Map<string, number>>;
  /** account → `user:<account>` (see ownerOf). */
  readonly owners: Map<string, string>;
  readonly chain: ChainState;
  /** Products besides the perp, in registry order; `productByCommand` routes their commands. */
  readonly products: ProductModule[];
  readonly productByCommand: Map<string, ProductModule>;
  productHooks: ProductHooks | undefined;
  /** Ark txs credited and withdrawals paid through Ark (ark-funds.ts). */
  readonly ark: ArkFundsState;
  /** Outpoints credited to custodial deposit addresses (chain-deposits.ts). */
  readonly chainDeposits: Map<string, { account: string; amountSat: number }>;
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function ratesOf(spec: PerpSpec): MarketRates {
  return {
    initialMarginPpm: BigInt(spec.initialMarginPpm), maintenanceMarginPpm: BigInt(spec.maintenanceMarginPpm),
    takerFeePpm: BigInt(spec.takerFeePpm), makerFeePpm: BigInt(spec.makerFeePpm), liquidationFeePpm: BigInt(spec.liquidationFeePpm),
  };
}

export function createState(config: ExchangeConfig, ledger: Ledger): EngineState {
  const products = productFactories.map((f) => f(config.products ?? {}));
  const productByCommand = new Map<string, ProductModule>();
  for (const p of products) {
    for (const t of p.commandTypes) {
      if (productByCommand.has(t)) throw new Error(`command type ${t} claimed by two products`);
      productByCommand.set(t, p);
    }
  }
  const markets = new Map<string, MarketState>();
  const specs = (config.markets ?? [HPI_PERP]).map(normalizeSpec).sort((a, b) => cmp(a.id, b.id));
  for (const spec of specs) {
    markets.set(spec.id, {
      spec, book: new OrderBook(), index: undefined, mark: undefined, basisEmaPpm: 0, premiums: [], rate8hPpm: 0,
      positions: new Map(), orders: new Map(), rates: ratesOf(spec), sortedOwners: undefined,
    });
  }
  return {
    ledger, markets, marketList: [...markets.values()], clientIds: new Map(), owners: new Map(),
    chain: { height: -1, hash: '', time: 0, mtp: 0, index: undefined },
    products, productByCommand, productHooks: undefined, ark: createArkFunds(), chainDeposits: new Map(),
  };
}

/**
 * Mark price of a market (undefined before the first index): set once per block from the index, the basis EMA
 * and the book's impact prices (funding.ts), so no order placed between blocks moves it.
 */
export function markOf(m: MarketState): number | undefined {
  return m.mark;
}

/**
 * `user:<account>`, one string per account: every later Map lookup with it (positions, ledger, order ids)
 * then hits the cached hash and an identical key instead of hashing and comparing a fresh string.
 * Bounded, and invisible to behaviour: a cleared cache only rebuilds equal strings.
 */
export function ownerOf(s: EngineState, account: string): string {
  const owners = s.owners;
  let o = owners.get(account);
  if (o === undefined) {
    if (owners.size >= 65_536) owners.clear();
    o = userAccount(account);
    owners.set(account, o);
  }
  return o;
}

/** The user id of a ledger owner (`user:alice` → `alice`; system accounts keep their name). */
export function accountOf(owner: string): string {
  return owner.startsWith('user:') ? owner.slice(5) : owner;
}
