/**
 * bench:journal's sequencer thread (`--sequencer thread`): the same serveSequencer the server's
 * engine worker runs (src/api/runtime/engine-worker.ts), over the bench's SQLite file and load.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Sequencer } from '../src/journal/sequencer.js';
import { serveSequencer } from '../src/journal/sequencer-thread.js';
import { SqliteJournal } from '../src/journal/sqlite-journal.js';
import { loadByName } from '../test/journal/loads.js';

export interface BenchSequencerData {
  path: string;
  machine: string;
  writer: 'thread' | 'inline';
  snapshotEvery: number;
  maxGroup: number;
}

const init = workerData as BenchSequencerData;
const load = await loadByName(init.machine);
const journal = init.writer === 'thread' ? await SqliteJournal.openThreaded(init.path) : SqliteJournal.open(init.path);
serveSequencer(parentPort!, await Sequencer.open(journal, load.factory, { snapshotEvery: init.snapshotEvery, maxGroup: init.maxGroup }), journal);
