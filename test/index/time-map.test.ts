import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { heightAtTime } from '../../src/index/time-map.js';
import { parseIsoDate } from '../../src/units/time.js';
import { epochsCsv, rawSegment } from './csv-truth.js';

const chain = loadEmbeddedChain();

/** Brute force over raw headers: the last height whose timestamp is ≤ t. */
function lastAtOrBefore(seg: ReturnType<typeof rawSegment>, t: number): number {
  let best = -1;
  for (let h = seg.firstHeight; h <= seg.lastHeight; h++) if (seg.time(h) <= t) best = h;
  return best;
}

describe('heightAtTime', () => {
  it('genesis time 2009-01-03T18:15:05Z -> height 0, exact; one second earlier is refused', () => {
    const t = parseIsoDate('at', '2009-01-03T18:15:05Z');
    expect(t).toBe(1_231_006_505);
    expect(heightAtTime(chain, t)).toMatchObject({ height: 0, exact: true });
    expect(() => heightAtTime(chain, t - 1)).toThrow(/at: .*before the genesis/);
  });

  it('inside the 822,527-830,592 segment equals a brute-force scan of the raw header times', () => {
    const seg = rawSegment('mainnet_822527-830592.bin', 822_527);
    const times = [seg.time(830_000), seg.time(830_000) - 1, parseIsoDate('at', '2024-02-01'), seg.time(825_000) + 300, seg.time(822_600)];
    for (const t of times) {
      const r = heightAtTime(chain, t);
      expect(r.exact).toBe(true);
      expect(r.height).toBe(lastAtOrBefore(seg, t));
    }
    expect(heightAtTime(chain, parseIsoDate('at', '2024-02-01')).height).toBe(828_307);
  });

  it('handles non-monotonic timestamps the same way as the brute force (early 2009 segment)', () => {
    const seg = rawSegment('mainnet_000000-009999.bin', 0);
    for (let i = 0; i < 30; i++) {
      const t = seg.time(0) + Math.floor(((i + 0.37) / 30) * (seg.time(9_999) - seg.time(0)));
      expect(heightAtTime(chain, t).height).toBe(lastAtOrBefore(seg, t));
    }
  });

  it('between segments interpolates between epoch boundary times and says so', () => {
    const e = epochsCsv()[236]; // 2013 — no headers shipped around here? (340,001+ is outside the segments)
    const r = heightAtTime(chain, e.startTime! + 3600);
    expect(r.exact).toBe(false);
    expect(r.basis).toMatch(/interpolation/);
    expect(r.height).toBeGreaterThanOrEqual(236 * 2016);
    expect(r.height).toBeLessThan(237 * 2016);
    // 2017-07-10 is inside epoch 235 (473,760..475,775 started 2017-07-02): interpolated within it.
    const mid = heightAtTime(chain, parseIsoDate('at', '2017-07-10'));
    expect(mid.height).toBeGreaterThan(473_760);
    expect(mid.height).toBeLessThan(475_775);
  });

  it('past the last known block time extrapolates with a stated interval; past the coverage it is refused', () => {
    const r = heightAtTime(chain, parseIsoDate('at', '2025-06-01'));
    expect(r.exact).toBe(false);
    expect(r.basis).toMatch(/extrapolated from the last known block time \(height 878976/);
    // 2025-01-12T20:01:51Z -> 2025-06-01 is ~140 days ≈ 20,200 blocks at ~600 s.
    expect(r.height).toBeGreaterThan(878_976 + 19_000);
    expect(r.height).toBeLessThan(878_976 + 21_500);
    expect(() => heightAtTime(chain, parseIsoDate('at', '2030-01-01'))).toThrow(/past the last covered height/);
  });
});
