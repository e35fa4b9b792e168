import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const run = runCli;

describe('hashperp index', () => {
  it('defaults to the newest covered height 955,583 with the required JSON keys', async () => {
    const r = await run('index', '--json');
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    for (const k of ['height', 'blockHash', 'difficulty', 'subsidySat', 'hashpriceSatPerPHDay', 'hashpriceBtcPerPHDay', 'feesIncluded', 'hashrate', 'retarget'])
      expect(v).toHaveProperty(k);
    expect(v.height).toBe(955_583);
    expect(v.blockHash).toBeNull();
    expect(v.subsidySat).toBe('312500000');
    expect(v.hashpriceSatPerPHDay).toBe('50318');
    expect(v.hashpriceBtcPerPHDay).toBe('0.00050318');
    expect(v.feesIncluded).toBe(false);
  });

  it('--height 830000 and --at a date inside the shipped 2024 headers', async () => {
    const a = JSON.parse((await run('index', '--height', '830000', '--json')).out);
    expect(a.hashpriceSatPerPHDay).toBe('166523');
    expect(a.retarget.retargetHeight).toBe(830_592);
    const b = JSON.parse((await run('index', '--at', '2009-01-03T18:15:05Z', '--json')).out);
    expect(b.height).toBe(0);
    expect(b.blockHash).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(b.heightFromDate.exact).toBe(true);
    const c = JSON.parse((await run('index', '--at', '2025-06-01', '--json')).out);
    expect(c.heightFromDate.exact).toBe(false);
    expect(c.heightFromDate.basis).toMatch(/estimate/);
  });

  it('human output names hashprice in BTC/PH/day', async () => {
    const r = await run('index', '--height', '830000');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/0\.00166523 BTC\/PH\/day/);
  });

  it('bad arguments: exit 1 with a message naming the argument', async () => {
    for (const args of [['--height', '-5'], ['--height', 'x'], ['--height', '955584'], ['--at', 'yesterday'], ['--at', '2008-01-01'], ['--height', '1', '--at', '2024-01-01']]) {
      const r = await run('index', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(/error: (height|at):/);
    }
  });
});

describe('hashperp curve', () => {
  it('--json gives 30/90/180/365-day points and the model assumptions', async () => {
    const r = await run('curve', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.out);
    expect(c.points.map((p: { tenorDays: number }) => p.tenorDays)).toEqual([30, 90, 180, 365]);
    expect(c.assumptions.fitWindow).toMatch(/OLS/);
    expect(c.model.growthPerYearPct).toBeTypeOf('number');
    expect((await run('curve')).out).toMatch(/365 d/);
  });
});

describe('hashperp price bdc', () => {
  it('--interval: pFast and expectedBlocks', async () => {
    const r = await run('price', 'bdc', '--blocks', '6', '--seconds', '3600', '--interval', '600', '--json');
    expect(r.code).toBe(0);
    const v = JSON.parse(r.out);
    expect(v.expectedBlocks).toBe(6);
    expect(v.pFast).toBeCloseTo(0.55432, 5);
  });
  it('--hashrate/--difficulty', async () => {
    const v = JSON.parse((await run('price', 'bdc', '--blocks', '1', '--seconds', '600', '--hashrate', '6e20', '--difficulty', '1.2e14', '--json')).out);
    expect(v.pFast).toBeCloseTo(1 - Math.exp(-600 / 858.993459), 8);
  });
  it('--from-height simulates across the retarget from real chain state, deterministically', async () => {
    const args = ['price', 'bdc', '--blocks', '600', '--seconds', '345600', '--from-height', '830000', '--paths', '2000', '--seed', '5', '--json'];
    const a = JSON.parse((await run(...args)).out);
    expect(a.retargetsCrossedMean).toBeGreaterThan(0.3); // 592 blocks to the retarget at height 830,592
    expect(a.pFast).toBeGreaterThan(0.4);
    expect(a.pFast).toBeLessThan(0.75);
    expect(a.expectedBlocks).toBeTypeOf('number');
    expect(JSON.parse((await run(...args)).out)).toEqual(a);
    const bad = await run('price', 'bdc', '--blocks', '6', '--seconds', '60', '--from-height', '900000');
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/from-height: needs header times/);
  });

  it('missing, conflicting or negative arguments: exit 1 with a clear message', async () => {
    const cases: [string[], RegExp][] = [
      [['--seconds', '60', '--interval', '600'], /blocks: missing/],
      [['--blocks', '1', '--interval', '600'], /seconds: missing/],
      [['--blocks', '1', '--seconds', '60'], /interval: missing/],
      [['--blocks', '1', '--seconds', '60', '--hashrate', '1e20'], /difficulty: missing/],
      [['--blocks', '1', '--seconds', '60', '--interval', '600', '--difficulty', '1'], /interval: give either/],
      [['--blocks', '1', '--seconds', '-60', '--interval', '600'], /seconds: must be non-negative/],
      [['--blocks', '-1', '--seconds', '60', '--interval', '600'], /blocks: expected a non-negative integer/],
      [['--blocks', '1', '--seconds', '60', '--interval', '0'], /interval: must be positive/],
      [['--blocks', '1', '--seconds', '60', '--hashrate', 'fast', '--difficulty', '1'], /hashrate: expected a number/],
    ];
    for (const [args, msg] of cases) {
      const r = await run('price', 'bdc', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toMatch(msg);
    }
  });
});

describe('hashperp model calibrate', () => {
  it('writes the markdown report to --out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hashperp-cal-'));
    const out = join(dir, 'calibration.md');
    // A coarse stride keeps this fast; the committed docs/calibration.md uses the default (12).
    const r = await run('model', 'calibrate', '--stride', '2000', '--out', out);
    expect(r.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/heights 150001–340000/);
  });
});
