import { describe, expect, it } from 'vitest';
import type { IndexValue } from '../../src/api/schemas.js';
import { change24h, historySeries, toCurveView, toIndexView } from '../../web/src/lib/index-view.js';
import { btcPerPhDay, msatAsBtc, satPerThDay, shortHash, signedPct } from '../../web/src/lib/format.js';
import { realIndex, wireIndexValue } from './harness/chain-index-port.js';

const v = (height: number, hp: number, time: number | null, extra: Record<string, unknown> = {}): IndexValue => ({
  height, blockHash: 'h' + height, time, difficulty: 1, hashpriceSatPerPHDay: String(hp), hashpriceBtcPerPHDay: '', feesIncluded: false, ...extra,
});

describe('index view', () => {
  it('24 h change uses the newest value at or below height − 144 (hand-computed)', () => {
    // 50,000 -> 45,000 is −10 %; the value at 856 (≤ 1000 − 144) is the reference, not 900 or 700.
    const hist = [v(700, 60_000, 1), v(856, 50_000, 2), v(900, 40_000, 3)];
    const ch = change24h({ height: 1000, hashpriceSatPerPhDay: 45_000 }, hist)!;
    expect(ch.from).toEqual({ height: 856, hashpriceSatPerPhDay: 50_000 });
    expect(ch.pct).toBeCloseTo(-10, 12);
    expect(change24h({ height: 1000, hashpriceSatPerPhDay: 45_000 }, [v(900, 1, 1)])).toBeUndefined();
  });

  it('history series: sorted by height, strictly increasing times, unknown times left out, BTC units', () => {
    const s = historySeries([v(3, 300_000, 1000), v(1, 100_000, null), v(2, 200_000, 1000), v(4, 400_000, 900), v(5, 150_000, 1600)]);
    // Height 1 has no known time; height 2 holds t=1000, so 3 (tie) and 4 (earlier) are dropped.
    expect(s).toEqual([{ time: 1000, value: 0.002 }, { time: 1600, value: 0.0015 }]);
  });

  it('reads a real index value at 830,000 and its retarget projection', () => {
    const view = toIndexView(wireIndexValue(830_000));
    expect(view.hashpriceSatPerPhDay).toBe(166_523);
    expect(view.hashrateWindow).toBe(144);
    expect(view.retarget).toMatchObject({ retargetHeight: 830_592, blocksRemaining: 592, final: false });
    // At an epoch's first block there is nothing to project from: the reason is carried through, not a number.
    expect(toIndexView(wireIndexValue(828_576)).retarget).toEqual({ unavailable: expect.stringContaining('first block of epoch 411') });
    expect(toIndexView(v(1, 1, 1)).retarget).toEqual({ unavailable: 'The server did not send a retarget projection.' });
    // Below the shipped headers there are no block times: no hashrate estimate, and the reason is kept.
    const old = toIndexView(wireIndexValue(500_000));
    expect(old.hashrateHps).toBeUndefined();
    expect(old.hashrateUnavailable).toBeTruthy();
  });

  it('reads the real forward curve at 830,000: four tenors, assumptions as text', () => {
    const c = toCurveView(realIndex(830_000).curve());
    expect(c.atHeight).toBe(830_000);
    expect(c.points.map((p) => p.days)).toEqual([30, 90, 180, 365]);
    expect(c.points[0]!.hashpriceSatPerPhDay).toBe(162_842);
    expect(c.assumptions.map((a) => a.label)).toContain('Fit window');
    expect(c.assumptions.find((a) => a.label === 'Subsidy')!.text).toContain('840000');
  });

  it('formats exactly', () => {
    expect(btcPerPhDay(166_523)).toBe('0.00166523');
    expect(satPerThDay(166_523)).toBe('166.523');
    expect(signedPct(8.627818)).toBe('+8.63 %');
    // Costs round up to the sat, holdings down; exact thousands stay exact.
    expect(msatAsBtc(1001n)).toBe('0.00000002 BTC');
    expect(msatAsBtc(1001n, 'holding')).toBe('0.00000001 BTC');
    expect(msatAsBtc('2000')).toBe('0.00000002 BTC');
    expect(msatAsBtc('-1500', 'holding')).toBe('-0.00000002 BTC');
    expect(msatAsBtc('-1500')).toBe('-0.00000001 BTC');
    expect(msatAsBtc('123456789012345678901', 'holding')).toBe('1234567890.12345678 BTC');
    expect(signedPct(-0.001)).toBe('0.00 %');
    expect(shortHash('000000000000000000011d55599ed27d7efca05f5849b755319c89eb2cffbc1f')).toBe('000000…9c89eb2cffbc1f');
  });
});
