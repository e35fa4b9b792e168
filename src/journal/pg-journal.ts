import pg from 'pg';
import { sha256Hex } from './digest.js';
import { assertContiguous, JournalError, type Journal, type JournalEntry, type JournalSnapshot } from './journal.js';

export interface PgJournalOptions {
  /** Schema holding the tables (created when missing unless mustExist). Default `public`. */
  schema?: string;
  mustExist?: boolean;
  keepSnapshots?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The PostgreSQL journal: one connection, one transaction per group with a single multi-row
 * INSERT (unnest of two arrays, so a group of any size is one statement). Commit = durable
 * (synchronous_commit is the server's default `on`). A concurrent writer loses on the primary key.
 */
export class PgJournal implements Journal {
  readonly kind = 'postgres' as const;
  private closed = false;
  /** pg's client is not re-entrant: every call goes through this chain, in order. */
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(private readonly client: pg.Client, private readonly schema: string, private readonly keepSnapshots: number) {}

  static async open(url: string, opts: PgJournalOptions = {}): Promise<PgJournal> {
    const schema = opts.schema ?? 'public';
    if (!IDENT.test(schema)) throw new JournalError('journal_unavailable', `schema: "${schema}" is not a plain lower-case SQL identifier`);
    const client = new pg.Client({ connectionString: url });
    // An idle connection that dies must not crash the process; the next query reports it instead.
    client.on('error', () => {});
    try {
      await client.connect();
    } catch (e) {
      throw new JournalError('journal_unavailable', `database-url: cannot connect: ${e instanceof Error ? e.message : String(e)}`, true);
    }
    try {
      const exists = await client.query(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'journal'",
        [schema],
      );
      if (exists.rowCount === 0) {
        if (opts.mustExist) throw new JournalError('journal_unavailable', `database-url: no journal in schema ${schema}`);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.journal (seq bigint PRIMARY KEY, payload text NOT NULL)`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.snapshots (seq bigint PRIMARY KEY, state text NOT NULL, sha256 text NOT NULL)`);
      }
      return new PgJournal(client, schema, Math.max(1, opts.keepSnapshots ?? 3));
    } catch (e) {
      await client.end().catch(() => {});
      if (e instanceof JournalError) throw e;
      throw new JournalError('journal_unavailable', `database-url: cannot prepare the journal: ${e instanceof Error ? e.message : String(e)}`, true);
    }
  }

  append(entries: readonly JournalEntry[]): Promise<void> {
    return this.serial(async () => {
      if (entries.length === 0) return;
      await this.client.query('BEGIN');
      try {
        const r = await this.client.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM ${this.schema}.journal`);
        assertContiguous(entries, Number(r.rows[0]?.seq ?? 0));
        await this.client.query(
          `INSERT INTO ${this.schema}.journal (seq, payload) SELECT * FROM unnest($1::bigint[], $2::text[])`,
          [entries.map((e) => e.seq), entries.map((e) => e.payload)],
        );
        await this.client.query('COMMIT');
      } catch (e) {
        await this.client.query('ROLLBACK').catch(() => {});
        if (e instanceof JournalError) throw e;
        if ((e as { code?: string }).code === '23505') throw new JournalError('journal_conflict', `append: seq already taken (another writer?)`);
        throw new JournalError('journal_unavailable', `append: ${e instanceof Error ? e.message : String(e)}`, true);
      }
    });
  }

  read(fromSeq: number, limit: number): Promise<JournalEntry[]> {
    return this.serial(async () => {
      const r = await this.client.query<{ seq: string; payload: string }>(
        `SELECT seq, payload FROM ${this.schema}.journal WHERE seq >= $1 ORDER BY seq LIMIT $2`,
        [fromSeq, limit],
      );
      return r.rows.map((row) => ({ seq: Number(row.seq), payload: row.payload }));
    });
  }

  lastSeq(): Promise<number> {
    return this.serial(async () => {
      const r = await this.client.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM ${this.schema}.journal`);
      return Number(r.rows[0]?.seq ?? 0);
    });
  }

  saveSnapshot(seq: number, state: string): Promise<void> {
    return this.serial(async () => {
      await this.client.query('BEGIN');
      try {
        const r = await this.client.query<{ seq: string | null }>(`SELECT max(seq) AS seq FROM ${this.schema}.journal`);
        const last = Number(r.rows[0]?.seq ?? 0);
        if (!Number.isSafeInteger(seq) || seq < 0 || seq > last) {
          throw new JournalError('journal_conflict', `saveSnapshot: seq ${seq} is not within the journal (last seq ${last})`);
        }
        await this.client.query(
          `INSERT INTO ${this.schema}.snapshots (seq, state, sha256) VALUES ($1, $2, $3)
           ON CONFLICT (seq) DO UPDATE SET state = EXCLUDED.state, sha256 = EXCLUDED.sha256`,
          [seq, state, sha256Hex(state)],
        );
        await this.client.query(
          `DELETE FROM ${this.schema}.snapshots WHERE seq NOT IN (SELECT seq FROM ${this.schema}.snapshots ORDER BY seq DESC LIMIT $1)`,
          [this.keepSnapshots],
        );
        await this.client.query('COMMIT');
      } catch (e) {
        await this.client.query('ROLLBACK').catch(() => {});
        throw e;
      }
    });
  }

  latestSnapshot(): Promise<JournalSnapshot | undefined> {
    return this.serial(async () => {
      const r = await this.client.query<{ seq: string; state: string; sha256: string }>(
        `SELECT seq, state, sha256 FROM ${this.schema}.snapshots ORDER BY seq DESC LIMIT 1`,
      );
      const row = r.rows[0];
      if (!row) return undefined;
      if (sha256Hex(row.state) !== row.sha256) {
        throw new JournalError('journal_corrupt', `schema ${this.schema}: snapshot at seq ${row.seq} does not match its SHA-256`);
      }
      return { seq: Number(row.seq), state: row.state };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.chain.catch(() => {});
    await this.client.end();
  }

  private serial<T>(f: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new JournalError('journal_closed', `schema ${this.schema}: journal is closed`));
    const run = this.chain.then(f, f);
    this.chain = run.catch(() => {});
    return run;
  }
}
