import pg from 'pg';
import { sha256Hex } from './digest.js';
import { frameGroup, unframeGroup, visitGroup } from './group-frame.js';
import { assertContiguous, JournalError, type Journal, type JournalEntry, type JournalSnapshot } from './journal.js';

export interface PgJournalOptions {
  /** Schema holding the tables (created when missing unless mustExist). Default `public`. */
  schema?: string;
  mustExist?: boolean;
  keepSnapshots?: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

/** Groups fetched per query of a read (each holds up to the sequencer's maxGroup commands). */
const GROUPS_PER_STEP = 16;

type GroupRow = { first_seq: string; last_seq: string; lens: Buffer; body: string };

/**
 * The PostgreSQL journal: one connection, one transaction per group holding a single row (the
 * group's frame, see group-frame.ts). Commit = durable (synchronous_commit is the server's default
 * `on`). A concurrent writer computes the same first seq and loses on the primary key.
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
      throw new JournalError('journal_unavailable', `database-url: cannot connect: ${e instanceof Error ? e.message : String(e)}`);
    }
    try {
      const exists = await client.query(
        "SELECT 1 FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'journal'",
        [schema],
      );
      if (exists.rowCount === 0) {
        if (opts.mustExist) throw new JournalError('journal_unavailable', `database-url: no journal in schema ${schema}`);
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${schema}.journal (first_seq bigint PRIMARY KEY, last_seq bigint NOT NULL, lens bytea NOT NULL, body text NOT NULL)`,
        );
        await client.query(`CREATE TABLE IF NOT EXISTS ${schema}.snapshots (seq bigint PRIMARY KEY, state text NOT NULL, sha256 text NOT NULL)`);
      } else {
        // A journal of the first format (one row per command) would fail on every query: say why once.
        const grouped = await client.query(
          "SELECT 1 FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'journal' AND column_name = 'first_seq'",
          [schema],
        );
        if (grouped.rowCount === 0) throw new JournalError('journal_corrupt', `database-url: schema ${schema} holds a journal of another format (no first_seq column)`);
      }
      return new PgJournal(client, schema, Math.max(1, opts.keepSnapshots ?? 3));
    } catch (e) {
      await client.end().catch(() => {});
      if (e instanceof JournalError) throw e;
      throw new JournalError('journal_unavailable', `database-url: cannot prepare the journal: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  append(entries: readonly JournalEntry[]): Promise<void> {
    return this.serial(async () => {
      if (entries.length === 0) return;
      await this.client.query('BEGIN');
      try {
        assertContiguous(entries, await this.queryLastSeq());
        const g = frameGroup(entries);
        await this.client.query(`INSERT INTO ${this.schema}.journal (first_seq, last_seq, lens, body) VALUES ($1, $2, $3, $4)`, [
          g.firstSeq,
          g.lastSeq,
          g.lens,
          g.body,
        ]);
        await this.client.query('COMMIT');
      } catch (e) {
        await this.client.query('ROLLBACK').catch(() => {});
        if (e instanceof JournalError) throw e;
        if ((e as { code?: string }).code === '23505') throw new JournalError('journal_conflict', `append: seq already taken (another writer?)`);
        throw new JournalError('journal_unavailable', `append: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }

  read(fromSeq: number, limit: number): Promise<JournalEntry[]> {
    return this.serial(async () => {
      const out: JournalEntry[] = [];
      const cols = `first_seq, last_seq, lens, body FROM ${this.schema}.journal`;
      // From the group holding fromSeq (or, past a hole, the next one) onwards, in seq order.
      let rows = (
        await this.client.query<GroupRow>(
          `SELECT ${cols} WHERE first_seq >= coalesce((SELECT max(first_seq) FROM ${this.schema}.journal WHERE first_seq <= $1), 0) ORDER BY first_seq LIMIT $2`,
          [fromSeq, GROUPS_PER_STEP],
        )
      ).rows;
      for (;;) {
        for (const r of rows) {
          if (out.length >= limit) break;
          unframeGroup({ firstSeq: Number(r.first_seq), lastSeq: Number(r.last_seq), lens: r.lens, body: r.body }, fromSeq, limit, out, `schema ${this.schema}`);
        }
        if (rows.length < GROUPS_PER_STEP || out.length >= limit) break;
        const after = rows[rows.length - 1]!.first_seq;
        rows = (await this.client.query<GroupRow>(`SELECT ${cols} WHERE first_seq > $1 ORDER BY first_seq LIMIT $2`, [after, GROUPS_PER_STEP])).rows;
      }
      return out;
    });
  }

  scan(fromSeq: number, toSeq: number, visit: (seq: number, payload: string) => void): Promise<number> {
    return this.serial(async () => {
      if (toSeq < fromSeq) return 0;
      const cols = `first_seq, last_seq, lens, body FROM ${this.schema}.journal`;
      const where = `schema ${this.schema}`;
      let visited = 0;
      let rows = (
        await this.client.query<GroupRow>(
          `SELECT ${cols} WHERE first_seq >= coalesce((SELECT max(first_seq) FROM ${this.schema}.journal WHERE first_seq <= $1), 0) AND first_seq <= $2 ORDER BY first_seq LIMIT $3`,
          [fromSeq, toSeq, GROUPS_PER_STEP],
        )
      ).rows;
      for (;;) {
        for (const r of rows) {
          const g = { firstSeq: Number(r.first_seq), lastSeq: Number(r.last_seq), lens: r.lens, body: r.body };
          if (g.lastSeq >= fromSeq) visited += visitGroup(g, fromSeq, toSeq, visit, where);
        }
        if (rows.length < GROUPS_PER_STEP) break;
        const after = rows[rows.length - 1]!.first_seq;
        rows = (await this.client.query<GroupRow>(`SELECT ${cols} WHERE first_seq > $1 AND first_seq <= $2 ORDER BY first_seq LIMIT $3`, [after, toSeq, GROUPS_PER_STEP])).rows;
      }
      return visited;
    });
  }

  lastSeq(): Promise<number> {
    return this.serial(() => this.queryLastSeq());
  }

  private async queryLastSeq(): Promise<number> {
    const r = await this.client.query<{ last_seq: string }>(`SELECT last_seq FROM ${this.schema}.journal ORDER BY first_seq DESC LIMIT 1`);
    return Number(r.rows[0]?.last_seq ?? 0);
  }

  saveSnapshot(seq: number, state: string): Promise<void> {
    return this.serial(async () => {
      await this.client.query('BEGIN');
      try {
        const last = await this.queryLastSeq();
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
