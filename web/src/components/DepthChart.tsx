import type { DepthSeries } from '../lib/depth.js';
import { bpsPct, btcPerPhDay, grouped, signedPct } from '../lib/format.js';

const W = 600;
const H = 220;
const PAD = { l: 8, r: 8, t: 10, b: 22 };

/** How the axis, spread and mid read: perp/forward ticks are sat/PH/day; block-delta prices are FAST bps. */
export type PriceUnit = 'satPerPhDay' | 'bps';

type Level = DepthSeries['bids'][number];

/**
 * One side's cumulative depth as a closed step area: from its best price walking away from the spread,
 * the depth steps up at each level, then runs flat to the axis edge (`edge`) and back down to the base.
 */
function stepArea(levels: readonly Level[], edge: number, x: (p: number) => number, y: (q: number) => number): string {
  if (levels.length === 0) return '';
  const base = y(0);
  let path = `M ${x(levels[0]!.price)} ${base}`;
  levels.forEach((p, i) => {
    path += ` L ${x(p.price)} ${y(i === 0 ? 0 : levels[i - 1]!.cumulative)} L ${x(p.price)} ${y(p.cumulative)}`;
  });
  return `${path} L ${x(edge)} ${y(levels.at(-1)!.cumulative)} L ${x(edge)} ${base} Z`;
}

/** Cumulative depth as two step areas meeting at the spread; pure SVG from the depth series. */
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

  const bidPath = stepArea(bids, lo, x, y);
  const askPath = stepArea(asks, hi, x, y);
  return (
    <div className="depth" data-testid="depth-chart">
      <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" role="img" aria-label="Order book depth">
        <line x1={PAD.l} x2={W - PAD.r} y1={base} y2={base} stroke="#2a313b" />
        {bidPath && <path d={bidPath} fill="rgba(47,191,113,0.25)" stroke="#2fbf71" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />}
        {askPath && <path d={askPath} fill="rgba(229,83,75,0.25)" stroke="#e5534b" strokeWidth={1.5} vectorEffect="non-scaling-stroke" />}
        {depth.mid !== undefined && <line x1={x(depth.mid)} x2={x(depth.mid)} y1={PAD.t} y2={base} stroke="#9aa4b2" strokeDasharray="4 4" vectorEffect="non-scaling-stroke" />}
      </svg>
      <div className="row small muted num" style={{ justifyContent: 'space-between' }}>
        <span>{grouped(lo)}</span>
        <span>{grouped(hi)}</span>
      </div>
      <div className="small num" style={{ textAlign: 'center' }} data-testid="spread">
        {depth.spread !== undefined && depth.mid !== undefined
          ? unit === 'bps'
            ? `Spread ${grouped(depth.spread)} bps · Mid ${bpsPct(depth.mid)} for FAST`
            : `Spread ${grouped(depth.spread)} (${signedPct(depth.spreadPct ?? 0).replace('+', '')}) · Mid ${btcPerPhDay(Math.round(depth.mid))} BTC/PH/day`
          : 'One side of the book is empty: no spread or mid.'}
      </div>
    </div>
  );
}
