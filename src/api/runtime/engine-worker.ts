/**
 * The journal and its sequencer on a worker thread. better-sqlite3 commits (and fsyncs) synchronously,
 * so on the server's thread every group commit would stall HTTP for the length of an fsync. Here the
 * fsync blocks only this thread; the server thread keeps parsing requests, and the next group grows.
 *
 * Protocol (structured clone):
 *   in:  {type:'submit', batch:[id, payload][]}  |  {type:'close'}
 *   out: {type:'ready', snapshot, lastSeq, kind}  |  {type:'acks', acks:[id, seq][]}
 *        {type:'errors', errors:[id, code, message, halted][]}  |  {type:'fatal', message}  |  {type:'closed'}
 * Acks are posted in seq order; the server thread applies each command to its own replica of the
 * engine in that order (the engine is deterministic), so reads never cross threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { exchangeFactory, type Command, type EngineEvent } from '../../engine/index.js';
import { openJournal, Sequencer } from '../../journal/index.js';
import { HashPerpError } from '../../units/errors.js';

interface Init {
  sqlitePath?: string;
  databaseUrl?: string;
  snapshotEvery: number;
}

const port = parentPort!;
const init = workerData as Init;

async function main(): Promise<void> {
  const journal = await openJournal({ sqlitePath: init.sqlitePath, databaseUrl: init.databaseUrl });
  let sequencer: Sequencer<Command, EngineEvent>;
  try {
    sequencer = await Sequencer.open(journal, exchangeFactory, { snapshotEvery: init.snapshotEvery });
  } catch (e) {
    await journal.close();
    throw e;
  }
  let acks: [number, number][] = [];
  let errors: [number, string, string, boolean][] = [];
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (acks.length > 0) port.postMessage({ type: 'acks', acks });
    if (errors.length > 0) port.postMessage({ type: 'errors', errors });
    acks = [];
    errors = [];
  };
  const later = (): void => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  port.on('message', (m: { type: 'submit'; batch: [number, string][] } | { type: 'close' }) => {
    if (m.type === 'close') {
      void sequencer
        .close()
        .then(() => journal.close())
        .finally(() => port.postMessage({ type: 'closed' }));
      return;
    }
    for (const [id, payload] of m.batch) {
      let cmd;
      try {
        cmd = exchangeFactory.decodeCommand(payload);
      } catch (e) {
        errors.push([id, 'invalid_argument', e instanceof Error ? e.message : String(e), false]);
        later();
        continue;
      }
      sequencer.submit(cmd).then(
        (ack) => {
          acks.push([id, ack.seq]);
          later();
        },
        (e: unknown) => {
          // Keep the order with acks of the same group: flush acks before reporting.
          if (acks.length > 0) flush();
          errors.push([id, e instanceof HashPerpError ? e.code : 'engine_fault', e instanceof Error ? e.message : String(e), sequencer.halted !== undefined]);
          later();
        },
      );
    }
  });
  port.postMessage({ type: 'ready', snapshot: sequencer.snapshot(), lastSeq: sequencer.lastSeq, kind: journal.kind });
}

main().catch((e: unknown) => port.postMessage({ type: 'fatal', message: e instanceof Error ? e.message : String(e) }));
