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
import { SequencerLink } from '../../src/journal/sequencer-thread.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
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
    type Item = { command: unknown; resolve: (seq: number) => void; reject: (e: unknown) => void };
    let replica: ReturnType<typeof load.factory.create> | undefined;
    const link = await SequencerLink.start<Item>(new URL('./crash-sequencer.worker.ts', import.meta.url), { db, load: loadName, snapshotEvery: Number(snapArg) }, {
      ack: (it, seq) => {
        replica!.apply(it.command, seq);
        it.resolve(seq);
      },
      fail: (it, e) => it.reject(e),
    });
    replica = load.factory.restore(link.ready.snapshot);
    return {
      get lastSeq() {
        return link.lastSeq;
      },
      stateHash: () => replica!.stateHash(),
      submit(command) {
        const payload = load.factory.encodeCommand(command);
        const decoded = load.factory.decodeCommand(payload);
        return new Promise<number>((resolve, reject) => link.send(payload, { command: decoded, resolve, reject }));
      },
      close: async () => void (await link.close()),
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
