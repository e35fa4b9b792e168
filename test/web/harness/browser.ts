/** Starts the built app behind the real server factory, and a real Chromium through playwright-core. */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import type { ExchangePort, IndexPort } from '../../../src/api/ports.js';
import { resolveServeConfig } from '../../../src/server/config.js';
import { startServe } from '../../../src/server/start.js';

export const REPO = resolve(import.meta.dirname, '../../..');
export const SCREENSHOTS = join(REPO, 'test-artifacts', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is missing (install Debian's chromium package); browser tests skipped`;
}

/** Builds web/ into a fresh directory with the project's own vite config (what `npm run build` ships). */
export async function buildWeb(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'hashperp-web-'));
  await build({ configFile: join(REPO, 'web', 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true, sourcemap: false, minify: false } }); // unminified: same code, faster in the shared CI box
  return outDir;
}

/**
 * What `hashperp serve --port 0 --static <dir>` runs (config resolution and startServe from the CLI module),
 * with the test's ports in place of the default wiring.
 */
export async function startServer(ports: { exchange: ExchangePort; index: IndexPort }, staticDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const cfg = resolveServeConfig({ port: '0', host: '127.0.0.1', static: staticDir, logLevel: 'silent' }, {});
  const s = await startServe(cfg, async () => ({ ...ports, notes: [] }));
  return { url: s.url, close: s.close };
}

export async function launchBrowser(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'hashperp-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The product routes (src/api/routes/products): a server without them answers 404, which the pages explain. */
export function isProductRoute(url: string): boolean {
  return /\/v1\/(forwards|options|vault|bdc|swaps)\b|\/v1\/account\/(history|portfolio)\b/.test(url);
}

export interface RealServe {
  /** The resolved configuration it runs with. */
  config: ReturnType<typeof resolveServeConfig>;
  server: Awaited<ReturnType<typeof startServe>>;
  browser: { context: BrowserContext; close: () => Promise<void> };
  /** A temporary directory of the test's own (the journal lives in it); removed by close(). */
  dir: string;
  close: () => Promise<void>;
}

/**
 * The REAL `hashperp serve` (config resolution + default wiring: SQLite journal in a temp directory, paced replay
 * of the shipped headers, faucet, demo maker unless `demo: false`) serving a fresh build, and a Chromium.
 */
export async function startRealServe(opts: { name: string; pace: string; demo?: boolean }): Promise<RealServe> {
  const dist = await buildWeb();
  const dir = mkdtempSync(join(tmpdir(), `hashperp-${opts.name}-`));
  const config = resolveServeConfig(
    { port: '0', host: '127.0.0.1', db: join(dir, 'hashperp.sqlite'), pace: opts.pace, static: dist, logLevel: 'silent', ...(opts.demo === false ? { demo: false } : {}) },
    {},
  );
  const server = await startServe(config);
  const browser = await launchBrowser();
  return {
    config,
    server,
    browser,
    dir,
    close: async () => {
      await browser.close();
      await server.close();
      rmSync(dist, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The `data-sat` amount an element shows (undefined while it has none). */
export async function satOf(page: Page, testId: string): Promise<number | undefined> {
  const v = await page.getByTestId(testId).getAttribute('data-sat', { timeout: 1000 }).catch(() => null);
  return v === null || v === '' ? undefined : Number(v);
}

/** A poller of an element's text ('' while it is absent), for expect.poll. */
export const textOf = (page: Page, testId: string) => (): Promise<string | null> => page.getByTestId(testId).textContent({ timeout: 1000 }).catch(() => '');
