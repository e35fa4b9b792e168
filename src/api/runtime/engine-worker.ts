/**
 * The server's sequencer thread: the journal, the sequencer and the exchange engine, served to the
 * HTTP thread by serveSequencer (protocol in journal/sequencer-thread.ts). better-sqlite3 commits
 * (and fsyncs) synchronously; here they do not block HTTP. (The SQLite writer thread would overlap
 * them with the engine too, but on two cores a third busy thread costs more than it saves:
 * bench:journal --writer thread.)
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exchangeFactory } from '../../engine/index.js';
import { openJournal, Sequencer, serveSequencer } from '../../journal/index.js';

export interface EngineWorkerData {
  sqlitePath?: string;
  databaseUrl?: string;
  snapshotEvery: number;
}

const port = parentPort!;
const init = workerData as EngineWorkerData;

async function main(): Promise<void> {
  const journal = await openJournal({ sqlitePath: init.sqlitePath, databaseUrl: init.databaseUrl });
  try {
    serveSequencer(port, await Sequencer.open(journal, exchangeFactory, { snapshotEvery: init.snapshotEvery }), journal);
  } catch (e) {
    await journal.close();
    throw e;
  }
}

main().catch((e: unknown) => port.postMessage({ type: 'fatal', message: e instanceof Error ? e.message : String(e) }));
