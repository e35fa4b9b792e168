import { existsSync } from 'node:fs';
import { sha256Hex } from './digest.js';
import { frameGroup, unframeGroup, visitGroup } from './group-frame.js';
import { assertContiguous, JournalError, type Journal, type JournalEntry, type JournalSnapshot } from './journal.js';
import { DEFAULT_SQLITE_DRIVER, isSqliteDriver, openSqlite, type SqlConnection, type SqliteDriver, type SqlStatement } from './sqlite-driver.js';
import { SqliteWriterThread } from './sqlite-writer-thread.js';

export interface SqliteJournalOptions {
  /** Refuse to create a new file or schema (replay of an existing journal). */
  mustExist?: boolean;
  /** Snapshots kept; older ones are deleted as new ones arrive (the log itself is never pruned). */
  keepSnapshots?: number;
  /**
   * The SQLite binding (sqlite-driver.ts, docs/sqlite-binding.md), for this connection and the
   * writer thread's: `better-sqlite3` (default) or `node-sqlite` (Node's built-in, Node >= 22.13).
   * Same file format either way.
   */
  driver?: SqliteDriver;
}

const FORMAT = 'hashperp-journal/2';
/** Groups fetched per step of a read (each holds up to the sequencer's maxGroup commands). */
const GROUPS_PER_STEP = 16;

type GroupRow = { firstSeq: number; lastSeq: number; lens: Uint8Array; body: string };

/**
 * The embedded journal. WAL with synchronous=FULL: a group is one IMMEDIATE transaction whose
 * commit fsyncs the WAL, so `append` returning means the group survives a crash or power loss.
 * A group is one row (see group-frame.ts): one INSERT per commit whatever its size.
 * The binding (better-sqlite3 or node:sqlite, `driver`) is synchronous; the methods are async only
 * to share the Journal interface.
 */
export class SqliteJournal implements Journal {
  readonly kind = 'sqlite' as const;
  private closed = false;
  /** Set by openThreaded: group commits go to the writer thread (see sqlite-writer-thread.ts). */
  private writer: SqliteWriterThread | undefined;
  get pipelined(): boolean {
    return this.writer !== undefined;
  }
  private readonly insert: SqlStatement<[number, number, Uint8Array, string]>;
  private readonly last: SqlStatement<[], { lastSeq: number }>;
  private readonly groupsFrom: SqlStatement<[number, number], GroupRow>;
  private readonly groupsAfter: SqlStatement<[number, number], GroupRow>;
  private readonly groupsBetween: SqlStatement<[from: number, to: number], GroupRow>;

  private constructor(private readonly db: SqlConnection, private readonly path: string, private readonly keepSnapshots: number) {
    this.insert = db.prepare('INSERT INTO journal (first_seq, last_seq, lens, body) VALUES (?, ?, ?, ?)');
    this.last = db.prepare('SELECT last_seq AS lastSeq FROM journal ORDER BY first_seq DESC LIMIT 1');
    // From the group holding fromSeq (or, past a hole, the next one) onwards, in seq order.
    this.groupsFrom = db.prepare(
      `SELECT first_seq AS firstSeq, last_seq AS lastSeq, lens, body FROM journal
       WHERE first_seq >= coalesce((SELECT max(first_seq) FROM journal WHERE first_seq <= ?), 0) ORDER BY first_seq LIMIT ?`,
    );
    this.groupsAfter = db.prepare(
      'SELECT first_seq AS firstSeq, last_seq AS lastSeq, lens, body FROM journal WHERE first_seq > ? ORDER BY first_seq LIMIT ?',
    );
    // Every group holding a seq in [from, to], in seq order (scan: one statement stepped row by row).
    this.groupsBetween = db.prepare(
      `SELECT first_seq AS firstSeq, last_seq AS lastSeq, lens, body FROM journal
       WHERE first_seq >= coalesce((SELECT max(first_seq) FROM journal WHERE first_seq <= ?), 0) AND first_seq <= ? ORDER BY first_seq`,
    );
  }

