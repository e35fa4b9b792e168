import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import { exchangeFactory } from '../../src/engine/index.js';
import { PgJournal } from '../../src/journal/pg-journal.js';
import { Sequencer } from '../../src/journal/sequencer.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import type { Journal } from '../../src/journal/journal.js';
import { pgFixture, pgUrl } from './backends.js';
import { exchangeCommand } from './exchange-load.js';

const dir = mkdtempSync(join(tmpdir(), 'hp-replay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = runCli;

/** Journals `n` commands of the real engine's seeded stream; returns the live state hash. */
async function fill(journal: Journal, n: number, snapshotEvery: number): Promise<string> {
  const s = await Sequencer.open(journal, exchangeFactory, { snapshotEvery });
  let i = await journal.lastSeq();
  const end = i + n;
  const worker = async () => {
    while (i < end) await s.submit(exchangeCommand(9, i++));
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  await s.close();
  return s.stateHash();
}

describe('hashperp engine replay (real engine)', () => {
  const db = join(dir, 'engine.db');
  let live = '';

  it('prints the command count and the live state hash, the same on every run, from snapshot or genesis', async () => {
    const j = SqliteJournal.open(db);
    live = await fill(j, 1500, 400);
    expect((await j.latestSnapshot())?.seq).toBeGreaterThanOrEqual(1200);
    await j.close();
    const a = await cli('engine', 'replay', '--db', db, '--json');
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.out) as { commands: number; stateHash: string; snapshotSeq: number };
    expect(ja.commands).toBe(1500);
    expect(ja.stateHash).toBe(live);
    expect(ja.snapshotSeq).toBeGreaterThanOrEqual(1200);
    const b = await cli('engine', 'replay', '--db', db, '--json', '--from-genesis');
    expect(JSON.parse(b.out)).toMatchObject({ commands: 1500, stateHash: live, snapshotSeq: 0, replayed: 1500 });
    const c = await cli('engine', 'replay', '--db', db);
    expect(c.code).toBe(0);
    expect(c.out).toContain(`state hash ${live}`);
  });

  it('a missing file, a non-database, a foreign SQLite file and a journal with a hole fail with exit 1 and a message', async () => {
    const missing = await cli('engine', 'replay', '--db', join(dir, 'nope.db'), '--json');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/nope\.db does not exist/);

    const junk = join(dir, 'junk.db');
    writeFileSync(junk, Buffer.alloc(8192, 0x5a));
    const bad = await cli('engine', 'replay', '--db', junk);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/not a database/);

    const foreign = join(dir, 'foreign.db');
    const f = new Database(foreign);
    f.exec('CREATE TABLE t (x)');
    f.close();
    const fr = await cli('engine', 'replay', '--db', foreign);
    expect(fr.code).toBe(1);
    expect(fr.err).toMatch(/not a HashPerp journal/);

    const holed = join(dir, 'holed.db');
    const j = SqliteJournal.open(holed);
    await fill(j, 300, 0);
    await j.close();
    // Delete the stored group (one row per group commit) holding seq 150.
    const h = new Database(holed);
    const g = h.prepare<[], { first: number; last: number }>('SELECT first_seq AS first, last_seq AS last FROM journal WHERE first_seq <= 150 AND last_seq >= 150').get()!;
    h.prepare('DELETE FROM journal WHERE first_seq = ?').run(g.first);
    h.close();
    expect(g.last).toBeLessThan(300);
    const hr = await cli('engine', 'replay', '--db', holed, '--json');
    expect(hr.code).toBe(1);
    expect(hr.err).toContain(`gap: expected seq ${g.first}, found ${g.last + 1}`);

    const none = await cli('engine', 'replay');
    if (!process.env.DATABASE_URL) {
      expect(none.code).toBe(1);
      expect(none.err).toMatch(/--db PATH/);
    }
  });

  it.skipIf(!pgUrl)('replays a PostgreSQL journal given --database-url', async () => {
    const fx = pgFixture(pgUrl!);
    const schema = fx.table('journal').split('.')[0]!;
    const j = await PgJournal.open(pgUrl!, { schema });
    try {
      const h = await fill(j, 800, 300);
      const r = await cli('engine', 'replay', '--database-url', pgUrl!, '--schema', schema, '--json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toMatchObject({ commands: 800, stateHash: h, backend: 'postgres' });
      const missing = await cli('engine', 'replay', '--database-url', pgUrl!, '--schema', `${schema}_absent`);
      expect(missing.code).toBe(1);
      expect(missing.err).toMatch(/no journal in schema/);
    } finally {
      await j.close();
      await fx.cleanup();
    }
  });
});
