/**
 * The process the crash test kills. Opens the SQLite journal, recovers (latest snapshot + replay),
 * prints `ready <lastSeq> <stateHash>`, then submits a seeded stream with several concurrent
 * submitters and prints `ack <seq>` once each command is durable and applied, and every so often
 * `hash <seq> <stateHash>` of the live state. With --count it stops after that many commands and
 * prints `done <lastSeq> <stateHash>`; otherwise it runs until killed.
 * It starts (loads its modules) and then waits for a line on stdin before touching the journal,
 * so the parent can warm the next process up while the current one runs.
 * Usage: node --import tsx crash-child.ts DB LOAD SEED SNAPSHOT_EVERY CONCURRENCY [COUNT]
 */
import { once } from 'node:events';
import { Sequencer } from '../../src/journal/sequencer.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { loadByName } from './loads.js';

const [db, loadName, seedArg, snapArg, concArg, countArg] = process.argv.slice(2);
const seed = Number(seedArg);
const load = await loadByName(loadName!);
await once(process.stdin, 'data');
// HP_CRASH_WRITER=thread: commits on the journal's writer thread, pipelined sequencer.
const journal = process.env.HP_CRASH_WRITER === 'thread' ? await SqliteJournal.openThreaded(db!) : SqliteJournal.open(db!);
const seq = await Sequencer.open(journal, load.factory, { snapshotEvery: Number(snapArg), maxGroup: 512 });
const out = (line: string) => process.stdout.write(line + '\n');
out(`ready ${seq.lastSeq} ${seq.stateHash()}`);

const stopAt = countArg === undefined ? Infinity : seq.lastSeq + Number(countArg);
let next = seq.lastSeq; // command i goes to seq i+1: submissions are numbered in submission order
let acked = 0;
async function worker(): Promise<void> {
  while (next < stopAt) {
    const ack = await seq.submit(load.command(seed, next++));
    out(`ack ${ack.seq}`);
    if (++acked % 97 === 0) out(`hash ${seq.lastSeq} ${seq.stateHash()}`);
  }
}
await Promise.all(Array.from({ length: Number(concArg) }, worker));
await seq.close();
out(`done ${seq.lastSeq} ${seq.stateHash()}`);
await journal.close();
process.exit(0);
