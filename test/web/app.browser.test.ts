/**
 * The web app in a real Chromium against the real server factory (src/api createServer) on an
 * ephemeral loopback port, with the real index computed from the shipped mainnet headers.
 * Screenshots go to test-artifacts/screenshots/. Skips, saying why, when /usr/bin/chromium is absent.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IndexValue } from '../../src/api/schemas.js';
import { FakeExchange } from '../api/fakes.js';
import { browserSkipReason, buildWeb, isProductRoute, launchBrowser, SCREENSHOTS, startServer } from './harness/browser.js';
import { ColdIndex, realIndex } from './harness/chain-index-port.js';

const skip = browserSkipReason();
if (skip) console.log(`[test/web] ${skip}`);

const TIP = 830_000; // inside the shipped 822,527..830,592 header segment: real hash, times, hashrate, retarget
const MAKER = 'ab'.repeat(32);

describe.skipIf(skip !== undefined)('web app in Chromium', () => {
  let dist: string;
  let server: { url: string; close: () => Promise<void> };
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let index: ReturnType<typeof realIndex>;
  let exchange: FakeExchange;
  const problems: string[] = [];

  async function open(path: string, width = 1280): Promise<Page> {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    page.on('console', (m) => {
      // This server has no product routes (forwards, block-delta, vault…): the pages ask, get a 404 and say so.
      if (m.type() === 'error' && !(isProductRoute(m.location().url) && / 404 /.test(m.text()))) problems.push(`console error on ${path}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught on ${path}: ${e.message}`));
    await page.goto(server.url + path);
    return page;
  }

  beforeAll(async () => {
    dist = await buildWeb();
    index = realIndex(TIP);
    exchange = new FakeExchange();
    // A resting book to draw: asks 170,000 ×50 and 172,000 ×80; bids 165,000 ×60 and 163,000 ×40.
    for (const [side, price, size] of [['sell', 170_000, 50], ['sell', 172_000, 80], ['buy', 165_000, 60], ['buy', 163_000, 40]] as const)
      await exchange.placeOrder({ account: MAKER, market: 'HPI-PERP', side, type: 'limit', price, size, receivedMs: 0 });
    server = await startServer({ exchange, index }, dist);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('dashboard: the hashprice shown is GET /v1/index, with its height, hash, chart and curve', async () => {
    const api = (await (await fetch(`${server.url}/v1/index`)).json()) as IndexValue;
    // Independent check of what the server publishes at 830,000: D = 75,502,165,623,893.72 (bits 0x1703ba5d),
    // subsidy 6.25 BTC, no fees: floor(8.64e19 × 625,000,000 / (D × 2^32)) = floor(5.4e28 / 3.24279e26) = 166,523.
    expect(api.height).toBe(TIP);
    expect(api.hashpriceSatPerPHDay).toBe('166523');
    const page = await open('/#/');
    await expect.poll(() => page.getByTestId('hashprice-btc').textContent()).toContain('0.00166523');
    expect(await page.getByTestId('hashprice-sat-th').textContent()).toContain('166.523');
    const cardText = await page.locator('.cards').textContent();
    expect(cardText).toContain('830,000');
    expect(cardText).toContain(api.blockHash!.slice(-14)); // shown shortened; the full hash is the title
    expect(await page.locator('[data-testid=provenance] .mono').first().getAttribute('title')).toBe(api.blockHash);
    // Same epoch 24 h earlier (829,856), same bits and subsidy: 0 % change.
    await expect.poll(() => page.getByTestId('change-24h').textContent()).toBe('0.00 %');
    // Retarget projection at 830,000: +8.63 % at height 830,592, 592 blocks left.
    expect(await page.getByTestId('retarget').textContent()).toContain('+8.63 %');
    expect(cardText).toContain('830,592');
    expect(await page.getByTestId('hashrate').textContent()).toMatch(/EH\/s$/);
    // The history chart draws on canvases with a real size.
    await expect.poll(() => page.locator('[data-testid=history-chart] canvas').count()).toBeGreaterThan(0);
    const box = await page.locator('[data-testid=history-chart] canvas').first().boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(150);
    // Forward curve: the index row plus 30/90/180/365 days.
    await expect.poll(() => page.locator('[data-testid=forward-curve] tbody tr').count()).toBe(5);
    expect(await page.getByTestId('forward-curve').textContent()).toContain('365 days');
    await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-1280.png'), fullPage: true });

    // A new block arrives over the WebSocket feed: the page moves to it without a reload.
    const next = index.publishTip(TIP + 1);
    await expect.poll(() => page.locator('.cards').textContent(), { timeout: 10_000 }).toContain('830,001');
    expect(await page.locator('.cards').textContent()).toContain(next.blockHash!.slice(-14));
    expect(await page.getByTestId('feed-status').textContent()).toContain('Live');
    await page.close();
    expect(problems).toEqual([]);
  });

  it('trade: book, depth with spread and mid, and a margin + liquidation preview before sending', async () => {
    const page = await open('/#/trade');
    await expect.poll(() => page.locator('[data-testid=order-book] tbody tr').count()).toBe(5); // 2 asks, spread line, 2 bids
    // Best bid 165,000, best ask 170,000: spread 5,000 = 5000/167,500 = 2.99 %; mid 167,500 = 0.00167500 BTC/PH/day.
    expect(await page.getByTestId('spread').textContent()).toBe('Spread 5,000 (2.99 %) · Mid 0.00167500 BTC/PH/day');
    expect(await page.locator('[data-testid=depth-chart] path').count()).toBe(2);
    expect(await page.getByTestId('recent-trades').count()).toBe(0); // no trades yet: an empty state instead
    expect(await page.textContent('main')).toContain('No trades yet');
    await page.fill('input[name=price]', '160000');
    await page.fill('input[name=qty]', '100');
    // 100 lots × 160,000 / 1000 = 16,000 sat notional; 10 % = 1,600 sat.
    expect(await page.getByTestId('preview-margin').textContent()).toBe('0.00001600 BTC');
    // Long: P* = (100×160,000 − 1,600,000 msat) / (100 × 0.95) = 151,578.9 -> liquidated at 151,578 and below.
    expect(await page.getByTestId('preview-liquidation').textContent()).toBe('151,578 sat/PH/day');
    await page.click('.side-toggle .sell');
    // Short: P* = (16,000,000 + 1,600,000) / 105 = 167,619.05 -> liquidated at 167,620 and above.
    expect(await page.getByTestId('preview-liquidation').textContent()).toBe('167,620 sat/PH/day');
    await page.fill('input[name=qty]', '1.5');
    expect(await page.textContent('form.order')).toContain('Enter a whole number of lots');
    await page.fill('input[name=qty]', '100');
    // Position builder at the 90-day curve point for 100 TH/s: contract value = 1,000,000 lots × P × 90 / 10^4 msat,
    // collateral 110 % of it; the investor tab shows yield and break-even instead.
    const miner = (await page.getByTestId('miner-view').textContent())!;
    expect(miner).toContain('Collateral to lock (110 %)');
    expect(miner).toContain('Capital efficiency90.91 %');
    await page.getByRole('tab', { name: /Investor/ }).click();
    expect(await page.getByTestId('investor-view').textContent()).toMatch(/Implied APY \(simple\)-?\d+\.\d\d %.*Break-even index0\.\d{8} BTC\/PH\/day/);
    await page.screenshot({ path: join(SCREENSHOTS, 'trade-1280.png'), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  });

  it('account: a key made in the browser stays there and signs an order the server accepts', async () => {
    const page = await open('/#/account');
    await page.getByTestId('create-key').click();
    const pub = (await page.getByTestId('account-pubkey').textContent())!;
    const secret = (await page.evaluate(() => localStorage.getItem('hashperp.accountKey.v1')))!;
    expect(pub).toMatch(/^[0-9a-f]{64}$/);
    expect(bytesToHex(schnorr.getPublicKey(hexToBytes(secret)))).toBe(pub);
    await expect.poll(() => page.getByTestId('balance').count()).toBe(1); // signed GET /v1/account accepted
    await page.screenshot({ path: join(SCREENSHOTS, 'account-1280.png'), fullPage: true });

    await page.goto(server.url + '/#/trade');
    await page.fill('input[name=price]', '166000');
    await page.fill('input[name=qty]', '25');
    await page.click('button.primary');
    await expect.poll(() => page.locator('form.order [role=status]').textContent()).toMatch(/^Order o\d+ open: 0 filled, 25 remaining\.$/);
    expect(exchange.placed.at(-1)).toMatchObject({ account: pub, side: 'buy', price: 166_000, size: 25, timeInForce: 'GTC' });
    // The new best bid arrives through the book feed.
    await expect.poll(() => page.locator('[data-testid=order-book] tr.bid td').first().textContent()).toBe('166,000');

    // Someone sells into it: the trade reaches the recent-trades list over the trades feed.
    await exchange.placeOrder({ account: MAKER, market: 'HPI-PERP', side: 'sell', type: 'market', size: 10, receivedMs: 0 });
    await expect.poll(() => page.locator('[data-testid=recent-trades] tbody tr').first().textContent(), { timeout: 10_000 }).toBe('166,0000.0016600010—');

    // The account page lists it, and follows the signed account channel: an order placed elsewhere appears unasked.
    await page.goto(server.url + '/#/account');
    await expect.poll(() => page.locator('main table:not(.prose)').last().textContent()).toContain('166,000'); // 15 left after the 10 sold
    await page.waitForTimeout(300); // let the account-channel subscription land
    await exchange.placeOrder({ account: pub, market: 'HPI-PERP', side: 'sell', type: 'limit', price: 180_000, size: 7, receivedMs: 0 });
    await expect.poll(() => page.locator('main table:not(.prose)').last().textContent(), { timeout: 10_000 }).toContain('180,000');
    await page.screenshot({ path: join(SCREENSHOTS, 'account-orders-1280.png'), fullPage: true });
    // Cancelling is a signed DELETE; the order leaves the server's book and the list.
    await page.locator('main table tr', { hasText: '180,000' }).getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('main table:not(.prose)').last().textContent()).not.toContain('180,000');
    expect(exchange.book('HPI-PERP', 50)!.asks.map((l) => l.price)).not.toContain(180_000);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('phone width: no sideways scrolling on any page', async () => {
    for (const [path, name] of [['/#/', 'dashboard'], ['/#/trade', 'trade'], ['/#/account', 'account'], ['/#/contracts', 'contracts'], ['/#/portfolio', 'portfolio']] as const) {
      const page = await open(path, 390);
      await page.waitForSelector(name === 'account' || name === 'portfolio' ? 'main h1' : name === 'trade' ? '[data-testid=position-builder]' : name === 'contracts' ? '[data-testid=bdc-unavailable]' : '[data-testid=forward-curve]');
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} overflows by ${overflow}px`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-390.png`), fullPage: true });
      await page.close();
    }
    expect(problems).toEqual([]);
  });

  it('a server with no index yet: the dashboard says so, then recovers when the first block arrives', async () => {
    const cold = new ColdIndex(realIndex(TIP));
    const empty = await startServer({ exchange: new FakeExchange(), index: cold }, dist);
    try {
      const page = await browser.context.newPage();
      await page.goto(empty.url + '/#/');
      await expect.poll(() => page.locator('[role=alert]').first().textContent()).toContain('The index is not available yet');
      expect(await page.textContent('main')).toContain('no block processed yet');
      expect(await page.textContent('main')).toContain('History appears once the index has its first block.');
      await page.screenshot({ path: join(SCREENSHOTS, 'dashboard-no-index.png'), fullPage: true });
      await page.waitForTimeout(300); // the index subscription is open
      cold.start(TIP);
      await expect.poll(() => page.getByTestId('hashprice-btc').textContent(), { timeout: 10_000 }).toContain('0.00166523');
      await expect.poll(() => page.locator('[data-testid=forward-curve] tbody tr').count(), { timeout: 10_000 }).toBe(5);
      await expect.poll(() => page.locator('[data-testid=history-chart] canvas').count()).toBeGreaterThan(0);
      await page.close();
    } finally {
      await empty.close();
    }
  });
});
