/**
 * `npm start` as a user runs it (the built `bin/hashperp.js serve` in its own process, with its worker
 * threads: the engine's sequencer thread and the SQLite writer thread), stopped the way a service
 * manager stops it: SIGTERM must let both threads finish and exit 0, and a second process on the same
 * file must resume at exactly the sequence number and state hash the first one acknowledged last.
 * Truth: the first process's own /health before the signal; `hashperp engine replay` of the file.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, serveEnv } from './helpers.js';

const root = resolve(import.meta.dirname, '../..');
const bin = join(root, 'bin/hashperp.js');
const dir = mkdtempSync(join(tmpdir(), 'hp-sigterm-'));
const db = join(dir, 'hashperp.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Health {
  engine: { seq: number; height: number; stateHash: string; journal: string };
}



/** Starts serve exactly as `npm start` does (same node flags), on an ephemeral port. */
function startServe(port: number, pace: string, extra: string[] = []): { p: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const p = spawn(process.execPath, ['--max-semi-space-size=64', bin, 'serve', '--port', String(port), '--db', db, '--pace', pace, '--log-level', 'warn', ...extra], {
    cwd: root,
    env: serveEnv(),
  });
  let out = '';
  p.stdout.on('data', (d: Buffer) => (out += d.toString()));
  p.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((res) => p.once('exit', (code) => res(code)));
  return { p, output: () => out, exited };
}

async function health(port: number): Promise<Health | undefined> {
  try {
    const r = await fetch(`http://127.0.0.1:${port}/health`);
    return r.ok ? ((await r.json()) as Health) : undefined;
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, f: () => Promise<T | undefined>, out?: () => string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${out ? `; output: ${out()}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start, SIGTERM, restart', () => {
  it('exits 0 on SIGTERM with both worker threads stopped, and a restart resumes at the same seq and stateHash', async () => {
    expect(existsSync(join(root, 'dist/src/cli/main.js')), 'dist/ is built by `npm install` (prepare); run `npm run build`').toBe(true);
    const port = await freePort();
    const first = startServe(port, '100ms');
    // Let the replay and the demo maker journal a few hundred commands.
    const running = await until('the first run to journal commands', async () => {
      const h = await health(port);
      return h !== undefined && h.engine.seq > 200 && h.engine.height > 0 ? h : undefined;
    }, first.output);
    expect(running.engine.journal).toMatch(/worker thread/);
    first.p.kill('SIGTERM');
    const code = await first.exited;
    expect(code, first.output()).toBe(0);
    expect(first.output()).not.toMatch(/Assertion failed|Segmentation|FATAL|uncaught/i);

    // The file itself: what replay rebuilds is what the next process must start from.
    const replay = spawnSync(process.execPath, [bin, 'engine', 'replay', '--db', db, '--json'], { cwd: root, encoding: 'utf8' });
    expect(replay.status, replay.stderr).toBe(0);
    const replayed = JSON.parse(replay.stdout) as { commands: number; stateHash: string };
    expect(replayed.commands).toBeGreaterThanOrEqual(running.engine.seq);

    const port2 = await freePort();
    // An hour per block and no demo maker: nothing new is journaled, so the restart shows where it resumed.
    const second = startServe(port2, '3600s', ['--no-demo']);
    try {
      const resumed = await until('the restart to answer', () => health(port2), second.output);
      expect(resumed.engine.seq).toBe(replayed.commands);
      expect(resumed.engine.stateHash).toBe(replayed.stateHash);
      expect(resumed.engine.seq).toBeGreaterThanOrEqual(running.engine.seq);
    } finally {
      second.p.kill('SIGTERM');
      expect(await second.exited, second.output()).toBe(0);
    }
  });
});
