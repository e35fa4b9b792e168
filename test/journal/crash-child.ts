/**
 * The process the crash test kills. Opens the SQLite journal, recovers (latest snapshot + replay),
 * prints `ready <lastSeq> <stateHash>`, then submits a seeded stream with several concurrent
 * submitters and prints `ack <seq>` once each command is durable and applied, and every so often
 * `hash <seq> <stateHash>` of the live state. With --count it stops after that many commands and
 * prints `done <lastSeq> <stateHash>`; otherwise it runs until killed.
 * It starts (loads its modules) and then waits for a line on stdin before touching the journal,
 * so the parent can warm the next process up while the current one runs.
 * Usage: node --import tsx crash-child.ts DB LOAD SEED SNAPSHOT_EVERY CONCURRENCY [COUNT]
 * (HP_CRASH_LAYOUT chooses where the sequencer and its commits run; see `open`.)
 */
import { once } from 'node:events';
import { Sequencer } from '../../src/journal/sequencer.js';
import { ReplicatedSequencer } from '../../src/journal/sequencer-thread.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import type { LoadSequencerData } from './load-sequencer.worker.js';
import { loadByName } from './loads.js';

const [db, loadName, seedArg, snapArg, concArg, countArg] = process.argv.slice(2);
const seed = Number(seedArg);
const load = await loadByName(loadName!);
await once(process.stdin, 'data');
const out = (line: string) => process.stdout.write(line + '\n');

/** What the child drives: the sequencer here, or (the server's layout) on its own thread with a replica here. */
interface Engine {
  lastSeq: number;
  stateHash(): string;
  submit(command: unknown): Promise<number>;
  close(): Promise<void>;
}

// HP_CRASH_LAYOUT: inline (commits on this thread), writer-thread (commits on the journal's writer
// thread, pipelined sequencer), sequencer-thread (serve's layout: sequencer + engine on a worker
// thread with its commits on the writer thread, fed encoded payloads; this thread keeps a replica
// applied in ack order, as the server does, and reports its hash).
async function open(layout: string): Promise<Engine> {
  if (layout === 'sequencer-thread') {
    const data: LoadSequencerData = { path: db!, load: loadName!, writer: 'thread', snapshotEvery: Number(snapArg), maxGroup: 512 };
    const r = await ReplicatedSequencer.start(new URL('./load-sequencer.worker.ts', import.meta.url), data, { codec: load.factory, restore: (s) => load.factory.restore(s) });
    return {
      get lastSeq() {
        return r.lastSeq;
      },
      stateHash: () => r.machine.stateHash(),
      submit: async (command) => (await r.submit(command)).seq,
      close: async () => void (await r.close()),
    };
  }
  const journal = layout === 'writer-thread' ? await SqliteJournal.openThreaded(db!) : SqliteJournal.open(db!);
  const seq = await Sequencer.open(journal, load.factory, { snapshotEvery: Number(snapArg), maxGroup: 512 });
  return {
    get lastSeq() {
      return seq.lastSeq;
    },
    stateHash: () => seq.stateHash(),
    submit: async (command) => (await seq.submit(command)).seq,
    async close() {
      await seq.close();
      await journal.close();
    },
  };
}

const engine = await open(process.env.HP_CRASH_LAYOUT ?? 'inline');
out(`ready ${engine.lastSeq} ${engine.stateHash()}`);
const stopAt = countArg === undefined ? Infinity : engine.lastSeq + Number(countArg);
let next = engine.lastSeq; // command i goes to seq i+1: submissions are numbered in submission order
let acked = 0;
async function worker(): Promise<void> {
  while (next < stopAt) {
    const s = await engine.submit(load.command(seed, next++));
    out(`ack ${s}`);
    if (++acked % 97 === 0) out(`hash ${engine.lastSeq} ${engine.stateHash()}`);
  }
}
await Promise.all(Array.from({ length: Number(concArg) }, worker));
const last = engine.lastSeq;
const hash = engine.stateHash();
await engine.close();
out(`done ${last} ${hash}`);
process.exit(0);
