import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Journal, JournalEntry } from '../../src/journal/journal.js';
import { replay } from '../../src/journal/replay.js';
import { Sequencer } from '../../src/journal/sequencer.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { counterFactory, CounterMachine, type CounterCommand } from './counter-machine.js';
import { DelegatingJournal } from './delegating-journal.js';

/** Fails the next `failNext` appends before writing anything (a full disk, a lost connection). */
class FlakyJournal extends DelegatingJournal {
  failNext = 0;
  override async append(e: readonly JournalEntry[]) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('injected');
    }
    return this.inner.append(e);
  }
}

/** submitPayloads with a sink, settled like Promise.allSettled over submit(). */
function submitBatch(s: Sequencer<CounterCommand, unknown>, cmds: CounterCommand[]): Promise<PromiseSettledResult<{ seq: number }>[]> {
  return new Promise((resolve) => {
    const out = new Array<PromiseSettledResult<{ seq: number }>>(cmds.length);
    let left = cmds.length;
    const settle = (tag: number, r: PromiseSettledResult<{ seq: number }>) => {
      expect(out[tag]).toBeUndefined();
      out[tag] = r;
      if (--left === 0) resolve(out);
    };
    s.submitPayloads(cmds.map((c) => counterFactory.encodeCommand(c)), {
      ack: (tag, seq) => settle(tag, { status: 'fulfilled', value: { seq } }),
      fail: (tag, reason) => settle(tag, { status: 'rejected', reason }),
    });
  });
}

const command = fc.oneof(
  fc.record({ k: fc.constant('add' as const), key: fc.constantFrom('a', 'b', 'c'), by: fc.bigInt({ min: -50n, max: 2n ** 64n }) }),
  fc.record({ k: fc.constant('del' as const), key: fc.constantFrom('a', 'b', 'c') }),
);
const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ op: fc.constant('burst' as const), cmds: fc.array(command, { minLength: 1, maxLength: 40 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('fail' as const), n: fc.integer({ min: 1, max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('reopen' as const) }) },
);

// verifyPayloads: false applies the submitted objects instead of the decoded payloads: the same
// property must hold (the counter codec round-trips, codec-roundtrip.test.ts).
// threaded: the SQLite commits run on the writer thread and the sequencer pipelines (a group's
// commit overlaps applying the previous one; a failed group makes the one issued after it fail).
describe.each([
  { verifyPayloads: true, threaded: false, numRuns: 30 },
  { verifyPayloads: false, threaded: false, numRuns: 20 },
  { verifyPayloads: true, threaded: true, numRuns: 20 },
  // How the server's sequencer thread submits: encoded payloads in batches, one sink for all.
  { verifyPayloads: true, threaded: true, numRuns: 20, viaPayloads: true },
])('sequencer property: bursts, injected append failures and restarts (verifyPayloads $verifyPayloads, writer thread $threaded, submitPayloads $viaPayloads)', ({ verifyPayloads, threaded, numRuns, viaPayloads }) => {
  const openRaw = (path: string) => (threaded ? SqliteJournal.openThreaded(path) : Promise.resolve(SqliteJournal.open(path)));
  it('acked commands = journal = live state = replay = a reference fed only the acked commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-seq-prop-'));
    let run = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 30 }), async (steps, snapshotEvery) => {
          const path = join(dir, `p${run++}.db`);
          let raw = await openRaw(path);
          expect(raw.pipelined).toBe(threaded);
          let j = new FlakyJournal(raw);
          let s = await Sequencer.open(j, counterFactory, { snapshotEvery, maxGroup: 16, verifyPayloads });
          const acked = new Map<number, CounterCommand>();
          for (const st of steps) {
            if (st.op === 'fail') j.failNext += st.n;
            else if (st.op === 'reopen') {
              await s.close();
              await raw.close();
              raw = await openRaw(path);
              j = new FlakyJournal(raw);
              s = await Sequencer.open(j, counterFactory, { snapshotEvery, maxGroup: 16, verifyPayloads });
            } else {
              const results = viaPayloads ? await submitBatch(s, st.cmds) : await Promise.allSettled(st.cmds.map((c) => s.submit(c)));
              results.forEach((r, i) => {
                if (r.status === 'fulfilled') {
                  expect(acked.has(r.value.seq)).toBe(false);
                  acked.set(r.value.seq, st.cmds[i]!);
                }
              });
            }
          }
          // The journal holds exactly the acknowledged commands, at their acked seqs, with no hole.
          const entries = await raw.read(1, 10_000);
          expect(entries.map((e) => e.seq)).toEqual([...acked.keys()].sort((a, b) => a - b));
          for (const e of entries) expect(e.payload).toBe(counterFactory.encodeCommand(acked.get(e.seq)!));
          const reference = new CounterMachine();
          for (const seq of [...acked.keys()].sort((a, b) => a - b)) reference.apply(acked.get(seq)!, seq);
          expect(s.stateHash()).toBe(reference.stateHash());
          expect((await replay(raw, counterFactory)).machine.stateHash()).toBe(reference.stateHash());
          expect((await replay(raw, counterFactory, { useSnapshot: false })).machine.stateHash()).toBe(reference.stateHash());
          await s.close();
          await raw.close();
        }),
        { numRuns, seed: 20261121 },
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
