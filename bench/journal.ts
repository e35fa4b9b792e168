/**
 * bench:journal — journaled commands per second (SQLite, WAL, synchronous=FULL, fsync'd group
 * commit through the Sequencer) and the time to replay 1M commands, each next to a baseline from
 * the same run: the same command stream applied to the state machine with no journal.
 *
 * The headline uses the real engine (exchangeFactory) with a seeded stream of deposits, orders,
 * cancels, amends, withdrawals and blocks; the journal-only line uses a trivial counter machine,
 * so the journal's own ceiling is visible separately from the engine's cost.
 *
 * Configuration (printed as `configuration`), by default the server's layout (`serve`,
 * src/server/engine-worker.ts):
 * - `--sequencer thread` (default): W closed-loop submitters on the bench's thread act as the
 *   gateway and encode each command; the Sequencer and the engine run on a worker thread
 *   (journal/sequencer-thread.ts), which journals each payload as sent and applies its decode.
 *   `--sequencer inline`: submitters, Sequencer and engine on one thread.
 * - `--writer thread` (default): SQLite commits and fsyncs on the journal's writer thread, the
 *   sequencer pipelining a group's commit with applying the previous one; `--writer inline`:
 *   commits on the sequencer's thread.
 * - `--driver better-sqlite3` (default) | `node-sqlite`: the SQLite binding of every connection
 *   (src/journal/sqlite-driver.ts); bench/journal-drivers.ts alternates runs of both
 *   (docs/sqlite-binding.md).
 * The server also applies every command to a replica on its HTTP thread; that is not included.
 * Replay uses the journal's group scan (Journal.scan) on the bench's thread.
 *
 * The journal stores one row per group commit (group-frame.ts); payloads use the engine's codec
 * (src/engine/codec.ts). The sequencer always decodes the payload it journals and applies that
 * decode (on its thread by construction; inline unless `--verify-payloads false`, which applies the
 * submitted objects: the codec round-trip is proven by test/journal/codec-roundtrip.test.ts).
 *
 *   npm run bench:journal -- [--json] [--commands N] [--concurrency W] [--machine exchange|counter|both]
 *     [--sequencer thread|inline] [--writer thread|inline] [--verify-payloads true|false] [--repeat K]
 *     [--driver better-sqlite3|node-sqlite]
 *
 * Each machine is measured K times (default 3, interleaved); the headline figures are the medians,
 * with every sample in `runs[].samples`.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import type { JournalEntry } from '../src/journal/journal.js';
import { replay } from '../src/journal/replay.js';
import { Sequencer } from '../src/journal/sequencer.js';
import { SequencerLink } from '../src/journal/sequencer-thread.js';
import { DEFAULT_SQLITE_DRIVER, isSqliteDriver, openSqlite, SQLITE_DRIVERS, type SqliteDriver } from '../src/journal/sqlite-driver.js';
import { SqliteJournal } from '../src/journal/sqlite-journal.js';
import { DelegatingJournal } from '../test/journal/delegating-journal.js';
import { counterLoad, exchangeLoad, type Load as LoadOf } from '../test/journal/loads.js';
import type { LoadSequencerData } from '../test/journal/load-sequencer.worker.js';

type Load = LoadOf<unknown, unknown>;
const loads: Record<string, Load> = { exchange: exchangeLoad, counter: counterLoad };

interface Result {
  machine: string;
  commands: number;
  verifyPayloads: boolean;
  /** Where the sequencer and engine run: 'thread' = a worker fed by this thread (the server's layout), 'inline' = this thread. */
  sequencer: SequencerPlace;
  /** Where the fsync'd commits run: 'thread' = SqliteJournal.openThreaded (pipelined sequencer), 'inline' = on the sequencer's thread. */
  writer: Writer;
  /** The SQLite binding (src/journal/sqlite-driver.ts). */
  driver: SqliteDriver;
  concurrency: number;
  /** Journaled and acknowledged (durable + applied) commands per second. */
  commandsPerSec: number;
  /** Same stream, same machine, no journal, no codec. */
  baselineCommandsPerSec: number;
  /** commandsPerSec / baselineCommandsPerSec. */
  ratio: number;
  /** fsync'd transactions (groups) and their mean size. */
  groups: number;
  meanGroup: number;
  /** Full replay from genesis of every journaled command (read + decode + apply). */
  replaySeconds: number;
  /** Baseline for it: applying the same commands from memory. */
  baselineApplySeconds: number;
  /** Recovery as done at start-up: latest snapshot + the tail. */
  recoverySeconds: number;
  recoveredFromSeq: number;
  journalBytes: number;
  /**
   * Process CPU seconds of each phase: on a shared machine wall time includes waiting for a core,
   * so CPU time shows what the code costs (fsync waits are wall, not CPU).
   */
  cpuSeconds: { baseline: number; journaled: number; replay: number };
  /** Garbage-collection pauses in each phase (part of the CPU above): in-flight commands survive scavenges. */
  gcSeconds: { baseline: number; journaled: number; replay: number };
  /** commands / journaled CPU seconds: the rate if the process had a core to itself (fsync waits excluded). */
  commandsPerCpuSec: number;
  /** (journaled - baseline CPU) / command, in µs: what journaling adds (codec, sequencer, SQLite), wall waits excluded. */
  journalCpuMicrosPerCommand: number;
  /**
   * Sum of the appends' wall times (writer inline: the sequencer's thread is blocked in them; writer
   * thread: they overlap applying), seconds; null with the sequencer on its thread (not observed there).
   */
  commitSeconds: number | null;
  /** Share of the journaled phase the gateway's and the sequencer thread's event loops were busy. */
  busy: Live['busy'];
  /** Replay hash equals the live hash (the bench checks its own result). */
  replayMatchesLive: boolean;
}

