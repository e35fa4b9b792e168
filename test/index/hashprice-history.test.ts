/**
 * The hashprice history series over the shipped mainnet data. Expected values are computed by hand from the
 * bits in data/mainnet/epochs.csv (read here by an independent parser) and the rule of hashprice.ts:
 *   hashprice = floor(8.64e19 × subsidy × target(bits) / (target(0x1d00ffff) × 2^32)),
 * target(bits) = mantissa × 2^(8 × (exponent − 3)), target(0x1d00ffff) = 65535 × 2^208.
 */
import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { HISTORY_POINT_CAP, hashpriceSeries, parseHistoryBound, type HistoryPoint } from '../../src/index/hashprice-history.js';
import { indexAt } from '../../src/index/index-at.js';
import { timeAtHeight } from '../../src/index/time-map.js';
import { epochsCsv } from './csv-truth.js';

const chain = loadEmbeddedChain();
const csv = epochsCsv();
const at = (points: HistoryPoint[], height: number) => points.find((p) => p.height === height);

describe('hashpriceSeries: values hand-computed from the shipped bits', () => {
  it('an epoch in 2012 (epoch 90, bits 0x1a0a8b5f, 50 BTC): 63,216,907,103,918 sat/PH/day', () => {
    // epochs.csv row 90: start 181,440 (2012-05-24), bits 1a0a8b5f: target = 0x0a8b5f × 2^184 = 691039 × 2^184.
    // floor(8.64e19 × 5e9 × 691039 × 2^184 / (65535 × 2^208 × 2^32)) = floor(4.32e29 × 691039 / (65535 × 2^56))
    //   = floor(63,216,907,103,918.44) = 63,216,907,103,918.
    expect(csv[90].bits).toBe(0x1a0a8b5f);
    const s = hashpriceSeries(chain, { resolution: 'epoch', from: { height: 181_440 }, to: { height: 183_455 } });
    expect(s.points.map((p) => [p.height, p.kind])).toEqual([[181_440, 'start'], [183_455, 'end']]);
    expect(s.points[0]).toMatchObject({ epoch: 90, bits: '1a0a8b5f', subsidySat: 5_000_000_000n, hashpriceSatPerPHDay: 63_216_907_103_918n, timeEstimated: false });
    expect(s.points[0].time).toBe(csv[90].startTime); // the header time of block 181,440 (shipped)
    expect(s.feesIncluded).toBe(false);
    expect(s.basis).toMatch(/^subsidy only/);
  });

  it('the first halving (epoch 104, bits 0x1a04e0ea): the same difficulty, half the subsidy, half the hashprice', () => {
    // Epoch 104 covers 209,664..211,679 with one bits value, 1a04e0ea (target 319722 × 2^184); 210,000 halves 50 → 25 BTC.
    // before: floor(4.32e29 × 319722 / (65535 × 2^56)) = floor(29,248,473,636,189.87) = 29,248,473,636,189
    // after:  floor(2.16e29 × 319722 / (65535 × 2^56)) = floor(14,624,236,818,094.93) = 14,624,236,818,094
    expect(csv[104].bits).toBe(0x1a04e0ea);
    const s = hashpriceSeries(chain, { resolution: 'epoch', from: { height: 209_664 }, to: { height: 211_679 } });
    expect(s.points.map((p) => [p.height, p.kind, p.bits, p.subsidySat, p.hashpriceSatPerPHDay])).toEqual([
      [209_664, 'start', '1a04e0ea', 5_000_000_000n, 29_248_473_636_189n],
      [210_000, 'halving', '1a04e0ea', 2_500_000_000n, 14_624_236_818_094n],
      [211_679, 'end', '1a04e0ea', 2_500_000_000n, 14_624_236_818_094n],
    ]);
    expect(s.points[0].difficulty).toBe(s.points[1].difficulty);
    // Halving the subsidy at the same bits halves the exact value (floored): 2 × after ∈ {before, before − 1}.
    expect(s.points[0].hashpriceSatPerPHDay - 2n * s.points[1].hashpriceSatPerPHDay).toBeLessThanOrEqual(1n);
    expect(s.halvings).toEqual([{ height: 210_000, halving: 1, time: chain.timeAt(210_000), timeEstimated: false, subsidySatBefore: 5_000_000_000n, subsidySatAfter: 2_500_000_000n }]);
  });

  it('every point equals the published index (indexAt) at its height, where fees are unknown', () => {
    const s = hashpriceSeries(chain, { resolution: 'epoch', from: { height: 600_000 }, to: { height: 700_000 } });
    for (const p of s.points) expect([p.height, p.hashpriceSatPerPHDay]).toEqual([p.height, indexAt(chain, p.height).hashpriceSatPerPHDay]);
  });
});

