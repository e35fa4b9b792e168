import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JournalEntry } from '../../src/journal/journal.js';
import { replay } from '../../src/journal/replay.js';
import { Sequencer } from '../../src/journal/sequencer.js';
import { openSqlite, SQLITE_DRIVERS, type SqliteDriver } from '../../src/journal/sqlite-driver.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { counterCommand, counterFactory } from './counter-machine.js';

/** The seam itself, and the file format across the two bindings (the conformance suite runs the journal on each). */
describe('SQLite driver seam', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hp-driver-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const other = (d: SqliteDriver): SqliteDriver => (d === 'better-sqlite3' ? 'node-sqlite' : 'better-sqlite3');

  for (const writer of SQLITE_DRIVERS) {
    it(`a journal written with ${writer} reads, replays and continues the same with ${other(writer)}`, async () => {
      const path = join(dir, 'j.db');
      const w = await SqliteJournal.openThreaded(path, { driver: writer });
      const s = await Sequencer.open(w, counterFactory, { snapshotEvery: 150 });
      await Promise.all(Array.from({ length: 400 }, (_, i) => s.submit(counterCommand(5, i))));
      const live = s.stateHash();
      const written = await w.read(1, 1000);
      const snap = await w.latestSnapshot();
      await s.close();
      await w.close();

      const r = SqliteJournal.open(path, { mustExist: true, driver: other(writer) });
      expect(await r.read(1, 1000)).toEqual(written);
      expect(await r.latestSnapshot()).toEqual(snap);
      expect((await replay(r, counterFactory, { useSnapshot: false })).machine.stateHash()).toBe(live);
      expect((await replay(r, counterFactory)).machine.stateHash()).toBe(live);
      const more: JournalEntry[] = [{ seq: 401, payload: written[0]!.payload }];
      await r.append(more);
      await r.close();
      const back = SqliteJournal.open(path, { mustExist: true, driver: writer });
      expect(await back.read(400, 10)).toEqual([written[399]!, ...more]);
      await back.close();
    });
  }

  for (const driver of SQLITE_DRIVERS) {
    it(`${driver}: immediate() commits, or rolls back everything when its function throws`, () => {
      const db = openSqlite(driver, join(dir, 'tx.db'));
      try {
        db.exec('CREATE TABLE t (x INTEGER) STRICT');
        const ins = db.prepare<[number]>('INSERT INTO t VALUES (?)');
        expect(db.immediate(() => (ins.run(1), 'done'))).toBe('done');
        const boom = new Error('boom');
        expect(() => db.immediate(() => { ins.run(2); throw boom; })).toThrow(boom);
        // A failing statement inside (STRICT refuses a string): rolled back too, and the connection is usable.
        expect(() => db.immediate(() => { ins.run(3); ins.run('x' as unknown as number); })).toThrow();
        db.immediate(() => ins.run(4));
        expect(db.prepare<[], { x: number }>('SELECT x FROM t ORDER BY x').all().map((r) => r.x)).toEqual([1, 4]);
      } finally {
        db.close();
      }
    });

    it(`${driver}: fileMustExist refuses a missing file without creating it; a writer thread opens an awkward path`, async () => {
      const missing = join(dir, 'missing.db');
      expect(() => openSqlite(driver, missing, { fileMustExist: true })).toThrow();
      expect(existsSync(missing)).toBe(false);
      await expect(SqliteJournal.openThreaded(missing, { driver, mustExist: true })).rejects.toMatchObject({ code: 'journal_unavailable' });
      expect(existsSync(missing)).toBe(false);
      // URI-significant characters in the path (node:sqlite's writer opens a file: URI).
      const awkward = join(dir, 'a b%20#?x.db');
      const j = await SqliteJournal.openThreaded(awkward, { driver });
      await j.append([{ seq: 1, payload: 'x' }]);
      await j.close();
      expect(existsSync(awkward)).toBe(true);
      const again = SqliteJournal.open(awkward, { driver, mustExist: true });
      expect(await again.read(1, 5)).toEqual([{ seq: 1, payload: 'x' }]);
      await again.close();
    });
  }

  it('refuses an unknown driver', () => {
    expect(() => SqliteJournal.open(join(dir, 'x.db'), { driver: 'sqlite3' as SqliteDriver })).toThrow(/unknown SQLite driver sqlite3/);
    expect(existsSync(join(dir, 'x.db'))).toBe(false);
  });
});
