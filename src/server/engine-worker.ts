/**
 * The server's sequencer thread: the journal, the sequencer and the exchange engine, served to the
 * HTTP thread by serveSequencer (protocol in journal/sequencer-thread.ts). better-sqlite3 commits
 * (and fsyncs) synchronously: here they block neither HTTP nor, on the SQLite journal's writer
 * thread, the engine, which applies the previous durable group meanwhile (bench:journal measures
 * this layout; --writer inline shows what the overlap is worth).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exchangeFactory } from '../engine/index.js';
import { openJournal, Sequencer, serveSequencer } from '../journal/index.js';

export interface EngineWorkerData {
  sqlitePath?: string;
  databaseUrl?: string;
  snapshotEvery: number;
}

const port = parentPort!;
const init = workerData as EngineWorkerData;

async function main(): Promise<void> {
  const journal = await openJournal({ sqlitePath: init.sqlitePath, databaseUrl: init.databaseUrl, writerThread: true });
  try {
    serveSequencer(port, await Sequencer.open(journal, exchangeFactory, { snapshotEvery: init.snapshotEvery }), journal);
  } catch (e) {
    await journal.close();
    throw e;
  }
}

main().catch((e: unknown) => port.postMessage({ type: 'fatal', message: e instanceof Error ? e.message : String(e) }));
