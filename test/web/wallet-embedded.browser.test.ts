/**
 * The web app's Ark wallet in a real Chromium against the embedded demo (`serve --chain embedded`, no node): the
 * page says these are demo coins (the server's own /health sentence), pays its boarding address from the boarding
 * faucet, settles into a batch whose commitment tx is on the demo ledger, and keeps the same wallet across a reload.
 * Blocks are mined from the test (embeddedBlockSeconds 0), so only the operator's session clock paces it.
 * Skips, saying why, when /usr/bin/chromium is absent. (Named without "regtest"/"bitcoind": it needs no node and
 * runs in the ordinary test project.)
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { makeWiring } from '../../src/server/compose.js';
import { EMBEDDED_LEDGER_NOTE } from '../../src/server/ark-wiring.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb } from '../serve/helpers.js';
import { DEMO_COINS_SAT } from '../../web/src/lib/wallet-demo.js';
import { browserSkipReason, buildWeb, launchBrowser, satOf, SCREENSHOTS, textOf } from './harness/browser.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const skip = browserSkipReason();
if (skip) console.log(`[wallet-embedded] skipped: ${skip}`);

const sats = (page: Page, id: string) => satOf(page, `balance-${id}`);
const text = textOf;

describe.skipIf(skip !== undefined)('Ark wallet in the browser on the embedded demo', () => {
  const { dir, db } = tempDb();
  let dist: string;
  let s: Awaited<ReturnType<typeof startServe>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const ledger = () => s.wiring.parts!.ark!.ledger!;
  const problems: string[] = [];

  beforeAll(async () => {
    dist = await buildWeb();
    s = await startServe(serveConfig(db, { chain: 'embedded', demo: false, embeddedBlockSeconds: 0, staticDir: dist }), makeWiring({ pollMs: 200 }));
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  async function open(path: string): Promise<Page> {
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    await page.goto(s.url + path);
    return page;
  }

  it('says the Ark operator is not running on this server when /ark/v1/info fails, with no demo banner', async () => {
    const page = await open('/#/');
    await page.route('**/ark/v1/info', (r) => r.fulfill({ status: 404, contentType: 'application/json', body: '{"message":"Route GET:/ark/v1/info not found"}' }));
    await page.goto(s.url + '/#/wallet');
    await expect.poll(text(page, 'ark-unavailable'), { timeout: 20_000 }).toContain('The Ark operator is not running on this server');
    const said = (await page.getByTestId('ark-unavailable').textContent())!;
    expect(said).toContain('GET /ark/v1/info answered 404');
    expect(said).not.toMatch(/only when started with a bitcoin node/);
    expect(await page.getByTestId('seed-setup').count()).toBe(0);
    expect(await page.getByTestId('demo-banner').count()).toBe(0);
    await page.close();
  });

  it('creates a wallet, shows the demo banner, gets demo coins, settles them into a batch, and survives a reload', async () => {
    const page = await open('/#/');
    await page.click('nav a[href="#/wallet"]');
    await page.getByTestId('seed-create').click({ timeout: 20_000 });
    const words = await page.locator('[data-testid=seed-phrase] li').allTextContents();
    expect(words).toHaveLength(12);
    await page.getByTestId('seed-confirm').check();
    await page.getByTestId('seed-save').click();

    // The banner carries the server's own sentence: demo coins, nothing on any network.
    await expect.poll(text(page, 'demo-banner'), { timeout: 20_000 }).toContain('nothing here is on any network');
    expect(await page.getByTestId('demo-banner').textContent()).toContain(EMBEDDED_LEDGER_NOTE);

    const boarding = (await page.getByTestId('boarding-address').textContent({ timeout: 30_000 }))!;
    expect(boarding).toMatch(/^bcrt1p/);
    await expect.poll(() => sats(page, 'boarding'), { timeout: 20_000 }).toBe(0);

    // Cheater: the faucet's refusal (the request altered to ask for 1 sat) is shown in the API's own words.
    await page.route('**/v1/faucet/boarding', (r) => r.continue({ postData: JSON.stringify({ ...(r.request().postDataJSON() as object), amountSat: 1 }) }));
    await page.getByTestId('demo-coins').click();
    await expect.poll(text(page, 'demo-coins-result'), { timeout: 20_000 }).toContain('Demo coins refused: amountSat must be between');
    expect(await page.getByTestId('demo-coins-result').textContent()).toContain('(field body.amountSat)');
    await page.unroute('**/v1/faucet/boarding');
    expect(await sats(page, 'boarding')).toBe(0);

    // The faucet pays the page's boarding address on the ledger, mined: the boarding balance follows.
    await page.getByTestId('demo-coins').click();
    await expect.poll(text(page, 'demo-coins-result'), { timeout: 20_000 }).toMatch(/^Paid 100,000 sat of demo coins to the boarding address in [0-9a-f]{64}/);
    const faucetTxid = /in ([0-9a-f]{64})/.exec((await page.getByTestId('demo-coins-result').textContent())!)![1]!;
    const paid = ledger().tx(faucetTxid)!;
    expect(paid.height).toBeGreaterThan(0);
    const utxos = (await (await fetch(`${s.url}/esplora/address/${boarding}/utxo`)).json()) as { txid: string; value: number }[];
    expect(utxos).toEqual([expect.objectContaining({ txid: faucetTxid, value: DEMO_COINS_SAT })]);
    await expect.poll(() => sats(page, 'boarding'), { timeout: 20_000 }).toBe(DEMO_COINS_SAT);

    // Settle: the boarding coin joins a batch; its commitment tx lands in the ledger, then a block confirms it.
    await page.getByTestId('wallet-settle').click();
    await expect.poll(text(page, 'settle-result'), { timeout: 45_000 }).toMatch(/commitment transaction [0-9a-f]{64}|rror|fail/i);
    const settleText = (await page.getByTestId('settle-result').textContent())!;
    const commitment = /commitment transaction ([0-9a-f]{64})\./.exec(settleText)?.[1];
    expect(commitment, settleText).toBeDefined();
    expect(ledger().tx(commitment!)!.inputs).toContainEqual({ txid: faucetTxid, vout: paid.outputs.findIndex((o) => o.amount === BigInt(DEMO_COINS_SAT)) });
    ledger().mine();
    expect(await ledger().confirmations(commitment!)).toBe(1);
    await expect.poll(() => sats(page, 'settled'), { timeout: 20_000 }).toBe(DEMO_COINS_SAT);
    await expect.poll(() => sats(page, 'boarding'), { timeout: 20_000 }).toBe(0);
    expect(await sats(page, 'total')).toBe(DEMO_COINS_SAT);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-embedded-settled-1280.png'), fullPage: true });
    // At phone width the banner and the faucet's long txid wrap instead of widening the page.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-embedded-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Reload: the same wallet from IndexedDB, no setup offered again, the banner still there.
    await page.reload();
    await expect.poll(text(page, 'boarding-address'), { timeout: 30_000 }).toBe(boarding);
    expect(await page.getByTestId('seed-setup').count()).toBe(0);
    await expect.poll(text(page, 'demo-banner'), { timeout: 20_000 }).toContain(EMBEDDED_LEDGER_NOTE);
    await expect.poll(() => sats(page, 'settled'), { timeout: 20_000 }).toBe(DEMO_COINS_SAT);
    expect(await page.locator('main .notice.error').count()).toBe(0);
    await page.close();
    expect(problems).toEqual([]);
  });
});
