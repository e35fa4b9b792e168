// The forward product's mutable state, shared by its order, delivery, rollover and snapshot modules.
import { OrderBook } from '../../book/order-book.js';
import { FORWARD_MARKETS, type ForwardContract, type Side } from './contract.js';

export interface ForwardOrderMeta { id: number; account: string; market: string; side: Side; price: number }

export interface ForwardState {
  books: Map<string, OrderBook>;
  orders: Map<number, ForwardOrderMeta>;
  contracts: Map<number, ForwardContract>;
  /** ids of open contracts in ascending order (the ones onBlock visits) */
  open: Set<number>;
  autoDelivery: Set<string>;
  nextOrderId: number;
  nextContractId: number;
}

export function createForwardState(): ForwardState {
  const books = new Map<string, OrderBook>();
  for (const m of Object.keys(FORWARD_MARKETS).sort()) books.set(m, new OrderBook());
  return { books, orders: new Map(), contracts: new Map(), open: new Set(), autoDelivery: new Set(), nextOrderId: 1, nextContractId: 1 };
}
