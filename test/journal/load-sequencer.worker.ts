/**
 * A sequencer thread over a test load (loads.ts) and its SQLite file: the same serveSequencer the
 * server's engine worker runs (src/server/engine-worker.ts). bench:journal (`--sequencer
 * thread`) and the crash child (`HP_CRASH_LAYOUT=sequencer-thread`) start it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Sequencer } from '../../src/journal/sequencer.js';
import { serveSequencer } from '../../src/journal/sequencer-thread.js';
import type { SqliteDriver } from '../../src/journal/sqlite-driver.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { loadByName } from './loads.js';

export interface LoadSequencerData {
  path: string;
  load: string;
  /** Where the SQLite commits run: the journal's writer thread (pipelined) or the sequencer's. */
  writer: 'thread' | 'inline';
  /** The SQLite binding (default the journal's). */
  driver?: SqliteDriver;
  snapshotEvery: number;
  maxGroup: number;
}

const init = workerData as LoadSequencerData;
const load = await loadByName(init.load);
const opts = { driver: init.driver };
const journal = init.writer === 'thread' ? await SqliteJournal.openThreaded(init.path, opts) : SqliteJournal.open(init.path, opts);
serveSequencer(parentPort!, await Sequencer.open(journal, load.factory, { snapshotEvery: init.snapshotEvery, maxGroup: init.maxGroup }), journal);
