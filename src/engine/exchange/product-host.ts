// The host side of the plug-in boundary (products/product.ts): what the core lends the products beside the
// perp (ledger, chain, margin, perp positions and trades) while they handle a command or a block.
import type { EngineEvent } from '../events.js';
import type { ProductContext, ProductModule } from '../products/product.js';
import { Rejection } from '../rejection.js';
import { available, checkMargin, equity } from './margin.js';
import { markOf, type EngineState, type ProductHooks } from './state.js';
import { movePosition, tradeOutsideBook } from './transfers.js';

/** A registered product by name. */
export function productOf<T extends ProductModule>(s: EngineState, name: string): T | undefined {
  return s.products.find((p) => p.name === name) as T | undefined;
}

export function productContext(s: EngineState, seq: number): ProductContext {
  const hooks = s.productHooks ??= makeProductHooks(s);
  const c = s.chain;
  return {
    seq,
    ledger: s.ledger,
    chain: { height: c.height, hash: c.hash, time: c.time, mtp: c.mtp, index: c.index },
    available: hooks.available,
    equity: hooks.equity,
    product: hooks.product,
    perp: hooks.perp,
  };
}

/** Runs every product's block hook, in registry order, after the perp settled and liquidations ran. */
export function productsOnBlock(s: EngineState, seq: number, out: EngineEvent[]): void {
  if (s.products.length === 0) return;
  const ctx = productContext(s, seq);
  for (const p of s.products) p.onBlock(ctx, out);
}

function makeProductHooks(s: EngineState): ProductHooks {
  return {
    available: (owner) => available(s, owner),
    equity: (owner) => equity(s, owner),
    product: (name) => productOf(s, name),
    perp: {
      position: (market, owner) => {
        const p = s.markets.get(market)?.positions.get(owner);
        return p === undefined || p.qty === 0 ? undefined : { market, owner, qty: p.qty, costMsat: p.cost };
      },
      mark: (market) => {
        const m = s.markets.get(market);
        return m === undefined ? undefined : markOf(m);
      },
      movePosition: (market, from, to, qty, out) => {
        const m = s.markets.get(market);
        if (m === undefined) throw new Error(`movePosition: unknown market ${market}`);
        movePosition(s, m, from, to, qty, out);
      },
      markets: () => [...s.markets.keys()],
      checkTrade: (market, owner, side, qty, price, feeMsat) => {
        const m = s.markets.get(market);
        if (m === undefined) return new Rejection('unknown_market', `no market ${market}`, 'market');
        const mark = markOf(m);
        if (mark === undefined) return new Rejection('market_not_ready', 'no index yet', 'market');
        return checkMargin(s, m, owner, m.positions.get(owner), side, qty, price, feeMsat, false, mark, undefined);
      },
      trade: (market, buyer, seller, qty, price, out) => {
        const m = s.markets.get(market);
        if (m === undefined) throw new Error(`trade: unknown market ${market}`);
        tradeOutsideBook(s, m, buyer, seller, qty, price, out);
      },
    },
  };
}
