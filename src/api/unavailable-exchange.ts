/**
 * The exchange port `serve` uses until the engine is wired in: no markets, and every trading
 * call is a retryable 503 that says so. Index routes, auth, docs and metrics work meanwhile.
 */
import { HashPerpError } from '../units/errors.js';
import type { ExchangePort } from './ports.js';
import type { Account, CancelAck, OrderAck } from './schemas.js';

const unavailable = (): HashPerpError => new HashPerpError('exchange_unavailable', 'the trading engine is not running in this server yet', { retryable: true });

export const unavailableExchange: ExchangePort = {
  markets: () => [],
  book: () => undefined,
  trades: () => undefined,
  account: (account: string): Account => ({ account, balanceMsat: '0', availableMsat: '0', positions: [], orders: [] }),
  placeOrder: async (): Promise<OrderAck> => {
    throw unavailable();
  },
  cancelOrder: async (): Promise<CancelAck> => {
    throw unavailable();
  },
  subscribe: () => () => {},
};
