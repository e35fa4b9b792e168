/**
 * The web app's Ark wallet in a real Chromium against `serve --chain bitcoind` on a real regtest node
 * (BITCOIND_RPC_URL; skipped without it or without /usr/bin/chromium). The browser bundle of the stock
 * @arkade-os/sdk is the only Ark client: a wallet is created on the page (backup confirmed), its boarding address is
 * paid from bitcoind and settled into a batch that bitcoind confirms, the page survives a reload with the same
 * wallet (IndexedDB), pays offchain and exits collaboratively, and downloads exit data whose commitment is the one
 * on chain, then forgets the wallet and restores it from the phrase. No request the page makes carries the phrase,
 * its seed or the wallet's secret key.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EventSource } from 'eventsource';
import { EsploraProvider, InMemoryContractRepository, InMemoryWalletRepository, SingleKey, Wallet } from '@arkade-os/sdk';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { Page } from 'playwright-core';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { fundedWallet } from '../ark/regtest-funds.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';
import { identityFor } from '../../web/src/products/wallet/ark-wallet.js';
import { browserSkipReason, buildWeb, launchBrowser, SCREENSHOTS } from './harness/browser.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 180_000 });
(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const URL_ = process.env.BITCOIND_RPC_URL;
const skip = URL_ === undefined ? 'BITCOIND_RPC_URL is not set' : browserSkipReason();
if (skip) console.log(`[wallet-regtest] skipped: ${skip}`);

const sats = async (page: Page, id: string): Promise<number | undefined> => {
  const v = await page.getByTestId(`balance-${id}`).getAttribute('data-sat').catch(() => null);
  return v === null || v === '' ? undefined : Number(v);
};

describe.skipIf(skip !== undefined)('Ark wallet in the browser on regtest', () => {
  const { dir, db } = tempDb();
  let dist: string;
  let s: Awaited<ReturnType<typeof startServe>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mineTo: string;
  const mine = async (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);
  /** Everything the page sent: URL and body of every request. */
  const sent: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    dist = await buildWeb();
    rpc = new BitcoindRpc(URL_!);
    ({ wallet: funder, mineTo } = await fundedWallet(URL_!, 'web-wallet-e2e', 1.5));
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1, staticDir: dist }), makeWiring({ pollMs: 200 }));
    await funder.call('sendtoaddress', [s.wiring.parts!.ark!.walletAddress, 1]); // the operator's liquidity
    await mine(1);
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
    page.on('request', (r) => sent.push(`${r.method()} ${r.url()}\n${r.postData() ?? ''}`));
    page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
    await page.goto(s.url + path);
    return page;
  }

  it('says the Ark operator is not running when the server has no /ark', async () => {
    const page = await open('/#/');
    await page.route('**/ark/v1/info', (r) => r.fulfill({ status: 404, contentType: 'application/json', body: '{"message":"Route GET:/ark/v1/info not found"}' }));
    await page.goto(s.url + '/#/wallet');
    await expect.poll(() => page.getByTestId('ark-unavailable').textContent(), { timeout: 20_000 }).toContain('The Ark operator is not running on this server');
    expect(await page.getByTestId('seed-setup').count()).toBe(0);
    await page.close();
  });

  it('creates a wallet, boards, settles, survives a reload, sends offchain, exits, downloads exit data, forgets and restores', async () => {
    const before = sent.length;
    const page = await open('/#/');
    // The dashboard does not load the wallet chunk; the Wallet tab does.
    const chunks = () => sent.slice(before).filter((r) => /\/assets\/Wallet-[^/]+\.js/.test(r)).length;
    await page.waitForLoadState('networkidle');
    expect(chunks()).toBe(0);
    await page.click('nav a[href="#/wallet"]');
    await page.getByTestId('seed-create').click({ timeout: 20_000 });
    expect(chunks()).toBe(1);
    const words = await page.locator('[data-testid=seed-phrase] li').allTextContents();
    expect(words).toHaveLength(12);
    const mnemonic = words.join(' ');
    expect(await page.getByTestId('keys-separate').textContent()).toContain('neither is derived from the other');
    // Not stored before the backup is confirmed.
    expect(await page.getByTestId('seed-save').isDisabled()).toBe(true);
    await page.getByTestId('seed-confirm').check();
    await page.getByTestId('seed-save').click();

    // The key the page must be using: BIP-86 m/86'/1'/0'/0/0 of the phrase (regtest), cross-checked with the SDK.
    const seed = mnemonicToSeedSync(mnemonic);
    const secret = HDKey.fromMasterSeed(seed).derive("m/86'/1'/0'/0/0").privateKey!;
    expect(bytesToHex(schnorr.getPublicKey(secret))).toBe(bytesToHex(await identityFor(mnemonic, 'regtest').xOnlyPublicKey()));

    const boarding = (await page.getByTestId('boarding-address').textContent({ timeout: 30_000 }))!;
    const arkAddress = (await page.getByTestId('ark-address').textContent())!;
    expect(boarding).toMatch(/^bcrt1p/);
    expect(arkAddress).toMatch(/^tark1/);
    expect(await page.getByTestId('seed-phrase').count()).toBe(0); // shown once: gone after the backup
    // A real node: no demo banner and no demo faucet button.
    expect(await page.getByTestId('demo-banner').count()).toBe(0);
    expect(await page.getByTestId('demo-coins').count()).toBe(0);

    // Board: pay the page's boarding address from bitcoind, confirm, settle into a batch.
    await funder.call('sendtoaddress', [boarding, 0.001]);
    await mine(1);
    await expect.poll(() => sats(page, 'boarding'), { timeout: 30_000 }).toBe(100_000);
    await page.getByTestId('wallet-settle').click();
    await expect.poll(() => page.getByTestId('settle-result').textContent().catch(() => ''), { timeout: 90_000 }).toMatch(/commitment transaction [0-9a-f]{64}|error|fail/i);
    const settleText = (await page.getByTestId('settle-result').textContent())!;
    const commitment = /commitment transaction ([0-9a-f]{64})\./.exec(settleText)?.[1];
    expect(commitment, settleText).toBeDefined();
    await mine(1);
    expect((await rpc.call<{ confirmations: number }>('getrawtransaction', [commitment, true])).confirmations).toBeGreaterThanOrEqual(1);
    await expect.poll(() => sats(page, 'settled'), { timeout: 30_000 }).toBe(100_000);
    expect(await sats(page, 'boarding')).toBe(0);
    expect(await sats(page, 'total')).toBe(100_000);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-settled-1280.png'), fullPage: true });

    // Reload: the same wallet from IndexedDB, no setup offered again.
    await page.reload();
    await expect.poll(() => page.getByTestId('boarding-address').textContent().catch(() => ''), { timeout: 30_000 }).toBe(boarding);
    expect(await page.getByTestId('ark-address').textContent()).toBe(arkAddress);
    expect(await page.getByTestId('seed-setup').count()).toBe(0);
    await expect.poll(() => sats(page, 'settled'), { timeout: 30_000 }).toBe(100_000);

    // Exit data: the chain of the settled VTXO hangs from the commitment bitcoind confirmed.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('exit-download').click()]);
    const exitDoc = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { vtxos: { outpoint: string; valueSat: number; commitmentTxids: string[]; virtualTxs: { txid: string }[] }[] };
    expect(exitDoc.vtxos).toHaveLength(1);
    expect(exitDoc.vtxos[0]!.valueSat).toBe(100_000);
    expect(exitDoc.vtxos[0]!.commitmentTxids).toEqual([commitment]);
    expect(exitDoc.vtxos[0]!.virtualTxs.length).toBeGreaterThan(0);
    expect(exitDoc.vtxos[0]!.virtualTxs.map((t) => t.txid)).toContain(exitDoc.vtxos[0]!.outpoint.split(':')[0]);
    // The SDK's own exit-data capture ("full") keeps the same branch, PSBTs included, in this browser's IndexedDB.
    await expect.poll(() => page.getByTestId('exit-held').first().textContent(), { timeout: 30_000 }).toBe(String(exitDoc.vtxos[0]!.virtualTxs.length));

    // Offchain: pay a stock SDK wallet in Node 20 000 sat to its Ark address.
    const bob = await Wallet.create({
      identity: SingleKey.fromRandomBytes(),
      arkServerUrl: `${s.url}/ark`,
      onchainProvider: new EsploraProvider(`${s.url}/esplora`, { forcePolling: true, pollingInterval: 300 }),
      storage: { walletRepository: new InMemoryWalletRepository(), contractRepository: new InMemoryContractRepository() },
      settlementConfig: false,
    });
    try {
      await page.fill('input[name=to]', await bob.getAddress());
      await page.fill('input[name=amount]', '20000');
      await page.click('form:has(input[name=to]) button[type=submit]');
      await expect.poll(() => page.getByTestId('send-result').textContent().catch(() => ''), { timeout: 60_000 }).toMatch(/Ark transaction [0-9a-f]{64}|:/);
      expect(await page.getByTestId('send-result').textContent()).toMatch(/^Sent 20,000 sat offchain in Ark transaction [0-9a-f]{64}\.$/);
      await until('bob is paid', async () => ((await bob.getBalance()).preconfirmed === 20_000 ? true : undefined), 30_000);
    } finally {
      await bob.dispose();
    }
    await expect.poll(() => sats(page, 'total'), { timeout: 30_000 }).toBe(80_000);

    // Collaborative exit: 30 000 sat to a bitcoind address in the next commitment tx.
    const l1 = await funder.call<string>('getnewaddress');
    await page.fill('input[name=to]', l1);
    await page.fill('input[name=amount]', '30000');
    await page.click('form:has(input[name=to]) button[type=submit]');
    await expect.poll(() => page.getByTestId('send-result').textContent().catch(() => ''), { timeout: 90_000 }).toMatch(/Collaborative exit|rror/);
    const exitTxid = /commitment transaction ([0-9a-f]{64})\./.exec((await page.getByTestId('send-result').textContent())!)?.[1];
    expect(exitTxid).toBeDefined();
    const exitTx = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [exitTxid, true]);
    expect(exitTx.vout.some((o) => o.scriptPubKey.address === l1 && Math.round(o.value * 1e8) === 30_000)).toBe(true);
    await mine(1);
    await expect.poll(() => sats(page, 'total'), { timeout: 30_000 }).toBe(50_000);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-after-exit-1280.png'), fullPage: true });
    expect(await page.locator('main .notice.error').count()).toBe(0);
    // At phone width the page (long addresses, the VTXO table) does not scroll sideways.
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(SCREENSHOTS, 'wallet-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Forget, then restore from the written phrase: the same addresses, and the funds found again through the indexer.
    page.on('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Forget wallet' }).click();
    await page.getByTestId('seed-import-text').fill(`  ${words.join('\n').toUpperCase()} `, { timeout: 20_000 });
    await page.getByTestId('seed-confirm').check();
    await page.getByTestId('seed-import').click();
    await expect.poll(() => page.getByTestId('boarding-address').textContent().catch(() => ''), { timeout: 30_000 }).toBe(boarding);
    expect(await page.getByTestId('ark-address').textContent()).toBe(arkAddress);
    await expect.poll(() => sats(page, 'total'), { timeout: 30_000 }).toBe(50_000);
    await page.close();

    // Nothing the page sent carries the phrase, the seed or the secret key (in any spelling the SDK might use).
    const secrets = [mnemonic, words.slice(0, 3).join(' '), bytesToHex(seed), bytesToHex(secret), Buffer.from(secret).toString('base64')];
    const leaks = sent.filter((r) => secrets.some((x) => r.includes(x)));
    expect(leaks).toEqual([]);
    // The check saw the wallet's signed traffic: intents and offchain submissions with their bodies.
    expect(sent.filter((r) => r.startsWith('POST ') && r.includes('/ark/v1/') && r.split('\n')[1]!.length > 100).length).toBeGreaterThan(3);
    expect(problems).toEqual([]);
  });
});