const SEED = 42;
type Writer = 'thread' | 'inline';
type SequencerPlace = 'thread' | 'inline';

/** Total GC pause time so far, in ms (the observer's callback runs between tasks, so read it after a phase settles). */
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
const gcSince = async (t0: number) => {
  await new Promise((r) => setTimeout(r, 100));
  return gcMs - t0;
};

class CountingJournal extends DelegatingJournal {
  groups = 0;
  commitMs = 0;
  override async append(e: readonly JournalEntry[]) {
    this.groups++;
    const t = performance.now();
    try {
      return await this.inner.append(e);
    } finally {
      this.commitMs += performance.now() - t;
    }
  }
  scan(f: number, t: number, v: (seq: number, payload: string) => void) {
    return this.inner.scan!(f, t, v);
  }
}

interface Live {
  stateHash: string;
  commitMs: number | undefined;
  /** Share of the journaled phase each thread's event loop was busy (the sequencer's only when it has a thread). */
  busy: { gateway: number; sequencer: number | null };
}
type GroupOptions = { snapshotEvery: number; maxGroup: number };

/** W concurrent submitters, each waiting for its ack (durable + applied) before sending its next command. */
async function closedLoop(n: number, concurrency: number, submit: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) await submit(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** `--sequencer inline`: sequencer, engine and submitters on this thread. */
async function journalInline(load: Load, path: string, n: number, concurrency: number, verifyPayloads: boolean, writer: Writer, driver: SqliteDriver, opts: GroupOptions): Promise<Live> {
  const journal = new CountingJournal(writer === 'thread' ? await SqliteJournal.openThreaded(path, { driver }) : SqliteJournal.open(path, { driver }));
  const seq = await Sequencer.open(journal, load.factory, { ...opts, verifyPayloads });
  const elu0 = performance.eventLoopUtilization();
  await closedLoop(n, concurrency, (i) => seq.submit(load.command(SEED, i)));
  const gateway = performance.eventLoopUtilization(elu0).utilization;
  const stateHash = seq.stateHash();
  await seq.close();
  await journal.close();
  return { stateHash, commitMs: journal.commitMs, busy: { gateway: round3(gateway), sequencer: null } };
}

/**
 * `--sequencer thread` (the server's layout): submitters encode on this thread (the gateway); the
 * sequencer thread journals each payload as is and applies its decode (serveSequencer).
 */
async function journalOnThread(load: Load, path: string, n: number, concurrency: number, writer: Writer, driver: SqliteDriver, opts: GroupOptions): Promise<Live> {
  type Item = { resolve: (seq: number) => void; reject: (e: unknown) => void };
  const data: LoadSequencerData = { path, load: load.name, writer, driver, ...opts };
  const link = await SequencerLink.start<Item>(new URL('../test/journal/load-sequencer.worker.ts', import.meta.url), data, {
    ack: (item, seq) => item.resolve(seq),
    fail: (item, e) => item.reject(e),
  });
  const encode = load.factory.encodeCommand;
  const elu0 = performance.eventLoopUtilization();
  const seqElu0 = link.eventLoopUtilization();
  await closedLoop(n, concurrency, (i) => {
    const payload = encode(load.command(SEED, i));
    return new Promise<number>((resolve, reject) => link.send(payload, { resolve, reject }));
  });
  const gateway = performance.eventLoopUtilization(elu0).utilization;
  const seqElu = link.eventLoopUtilization();
  const sequencer = (seqElu.active - seqElu0.active) / (seqElu.idle + seqElu.active - seqElu0.idle - seqElu0.active);
  const { stateHash } = await link.close();
  return { stateHash, commitMs: undefined, busy: { gateway: round3(gateway), sequencer: round3(sequencer) } };
}

const round3 = (x: number) => Number(x.toFixed(3));

/** Fsync'd transactions = rows: the journal stores one row per group commit. */
function countGroups(path: string, driver: SqliteDriver): number {
  const db = openSqlite(driver, path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM journal').get()!.n;
  } finally {
    db.close();
  }
}

async function run(load: Load, n: number, concurrency: number, sequencer: SequencerPlace, verifyPayloads: boolean, writer: Writer, driver: SqliteDriver, log: (s: string) => void): Promise<Result> {
  // Baseline: generate + apply, no journal.
  await gcSince(0);
  let gc0 = gcMs;
  const bcpu0 = process.cpuUsage();
  let t = performance.now();
  const base = load.factory.create();
  for (let i = 0; i < n; i++) base.apply(load.command(SEED, i), i + 1);
  const baselineApplySeconds = (performance.now() - t) / 1000;
  const bcpu = process.cpuUsage(bcpu0);
  const baseHash = base.stateHash();
  const baselineGcMs = await gcSince(gc0);
  log(`${load.name}: baseline ${n} commands in ${baselineApplySeconds.toFixed(2)} s`);

  const dir = mkdtempSync(join(tmpdir(), 'hp-bench-journal-'));
  const path = join(dir, 'journal.db');
  try {
    const opts = { snapshotEvery: Math.max(1, Math.floor(n / 4) + 7), maxGroup: 8192 };
    gc0 = gcMs;
    const cpu0 = process.cpuUsage();
    t = performance.now();
    const live =
      sequencer === 'thread' ? await journalOnThread(load, path, n, concurrency, writer, driver, opts) : await journalInline(load, path, n, concurrency, verifyPayloads, writer, driver, opts);
    const journaledSeconds = (performance.now() - t) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const journaledCpuSeconds = (cpu.user + cpu.system) / 1e6;
    const journaledGcMs = await gcSince(gc0);
    const groups = countGroups(path, driver);
    log(`${load.name}: journaled ${n} commands in ${journaledSeconds.toFixed(2)} s, ${groups} groups`);

    const j2 = SqliteJournal.open(path, { mustExist: true, driver });
    gc0 = gcMs;
    const rcpu0 = process.cpuUsage();
    t = performance.now();
    const full = await replay(j2, load.factory, { useSnapshot: false });
    const replaySeconds = (performance.now() - t) / 1000;
    const rcpu = process.cpuUsage(rcpu0);
    const replayHash = full.machine.stateHash();
    const liveHash = live.stateHash;
    const replayGcMs = await gcSince(gc0);
    t = performance.now();
    const rec = await replay(j2, load.factory);
    const recoverySeconds = (performance.now() - t) / 1000;
    const recHash = rec.machine.stateHash();
    await j2.close();
    log(`${load.name}: replayed ${full.lastSeq} in ${replaySeconds.toFixed(2)} s; recovery from snapshot ${rec.snapshotSeq} in ${recoverySeconds.toFixed(2)} s`);
    const journalBytes = ['', '-wal'].reduce((s, suf) => {
      try {
        return s + statSync(path + suf).size;
      } catch {
        return s;
      }
    }, 0);
    const commandsPerSec = n / journaledSeconds;
    const baselineCommandsPerSec = n / baselineApplySeconds;
    return {
      machine: load.name,
      commands: n,
      verifyPayloads,
      sequencer,
      writer,
      driver,
      concurrency,
      commandsPerSec: Math.round(commandsPerSec),
      baselineCommandsPerSec: Math.round(baselineCommandsPerSec),
      ratio: Number((commandsPerSec / baselineCommandsPerSec).toFixed(3)),
      groups,
      meanGroup: Math.round(n / groups),
      replaySeconds: Number(replaySeconds.toFixed(3)),
      baselineApplySeconds: Number(baselineApplySeconds.toFixed(3)),
      recoverySeconds: Number(recoverySeconds.toFixed(3)),
      recoveredFromSeq: rec.snapshotSeq,
      journalBytes,
      cpuSeconds: {
        baseline: Number(((bcpu.user + bcpu.system) / 1e6).toFixed(3)),
        journaled: Number(journaledCpuSeconds.toFixed(3)),
        replay: Number(((rcpu.user + rcpu.system) / 1e6).toFixed(3)),
      },
      gcSeconds: {
        baseline: Number((baselineGcMs / 1000).toFixed(3)),
        journaled: Number((journaledGcMs / 1000).toFixed(3)),
        replay: Number((replayGcMs / 1000).toFixed(3)),
      },
      commandsPerCpuSec: Math.round(n / journaledCpuSeconds),
      journalCpuMicrosPerCommand: Number(((1e6 * (journaledCpuSeconds - (bcpu.user + bcpu.system) / 1e6)) / n).toFixed(2)),
      busy: live.busy,
      commitSeconds: live.commitMs === undefined ? null : Number((live.commitMs / 1000).toFixed(3)),
      replayMatchesLive: replayHash === liveHash && recHash === liveHash && full.lastSeq === n && liveHash === baseHash,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Summary extends Result {
  /** Every repetition's figures; the headline fields are their medians, the rest is the median run's record. */
  samples: { commandsPerSec: number[]; baselineCommandsPerSec: number[]; ratio: number[]; replaySeconds: number[] };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The median of each headline figure over the repetitions (these machines are noisy), and every sample beside it. */
function summarize(rs: Result[]): Summary {
  const pick = (f: (r: Result) => number) => rs.map(f);
  const samples = { commandsPerSec: pick((r) => r.commandsPerSec), baselineCommandsPerSec: pick((r) => r.baselineCommandsPerSec), ratio: pick((r) => r.ratio), replaySeconds: pick((r) => r.replaySeconds) };
  const mid = [...rs].sort((a, b) => a.commandsPerSec - b.commandsPerSec)[Math.floor((rs.length - 1) / 2)]!;
  return {
    ...mid,
    commandsPerSec: Math.round(median(samples.commandsPerSec)),
    baselineCommandsPerSec: Math.round(median(samples.baselineCommandsPerSec)),
    ratio: Number(median(samples.ratio).toFixed(3)),
    replaySeconds: Number(median(samples.replaySeconds).toFixed(3)),
    replayMatchesLive: rs.every((r) => r.replayMatchesLive),
    samples,
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      json: { type: 'boolean', default: false },
      commands: { type: 'string', default: '1000000' },
      concurrency: { type: 'string', default: '4096' },
      machine: { type: 'string', default: 'both' },
      sequencer: { type: 'string', default: 'thread' },
      'verify-payloads': { type: 'string', default: 'true' },
      writer: { type: 'string', default: 'thread' },
      repeat: { type: 'string', default: '3' },
      driver: { type: 'string', default: DEFAULT_SQLITE_DRIVER },
    },
  });
  const n = Number(values.commands);
  const w = Number(values.concurrency);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`--commands: expected a positive integer, got ${values.commands}`);
  if (!Number.isSafeInteger(w) || w < 1) throw new Error(`--concurrency: expected a positive integer, got ${values.concurrency}`);
  const repeat = Number(values.repeat);
  if (!Number.isSafeInteger(repeat) || repeat < 1) throw new Error(`--repeat: expected a positive integer, got ${values.repeat}`);
  const verify = values['verify-payloads'];
  if (verify !== 'true' && verify !== 'false') throw new Error(`--verify-payloads: expected true or false, got ${verify}`);
  const writer = values.writer;
  if (writer !== 'thread' && writer !== 'inline') throw new Error(`--writer: expected thread or inline, got ${writer}`);
  const sequencer = values.sequencer;
  if (sequencer !== 'thread' && sequencer !== 'inline') throw new Error(`--sequencer: expected thread or inline, got ${sequencer}`);
  if (sequencer === 'thread' && verify === 'false') throw new Error('--verify-payloads false: only with --sequencer inline (on its thread the sequencer always decodes the payload it journals)');
  const driver = values.driver;
  if (!isSqliteDriver(driver)) throw new Error(`--driver: expected ${SQLITE_DRIVERS.join(' or ')}, got ${driver}`);
  const which = values.machine === 'both' ? ['exchange', 'counter'] : [values.machine!];
  for (const m of which) if (!loads[m]) throw new Error(`--machine: expected exchange, counter or both, got ${m}`);
  const log = values.json ? (s: string) => process.stderr.write(s + '\n') : (s: string) => console.log(s);
  // Repetitions interleave the machines, so a slow spell of the host does not fall on one of them only.
  const samples = new Map<string, Result[]>(which.map((m) => [m, []]));
  for (let k = 0; k < repeat; k++) for (const m of which) samples.get(m)!.push(await run(loads[m]!, n, w, sequencer, verify === 'true', writer, driver, log));
  const results = which.map((m) => summarize(samples.get(m)!));
  const head = results[0]!;
  const out = {
    commandsPerSec: head.commandsPerSec,
    replaySeconds: head.replaySeconds,
    machine: head.machine,
    baselineCommandsPerSec: head.baselineCommandsPerSec,
    ratio: head.ratio,
    verifyPayloads: head.verifyPayloads,
    sequencer: head.sequencer,
    writer: head.writer,
    driver: head.driver,
    configuration:
      (head.sequencer === 'thread'
        ? `${head.concurrency} closed-loop submitters encoding on the bench's thread (gateway) → Sequencer + ${head.machine} engine on a worker thread (decode-verify, journal, apply)`
        : `${head.concurrency} closed-loop submitters, Sequencer and ${head.machine} engine on one thread`) +
      `, SqliteJournal on ${head.driver} WAL synchronous=FULL, group commit ` +
      (head.writer === 'thread' ? "on the journal's writer thread, pipelined" : 'inline') +
      '; the server (serve) runs the same layout, plus a replica apply on its HTTP thread not measured here',
    repeat,
    goal: { commandsPerSec: 200_000, replaySeconds: 5 },
    runs: results,
  };
  if (values.json) console.log(JSON.stringify(out));
  else {
    for (const r of results) {
      console.log(
        `${r.machine}: ${r.commandsPerSec.toLocaleString('en-US')} journaled cmd/s (median of ${r.samples.commandsPerSec.join(', ')}; baseline ${r.baselineCommandsPerSec.toLocaleString('en-US')}, ratio ${r.ratio}), ` +
          `groups ${r.groups} (mean ${r.meanGroup}), replay ${r.replaySeconds} s (baseline apply ${r.baselineApplySeconds} s), recovery ${r.recoverySeconds} s, ` +
          `cpu s: ${JSON.stringify(r.cpuSeconds)}, gc s: ${JSON.stringify(r.gcSeconds)} (${r.commandsPerCpuSec.toLocaleString('en-US')} cmd per cpu-s, journal adds ${r.journalCpuMicrosPerCommand} µs cpu/cmd), ` +
          `busy ${JSON.stringify(r.busy)}, commits ${r.commitSeconds} s, sequencer ${r.sequencer}, writer ${r.writer}, driver ${r.driver}, verifyPayloads ${r.verifyPayloads}, replay = live: ${r.replayMatchesLive}`,
      );
    }
  }
  return results.every((r) => r.replayMatchesLive) ? 0 : 1;
}

process.exitCode = await main();
