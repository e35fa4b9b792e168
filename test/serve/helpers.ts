import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServeConfig } from '../../src/server/config.js';

export function tempDb(): { dir: string; db: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hp-serve-'));
  return { dir, db: join(dir, 'hashperp.sqlite') };
}

export function serveConfig(db: string, over: Partial<ServeConfig> = {}): ServeConfig {
  return { port: 0, host: '127.0.0.1', db, chain: 'embedded', paceMs: 50, demo: true, logLevel: 'silent', ...over };
}

export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP port nothing listens on now (for a server process started with --port). */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a !== null ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/** The test's environment without settings that would pick another store, chain or pace than the flags say. */
export function serveEnv(): NodeJS.ProcessEnv {
  const e = { ...process.env };
  for (const k of ['DATABASE_URL', 'HASHPERP_PACE', 'HASHPERP_DB', 'PORT', 'HOST', 'HASHPERP_CHAIN']) delete e[k];
  return e;
}
