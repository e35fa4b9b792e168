/**
 * End to end against the REAL `hashperp serve` wiring (src/server/start.ts startServe + src/server/compose.ts defaultWiring):
 * SQLite journal in a temp file, paced replay of the shipped mainnet headers, the faucet and the demo market
 * maker, serving the freshly built web/dist on an ephemeral loopback port, driven in Debian's Chromium.
 * A new user creates a key, gets test funds, places and cancels an order, sees a fill in the portfolio,
 * then (when the server has the block-delta routes) opens a block-delta contract and downloads its exit package.
 * Every answer the page shows is checked against the server's own API, read with the same key.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountCredentials, HashPerpClient } from '../../src/client/client.js';
import { ProductsClient } from '../../src/client/products-client.js';
import { quoteForward } from '../../src/engine/products/forward/calculator.js';
import { browserSkipReason, isProductRoute, SCREENSHOTS, startRealServe, type RealServe } from './harness/browser.js';

const skip = browserSkipReason();
if (skip) console.log(`[test/web e2e] ${skip}`);

describe.skipIf(skip !== undefined)('end to end: a new user on the real `hashperp serve`', () => {
  let real: RealServe;
  let dbDir: string;
  let server: RealServe['server'];
  let page: Page;
  let api: HashPerpClient;
  let bdcOffered = false;
  let historyOffered = false;
  let forwardsOffered = false;
  const problems: string[] = [];

  const shot = async (name: string) => {
    await page.evaluate(() => window.scrollTo(0, 0)); // a scrolled page would put the sticky header mid-picture
    await page.screenshot({ path: join(SCREENSHOTS, `e2e-${name}.png`), fullPage: true });
  };
  const go = async (hash: string) => {
    await page.goto(server.url + '/' + hash);
    await page.waitForSelector('main h1');
  };

  beforeAll(async () => {
    // Real config resolution and wiring, demo maker on (the default), a block every 250 ms of replay.
    real = await startRealServe({ name: 'e2e', pace: '250ms' });
    expect(real.config.demo).toBe(true);
    ({ server, dir: dbDir } = real);
    page = await real.browser.context.newPage();
    page.on('console', (m) => {
      // A product route's 404 (no such position) or 409 (no contract VTXO yet) is explained on the page.
      if (m.type() === 'error' && !(isProductRoute(m.location().url) && / (404|409) /.test(m.text()))) problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    bdcOffered = (await fetch(`${server.url}/v1/bdc/series`)).status !== 404;
    forwardsOffered = (await fetch(`${server.url}/v1/forwards/markets`)).status !== 404;
    // Signed route: unauthenticated it answers 401 when it exists, 404 when it does not.
    historyOffered = (await fetch(`${server.url}/v1/account/history`)).status !== 404;
  }, 60_000);

  afterAll(async () => {
    await real?.close();
  });

  it('creates a key in the browser and gets test funds from the faucet', async () => {
    await go('#/account');
    await page.getByTestId('create-key').click();
    const pub = (await page.getByTestId('account-pubkey').textContent())!;
    const secret = (await page.evaluate(() => localStorage.getItem('hashperp.accountKey.v1')))!;
    api = new HashPerpClient({ baseUrl: server.url, credentials: accountCredentials(secret) });
    await api.syncClock();
    expect(api.accountId).toBe(pub);
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('0.00000000 BTC');
    await page.getByTestId('faucet').click();
    await expect.poll(() => page.getByTestId('faucet-result').textContent()).toBe('Received 0.01000000 BTC of test funds. Balance now 0.01000000 BTC.');
    await expect.poll(() => page.getByTestId('balance').textContent()).toBe('0.01000000 BTC');
    expect((await api.account()).balanceMsat).toBe('1000000000'); // 1,000,000 sat = 10^9 msat
    await shot('account-funded');
  });

  it("places a resting order below the demo maker's bid, sees it, and cancels it", async () => {
    await go('#/trade');
    // The demo maker quotes around fair value once the replay has processed a block.
    await expect.poll(() => page.locator('[data-testid=order-book] tr.bid').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    const bestBid = Number((await page.locator('[data-testid=order-book] tr.bid td').first().textContent())!.replace(/,/g, ''));
    const price = bestBid - 5_000;
    await page.fill('input[name=price]', String(price));
    await page.fill('input[name=qty]', '30');
    await page.click('form.order button.primary');
    await expect.poll(() => page.locator('form.order [role=status]').textContent()).toMatch(/^Order \S+ open: 0 filled, 30 remaining\.$/);
    const [order] = (await api.account()).orders;
    expect(order).toMatchObject({ market: 'HPI-PERP', side: 'buy', price, size: 30, remaining: 30 });
    await shot('trade-order-placed');

    await go('#/portfolio');
    const row = page.locator('[data-testid=open-orders] tr', { hasText: price.toLocaleString('en-US') });
    await expect.poll(() => row.count()).toBe(1);
    await shot('portfolio-open-order');
    await row.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.locator('[data-testid=open-orders]').count()).toBe(0);
    expect((await api.account()).orders).toEqual([]);
  });

  it('buys at market, and the fill shows in the portfolio as a long position', async () => {
    await go('#/trade');
    await expect.poll(() => page.locator('[data-testid=order-book] tr.ask').count(), { timeout: 20_000 }).toBeGreaterThan(0);
    await page.selectOption('form.order select >> nth=0', 'market');
    await page.fill('input[name=qty]', '10');
    await page.click('form.order button.primary');
    await expect.poll(() => page.locator('form.order [role=status]').textContent()).toMatch(/^Order \S+ filled: 10 filled, 0 remaining\.$/);
    const acct = await api.account();
    expect(acct.positions).toHaveLength(1);
    expect(acct.positions[0]).toMatchObject({ market: 'HPI-PERP', size: 10 });
    await shot('trade-filled');

    await go('#/portfolio');
    const pos = page.locator('[data-testid=perp-positions] tbody tr');
    await expect.poll(() => pos.count(), { timeout: 10_000 }).toBe(1);
    const text = (await pos.textContent())!;
    expect(text).toContain('HPI-PERP');
    expect(text).toContain(acct.positions[0]!.entryPrice.toLocaleString('en-US'));
    // The fill's fee and margin left the free balance: available < the 0.01 BTC funded.
    expect(BigInt((await api.account()).availableMsat)).toBeLessThan(1_000_000_000n);
    if (historyOffered) {
      // The history lists what the server's projection holds for this account, the fill among it.
      // History grows at every block (funding), so the page and the API are compared at the same moment.
      const { entries } = await new ProductsClient(api).history({ limit: 50 });
      expect(entries.some((e) => e.kind === 'fill')).toBe(true);
      await expect
        .poll(async () => {
          const now = (await new ProductsClient(api).history({ limit: 50 })).entries;
          const rows = await page.locator('[data-testid=history] tbody tr').count();
          const fills = await page.locator('[data-testid=history] tbody tr', { hasText: 'fill' }).count();
          // A funding entry lands every block (250 ms here): under load the page may be a block or two behind.
          return fills === now.filter((e) => e.kind === 'fill').length && rows > 0 && Math.abs(rows - now.length) <= 3;
        })
        .toBe(true);
    } else {
      console.log('[test/web e2e] the server has no /v1/account/history yet: the history check is skipped');
      expect(await page.getByTestId('history-unavailable').textContent()).toContain('does not offer transaction history yet');
    }
    await shot('portfolio-filled');
  });

  it('opens a block-delta contract and downloads its exit package', async (ctx) => {
    if (!bdcOffered) {
      console.log('[test/web e2e] the server has no /v1/bdc routes (hashperp serve does not register the product routes yet): block-delta step skipped');
      await go('#/contracts');
      await expect.poll(() => page.getByTestId('bdc-unavailable').textContent()).toContain('does not offer block-delta contracts yet');
      await shot('contracts-unavailable');
      ctx.skip();
      return;
    }
    await go('#/contracts');
    await expect.poll(() => page.locator('[data-testid=bdc-series] tbody tr').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    const list = await new ProductsClient(api).bdcSeries();
    // Take whatever the demo maker offers: its ask as FAST, or its bid as SLOW.
    const withAsk = list.find((s) => s.status === 'open' && s.bestAsk !== null);
    const withBid = list.find((s) => s.status === 'open' && s.bestBid !== null);
    const pick = withAsk ?? withBid;
    expect(pick, 'the demo maker quotes at least one open series').toBeDefined();
    await page.locator('[data-testid=bdc-series] tbody tr', { hasText: pick!.series }).click();
    if (withAsk === undefined) await page.getByRole('button', { name: /^SLOW/ }).click();
    // The maker requotes every block (250 ms here): a limit 500 bps through its quote still trades at the resting price.
    await page.fill('input[name=bdc-price]', String(withAsk ? Math.min(9_999, withAsk.bestAsk! + 500) : Math.max(1, withBid!.bestBid! - 500)));
    await page.fill('input[name=bdc-qty]', '1');
    await page.getByTestId('bdc-submit').click();
    await expect.poll(() => page.getByTestId('bdc-result').textContent()).toMatch(/^Order \S+ (filled|partially_filled)/);
    // The holder names its Ark wallet key as U of its contract VTXOs (not the API key).
    await new ProductsClient(api).setBdcContractKey(bytesToHex(schnorr.getPublicKey(schnorr.utils.randomSecretKey())));
    await page.reload();
    const posRow = page.locator('[data-testid=bdc-positions] tbody tr').first();
    await expect.poll(() => posRow.count(), { timeout: 10_000 }).toBe(1);
    await posRow.getByRole('button', { name: 'Contract' }).click();
    await page.waitForSelector('[data-testid=bdc-contract], [data-testid=bdc-contract-error]');
    await shot('contracts-position');
    // The page explains a refusal (no contract service, not batched yet); the test reports it as the failure.
    const refused = (await page.getByTestId('bdc-contract-error').count()) > 0 ? await page.getByTestId('bdc-contract-error').textContent() : null;
    expect(refused, 'the contract document').toBeNull();
    // When to start a unilateral exit for a win to be safe, and the race once both locks have opened.
    expect(await page.getByTestId('bdc-exit-deadline').textContent()).toMatch(/^Start a unilateral exit by (block [\d,]+|\d{4}-\d\d-\d\d \d\d:\d\d UTC \(estimate)/);
    expect(await page.getByTestId('bdc-metastability').textContent()).toContain('first confirmed claim wins');
    // The document is the server's: its address, and the three leaves of a block-delta VTXO (DESIGN.md) with their scripts.
    const pid = String((await new ProductsClient(api).bdcPositions()).positions[0]!.positionId);
    const doc = await new ProductsClient(api).bdcContract(pid);
    const address = (doc.vtxo as { address: string }).address;
    expect(address).toMatch(/^bcrt1p|^tb1p|^bc1p/);
    expect(await page.getByTestId('bdc-contract').textContent()).toContain(address);
    expect(await page.locator('[data-testid=bdc-leaves] li').count()).toBe(3);
    // The embedded demo never funds a contract VTXO (its engine replays mainnet, its Ark ledger is another
    // chain): the page says why, and there is no exit data to download.
    expect(doc).toMatchObject({ status: 'unfunded', funded: false, reason: expect.stringContaining('--chain bitcoind') });
    await page.getByTestId('exit-package').click();
    await expect.poll(() => page.getByTestId('exit-package-error').textContent()).toMatch(/no contract VTXO yet/);
  });

  it('a forward book updates live from the forwards:<market> channel, with no reload', async (ctx) => {
    if (!forwardsOffered) {
      console.log('[test/web e2e] the server has no /v1/forwards routes yet: the live forward book check is skipped');
      ctx.skip();
      return;
    }
    await page.setViewportSize({ width: 1280, height: 900 });
    await go('#/trade');
    await page.getByRole('tab', { name: 'FWD-90D' }).click();
    await page.waitForSelector('[data-testid=order-book], .empty');
    const products = new ProductsClient(api);
    const before = await products.forwardBook('FWD-90D', 50);
    const bestBid = before.bids[0]?.price;
    const bestAsk = before.asks[0]?.price;
    // A bid one tick inside the spread (or alone in an empty book): it rests, post-only, at the top of the bids.
    const price = bestBid !== undefined ? bestBid + 1 : bestAsk !== undefined ? Math.max(1, bestAsk - 1_000) : 40_000;
    if (bestAsk !== undefined && price >= bestAsk) {
      console.log('[test/web e2e] the forward spread is one tick: no room for a resting bid, live-book check skipped');
      ctx.skip();
      return;
    }
    const ack = await products.placeForwardOrder({ market: 'FWD-90D', side: 'buy', price, qty: 10_000, tif: 'GTC', postOnly: true });
    const row = page.locator('[data-testid=order-book] tr.bid', { hasText: price.toLocaleString('en-US') });
    // Only the feed can bring it: the tab read the book over HTTP once, when it opened.
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.locator('td').nth(2).textContent()).toBe('10,000');
    await shot('trade-forward-live');
    // The demo takers may have hit it first; either way it must leave the book through the feed.
    await products.cancelForwardOrder(ack.orderId, 'FWD-90D').catch((e: unknown) => {
      if (!(e instanceof Error && /no resting forward order/.test(e.message))) throw e;
    });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);
    // A trade: take 1 TH/s (10,000 lots) of the best ask; it shows in Recent trades from the channel's trade message.
    const ask = (await products.forwardBook('FWD-90D', 1)).asks[0];
    if (ask !== undefined) {
      const taken = await products.placeForwardOrder({ market: 'FWD-90D', side: 'buy', price: ask.price, qty: 10_000, tif: 'IOC' });
      expect(taken.filled).toBeGreaterThan(0);
      const trade = page.locator('[data-testid=fwd-trades] tbody tr', { hasText: ask.price.toLocaleString('en-US') });
      await expect.poll(() => trade.count(), { timeout: 10_000 }).toBeGreaterThan(0);
      expect(await trade.first().locator('td').nth(2).textContent()).toBe(taken.filled.toLocaleString('en-US'));
      expect(await trade.first().locator('td').nth(3).textContent()).toBe('buy');
    }
  });

  it('buys an option at the quote it showed, and lists it', async (ctx) => {
    const optionsOffered = (await fetch(`${server.url}/v1/options/quote?optionType=call&strike=1&expiryHeight=1&lots=1`)).status !== 404;
    if (!optionsOffered) {
      console.log('[test/web e2e] the server has no /v1/options routes yet: the option purchase is skipped');
      ctx.skip();
      return;
    }
    await go('#/portfolio');
    await page.waitForSelector('[data-testid=option-buy]');
    await page.fill('input[name=opt-days]', '30');
    await page.fill('input[name=opt-lots]', '10');
    await expect.poll(() => page.getByTestId('option-quote').count(), { timeout: 15_000 }).toBe(1);
    const strikeBtc = await page.inputValue('input[name=opt-strike]');
    const quoteText = (await page.getByTestId('option-quote').textContent())!;
    expect(quoteText).toMatch(/Premium you pay\d+\.\d{8} BTC/);
    expect(quoteText).toMatch(/Estimation windowthe last \d+ days of the index/);
    expect(quoteText).toMatch(/Drift μ \/ volatility σ \(yearly\)estimated -?\d+\.\d % \/ \d+\.\d %; priced with -?\d+\.\d % \/ \d+\.\d %/);
    // The premium shown is the server's for the same terms at some recent tip (the replay moves it every 250 ms).
    const shown = /Premium you pay(\d+\.\d{8}) BTC/.exec(quoteText)![1]!;
    expect(Number(shown)).toBeGreaterThan(0);
    expect(Number(strikeBtc)).toBeGreaterThan(0);
    await page.getByTestId('option-buy').locator('button.primary').click();
    await expect.poll(() => page.getByTestId('option-buy').locator('[role=status]').textContent(), { timeout: 10_000 }).toMatch(/^Bought option \S+ for \d+\.\d{8} BTC\.$/);
    const text = (await page.getByTestId('option-buy').locator('[role=status]').textContent())!;
    const id = /^Bought option (\S+) for/.exec(text)![1]!;
    const mine = await new ProductsClient(api).options();
    expect(mine.map((o) => String(o.id))).toContain(id);
    const bought = mine.find((o) => String(o.id) === id)!;
    // The terms typed in are the terms bought: strike BTC/PH/day × 10^8 = sat/PH/day, 10 lots, a call.
    expect({ type: bought.type, lots: String(bought.lots), strike: String(bought.strike) }).toEqual({ type: 'call', lots: '10', strike: String(Math.round(Number(strikeBtc) * 1e8)) });
    await expect.poll(() => page.locator('[data-testid=options] tbody tr').count(), { timeout: 10_000 }).toBe(mine.length);
    await shot('portfolio-option-bought');
  });

  it('trades the perp against the vault at index ± spread', async (ctx) => {
    const vaultOffered = (await fetch(`${server.url}/v1/vault`)).status !== 404;
    if (!vaultOffered) {
      console.log('[test/web e2e] the server has no /v1/vault routes yet: the vault trade is skipped');
      ctx.skip();
      return;
    }
    const products = new ProductsClient(api);
    // The vault may take only a bounded position against its NAV; give it some.
    await products.vaultDeposit(200_000);
    const sizeBefore = (await api.account()).positions.find((p) => p.market === 'HPI-PERP')?.size ?? 0;
    await go('#/trade');
    await page.waitForSelector('[data-testid=vault-preview]');
    await page.fill('input[name=vault-qty]', '5');
    await page.fill('input[name=vault-tol]', '2');
    await page.getByTestId('vault-trade').locator('button.primary').click();
    const status = page.getByTestId('vault-trade').locator('[role=status]');
    await expect.poll(() => status.textContent(), { timeout: 10_000 }).toMatch(/^(Bought 5 lots from the vault at [\d,]+ sat\/PH\/day\.|Traded with the vault)/);
    const after = (await api.account()).positions.find((p) => p.market === 'HPI-PERP');
    expect(after?.size).toBe(sizeBefore + 5);
    const m = /at ([\d,]+) sat/.exec((await status.textContent())!);
    if (m) {
      // index × 1.005 rounded up, within the 2 % tolerance of the previewed price
      const traded = Number(m[1]!.replace(/,/g, ''));
      const idx = Number((await api.index()).hashpriceSatPerPHDay);
      expect(traded).toBeGreaterThanOrEqual(Math.ceil(idx * 1.005) - Math.ceil(idx * 0.03));
      expect(traded).toBeLessThanOrEqual(Math.ceil(idx * 1.005) + Math.ceil(idx * 0.03));
    }
    await shot('trade-vault');
  });

  it('turns auto-delivery on from the portfolio', async (ctx) => {
    if (!forwardsOffered) {
      ctx.skip();
      return;
    }
    await go('#/portfolio');
    const box = page.getByTestId('auto-delivery').locator('input[type=checkbox]');
    await expect.poll(() => box.isEnabled(), { timeout: 10_000 }).toBe(true);
    expect(await box.isChecked()).toBe(false);
    await box.check();
    await expect.poll(async () => (await new ProductsClient(api).forwardContracts()).autoDelivery, { timeout: 10_000 }).toBe(true);
    await expect.poll(() => page.getByTestId('auto-delivery').textContent()).toContain('(now on)');
  });

  it('every page at 1280 px and 390 px: screenshots, nothing wider than a phone', async () => {
    for (const [hash, name] of [['#/', 'dashboard'], ['#/trade', 'trade'], ['#/contracts', 'contracts'], ['#/portfolio', 'portfolio'], ['#/account', 'account']] as const) {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
        await go(hash);
        await page.waitForTimeout(300); // let the page's loads settle before the picture
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, `${name} at ${width}px overflows by ${overflow}px`).toBeLessThanOrEqual(0);
        if (name === 'contracts' && bdcOffered) {
          await page.waitForSelector('[data-testid=bdc-series]');
          // Not even inside its own scroll box: on a phone each series is a stacked card.
          const inner = await page.evaluate(() => {
            const t = document.querySelector('[data-testid=bdc-series]')!;
            const box = t.parentElement!;
            return { table: t.getBoundingClientRect().width, box: box.clientWidth, scroll: box.scrollWidth - box.clientWidth };
          });
          expect(inner.scroll, `the series table at ${width}px scrolls sideways by ${inner.scroll}px`).toBeLessThanOrEqual(0);
        }
        await shot(`${name}-${width}`);
      }
    }
    // A forward market tab: the book and the server calculator, or the explanation that the server lacks them.
    await page.setViewportSize({ width: 1280, height: 900 });
    await go('#/trade');
    await page.getByRole('tab', { name: 'FWD-90D' }).click();
    if (forwardsOffered) {
      // The preview is the server's calculator; check it against the engine's own arithmetic at the index it used.
      await page.fill('input[name=fwd-price]', '150000');
      await page.fill('input[name=fwd-th]', '100');
      await expect.poll(() => page.getByTestId('fwd-quote').count()).toBe(1);
      const q = await new ProductsClient(api).forwardQuote({ market: 'FWD-90D', qtyLots: 1_000_000, priceSatPerPHDay: 150_000, taker: 'investor' });
      const local = quoteForward({ qtyLots: 1_000_000, priceSatPerPHDay: 150_000, days: 90 }, q.indexSatPerPHDay, 'investor');
      // 100 TH/s × 90 days × 150 sat/TH/day = 1,350,000 sat; + 0.2 % taker fee = 1,352,700 sat.
      expect(local.investorPaysMsat).toBe(1_352_700_000n);
      expect(q.investorPaysMsat).toBe(local.investorPaysMsat.toString());
      await expect.poll(() => page.getByTestId('fwd-quote').textContent()).toContain('You pay upfront0.01352700 BTC');
    } else {
      console.log('[test/web e2e] the server has no /v1/forwards routes yet: the forward calculator check is skipped');
      await expect.poll(() => page.getByTestId('forward-unavailable').textContent()).toContain('does not offer forward markets yet');
    }
    await shot('trade-forward-1280');
    expect(problems).toEqual([]);
  });
});
