import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { replay } from '../../src/journal/replay.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { mulberry32 } from './counter-machine.js';
import { loadByName } from './loads.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const child = join(here, 'crash-child.ts');

interface Round {
  lines: string[];
  killedAfterReady: boolean;
  layout: Layout;
}

/**
 * A child process started ahead of its turn (module loading is most of its start-up time);
 * `run` lets it open the journal and kills it with SIGKILL `afterReadyMs` after its `ready` line
 * or `afterSpawnMs` after being let go, or lets it finish when no kill is given.
 */
type Layout = 'inline' | 'writer-thread' | 'sequencer-thread';
const LAYOUTS: Layout[] = ['sequencer-thread', 'writer-thread', 'inline'];

function warmChild(args: string[], layout: Layout): { run(kill: { afterReadyMs?: number; afterGoMs?: number } | undefined): Promise<Round>; discard(): void } {
  const env = { ...process.env, HP_CRASH_LAYOUT: layout };
  const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let buf = '';
  let stderr = '';
  let ready = false;
  let killedAfterReady = false;
  let onReady: (() => void) | undefined;
  p.stdout.setEncoding('utf8').on('data', (d: string) => {
    buf += d;
    const parts = buf.split('\n');
    buf = parts.pop()!; // a partial last line was cut by the kill mid-write: not a completed ack
    for (const l of parts) {
      lines.push(l);
      if (!ready && l.startsWith('ready ')) {
        ready = true;
        onReady?.();
      }
    }
  });
  p.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    discard: () => void p.kill('SIGKILL'),
    async run(kill) {
      const doKill = () => {
        killedAfterReady = ready;
        p.kill('SIGKILL');
      };
      if (kill?.afterGoMs !== undefined) setTimeout(doKill, kill.afterGoMs);
      if (kill?.afterReadyMs !== undefined) onReady = () => setTimeout(doKill, kill.afterReadyMs);
      p.stdin.end('go\n');
      const { code, signal } = await closed;
      if ((kill && signal === 'SIGKILL') || (!kill && code === 0)) return { lines, killedAfterReady, layout };
      throw new Error(`child ended with code ${code} signal ${signal}: ${stderr}`);
    },
  };
}

const dir = mkdtempSync(join(tmpdir(), 'hp-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('crash test: SIGKILL at random points, restart, nothing acknowledged is lost', () => {
  // The real engine (exchangeFactory) under deposits, orders, cancels, amends, withdrawals and blocks.
  it('exchange engine: 24 kills (most under load; the server\'s sequencer thread, the writer thread and inline in turn), then every ack is journaled and hashes match a clean replay', { timeout: 240_000 }, async () => {
    const loadName = 'exchange';
    const seed = 20261121;
    const db = join(dir, `${loadName}.db`);
    const rnd = mulberry32(seed);
    const acked = new Set<number>();
    const observed: [number, string][] = []; // (seq, hash) pairs the child reported, live or recovered
    let killsUnderLoad = 0;
    const ackedBy = new Map<Layout, number>();
    const args = [db, loadName, String(seed), '150', '24'];
    const kills = 24;
    // Two children warm up ahead of their turn, so start-up overlaps the previous rounds.
    // Child k runs layout k mod 3 (LAYOUTS): each must keep every ack, and each continues the
    // journal the others left.
    const queue = [warmChild(args, LAYOUTS[0]!), warmChild(args, LAYOUTS[1]!)];
    for (let round = 0; round < kills; round++) {
      const current = queue.shift()!;
      queue.push(warmChild(round >= kills - 2 ? [...args, '300'] : args, LAYOUTS[(round + 2) % 3]!));
      // Most kills land while commands stream; every 5th lands at a random moment after the child
      // is let go, which may be while it recovers (replays) or before it opened the journal.
      const kill = round % 5 === 4 ? { afterGoMs: rnd() % 120 } : { afterReadyMs: rnd() % 250 };
      const r = await current.run(kill);
      if (r.killedAfterReady) killsUnderLoad++;
      ackedBy.set(r.layout, (ackedBy.get(r.layout) ?? 0) + r.lines.filter((l) => l.startsWith('ack ')).length);
      collect(r.lines, acked, observed);
    }
    const final = await queue.shift()!.run(undefined);
    queue.shift()!.discard(); // the spare never got its go: it never touched the journal
    collect(final.lines, acked, observed);
    const done = final.lines.find((l) => l.startsWith('done '))!.split(' ');
    const liveLast = Number(done[1]);
    const liveHash = done[2]!;

    const load = await loadByName(loadName);
    const journal = SqliteJournal.open(db, { mustExist: true });
    try {
      const last = await journal.lastSeq();
      expect(last).toBe(liveLast);
      // Every acknowledged seq is in the journal, and the journal holds exactly the seeded stream.
      const all = await journal.read(1, last + 1);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
      for (const s of acked) expect(s).toBeLessThanOrEqual(last);
      for (const e of all) expect(e.payload).toBe(load.factory.encodeCommand(load.command(seed, e.seq - 1)));
      expect(acked.size).toBeGreaterThan(300);
      // The stream really exercised the engine: trades, resting orders, cancels, rejections, blocks.
      const kinds = new Map<string, number>();
      const m = load.factory.create();
      for (const e of all) for (const ev of m.apply(load.factory.decodeCommand(e.payload), e.seq) as { type?: string }[]) kinds.set(String(ev.type), (kinds.get(String(ev.type)) ?? 0) + 1);
      for (const k of ['Deposit', 'Trade', 'OrderResting', 'OrderCancelled', 'OrderRejected', 'BlockProcessed']) expect(kinds.get(k) ?? 0, k).toBeGreaterThan(0);

      // A clean replay from genesis (snapshots ignored) reproduces every hash the child reported.
      const wanted = new Map<number, string[]>();
      for (const [s, h] of observed) wanted.set(s, [...(wanted.get(s) ?? []), h]);
      let checked = 0;
      const r = await replay(journal, load.factory, {
        useSnapshot: false,
        onApplied: (s, m) => {
          const hs = wanted.get(s);
          if (!hs) return;
          const h = m.stateHash();
          for (const x of hs) expect(x, `hash at seq ${s}`).toBe(h);
          checked += hs.length;
        },
      });
      expect(r.machine.stateHash()).toBe(liveHash);
      expect(checked).toBe(observed.filter(([s]) => s > 0).length);
      const genesis = load.factory.create().stateHash();
      for (const [s, h] of observed) if (s === 0) expect(h).toBe(genesis);
      expect(killsUnderLoad).toBeGreaterThanOrEqual(15);
      // Every layout was killed with acknowledged commands behind it.
      for (const l of LAYOUTS) expect(ackedBy.get(l) ?? 0, l).toBeGreaterThan(100);
      // And the recovery path (snapshot + tail) agrees with it.
      expect((await replay(journal, load.factory)).machine.stateHash()).toBe(liveHash);
    } finally {
      await journal.close();
    }
  });
});

function collect(lines: string[], acked: Set<number>, observed: [number, string][]): void {
  for (const l of lines) {
    const [tag, a, b] = l.split(' ');
    if (tag === 'ack') acked.add(Number(a));
    else if ((tag === 'hash' || tag === 'ready' || tag === 'done') && b) observed.push([Number(a), b]);
  }
}