  static open(path: string, opts: SqliteJournalOptions = {}): SqliteJournal {
    if (typeof path !== 'string' || path === '') throw new JournalError('journal_unavailable', 'db: a file path is required');
    if (opts.mustExist && path !== ':memory:' && !existsSync(path)) {
      throw new JournalError('journal_unavailable', `db: ${path} does not exist`);
    }
    const driver = opts.driver ?? DEFAULT_SQLITE_DRIVER;
    if (!isSqliteDriver(driver)) throw new JournalError('journal_unavailable', `db: unknown SQLite driver ${String(driver)}`);
    let db: SqlConnection | undefined;
    try {
      db = openSqlite(driver, path, { fileMustExist: opts.mustExist === true });
      // Checked before any pragma, so a foreign file is refused without being switched to WAL.
      const hasJournal = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'journal'").get() !== undefined;
      if (!hasJournal && opts.mustExist) {
        throw new JournalError('journal_corrupt', `db: ${path} is a SQLite file but not a HashPerp journal (no journal table)`);
      }
      db.exec('PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS journal (first_seq INTEGER PRIMARY KEY, last_seq INTEGER NOT NULL, lens BLOB NOT NULL, body TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS snapshots (seq INTEGER PRIMARY KEY, state TEXT NOT NULL, sha256 TEXT NOT NULL) STRICT;
        CREATE TABLE IF NOT EXISTS journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
      `);
      db.prepare<[string, string]>('INSERT OR IGNORE INTO journal_meta (key, value) VALUES (?, ?)').run('format', FORMAT);
      const format = db.prepare<[string], { value: string }>('SELECT value FROM journal_meta WHERE key = ?').get('format')?.value;
      if (format !== FORMAT) throw new JournalError('journal_corrupt', `db: ${path} has journal format ${String(format)}, expected ${FORMAT}`);
      return new SqliteJournal(db, path, Math.max(1, opts.keepSnapshots ?? 3));
    } catch (e) {
      db?.close();
      if (e instanceof JournalError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      const corrupt = /not a database|malformed|corrupt/i.test(msg);
      throw new JournalError(corrupt ? 'journal_corrupt' : 'journal_unavailable', `db: cannot open ${path} as a journal: ${msg}`);
    }
  }

  /**
   * Like open, but group commits (and their fsyncs) run on a worker thread, so the caller's thread
   * keeps computing during them; `pipelined` is then true (appends may overlap, committed in call
   * order). Reads and snapshots stay on this thread's connection (WAL: readers see every commit).
   */
  static async openThreaded(path: string, opts: SqliteJournalOptions = {}): Promise<SqliteJournal> {
    if (path === ':memory:') throw new JournalError('journal_unavailable', 'db: an in-memory journal cannot be shared with a writer thread');
    const j = SqliteJournal.open(path, opts);
    try {
      j.writer = await SqliteWriterThread.start(path, j.db.driver);
    } catch (e) {
      await j.close();
      throw e;
    }
    return j;
  }

  async append(entries: readonly JournalEntry[]): Promise<void> {
    this.assertOpen();
    if (entries.length === 0) return;
    if (this.writer) {
      // Internal contiguity of the group here; its continuation of the journal is checked in the commit.
      assertContiguous(entries, entries[0]!.seq - 1);
      return this.writer.commit(frameGroup(entries));
    }
    this.db.immediate(() => {
      assertContiguous(entries, this.last.get()?.lastSeq ?? 0);
      const g = frameGroup(entries);
      this.insert.run(g.firstSeq, g.lastSeq, g.lens, g.body);
    });
  }

  async read(fromSeq: number, limit: number): Promise<JournalEntry[]> {
    this.assertOpen();
    const out: JournalEntry[] = [];
    let rows = this.wrapRead(() => this.groupsFrom.all(fromSeq, GROUPS_PER_STEP));
    for (;;) {
      for (const g of rows) {
        if (out.length >= limit) break;
        unframeGroup(g, fromSeq, limit, out, this.path);
      }
      if (rows.length < GROUPS_PER_STEP || out.length >= limit) break;
      const after = rows[rows.length - 1]!.firstSeq;
      rows = this.wrapRead(() => this.groupsAfter.all(after, GROUPS_PER_STEP));
    }
    return out;
  }

  async scan(fromSeq: number, toSeq: number, visit: (seq: number, payload: string) => void): Promise<number> {
    this.assertOpen();
    if (toSeq < fromSeq) return 0;
    // Stepped by hand so that only SQLite's own failures become journal_corrupt; visit's errors pass as they are.
    const rows = this.wrapRead(() => this.groupsBetween.iterate(fromSeq, toSeq));
    let visited = 0;
    try {
      for (;;) {
        const r = this.wrapRead(() => rows.next());
        if (r.done) break;
        if (r.value.lastSeq < fromSeq) continue;
        visited += visitGroup(r.value, fromSeq, toSeq, visit, this.path);
      }
    } finally {
      rows.return?.();
    }
    return visited;
  }

  async lastSeq(): Promise<number> {
    this.assertOpen();
    return this.wrapRead(() => this.last.get()?.lastSeq ?? 0);
  }

  async saveSnapshot(seq: number, state: string): Promise<void> {
    this.assertOpen();
    const last = this.wrapRead(() => this.last.get()?.lastSeq ?? 0);
    if (!Number.isSafeInteger(seq) || seq < 0 || seq > last) {
      throw new JournalError('journal_conflict', `saveSnapshot: seq ${seq} is not within the journal (last seq ${last})`);
    }
    this.db.immediate(() => {
      this.db.prepare<[number, string, string]>('INSERT OR REPLACE INTO snapshots (seq, state, sha256) VALUES (?, ?, ?)').run(seq, state, sha256Hex(state));
      this.db
        .prepare<[number]>('DELETE FROM snapshots WHERE seq NOT IN (SELECT seq FROM snapshots ORDER BY seq DESC LIMIT ?)')
        .run(this.keepSnapshots);
    });
  }

  async latestSnapshot(): Promise<JournalSnapshot | undefined> {
    this.assertOpen();
    const row = this.wrapRead(() =>
      this.db.prepare<[], { seq: number; state: string; sha256: string }>('SELECT seq, state, sha256 FROM snapshots ORDER BY seq DESC LIMIT 1').get(),
    );
    if (!row) return undefined;
    if (sha256Hex(row.state) !== row.sha256) {
      throw new JournalError('journal_corrupt', `${this.path}: snapshot at seq ${row.seq} does not match its SHA-256`);
    }
    return { seq: row.seq, state: row.state };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.writer?.close();
    } finally {
      this.db.close();
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new JournalError('journal_closed', `${this.path}: journal is closed`);
  }

  private wrapRead<T>(f: () => T): T {
    try {
      return f();
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      throw new JournalError('journal_corrupt', `${this.path}: cannot read the journal: ${msg}`);
    }
  }
}
