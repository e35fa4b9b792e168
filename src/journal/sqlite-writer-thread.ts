import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { StoredGroup } from './group-frame.js';
import { JournalError, type JournalErrorCode } from './journal.js';
import { DEFAULT_SQLITE_DRIVER, nodeSqliteLocation, type SqliteDriver } from './sqlite-driver.js';

/**
 * The SQLite journal's committer on its own thread. The SQLite bindings commit (and fsync)
 * synchronously, so on the sequencer's thread every group commit would stop the engine for the
 * length of an fsync. Here the fsync blocks only this thread: the sequencer applies the previous,
 * already durable group meanwhile (Journal.pipelined).
 *
 * Groups are committed in the order they are posted, each in its own IMMEDIATE transaction that
 * checks contiguity against what is committed; so a group posted after one that failed finds a
 * hole before it and is refused (journal_conflict) without writing. The worker is plain JS
 * (eval) needing only the binding (sqlite-driver.ts: better-sqlite3 or node:sqlite, whose calls
 * used here are the same), so it runs the same from source (tsx) and compiled.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { driver, location } = workerData;
const db = driver === 'node-sqlite'
  ? new (require('node:sqlite').DatabaseSync)(location)
  : new (require(workerData.module))(location, { fileMustExist: true });
db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
const last = db.prepare('SELECT last_seq AS lastSeq FROM journal ORDER BY first_seq DESC LIMIT 1');
const insert = db.prepare('INSERT INTO journal (first_seq, last_seq, lens, body) VALUES (?, ?, ?, ?)');
const begin = db.prepare('BEGIN IMMEDIATE');
const commit = db.prepare('COMMIT');
const rollback = db.prepare('ROLLBACK');
const commitGroup = (g) => {
  begin.run();
  try {
    const expected = (last.get()?.lastSeq ?? 0) + 1;
    if (g.firstSeq !== expected) {
      const e = new Error('append: expected seq ' + expected + ', got ' + g.firstSeq);
      e.journalCode = 'journal_conflict';
      throw e;
    }
    insert.run(g.firstSeq, g.lastSeq, g.lens, g.body);
    commit.run();
  } catch (e) {
    try { rollback.run(); } catch {}
    throw e;
  }
};
parentPort.on('message', (m) => {
  if (m.type === 'close') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    commitGroup(m.group);
    parentPort.postMessage({ id: m.id });
  } catch (e) {
    parentPort.postMessage({ id: m.id, code: e.journalCode ?? 'journal_unavailable', message: String(e && e.message || e) });
  }
});
parentPort.postMessage({ ready: true });
`;

type Reply = { ready: true } | { id: number; code?: JournalErrorCode; message?: string };

export class SqliteWriterThread {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: unknown) => void }>();
  private failure: JournalError | undefined;
  /** Called when the last group in flight settles (close waits for it). */
  private onIdle: (() => void) | undefined;
  private exited = false;

  private constructor(private readonly worker: Worker, private readonly where: string) {
    worker.on('message', (m: Reply) => {
      if ('ready' in m) return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.code) p.reject(new JournalError(m.code, `${this.where}: ${m.message ?? 'append failed'}`));
      else p.resolve();
      if (this.pending.size === 0) this.onIdle?.();
    });
    const fail = (why: string) => {
      // Outcome unknown for every group in flight: the sequencer checks lastSeq and halts if needed.
      this.failure ??= new JournalError('journal_unavailable', `${this.where}: journal writer thread ${why}`);
      for (const p of this.pending.values()) p.reject(this.failure);
      this.pending.clear();
      this.onIdle?.();
    };
    worker.on('error', (e) => fail(`failed: ${e.message}`));
    worker.on('exit', (code) => {
      this.exited = true;
      fail(`exited (code ${code})`);
    });
  }

  /** Starts the thread on an existing journal file and waits until it has opened it with `driver`. */
  static async start(path: string, driver: SqliteDriver = DEFAULT_SQLITE_DRIVER): Promise<SqliteWriterThread> {
    const workerData =
      driver === 'node-sqlite'
        ? { driver, location: nodeSqliteLocation(path, { fileMustExist: true }) }
        : { driver, location: path, module: createRequire(import.meta.url).resolve('better-sqlite3') };
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
    await new Promise<void>((resolve, reject) => {
      const onMsg = () => {
        worker.off('error', onErr);
        resolve();
      };
      const onErr = (e: Error) => {
        worker.off('message', onMsg);
        reject(new JournalError('journal_unavailable', `${path}: journal writer thread failed to start: ${e.message}`));
      };
      worker.once('message', onMsg);
      worker.once('error', onErr);
    });
    return new SqliteWriterThread(worker, path);
  }

  /** Resolves once the group is committed (fsync'd); posted groups are committed in call order. */
  commit(group: StoredGroup): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, group });
    });
  }

  /** Lets the groups in flight finish, then closes the thread's connection. */
  async close(): Promise<void> {
    if (this.pending.size > 0) await new Promise<void>((r) => (this.onIdle = r));
    this.failure ??= new JournalError('journal_closed', `${this.where}: journal is closed`);
    if (this.exited) return;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.postMessage({ type: 'close' });
    await exited;
  }
}
