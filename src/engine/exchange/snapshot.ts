// The canonical snapshot (deterministic key order, bigint as decimal strings), its hash, and the restore
// that rebuilds a state from it which snapshots back to the same bytes.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Side } from '../book/types.js';
import { Ledger } from '../ledger/ledger.js';
import type { PerpSpec } from '../products/perp/spec.js';
import { addResting } from './orders.js';
import { arkFundsSnapshot, restoreArkFunds, type ArkFundsSnapshot } from './ark-funds.js';
import { chainDepositsSnapshot, restoreChainDeposits } from './chain-deposits.js';
import { cmp, createState, type EngineState, type MarketState, type OrderMeta } from './state.js';

interface SnapshotV1 {
  v: number; chain: { height: number; hash: string; time?: number; mtp?: number; index?: number | null }; ledger: [string, string][];
  products?: [string, unknown][];
  /** Absent until the first Ark deposit or withdrawal. */
  ark?: ArkFundsSnapshot;
  /** Absent until the first custodial on-chain deposit credited by outpoint. */
  chainDeposits?: [string, string, number][];
  markets: { spec: PerpSpec; index: number | null; mark?: number | null; basisEmaPpm: number; premiums: number[]; rate8hPpm: number;
    positions: [string, number, string, string][]; orders: [number, string, Side, number, number, boolean, string | null][] }[];
}

export function snapshotOf(s: EngineState): string {
  const markets = [...s.markets.values()].map((m) => ({
    spec: m.spec,
    index: m.index ?? null,
    mark: m.mark ?? null,
    basisEmaPpm: m.basisEmaPpm,
    premiums: m.premiums,
    rate8hPpm: m.rate8hPpm,
    positions: [...m.positions.entries()].filter(([, p]) => p.qty !== 0 || p.cost !== 0n || p.entryCost !== 0n)
      .sort(([a], [b]) => cmp(a, b)).map(([o, p]) => [o, p.qty, p.cost.toString(), p.entryCost.toString()]),
    orders: m.book.restingOrders().map((r) => {
      const meta = m.orders.get(r.id) as OrderMeta;
      return [r.id, r.account, r.side, r.price, r.qty, meta.reduceOnly, meta.clientOrderId ?? null];
    }),
  }));
  const c = s.chain;
  const ark = arkFundsSnapshot(s.ark);
  const chainDeposits = chainDepositsSnapshot(s.chainDeposits);
  return JSON.stringify({
    v: 1,
    chain: { height: c.height, hash: c.hash, time: c.time, mtp: c.mtp, index: c.index ?? null },
    ledger: s.ledger.entries().map(([k, v]) => [k, v.toString()]),
    markets,
    products: s.products.map((p) => [p.name, p.snapshot()]),
    ...(ark !== undefined ? { ark } : {}),
    ...(chainDeposits !== undefined ? { chainDeposits } : {}),
  });
}

/** Hex SHA-256 of the snapshot's UTF-8 bytes. */
export function stateHashOf(s: EngineState): string {
  return bytesToHex(sha256(utf8ToBytes(snapshotOf(s))));
}

export function restoreState(snapshot: string): EngineState {
  const snap = JSON.parse(snapshot) as SnapshotV1;
  if (snap.v !== 1) throw new Error(`unsupported snapshot version ${snap.v}`);
  const s = createState({ markets: snap.markets.map((m) => m.spec) }, Ledger.fromEntries(snap.ledger.map(([k, v]) => [k, BigInt(v)])));
  const c = s.chain;
  c.height = snap.chain.height;
  c.hash = snap.chain.hash;
  c.time = snap.chain.time ?? 0;
  c.mtp = snap.chain.mtp ?? 0;
  c.index = snap.chain.index ?? undefined;
  restoreArkFunds(s.ark, snap.ark);
  restoreChainDeposits(s.chainDeposits, snap.chainDeposits);
  const productStates = new Map(snap.products ?? []);
  for (const p of s.products) if (productStates.has(p.name)) p.restore(productStates.get(p.name));
  for (const sm of snap.markets) {
    const m = s.markets.get(sm.spec.id) as MarketState;
    m.index = sm.index ?? undefined;
    m.mark = sm.mark ?? m.index; // snapshots from before the stored mark: the index until the next block
    m.basisEmaPpm = sm.basisEmaPpm;
    m.premiums = [...sm.premiums];
    m.rate8hPpm = sm.rate8hPpm;
    for (const [o, qty, cost, entry] of sm.positions) {
      m.positions.set(o, { qty, cost: BigInt(cost), entryCost: BigInt(entry), buyOpen: 0n, sellOpen: 0n, reduceOnlyIds: undefined });
    }
    m.sortedOwners = undefined;
    for (const [id, owner, side, price, qty, reduceOnly, coid] of sm.orders) {
      // Re-submitting in priority order as post-only rebuilds the same queues (a valid book never crosses).
      const r = m.book.submit({ id, account: owner, side, price, qty, tif: 'GTC', postOnly: true });
      if (!r.accepted || r.restingQty !== qty) throw new Error(`snapshot: order ${id} does not rest`);
      const meta: OrderMeta = { id, owner, market: m.spec.id, side, price, qty, reduceOnly };
      if (coid !== null) meta.clientOrderId = coid;
      addResting(s, m, meta);
    }
  }
  return s;
}
