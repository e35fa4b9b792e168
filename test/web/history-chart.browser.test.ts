/**
 * The dashboard's hashprice history on the REAL `hashperp serve` wiring (embedded replay of the shipped
 * headers, a fresh journal): a fresh server has replayed only a few blocks, yet the chart reaches back to 2009
 * from the shipped bits of every retarget, the range buttons narrow it, the log toggle switches the axis, the
 * halvings are marked and the basis is stated. What the chart draws is read from its data attributes and
 * compared with the server's own series.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPerpClient } from '../../src/client/client.js';
import { browserSkipReason, SCREENSHOTS, startRealServe, type RealServe } from './harness/browser.js';

const skip = browserSkipReason();
if (skip) console.log(`[test/web history chart] ${skip}`);

const Y2020 = Date.UTC(2020, 0, 1);

describe.skipIf(skip !== undefined)('dashboard: hashprice history since 2009', () => {
  let real: RealServe;
  let server: RealServe['server'];
  let page: Page;
  const problems: string[] = [];
  const chart = () => page.getByTestId('history-chart');
  const attr = async (name: string) => (await chart().getAttribute(name)) ?? '';

  beforeAll(async () => {
    real = await startRealServe({ name: 'history', pace: '1s', demo: false });
    server = real.server;
    page = await real.browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  }, 60_000);

  afterAll(async () => {
    await real?.close();
  });

  it('shows points from before 2020, halvings marked, on a log scale, with the basis stated', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(server.url + '/#/');
    await expect.poll(() => chart().count(), { timeout: 20_000 }).toBe(1);
    await expect.poll(() => attr('data-first-time'), { timeout: 10_000 }).toMatch(/^2009-01-03T/);
    // The server's own series for the same query (All: per day where shipped, per retarget elsewhere, up to its tip).
    const api = new HashPerpClient({ baseUrl: server.url });
    const tip = Number(await attr('data-to-height')); // the tip the page first saw (the replay moves on)
    expect(await attr('data-from-height')).toBe('0');
    const all = await api.hashpriceHistory({ to: String(tip), resolution: 'day' });
    expect(Number(await attr('data-series-points'))).toBe(all.points.length);
    expect(Number(await attr('data-points'))).toBeGreaterThan(500); // drawn on an even time grid
    expect(all.points.filter((p) => p.time * 1000 < Y2020).length).toBeGreaterThan(1_000);
    expect(await attr('data-halvings')).toBe(String(all.halvings.length));
    expect(all.halvings.map((h) => h.height)).toEqual([210_000, 420_000, 630_000]);
    expect(await attr('data-scale')).toBe('log');
    expect(await page.locator('[data-testid=history-chart] canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('history-basis').textContent()).toMatch(/^Subsidy only, fees not included/);
    await page.screenshot({ path: join(SCREENSHOTS, 'history-dashboard-1440.png'), fullPage: true });
  });

  it('the range buttons change what is shown; the log toggle switches the axis', async () => {
    const firstTimes: Record<string, string> = {};
    for (const label of ['1 Y', '5 Y', '1 M', 'All']) {
      const before = await attr('data-first-time');
      await page.getByTestId('history-ranges').getByRole('tab', { name: label }).click();
      if (label !== 'All') await expect.poll(() => attr('data-first-time'), { timeout: 10_000 }).not.toBe(before);
      else await expect.poll(() => attr('data-first-time'), { timeout: 10_000 }).toMatch(/^2009-01-03T/);
      firstTimes[label] = await attr('data-first-time');
      await page.locator('section.panel', { has: chart() }).screenshot({ path: join(SCREENSHOTS, `history-range-${label.replace(' ', '')}.png`) });
    }
    const last = Date.parse(await attr('data-last-time'));
    const days = (label: string) => (last - Date.parse(firstTimes[label])) / 86_400_000;
    expect(days('1 M')).toBeGreaterThan(28);
    expect(days('1 M')).toBeLessThan(32);
    expect(days('1 Y')).toBeGreaterThan(360);
    expect(days('1 Y')).toBeLessThan(370);
    expect(days('5 Y')).toBeGreaterThan(5 * 365 - 10);
    expect(days('5 Y')).toBeLessThan(5 * 365 + 10);
    expect(Date.parse(firstTimes['5 Y'])).toBeLessThan(Y2020);
    await page.getByTestId('history-log').uncheck();
    expect(await attr('data-scale')).toBe('linear');
    await page.getByTestId('history-log').check();
    expect(await attr('data-scale')).toBe('log');
  });

  it('reads at 390 px: the chart and its controls fit the phone', async () => {
    // The same page narrowed (the chart keeps the whole range on a resize), then a fresh load at 390 px.
    await page.setViewportSize({ width: 390, height: 844 });
    await expect.poll(async () => (await chart().boundingBox())!.width, { timeout: 5_000 }).toBeLessThan(390);
    await page.reload();
    await expect.poll(() => attr('data-first-time'), { timeout: 20_000 }).toMatch(/^2009-01-03T/);
    const box = await chart().boundingBox();
    expect(box!.width).toBeGreaterThan(250);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.evaluate(() => window.scrollTo(0, 0)); // a scrolled page would put the sticky header mid-picture
    await page.screenshot({ path: join(SCREENSHOTS, 'history-dashboard-390.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
