/**
 * What the WebSocket feeds carry for the products, from one applied command's events: book snapshots and
 * trades of the forward markets (`forwards:<market>`) and block-delta series (`bdc:<series>`), and every
 * product event on the account channel of each account it concerns. Pure over (seq, events, exchange):
 * the wiring calls it from its engine listener and hands the messages to the WebSocket hub.
 */
import type { EngineEvent, Exchange } from '../../engine/index.js';
import { bdcBook } from '../../engine/products/bdc/index.js';
import { forwardBook, forwardContract } from '../../engine/products/forward/index.js';
import { toWire } from '../../api/wire.js';

export type ProductFeedEvent =
  | { channel: 'forwards' | 'bdc'; market: string; type: 'book'; data: { seq: number; bids: { price: number; size: number }[]; asks: { price: number; size: number }[] } }
  | { channel: 'forwards' | 'bdc'; market: string; type: 'trade'; data: Record<string, unknown> }
  | { channel: 'account'; account: string; data: Record<string, unknown> };

const bare = (a: string): string => (a.startsWith('user:') ? a.slice(5) : a);
const PRODUCT_PREFIXES = ['Forward', 'Option', 'Vault', 'Bdc', 'Swap'];

/** The accounts a product event concerns (bare ids). */
export function accountsOfEvent(e: EngineEvent, ex: Exchange): string[] {
  const r = e as unknown as Record<string, unknown>;
  const out = new Set<string>();
  for (const k of ['account', 'maker', 'taker', 'miner', 'investor', 'from', 'to']) if (typeof r[k] === 'string') out.add(bare(r[k] as string));
  if (typeof r.contractId === 'number' && e.type.startsWith('Forward')) {
    const k = forwardContract(ex, r.contractId);
    if (k !== undefined) {
      out.add(k.miner);
      out.add(k.investor);
    }
  }
  return [...out].filter((a) => a !== '' && !a.includes(':'));
}

const levels = (l: { price: number; qty: number }[]) => l.map((x) => ({ price: x.price, size: x.qty }));

export function productFeedEvents(seq: number, events: readonly EngineEvent[], ex: Exchange, depth = 50): ProductFeedEvent[] {
  const out: ProductFeedEvent[] = [];
  const fwdBooks = new Set<string>();
  const bdcBooks = new Set<string>();
  for (const e of events) {
    if (!PRODUCT_PREFIXES.some((p) => e.type.startsWith(p))) continue;
    const data = toWire({ seq, ...e }) as Record<string, unknown>;
    for (const account of accountsOfEvent(e, ex)) out.push({ channel: 'account', account, data });
    if (e.type === 'ForwardFilled') out.push({ channel: 'forwards', market: e.market, type: 'trade', data: toWire({ seq, market: e.market, price: e.price, qty: e.qty, takerSide: e.takerSide, contractId: e.contractId }) as Record<string, unknown> });
    if (e.type === 'BdcTrade') out.push({ channel: 'bdc', market: e.series, type: 'trade', data: toWire({ seq, series: e.series, price: e.price, qty: e.qty, takerSide: e.takerSide }) as Record<string, unknown> });
    const r = e as unknown as Record<string, unknown>;
    if (e.type.startsWith('ForwardOrder') || e.type === 'ForwardFilled') fwdBooks.add(String(r.market));
    if (e.type.startsWith('BdcOrder') || e.type === 'BdcTrade' || e.type === 'BdcSeriesSettled' || e.type === 'BdcSeriesListed') bdcBooks.add(String(r.series));
  }
  for (const m of fwdBooks) {
    const b = forwardBook(ex, m, depth);
    if (b !== undefined) out.push({ channel: 'forwards', market: m, type: 'book', data: { seq, bids: levels(b.bids), asks: levels(b.asks) } });
  }
  for (const s of bdcBooks) {
    const b = bdcBook(ex, s, depth);
    if (b !== undefined) out.push({ channel: 'bdc', market: s, type: 'book', data: { seq, bids: levels(b.bids), asks: levels(b.asks) } });
  }
  return out;
}
