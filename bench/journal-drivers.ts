/**
 * bench:journal on both SQLite bindings (src/journal/sqlite-driver.ts), for docs/sqlite-binding.md.
 * Each run is a fresh process (`bench/journal.ts --json --repeat 1 --driver D --writer W`), so the
 * bindings never share a heap, a JIT or a SQLite copy; the runs alternate between the bindings,
 * the first of each round swapping every round, so a slow spell of a shared host falls on both.
 * Prints per layout and binding the median journaled cmd/s and replay seconds with every sample,
 * and the CPU figures (less sensitive to other tenants than wall time).
 *
 * `--micro`: the binding alone, in this process: the same exchange-load groups (about the bench's
 * mean group size) appended with commits on this thread, then scanned (Journal.scan, the replay
 * read) with no engine, alternating the bindings K times on fresh files; wall and CPU seconds.
 *
 *   node --import tsx bench/journal-drivers.ts [--rounds K] [--commands N] [--machine exchange|counter|both]
 *     [--writer thread,inline] [--node /path/to/node] [--micro] [--json]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { JournalEntry } from '../src/journal/journal.js';
import { SQLITE_DRIVERS, type SqliteDriver } from '../src/journal/sqlite-driver.js';
import { SqliteJournal } from '../src/journal/sqlite-journal.js';
import { exchangeLoad } from '../test/journal/loads.js';

interface RunFigures {
  machine: string;
  commandsPerSec: number;
  replaySeconds: number;
  journalCpuMicrosPerCommand: number;
  cpuSeconds: { replay: number };
  replayMatchesLive: boolean;
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '5' },
    commands: { type: 'string', default: '1000000' },
    machine: { type: 'string', default: 'exchange' },
    writer: { type: 'string', default: 'thread,inline' },
    node: { type: 'string', default: process.execPath },
    micro: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const rounds = Number(values.rounds);
if (!Number.isSafeInteger(rounds) || rounds < 1) throw new Error(`--rounds: expected a positive integer, got ${values.rounds}`);
const writers = values.writer!.split(',');
for (const w of writers) if (w !== 'thread' && w !== 'inline') throw new Error(`--writer: expected thread and/or inline, got ${w}`);
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (s: string) => process.stderr.write(s + '\n');

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;

/** `--micro`: append then scan the same groups with each binding in turn; returns per binding every sample. */
async function micro(n: number, reps: number): Promise<void> {
  const encode = exchangeLoad.factory.encodeCommand;
  const GROUP = 1500;
  const groups: JournalEntry[][] = [];
  for (let i = 0; i < n; i += GROUP) {
    groups.push(Array.from({ length: Math.min(GROUP, n - i) }, (_, k) => ({ seq: i + k + 1, payload: encode(exchangeLoad.command(42, i + k)) })));
  }
  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-drivers-'));
  type Figures = { appendWall: number[]; appendCpu: number[]; scanWall: number[]; scanCpu: number[] };
  const figures = new Map<SqliteDriver, Figures>(SQLITE_DRIVERS.map((d) => [d, { appendWall: [], appendCpu: [], scanWall: [], scanCpu: [] }]));
  try {
    for (let r = 0; r < reps; r++) {
      for (const driver of r % 2 === 0 ? SQLITE_DRIVERS : [...SQLITE_DRIVERS].reverse()) {
        const f = figures.get(driver)!;
        const path = join(dir, `${driver}-${r}.db`);
        let j = SqliteJournal.open(path, { driver });
        let cpu0 = process.cpuUsage();
        let t = performance.now();
        for (const g of groups) await j.append(g);
        f.appendWall.push((performance.now() - t) / 1000);
        f.appendCpu.push(cpuSeconds(process.cpuUsage(cpu0)));
        await j.close();
        j = SqliteJournal.open(path, { driver, mustExist: true });
        let chars = 0;
        cpu0 = process.cpuUsage();
        t = performance.now();
        const visited = await j.scan!(1, n, (_seq, p) => void (chars += p.length));
        f.scanWall.push((performance.now() - t) / 1000);
        f.scanCpu.push(cpuSeconds(process.cpuUsage(cpu0)));
        await j.close();
        if (visited !== n || chars === 0) throw new Error(`${driver}: scanned ${visited} of ${n}`);
        for (const suf of ['', '-wal', '-shm']) rmSync(path + suf, { force: true });
        log(`micro ${r + 1}/${reps} ${driver}: append ${f.appendWall.at(-1)!.toFixed(3)} s, scan ${f.scanWall.at(-1)!.toFixed(3)} s`);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const fmt = (xs: number[]) => `${median(xs).toFixed(3)} [${xs.map((x) => x.toFixed(3)).join(', ')}]`;
  const rows = [...figures].map(([driver, f]) => ({ driver, ...f }));
  if (values.json) console.log(JSON.stringify({ node: process.version, micro: { commands: n, groups: groups.length, reps, rows } }));
  else {
    console.log(`node ${process.version}, binding only: ${n} exchange-load commands in ${groups.length} groups, commits on this thread (WAL, synchronous=FULL), then one scan; medians [samples], seconds\n`);
    console.log('| driver | append wall | append cpu | scan wall | scan cpu |');
    console.log('|---|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.driver} | ${fmt(r.appendWall)} | ${fmt(r.appendCpu)} | ${fmt(r.scanWall)} | ${fmt(r.scanCpu)} |`);
  }
}

if (values.micro) {
  await micro(Number(values.commands), rounds);
  process.exit(0);
}

const key = (writer: string, driver: SqliteDriver, machine: string) => `${writer}|${driver}|${machine}`;
const samples = new Map<string, RunFigures[]>();
const node = values.node!;
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();

for (let r = 0; r < rounds; r++) {
  for (const writer of writers) {
    const order = r % 2 === 0 ? SQLITE_DRIVERS : [...SQLITE_DRIVERS].reverse();
    for (const driver of order) {
      const args = ['--max-semi-space-size=64', '--import', 'tsx', 'bench/journal.ts', '--json', '--repeat', '1'];
      args.push('--driver', driver, '--writer', writer, '--machine', values.machine!, '--commands', values.commands!);
      log(`round ${r + 1}/${rounds}: writer ${writer}, ${driver}`);
      const p = spawnSync(node, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
      if (p.status !== 0) throw new Error(`bench/journal.ts ${args.join(' ')} exited with ${p.status}`);
      const out = JSON.parse(p.stdout.trim().split('\n').pop()!) as { runs: RunFigures[] };
      for (const run of out.runs) {
        const k = key(writer, driver, run.machine);
        if (!samples.has(k)) samples.set(k, []);
        samples.get(k)!.push(run);
      }
    }
  }
}

const rows = [...samples.entries()].map(([k, rs]) => {
  const [writer, driver, machine] = k.split('|');
  const col = (f: (r: RunFigures) => number) => rs.map(f);
  return {
    writer,
    driver,
    machine,
    commandsPerSec: Math.round(median(col((r) => r.commandsPerSec))),
    replaySeconds: Number(median(col((r) => r.replaySeconds)).toFixed(3)),
    journalCpuMicrosPerCommand: Number(median(col((r) => r.journalCpuMicrosPerCommand)).toFixed(2)),
    replayCpuSeconds: Number(median(col((r) => r.cpuSeconds.replay)).toFixed(3)),
    replayMatchesLive: rs.every((r) => r.replayMatchesLive),
    samples: { commandsPerSec: col((r) => r.commandsPerSec), replaySeconds: col((r) => r.replaySeconds) },
  };
});

if (values.json) console.log(JSON.stringify({ node: version, rounds, commands: Number(values.commands), rows }));
else {
  console.log(`node ${version}, ${rounds} rounds, ${values.commands} commands, sequencer on its thread; medians (every sample in brackets)\n`);
  console.log('| writer | driver | machine | cmd/s | replay s | journal cpu µs/cmd | replay cpu s |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(
      `| ${r.writer} | ${r.driver} | ${r.machine} | ${r.commandsPerSec.toLocaleString('en-US')} [${r.samples.commandsPerSec.join(', ')}] | ` +
        `${r.replaySeconds} [${r.samples.replaySeconds.join(', ')}] | ${r.journalCpuMicrosPerCommand} | ${r.replayCpuSeconds} |`,
    );
  }
}
process.exitCode = rows.every((r) => r.replayMatchesLive) ? 0 : 1;
