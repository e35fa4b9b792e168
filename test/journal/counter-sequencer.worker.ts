/**
 * A sequencer thread for sequencer-thread.test.ts: the counter machine over a SQLite journal, served
 * by serveSequencer. A payload `"exit"` ends the thread on the spot (a crash mid-stream).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { StateMachineFactory } from '../../src/engine/state-machine.js';
import { Sequencer } from '../../src/journal/sequencer.js';
import { serveSequencer } from '../../src/journal/sequencer-thread.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { counterFactory, type CounterCommand, type CounterEvent } from './counter-machine.js';

const { path, writerThread } = workerData as { path: string; writerThread: boolean };
const factory: StateMachineFactory<CounterCommand, CounterEvent> = {
  ...counterFactory,
  decodeCommand(s) {
    if (s === '"exit"') process.exit(3);
    return counterFactory.decodeCommand(s);
  },
};
const journal = writerThread ? await SqliteJournal.openThreaded(path) : SqliteJournal.open(path);
serveSequencer(parentPort!, await Sequencer.open(journal, factory, { maxGroup: 64 }), journal);
