import { accountCredentials, HashPerpClient } from '../../../src/client/client.js';
import type { Backend } from './backend.js';
import { ProductsApi } from './products.js';

/**
 * The app's Backend over the shared typed client (src/client/client.ts): the same routes, types and request
 * signing as the CLI. One unsigned client for public reads; one signed client per key, whose clock is synced
 * to the server's once so signatures land inside the auth window even if this computer's clock is off.
 */
export function createBackend(origin: string): Backend {
  const pub = new HashPerpClient({ baseUrl: origin });
  const signed = new Map<string, { client: HashPerpClient; synced: Promise<unknown> }>();
  const as = async (secretKeyHex: string): Promise<HashPerpClient> => {
    let entry = signed.get(secretKeyHex);
    if (!entry) {
      const client = new HashPerpClient({ baseUrl: origin, credentials: accountCredentials(secretKeyHex) });
      // A failed sync leaves skew 0; the request itself then reports what went wrong.
      entry = { client, synced: client.syncClock().catch(() => undefined) };
      signed.set(secretKeyHex, entry);
    }
    await entry.synced;
    return entry.client;
  };
  return {
    index: () => pub.index(),
    indexAt: (height) => pub.index({ height }),
    history: (q) => pub.indexHistory(q).then((values) => ({ values })),
    hashpriceHistory: (q) => pub.hashpriceHistory(q),
    backtest: (req) => pub.backtest(req),
    curve: () => pub.curve(),
    markets: () => pub.markets(),
    book: (market, levels) => pub.book(market, levels),
    trades: (market, limit) => pub.trades(market, limit),
    account: async (sk) => (await as(sk)).account(),
    placeOrder: async (sk, body) => (await as(sk)).placeOrder(body),
    cancelOrder: async (sk, orderId) => (await as(sk)).cancelOrder(orderId),
    faucet: async (sk, amountSat) => (await as(sk)).faucet(amountSat),
    products: new ProductsApi(pub, as),
    proofs: { mine: async (sk) => (await as(sk)).liabilitiesProof(), root: (height) => pub.liabilities(height) },
    arkFunds: { info: () => pub.arkFunding(), withdraw: async (sk, amountSat, address) => (await as(sk)).withdrawArk(amountSat, address) },
    accountFeedSigner: async (sk) => {
      const c = await as(sk);
      return () => c.wsAccountAuth();
    },
  };
}
