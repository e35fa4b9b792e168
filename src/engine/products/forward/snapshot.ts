// The forward product's canonical snapshot (bigint as strings) and its restore.
import { OrderBook } from '../../book/order-book.js';
import type { DayRecord, ForwardContract, Side } from './contract.js';
import type { ForwardState } from './state.js';

type Stringified<T> = { [K in keyof T]: T[K] extends bigint ? string : T[K] };
interface ForwardSnapshot {
  nextOrderId: number;
  nextContractId: number;
  autoDelivery: string[];
  books: [string, [number, string, Side, number, number][]][];
  contracts: (Omit<Stringified<ForwardContract>, 'history'> & { history: Stringified<DayRecord>[] })[];
}

/** Contracts by id. */
export function contractsById(s: ForwardState): ForwardContract[] {
  return [...s.contracts.values()].sort((x, y) => x.id - y.id);
}

export function forwardSnapshot(s: ForwardState): unknown {
  // Books in market order (the map is built sorted), empty ones left out: snapshots run at every stateHash.
  const books = [...s.books.entries()].filter(([, b]) => b.size > 0)
    .map(([m, b]) => [m, b.restingOrders().map((o) => [o.id, o.account, o.side, o.price, o.qty])]);
  const contracts = contractsById(s).map((k) => ({
    ...k,
    valueMsat: k.valueMsat.toString(), collateralMsat: k.collateralMsat.toString(), releasedMsat: k.releasedMsat.toString(),
    daySum: k.daySum.toString(),
    history: k.history.map((d) => ({
      ...d, obligationMsat: d.obligationMsat.toString(), deliveredMsat: d.deliveredMsat.toString(), feeMsat: d.feeMsat.toString(),
      toMinerMsat: d.toMinerMsat.toString(), toInvestorMsat: d.toInvestorMsat.toString(),
    })),
  }));
  return { nextOrderId: s.nextOrderId, nextContractId: s.nextContractId, autoDelivery: [...s.autoDelivery].sort(), books, contracts };
}

export function restoreForward(s: ForwardState, state: unknown): void {
  const snap = state as ForwardSnapshot;
  s.nextOrderId = snap.nextOrderId;
  s.nextContractId = snap.nextContractId;
  s.autoDelivery = new Set(snap.autoDelivery);
  s.orders = new Map();
  for (const [m, b] of s.books) if (b.size > 0) s.books.set(m, new OrderBook());
  for (const [market, orders] of snap.books) {
    const book = s.books.get(market) as OrderBook;
    for (const [id, account, side, price, qty] of orders) {
      // Re-submitting in priority order as post-only rebuilds the same queues (a valid book never crosses).
      const r = book.submit({ id, account, side, price, qty, tif: 'GTC', postOnly: true });
      if (!r.accepted || r.restingQty !== qty) throw new Error(`forward snapshot: order ${id} does not rest`);
      s.orders.set(id, { id, account, market, side, price });
    }
  }
  s.contracts = new Map();
  s.open = new Set(snap.contracts.filter((k) => k.status === 'open').map((k) => k.id).sort((a, b) => a - b));
  for (const k of snap.contracts) {
    s.contracts.set(k.id, {
      ...k,
      valueMsat: BigInt(k.valueMsat), collateralMsat: BigInt(k.collateralMsat), releasedMsat: BigInt(k.releasedMsat), daySum: BigInt(k.daySum),
      rolledInto: [...k.rolledInto], awaiting: [...k.awaiting],
      history: k.history.map((d) => ({
        ...d, obligationMsat: BigInt(d.obligationMsat), deliveredMsat: BigInt(d.deliveredMsat), feeMsat: BigInt(d.feeMsat),
        toMinerMsat: BigInt(d.toMinerMsat), toInvestorMsat: BigInt(d.toInvestorMsat),
      })),
    });
  }
}
