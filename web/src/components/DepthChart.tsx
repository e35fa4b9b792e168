import type { DepthSeries } from '../lib/depth.js';
import { btcPerPhDay, signedPct } from '../lib/format.js';

const W = 600;
const H = 220;
const PAD = { l: 8, r: 8, t: 10, b: 22 };

/** Cumulative depth as two step areas meeting at the spread; pure SVG from the depth series. */
/** How the axis, spread and mid read: perp/forward ticks are sat/PH/day; block-delta prices are FAST bps. */
export type PriceUnit = 'satPerPhDay' | 'bps';

export function DepthChart({ depth, unit = 'satPerPhDay' }: { depth: DepthSeries; unit?: PriceUnit }) {
  const { bids, asks } = depth;
  if (bids.length === 0 && asks.length === 0) return <div className="empty">The book is empty: no resting orders yet.</div>;
  if (depth.crossed) return <div className="notice warn">The book looks crossed (bid ≥ ask); waiting for the next update.</div>;
  const prices = [...bids.map((p) => p.price), ...asks.map((p) => p.price)];
  // Pad the axis so the deepest level on each side has width to show its total.
  const minP = Math.min(...prices);
  const maxP = Math.max(...prices);
  const pad = Math.max(1, Math.round((maxP - minP) * 0.08));
  const lo = Math.max(0, minP - pad);
  const hi = maxP + pad;
  const maxQ = Math.max(bids.at(-1)?.cumulative ?? 0, asks.at(-1)?.cumulative ?? 0, 1);
  const x = (p: number) => PAD.l + ((p - lo) / (hi - lo)) * (W - PAD.l - PAD.r);
  const y = (q: number) => H - PAD.b - (q / maxQ) * (H - PAD.t - PAD.b);
  const base = y(0);

  // Bids: from the best bid walking down in price; depth steps up at each level.
  let bidPath = '';
  if (bids.length > 0) {
    bidPath = `M ${x(bids[0]!.price)} ${base}`;
    bids.forEach((p, i) => {
      bidPath += ` L ${x(p.price)} ${y(i === 0 ? 0 : bids[i - 1]!.cumulative)} L ${x(p.price)} ${y(p.cumulative)}`;
    });
    bidPath += ` L ${x(lo)} ${y(bids.at(-1)!.cumulative)} L ${x(lo)} ${base} Z`;
  }
  let askPath = '';
  if (asks.length > 0) {
    askPath = `M ${x(asks[0]!.price)} ${base}`;
    asks.forEach((p, i) => {
      askPath += ` L ${x(p.price)} ${y(i === 0 ? 0 : asks[i - 1]!.cumulative)} L ${x(p.price)} ${y(p.cumulative)}`;
    });
    askPath += ` L ${x(hi)} ${y(asks.at(-1)!.cumulative)} L ${x(hi)} ${base} Z`;
  }
  return (
    <div className="depth" data-testid="depth-chart">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label="Order book depth">
        <line x1={PAD.l} x2={W - PAD.r} y1={base} y2={base} stroke="#2a313b" />
        {bidPath && <path d={bidPath} fill="rgba(47,191,113,0.25)" stroke="#2fbf71" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />}
        {askPath && <path d={askPath} fill="rgba(229,83,75,0.25)" stroke="#e5534b" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />}
        {depth.mid !== undefined && <line x1={x(depth.mid)} x2={x(depth.mid)} y1={PAD.t} y2={base} stroke="#9aa4b2" strokeDasharray="4 4" vectorEffect="non-scaling-stroke" />}
      </svg>
      <div className="row small muted num" style={{ justifyContent: 'space-between' }}>
        <span>{lo.toLocaleString('en-US')}</span>
        <span>{hi.toLocaleString('en-US')}</span>
      </div>
      <div className="small num" style={{ textAlign: 'center' }} data-testid="spread">
        {depth.spread !== undefined && depth.mid !== undefined
          ? unit === 'bps'
            ? `Spread ${depth.spread.toLocaleString('en-US')} bps · Mid ${(depth.mid / 100).toFixed(2)} % for FAST`
            : `Spread ${depth.spread.toLocaleString('en-US')} (${signedPct(depth.spreadPct ?? 0).replace('+', '')}) · Mid ${btcPerPhDay(Math.round(depth.mid))} BTC/PH/day`
          : 'One side of the book is empty: no spread or mid.'}
      </div>
    </div>
  );
}
