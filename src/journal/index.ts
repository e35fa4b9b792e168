/**
 * The durable command log of the deterministic core (DESIGN.md principle 3).
 *
 *   gateway ──submit(cmd) / submitPayloads──▶ Sequencer ──append(group)──▶ Journal (SQLite | PostgreSQL)
 *                                │ after the group is durable
 *                                ▼
 *                      StateMachine.apply(cmd, seq) ──▶ events (the ack)
 *
 * Start-up and `hashperp engine replay`: latest snapshot + every later entry = the live state.
 * Storage (format 2): one row per group commit, its payloads framed by group-frame.ts; `read`
 * still returns entries one by one, slicing inside the groups; `scan` (what replay uses) visits
 * them group by group without an entry object per command. SqliteJournal.openThreaded moves the
 * commits (and fsyncs) to a writer thread and lets the sequencer pipeline them. sequencer-thread.ts
 * runs the sequencer and its machine on a worker thread fed encoded payloads (the server's layout).
 */
export type { Journal, JournalEntry, JournalSnapshot, JournalErrorCode } from './journal.js';
export { JournalError } from './journal.js';
export { SqliteJournal, type SqliteJournalOptions } from './sqlite-journal.js';
export { DEFAULT_SQLITE_DRIVER, type SqliteDriver } from './sqlite-driver.js';
export { PgJournal, type PgJournalOptions } from './pg-journal.js';
export { openJournal, journalLocationFromEnv, type JournalLocation } from './open-journal.js';
export { replay, type ReplayOptions, type ReplayResult } from './replay.js';
export { Sequencer, type SequencerOptions, type Ack, type SubmitSink } from './sequencer.js';
export { serveSequencer, SequencerLink, ReplicatedSequencer, type LinkHandlers, type ReplicaOptions, type SequencerReady } from './sequencer-thread.js';
