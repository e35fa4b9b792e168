/**
 * The backtest page on the REAL `hashperp serve` wiring: the default form runs, the page's table shows the
 * server's own report for the same request (POST /v1/backtests through the typed client), both charts draw,
 * and a bad field is explained without a request. Screenshots at 1440 and 390 px.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPerpClient } from '../../src/client/client.js';
import { backtestRequestOf, DEFAULT_BACKTEST_FORM, satAsBtc } from '../../web/src/lib/backtest-form.js';
import { browserSkipReason, SCREENSHOTS, startRealServe, type RealServe } from './harness/browser.js';

const skip = browserSkipReason();
if (skip) console.log(`[test/web backtest] ${skip}`);

describe.skipIf(skip !== undefined)('the backtest page', () => {
  let real: RealServe;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    real = await startRealServe({ name: 'backtest', pace: '1s', demo: false });
    page = await real.browser.context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  }, 60_000);

  afterAll(async () => {
    await real?.close();
  });

  it('runs the default hedge and shows the server\'s report, with both charts', async () => {
    await page.setViewportSize({ width: 1440, height: 900 });
    await page.goto(real.server.url + '/#/backtest');
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await expect.poll(() => page.getByTestId('backtest-result').count(), { timeout: 60_000 }).toBe(1);
    const req = backtestRequestOf(DEFAULT_BACKTEST_FORM);
    if (!req.ok) throw new Error('default form invalid');
    const report = await new HashPerpClient({ baseUrl: real.server.url }).backtest(req.req);
    const row = await page.getByTestId('backtest-hedged').textContent();
    expect(row).toContain(satAsBtc(report.summary.hedged.totalSat));
    expect(await page.getByTestId('backtest-unhedged').textContent()).toContain(satAsBtc(report.summary.unhedged.totalSat));
    expect(Number(await page.getByTestId('backtest-cumulative').getAttribute('data-points'))).toBe(report.series.length);
    expect(Number(await page.getByTestId('backtest-periods').getAttribute('data-periods'))).toBe(report.periods.length);
    expect(await page.locator('[data-testid=backtest-cumulative] canvas').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'backtest-1440.png'), fullPage: true });
    // A phone: the page loads and runs at 390 px and does not scroll sideways (the table scrolls inside its box).
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(real.server.url + '/#/backtest');
    await page.reload();
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await expect.poll(() => page.getByTestId('backtest-result').count(), { timeout: 60_000 }).toBe(1);
    await page.waitForTimeout(300);
    const wide = await page.evaluate(() => Array.from(document.querySelectorAll('main *')).filter((e) => e.getBoundingClientRect().right > 392 && e.closest('.scroll-x') === null).slice(0, 5).map((e) => `${e.tagName}.${e.className}:${Math.round(e.getBoundingClientRect().right)}`));
    expect(wide).toEqual([]);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(SCREENSHOTS, 'backtest-390.png'), fullPage: true });
    expect(problems).toEqual([]);
  }, 120_000);

  it('explains a bad field without asking the server', async () => {
    await page.getByLabel('Hashrate, TH/s').fill('0');
    await page.getByRole('button', { name: 'Run backtest' }).click();
    await expect.poll(() => page.locator('.field-error').first().textContent()).toMatch(/whole number/);
  });
});
