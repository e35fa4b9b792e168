import { mkdtempSync } from 'node:fs';
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