describe('hashpriceSeries: halvings, ranges and resolutions', () => {
  it('the whole history at epoch resolution: every retarget, halving markers at 210,000·k, from 2009', () => {
    const s = hashpriceSeries(chain, { resolution: 'epoch' });
    expect([s.fromHeight, s.toHeight]).toEqual([0, chain.maxHeight]);
    expect(s.halvings.map((h) => [h.height, h.halving, h.subsidySatAfter])).toEqual([
      [210_000, 1, 2_500_000_000n],
      [420_000, 2, 1_250_000_000n],
      [630_000, 3, 625_000_000n],
      [840_000, 4, 312_500_000n],
    ]);
    const retargets = s.points.filter((p) => p.kind === 'retarget');
    expect(retargets).toHaveLength(csv.length - 1); // epochs 1..473 each start with a retarget
    expect(retargets.every((p) => p.height % 2016 === 0 && p.bits === csv[p.height / 2016].bits.toString(16).padStart(8, '0'))).toBe(true);
    expect(s.points[0].time).toBe(1_231_006_505); // genesis
    // Times: header or epoch-table times where known, estimates in between; the series runs forward in time.
    expect(s.points.filter((p) => p.timeEstimated).every((p) => p.height > 0)).toBe(true);
    for (const h of s.halvings) expect(h.time).toBeGreaterThan(1_231_006_505);
    expect(s.halvings[3].time).toBeGreaterThan(Date.UTC(2024, 3, 1) / 1000); // block 840,000: April 2024
    expect(s.halvings[3].time).toBeLessThan(Date.UTC(2024, 4, 1) / 1000);
  });

  it('day resolution adds the first block of every whole shipped day; block adds every shipped block', () => {
    // Headers 822,527..830,592 are shipped; 822,528 = 2016 × 408 starts epoch 408 (a retarget) and day 5712.
    const from = 822_000, to = 826_000;
    const day = hashpriceSeries(chain, { resolution: 'day', from: { height: from }, to: { height: to } });
    expect(day.points.filter((p) => p.kind === 'retarget').map((p) => p.height)).toEqual([822_528, 824_544]);
    const days = day.points.filter((p) => p.kind === 'day').map((p) => p.height);
    // Every whole day from 822,672 (day 5713) to 825,984 (day 5736), less 824,544 (a retarget, kept as such).
    const expected = Array.from({ length: 5736 - 5713 + 1 }, (_, i) => (5713 + i) * 144).filter((h) => h !== 824_544);
    expect(days).toEqual(expected);
    expect(day.points.filter((p) => p.height >= 822_528).every((p) => !p.timeEstimated && p.time === chain.timeAt(p.height))).toBe(true);
    // Before the segment only the range's start: no header there, so no day points.
    expect(day.points[0]).toMatchObject({ height: 822_000, kind: 'start', timeEstimated: true });
    expect(day.points.at(-1)).toMatchObject({ height: 826_000, kind: 'end' });
    expect(at(day.points, 824_544)!.bits).toBe(csv[409].bits.toString(16));
  });

  it('block resolution gives every shipped block and stays under the cap; wider ranges are refused', () => {
    const s = hashpriceSeries(chain, { resolution: 'block', from: { height: 830_000 }, to: { height: 830_592 } });
    expect(s.points.map((p) => p.height)).toEqual(Array.from({ length: 593 }, (_, i) => 830_000 + i));
    expect(() => hashpriceSeries(chain, { resolution: 'block' })).toThrow(/resolution: block resolution over heights 0\.\.955583 gives 238425 points, more than the cap of 5000/);
    expect(HISTORY_POINT_CAP).toBe(5_000);
    expect(hashpriceSeries(chain, { resolution: 'day' }).points.length).toBeLessThanOrEqual(HISTORY_POINT_CAP);
  });

  it('dates select the heights in force then; upTo bounds the range; bad ranges name their field', () => {
    const s = hashpriceSeries(chain, { resolution: 'epoch', from: parseHistoryBound('from', '2012-01-01'), to: parseHistoryBound('to', '2012-12-31') });
    expect(s.points[0].time).toBeLessThanOrEqual(Date.UTC(2012, 0, 1) / 1000);
    expect(s.points.at(-1)!.time).toBeLessThanOrEqual(Date.UTC(2012, 11, 31) / 1000);
    expect(s.halvings.map((h) => h.height)).toEqual([210_000]);
    expect(hashpriceSeries(chain, { resolution: 'epoch', upTo: 830_000 }).toHeight).toBe(830_000);
    expect(() => hashpriceSeries(chain, { resolution: 'epoch', from: { height: 10 }, to: { height: 5 } })).toThrow(/^from: /);
    expect(() => hashpriceSeries(chain, { resolution: 'epoch', to: { height: 830_001 }, upTo: 830_000 })).toThrow(/^to: height 830001 is past/);
    expect(() => hashpriceSeries(chain, { resolution: 'epoch', from: { date: '2008-01-01' } })).toThrow(/^from: .*before the genesis block/);
    expect(() => hashpriceSeries(chain, { resolution: 'hourly' as 'day' })).toThrow(/^resolution: /);
    expect(() => parseHistoryBound('from', 'yesterday')).toThrow(/^from: not an ISO date/);
  });

  it('timeAtHeight: header times where shipped, interpolated between known times elsewhere', () => {
    expect(timeAtHeight(chain, 210_000)).toEqual({ time: chain.timeAt(210_000), exact: true });
    const t = timeAtHeight(chain, 420_000); // no header shipped: between the epoch table's times of 419,328 and 421,343
    expect(t.exact).toBe(false);
    expect(t.time).toBeGreaterThan(csv[208].startTime!);
    expect(t.time).toBeLessThan(csv[208].endTime!);
  });
});
