/**
 * Money between the browser's own Ark wallet and its exchange account, in a real Chromium against the embedded
 * demo (`serve --chain embedded`, no node): the Wallet page shows both balances side by side; "Move to exchange"
 * signs a memo Ark tx paying the operator's liquidity key and waits until the trading balance shows it; "Move to
 * wallet" is the account's signed withdrawal to the wallet's own Ark address. Each side is checked against the
 * server's own record (the engine's Ark deposits and withdrawals, the operator's store, /health's reconciliation),
 * not only the page. Skips, saying why, when /usr/bin/chromium is absent.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Page } from 'playwright-core';
import { bytesToHex } from '@noble/hashes/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { ArkAddress } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { arkFundsOf } from '../../src/engine/index.js';
import { accountCredentials, HashPerpClient } from '../../src/client/client.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb } from '../serve/helpers.js';
import { DEMO_COINS_SAT } from '../../web/src/lib/wallet-demo.js';
import { STORAGE_KEY } from '../../web/src/lib/keys.js';
import { TRUST_MODEL } from '../../web/src/lib/trust-model.js';
import { browserSkipReason, buildWeb, launchBrowser, satOf, SCREENSHOTS, textOf } from './harness/browser.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 120_000 });

const skip = browserSkipReason();
if (skip) console.log(`[wallet-exchange] skipped: ${skip}`);

const text = textOf;

describe.skipIf(skip !== undefined)('Wallet <-> exchange in the browser on the embedded demo', () => {
  const { dir, db } = tempDb();
  let dist: string;
  let s: Awaited<ReturnType<typeof startServe>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  const problems: string[] = [];
  const sk = schnorr.utils.randomSecretKey();
  const secret = bytesToHex(sk);
  const account = bytesToHex(schnorr.getPublicKey(sk));
  let client: HashPerpClient;
  const exchangeMsat = async () => BigInt((await client.account()).balanceMsat);
  const health = async () => (await (await fetch(`${s.url}/health`)).json()) as { reconciliation?: { ok: boolean; problems: string[]; deposits: number; settledWithdrawals: number } };

  beforeAll(async () => {
    dist = await buildWeb();
    s = await startServe(serveConfig(db, { chain: 'embedded', demo: false, embeddedBlockSeconds: 0, staticDir: dist }), makeWiring({ pollMs: 200 }));
    client = new HashPerpClient({ baseUrl: s.url, credentials: accountCredentials(secret) });
    await client.syncClock();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows both balances, moves demo coins to the exchange (credited) and some back to the wallet, and says why a move is refused', async () => {
    const page = await browser.context.newPage();
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    await page.goto(`${s.url}/#/`);
    await page.evaluate(([k, v]) => localStorage.setItem(k!, v!), [STORAGE_KEY, secret]);
    // The app reads the account key once, when it starts: a full load with the key in storage.
    await page.goto(`${s.url}/#/wallet`);
    await page.reload();
    await page.getByTestId('seed-create').click({ timeout: 20_000 });
    await page.getByTestId('seed-confirm').check();
    await page.getByTestId('seed-save').click();

    // Both sides, before any money: the wallet empty, the exchange account empty.
    await expect.poll(() => satOf(page, 'xfer-wallet'), { timeout: 30_000 }).toBe(0);
    await expect.poll(() => satOf(page, 'xfer-exchange'), { timeout: 20_000 }).toBe(0);
    expect(await page.getByTestId('exchange-transfer').textContent()).toMatch(/In your wallet.*you hold the keys|you hold the keys.*In your wallet/);
    expect(await page.getByTestId('exchange-transfer').textContent()).toContain('operator-cleared');

    // Demo coins into the wallet: boarding, then settled into a batch (a block confirms the commitment).
    await page.getByTestId('demo-coins').click();
    await expect.poll(text(page, 'demo-coins-result'), { timeout: 20_000 }).toMatch(/^Paid 100,000 sat/);
    await expect.poll(() => satOf(page, 'balance-boarding'), { timeout: 20_000 }).toBe(DEMO_COINS_SAT);
    // A batch fails for everyone when one participant does not answer in time (a loaded machine): settle again.
    for (let attempt = 0; attempt < 3; attempt++) {
      await page.getByTestId('wallet-settle').click();
      await expect.poll(text(page, 'settle-result'), { timeout: 45_000 }).toMatch(/commitment transaction [0-9a-f]{64}|rror|fail|no intent|timed out/i);
      if (/commitment transaction [0-9a-f]{64}/.test((await text(page, 'settle-result')()) ?? '')) break;
    }
    expect(await text(page, 'settle-result')()).toMatch(/commitment transaction [0-9a-f]{64}/);
    s.wiring.parts!.ark!.ledger!.mine();
    await expect.poll(() => satOf(page, 'xfer-wallet'), { timeout: 20_000 }).toBe(DEMO_COINS_SAT);

    // More than the wallet holds: refused here, nothing sent.
    await page.getByTestId('xfer-amount').fill('100001');
    await page.getByTestId('xfer-to-exchange').click();
    await expect.poll(text(page, 'xfer-result'), { timeout: 10_000 }).toContain('insufficient funds: your wallet holds 100,000 sat');
    expect(arkFundsOf(s.wiring.parts!.engine.exchange).deposits).toEqual([]);

    // Move 40,000 sat to the exchange: one Ark tx paying L with this account's memo, credited once.
    await page.getByTestId('xfer-amount').fill('40000');
    await page.getByTestId('xfer-to-exchange').click();
    await expect.poll(text(page, 'xfer-result'), { timeout: 40_000 }).toMatch(/credited\.|rror|refused|not/);
    const moved = (await page.getByTestId('xfer-result').textContent())!;
    expect(moved).toMatch(/^Moved 40,000 sat to the exchange in Ark transaction [0-9a-f]{64}: credited\.$/);
    const depositTxid = /transaction ([0-9a-f]{64})/.exec(moved)![1]!;
    expect(arkFundsOf(s.wiring.parts!.engine.exchange).deposits).toEqual([expect.objectContaining({ account, amountSat: 40_000, arkTxid: depositTxid })]);
    expect(await exchangeMsat()).toBe(40_000_000n);
    await expect.poll(() => satOf(page, 'xfer-exchange'), { timeout: 10_000 }).toBe(40_000);
    await expect.poll(() => satOf(page, 'xfer-wallet'), { timeout: 20_000 }).toBe(60_000);

    // Move 15,000 sat back: the operator pays this wallet's own Ark address (the server's record names it).
    // The embedded operator has no liquidity of its own (no keeper): it pays withdrawals from what was paid to L,
    // which it spends once it has seen the batch behind the deposit confirmed (its next session tick sets the expiry).
    const liquidity = s.wiring.parts!.ark!.liquidity.wallet;
    await expect.poll(() => liquidity.balance(), { timeout: 15_000 }).toBe(40_000n);
    const walletAddress = (await page.getByTestId('ark-address').textContent())!;
    await page.getByTestId('xfer-amount').fill('15000');
    await page.getByTestId('xfer-to-wallet').click();
    await expect.poll(text(page, 'xfer-result'), { timeout: 30_000 }).toMatch(/to your wallet|rror|refused|cannot/);
    const back = (await page.getByTestId('xfer-result').textContent())!;
    expect(back).toMatch(/^Moved 15,000 sat to your wallet in Ark transaction [0-9a-f]{64}\.$/);
    const wd = arkFundsOf(s.wiring.parts!.engine.exchange).withdrawals;
    expect(wd).toEqual([expect.objectContaining({ account, amountSat: 15_000, status: 'settled', toScript: hex.encode(ArkAddress.decode(walletAddress).pkScript) })]);
    expect(await exchangeMsat()).toBe(25_000_000n);
    await expect.poll(() => satOf(page, 'xfer-wallet'), { timeout: 20_000 }).toBe(75_000);
    await expect.poll(() => satOf(page, 'xfer-exchange'), { timeout: 10_000 }).toBe(25_000);

    // Every flow has its Ark tx: the server's reconciliation finds both.
    await s.wiring.parts!.arkFunding!.sweep();
    expect((await health()).reconciliation).toMatchObject({ ok: true, problems: [], deposits: 1, settledWithdrawals: 1 });

    // More than the account's free balance: refused by the server in its own words, nothing debited.
    await page.getByTestId('xfer-amount').fill('25001');
    await page.getByTestId('xfer-to-wallet').click();
    await expect.poll(text(page, 'xfer-result'), { timeout: 10_000 }).toContain('insufficient funds: the exchange account has 25,000 sat free');

    // The account holds more than the operator's liquidity (test funds from the account faucet): a 503 said to be
    // temporary, and the debit reversed.
    await client.faucet(100_000);
    await expect.poll(() => satOf(page, 'xfer-exchange'), { timeout: 10_000 }).toBe(125_000);
    await page.getByTestId('xfer-amount').fill('100000');
    await page.getByTestId('xfer-to-wallet').click();
    await expect.poll(text(page, 'xfer-result'), { timeout: 20_000 }).toContain("The operator's liquidity cannot pay this withdrawal right now");
    expect(await page.getByTestId('xfer-result').textContent()).toContain('try again later');
    expect(await exchangeMsat()).toBe(125_000_000n);

    // The trust table, the same rows as the README's.
    const rows = await page.locator('[data-testid=trust-model] tbody tr').count();
    expect(rows).toBe(TRUST_MODEL.length);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-exchange-1280.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-exchange-390.png'), fullPage: true });
    await page.getByTestId('trust-model').screenshot({ path: join(SCREENSHOTS, 'trust-model-390.png') });
    await page.close();
    expect(problems).toEqual([]);
  });
});
