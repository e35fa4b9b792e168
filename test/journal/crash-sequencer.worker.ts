/** The crash child's sequencer thread (HP_CRASH_LAYOUT=sequencer-thread): the server's layout over the test loads. */
import { parentPort, workerData } from 'node:worker_threads';
import { Sequencer } from '../../src/journal/sequencer.js';
import { serveSequencer } from '../../src/journal/sequencer-thread.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { loadByName } from './loads.js';

const { db, load: loadName, snapshotEvery } = workerData as { db: string; load: string; snapshotEvery: number };
const load = await loadByName(loadName);
const journal = await SqliteJournal.openThreaded(db);
serveSequencer(parentPort!, await Sequencer.open(journal, load.factory, { snapshotEvery, maxGroup: 512 }), journal);
