// Auto-deleveraging: the last resort of a liquidation, when the vault cannot take a bankrupt remainder.
import type { EngineEvent } from '../events.js';
import { absBig } from '../math.js';
import { PPM } from '../ppm.js';
import { equity } from './margin.js';
import { accountOf, cmp, type EngineState, type MarketState, type Position } from './state.js';
import { movePosition } from './transfers.js';

/**
 * Closes the bankrupt remainder against opposite positions at the bankruptcy price, ranked by
 * PnL % × leverage (highest first; ties by account). Returns the lots deleveraged.
 */
export function autoDeleverage(s: EngineState, m: MarketState, owner: string, M: bigint, out: EngineEvent[]): number {
  const q = (m.positions.get(owner) as Position).qty;
  const ranked: { o: string; score: bigint; qty: number }[] = [];
  for (const [o, p] of m.positions) {
    if (o === owner || !o.startsWith('user:') || p.qty === 0 || (p.qty > 0) === (q > 0)) continue;
    const notional = absBig(BigInt(p.qty) * M);
    const pnl = p.qty > 0 ? notional - p.entryCost : p.entryCost - notional;
    const eq = equity(s, o);
    const score = eq <= 0n || p.entryCost === 0n ? -(1n << 200n) : (pnl * notional * PPM * PPM) / (p.entryCost * eq);
    ranked.push({ o, score, qty: p.qty });
  }
  ranked.sort((a, b) => (a.score > b.score ? -1 : a.score < b.score ? 1 : cmp(a.o, b.o)));
  let done = 0;
  for (const r of ranked) {
    const left = (m.positions.get(owner)?.qty ?? 0);
    if (left === 0) break;
    const lots = Math.min(Math.abs(left), Math.abs(r.qty));
    const dq = left > 0 ? lots : -lots;
    const piece = movePosition(s, m, owner, r.o, dq, out);
    out.push({ type: 'ADL', market: m.spec.id, from: accountOf(owner), account: accountOf(r.o), qty: lots, costMsat: piece });
    done += lots;
  }
  return done;
}
