import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { journalLocationFromEnv, openJournal } from '../../src/journal/index.js';
import { pgFixture, pgUrl } from './backends.js';

describe('journal selection', () => {
  it('DATABASE_URL selects PostgreSQL, otherwise the SQLite file (HASHPERP_DB or the default)', () => {
    expect(journalLocationFromEnv({ DATABASE_URL: 'postgres://u@h/db' }, 'data/x.db')).toEqual({ databaseUrl: 'postgres://u@h/db' });
    expect(journalLocationFromEnv({ DATABASE_URL: '  ' }, 'data/x.db')).toEqual({ sqlitePath: 'data/x.db' });
    expect(journalLocationFromEnv({ HASHPERP_DB: '/var/hp.db' }, 'data/x.db')).toEqual({ sqlitePath: '/var/hp.db' });
  });

  it('opens SQLite by path, refuses to create when mustExist, and needs some location', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-open-'));
    try {
      await expect(openJournal({ sqlitePath: join(dir, 'a.db'), mustExist: true })).rejects.toMatchObject({ code: 'journal_unavailable' });
      const j = await openJournal({ sqlitePath: join(dir, 'a.db') });
      expect(j.kind).toBe('sqlite');
      await j.close();
      const again = await openJournal({ sqlitePath: join(dir, 'a.db'), mustExist: true });
      await again.close();
      await expect(openJournal({})).rejects.toThrow(/--db/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a journal of the first format (one row per command) with a message naming both formats', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-open-'));
    try {
      const path = join(dir, 'v1.db');
      const db = new Database(path);
      db.exec(`CREATE TABLE journal (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL) STRICT;
        CREATE TABLE journal_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
        INSERT INTO journal VALUES (1, '{}'); INSERT INTO journal_meta VALUES ('format', 'hashperp-journal/1');`);
      db.close();
      await expect(openJournal({ sqlitePath: path, mustExist: true })).rejects.toMatchObject({
        code: 'journal_corrupt',
        message: expect.stringMatching(/journal format hashperp-journal\/1, expected hashperp-journal\/2/),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(!pgUrl)('opens PostgreSQL when a URL is given; an unreachable server is a retryable error', async () => {
    const fx = pgFixture(pgUrl!);
    const schema = fx.table('journal').split('.')[0]!;
    try {
      const j = await openJournal({ databaseUrl: pgUrl!, schema, sqlitePath: '/ignored.db' });
      expect(j.kind).toBe('postgres');
      await j.close();
      await expect(openJournal({ databaseUrl: 'postgres://root@127.0.0.1:1/none' })).rejects.toMatchObject({ code: 'journal_unavailable', retryable: true });
      await expect(openJournal({ databaseUrl: pgUrl!, schema: 'Robert"); DROP' })).rejects.toThrow(/schema/);
      // A schema holding a first-format journal (one row per command) is refused, not half-used.
      await fx.raw(`DROP TABLE ${schema}.journal; CREATE TABLE ${schema}.journal (seq bigint PRIMARY KEY, payload text NOT NULL)`);
      await expect(openJournal({ databaseUrl: pgUrl!, schema })).rejects.toMatchObject({ code: 'journal_corrupt', message: expect.stringMatching(/another format/) });
    } finally {
      await fx.cleanup();
    }
  });
});
