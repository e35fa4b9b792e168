/**
 * Recent trades against the REAL `hashperp serve` wiring: one market order that sweeps several price levels
 * produces one fill per level, the server sends each as its own `trades` message, and the Trade page's
 * "Recent trades" panel must show every one of them, newest first, in the order the server lists them
 * (`GET /v1/markets/HPI-PERP/trades`). The regression: each message was prepended to a stale copy of the list,
 * so a burst of fills showed only the last one or two.
 *
 * The book is seeded by a maker account of the test's own (the demo market maker is off, so nothing requotes
 * under the sweep); the taker's market order goes through the API, and only the feed can bring its fills to
 * the page, which read the trades over HTTP once, before the order. The page's main thread is kept busy while
 * the order fills, so the fills' messages are handled back to back as on a loaded page.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCredentials, HashPerpClient } from '../../src/client/client.js';
import { browserSkipReason, SCREENSHOTS, startRealServe, type RealServe } from './harness/browser.js';

const skip = browserSkipReason();
if (skip) console.log(`[test/web recent trades] ${skip}`);

const MARKET = 'HPI-PERP';
const LEVELS = 5;
const LOTS_PER_LEVEL = 4;
const TICK_STEP = 100;

async function fundedClient(url: string): Promise<HashPerpClient> {
  const c = new HashPerpClient({ baseUrl: url, credentials: accountCredentials(randomBytes(32).toString('hex')) });
  await c.syncClock();
  await c.faucet(10_000_000);
  return c;
}

describe.skipIf(skip !== undefined)('recent trades: one market order sweeping several levels', () => {
  let real: RealServe;
  let server: RealServe['server'];
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    real = await startRealServe({ name: 'trades', pace: '250ms', demo: false });
    expect(real.config.demo).toBe(false);
    server = real.server;
    page = await real.browser.context.newPage();
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  }, 60_000);

  afterAll(async () => {
    await real?.close();
  });

  it(`shows all ${LEVELS} fills of a ${LEVELS * LOTS_PER_LEVEL}-lot market buy, in the server's order`, async () => {
    const maker = await fundedClient(server.url);
    const taker = await fundedClient(server.url);
    // Asks from the index price up, one order per level.
    const index = await new HashPerpClient({ baseUrl: server.url }).index();
    const base = Number(index.hashpriceSatPerPHDay);
    for (let k = 0; k < LEVELS; k++) {
      const ack = await maker.placeOrder({ market: MARKET, side: 'sell', type: 'limit', price: base + k * TICK_STEP, size: LOTS_PER_LEVEL, timeInForce: 'GTC' });
      expect(ack.status, `maker ask ${k}`).toBe('open');
    }

    await page.goto(server.url + '/#/trade');
    await page.waitForSelector('main h1');
    // The page has the seeded book (so its feed subscriptions are live) and no trades yet.
    await expect.poll(() => page.locator('[data-testid=order-book] tr.ask').count(), { timeout: 20_000 }).toBe(LEVELS);
    expect(await page.locator('[data-testid=recent-trades] tbody tr').count()).toBe(0);

    // A busy page (charts drawing, a slow phone): the fills' messages queue up while the main thread works and
    // are then handled back to back, with no render between them. Hold the page's thread while the order fills.
    const busy = page.evaluate(() => {
      const end = performance.now() + 1_500;
      while (performance.now() < end);
    });
    await new Promise((r) => setTimeout(r, 300));
    const ack = await taker.placeOrder({ market: MARKET, side: 'buy', type: 'market', size: LEVELS * LOTS_PER_LEVEL });
    await busy;
    expect(ack.status).toBe('filled');
    const fills = (await taker.trades(MARKET, 100)).filter((t) => t.seq === ack.seq);
    expect(fills.map((t) => [t.price, t.size])).toEqual(
      Array.from({ length: LEVELS }, (_, i) => [base + (LEVELS - 1 - i) * TICK_STEP, LOTS_PER_LEVEL]), // newest (highest level) first
    );

    const rows = page.locator('[data-testid=recent-trades] tbody tr');
    const shown = async () => (await rows.evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')))).map((cells) => [cells[0], cells[2]]);
    const expected = fills.map((t) => [t.price.toLocaleString('en-US'), t.size.toLocaleString('en-US')]);
    await expect.poll(shown, { timeout: 10_000 }).toEqual(expected);
    // Still all there once the feed is quiet (no later message drops some).
    await page.waitForTimeout(1_000);
    expect(await shown()).toEqual(expected);
    await page.screenshot({ path: join(SCREENSHOTS, 'recent-trades-sweep.png'), fullPage: true });
    expect(problems).toEqual([]);
  });
});
