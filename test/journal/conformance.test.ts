import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JournalError, type Journal, type JournalEntry } from '../../src/journal/journal.js';
import { replay } from '../../src/journal/replay.js';
import { Sequencer } from '../../src/journal/sequencer.js';
import { pgFixture, pgSkipReason, pgUrl, sqliteFixture, type BackendFixture } from './backends.js';
import { counterCommand, counterFactory, CounterMachine, type CounterCommand } from './counter-machine.js';
import { DelegatingJournal } from './delegating-journal.js';

if (pgSkipReason) console.log(`journal conformance: ${pgSkipReason}`);

const backends: [string, () => BackendFixture, boolean][] = [
  ['sqlite', sqliteFixture, true],
  ['sqlite (writer thread, pipelined sequencer)', () => sqliteFixture({ threaded: true }), true],
  ['sqlite on node:sqlite', () => sqliteFixture({ driver: 'node-sqlite' }), true],
  ['sqlite on node:sqlite (writer thread, pipelined sequencer)', () => sqliteFixture({ threaded: true, driver: 'node-sqlite' }), true],
  ['postgres', () => pgFixture(pgUrl!), pgUrl !== undefined],
];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const entries = (from: number, n: number, tag = 'p'): JournalEntry[] =>
  Array.from({ length: n }, (_, i) => ({ seq: from + i, payload: `${tag}${from + i}` }));

/** Counts appends and can be told to fail the next ones, to see the sequencer's failure rules. */
class SpyJournal extends DelegatingJournal {
  appends = 0;
  failNext = 0;
  /** Fail after writing (the outcome-unknown case). */
  failAfterWrite = false;
  /** Most appends issued and not yet settled at one time (2 when the sequencer pipelines). */
  maxInFlight = 0;
  private inFlight = 0;
  override async append(e: readonly JournalEntry[]) {
    this.appends++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('disk full (injected)');
    }
    this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
    try {
      await this.inner.append(e);
    } finally {
      this.inFlight--;
    }
    if (this.failAfterWrite) throw new Error('connection lost after commit (injected)');
  }
}

for (const [name, makeFixture, enabled] of backends) {
  describe.skipIf(!enabled)(`journal conformance: ${name}`, () => {
    let fx: BackendFixture;
    let j: Journal;
    beforeEach(async () => {
      fx = makeFixture();
      j = await fx.open();
    });
    afterEach(async () => {
      await j.close();
      await fx.cleanup();
    });

    it('starts empty', async () => {
      expect(await j.lastSeq()).toBe(0);
      expect(await j.read(1, 100)).toEqual([]);
      expect(await j.latestSnapshot()).toBeUndefined();
    });

    it('returns exactly what was appended, in order, by range', async () => {
      const odd = ['', 'ünïcödé ₿ 🟧', 'x'.repeat(200_000), '{"a":1}\n\t\'"\\'];
      await j.append(entries(1, 3));
      await j.append(odd.map((payload, i) => ({ seq: 4 + i, payload })));
      await j.append(entries(8, 5000));
      expect(await j.lastSeq()).toBe(5007);
      const all = await j.read(1, 10_000);
      expect(all.map((e) => e.seq)).toEqual(Array.from({ length: 5007 }, (_, i) => i + 1));
      expect(all.slice(3, 7).map((e) => e.payload)).toEqual(odd);
      expect(await j.read(5000, 3)).toEqual(entries(5000, 3));
      expect(await j.read(5007, 10)).toEqual([{ seq: 5007, payload: 'p5007' }]);
      expect(await j.read(5008, 10)).toEqual([]);
    });

    it('refuses gaps, duplicates and a bad first seq, writing nothing of the refused group', async () => {
      await expect(j.append(entries(2, 2))).rejects.toMatchObject({ code: 'journal_conflict' });
      await j.append(entries(1, 3));
      await expect(j.append(entries(3, 2))).rejects.toMatchObject({ code: 'journal_conflict' });
      await expect(j.append([{ seq: 4, payload: 'a' }, { seq: 6, payload: 'b' }])).rejects.toBeInstanceOf(JournalError);
      await expect(j.append([{ seq: 4.5, payload: 'a' }])).rejects.toBeInstanceOf(JournalError);
      expect(await j.lastSeq()).toBe(3);
      expect(await j.read(1, 10)).toEqual(entries(1, 3));
    });

    it('close waits for appends still in flight; appends after close are refused', async () => {
      const pending = [j.append(entries(1, 3)), j.append(entries(4, 2)), j.append(entries(6, 4))];
      await j.close();
      await Promise.all(pending);
      await expect(j.append(entries(10, 1))).rejects.toMatchObject({ code: 'journal_closed' });
      j = await fx.open();
      expect(await j.read(1, 100)).toEqual(entries(1, 9));
    });

    it('is durable across close and reopen', async () => {
      await j.append(entries(1, 10));
      await j.saveSnapshot(7, 'state@7');
      await j.close();
      j = await fx.open();
      expect(await j.lastSeq()).toBe(10);
      expect(await j.read(1, 100)).toEqual(entries(1, 10));
      expect(await j.latestSnapshot()).toEqual({ seq: 7, state: 'state@7' });
    });

    it('keeps the latest snapshots, refuses one beyond the journal, detects a tampered one', async () => {
      await j.append(entries(1, 20));
      for (const s of [5, 10, 15, 20]) await j.saveSnapshot(s, `state@${s}`);
      expect(await j.latestSnapshot()).toEqual({ seq: 20, state: 'state@20' });
      await expect(j.saveSnapshot(21, 'x')).rejects.toMatchObject({ code: 'journal_conflict' });
      await j.close();
      await fx.raw(`UPDATE ${fx.table('snapshots')} SET state = 'state@20 tampered' WHERE seq = 20`);
      j = await fx.open();
      await expect(j.latestSnapshot()).rejects.toMatchObject({ code: 'journal_corrupt' });
    });

    it('replay refuses a journal with a hole (a whole group deleted)', async () => {
      const s = await Sequencer.open(j, counterFactory);
      // Three awaited bursts of ten: three groups, 1..10, 11..20, 21..30 (pipelined: each burst in two
      // halves, 1..5, 6..10, 11..15, ...).
      for (let b = 0; b < 3; b++) await Promise.all(Array.from({ length: 10 }, (_, i) => s.submit(counterCommand(1, 10 * b + i))));
      const after = j.pipelined ? 16 : 21; // first seq after the group holding 12
      await j.close();
      await fx.raw(`DELETE FROM ${fx.table('journal')} WHERE first_seq <= 12 AND last_seq >= 12`);
      j = await fx.open();
      expect(await j.lastSeq()).toBe(30);
      expect((await j.read(12, 3)).map((e) => e.seq)).toEqual([after, after + 1, after + 2]);
      expect((await j.read(5, 100)).map((e) => e.seq)).toEqual([5, 6, 7, 8, 9, 10, ...Array.from({ length: 31 - after }, (_, i) => after + i)]);
      await expect(replay(j, counterFactory)).rejects.toThrow(new RegExp(`gap: expected seq 11, found ${after}$`));
      // The paged-read path (pageSize given) refuses it the same way as the scan path.
      await expect(replay(j, counterFactory, { pageSize: 7 })).rejects.toThrow(new RegExp(`gap: expected seq 11, found ${after}$`));
    });

    it('refuses a stored group whose lengths do not account for its body or its seq range', async () => {
      await j.append(entries(1, 4));
      await j.append(entries(5, 4));
      await j.close();
      await fx.raw(`UPDATE ${fx.table('journal')} SET body = body || 'x' WHERE first_seq = 5`);
      j = await fx.open();
      expect(await j.read(1, 4)).toEqual(entries(1, 4));
      await expect(j.read(1, 100)).rejects.toMatchObject({ code: 'journal_corrupt', message: expect.stringMatching(/group at seq 5\.\.8 has a body of 9 characters, its lengths add up to 8/) });
      await j.close();
      await fx.raw(`UPDATE ${fx.table('journal')} SET last_seq = 9 WHERE first_seq = 5`);
      j = await fx.open();
      await expect(j.read(6, 1)).rejects.toMatchObject({ code: 'journal_corrupt', message: expect.stringMatching(/16 length bytes for 5 commands/) });
      await expect(j.scan!(6, 6, () => {})).rejects.toMatchObject({ code: 'journal_corrupt', message: expect.stringMatching(/16 length bytes for 5 commands/) });
    });

    it('scan refuses a group whose body does not match its lengths, after visiting the sound groups before it', async () => {
      await j.append(entries(1, 4));
      await j.append(entries(5, 4));
      await j.close();
      await fx.raw(`UPDATE ${fx.table('journal')} SET body = body || 'x' WHERE first_seq = 5`);
      j = await fx.open();
      const seen: JournalEntry[] = [];
      await expect(j.scan!(1, 100, (seq, payload) => seen.push({ seq, payload }))).rejects.toMatchObject({
        code: 'journal_corrupt',
        message: expect.stringMatching(/group at seq 5\.\.8 has a body of 9 characters, its lengths add up to 8/),
      });
      expect(seen).toEqual(entries(1, 4));
      // An error thrown by the visitor stops the scan and comes out unchanged.
      const stop = new Error('visitor stop');
      await expect(j.scan!(1, 3, () => { throw stop; })).rejects.toBe(stop);
    });

    it('read(fromSeq, limit) = the same slice of a reference array, for random groups and ranges', async () => {
      const fragments = ['', 'a', 'ü', '₿', '🟧', '\n', '"', '\\', '{"k":1}', 'x'.repeat(50)];
      const payload = fc.array(fc.constantFrom(...fragments), { maxLength: 6 }).map((a) => a.join(''));
      const groups = fc.sample(fc.array(fc.array(payload, { minLength: 1, maxLength: 40 }), { minLength: 1, maxLength: 25 }), { numRuns: 1, seed: 11 })[0]!;
      const all: JournalEntry[] = [];
      for (const g of groups) {
        const group = g.map((p, i) => ({ seq: all.length + 1 + i, payload: p }));
        await j.append(group);
        all.push(...group);
      }
      expect(await j.lastSeq()).toBe(all.length);
      const n = all.length;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: n + 3 }), fc.integer({ min: 0, max: n + 3 }), async (from, limit) => {
          expect(await j.read(from, limit)).toEqual(all.slice(from - 1, from - 1 + limit));
          // scan(from, to) visits exactly the entries from..to of the same reference, in order.
          const to = from + limit - 1;
          const seen: JournalEntry[] = [];
          const visited = await j.scan!(from, to, (seq, payload) => seen.push({ seq, payload }));
          expect(seen).toEqual(all.slice(from - 1, Math.max(from - 1, to)));
          expect(visited).toBe(seen.length);
        }),
        { numRuns: 150, seed: 20261121 },
      );
    });

    it('sequencer: hand-computed case, acks carry seq and events, hash of the canonical state', async () => {
      const s = await Sequencer.open(j, counterFactory);
      const acks = await Promise.all([
        s.submit({ k: 'add', key: 'a', by: 5n }),
        s.submit({ k: 'add', key: 'a', by: -7n }),
        s.submit({ k: 'add', key: 'b', by: 2n ** 70n }),
        s.submit({ k: 'add', key: 'a', by: 2n }),
        s.submit({ k: 'del', key: 'zz' }),
      ]);
      expect(acks.map((a) => a.seq)).toEqual([1, 2, 3, 4, 5]);
      expect(acks[1]!.events).toEqual([{ k: 'rejected', seq: 2, reason: 'a would go negative' }]);
      expect(acks[3]!.events).toEqual([{ k: 'set', key: 'a', value: 7n }]);
      const expected = '{"lastSeq":5,"counters":[["a","7"],["b","1180591620717411303424"]]}';
      expect(s.snapshot()).toBe(expected);
      expect(s.stateHash()).toBe(sha256(expected));
      expect(await j.read(1, 10)).toEqual([
        { seq: 1, payload: '{"k":"add","key":"a","by":"5"}' },
        { seq: 2, payload: '{"k":"add","key":"a","by":"-7"}' },
        { seq: 3, payload: '{"k":"add","key":"b","by":"1180591620717411303424"}' },
        { seq: 4, payload: '{"k":"add","key":"a","by":"2"}' },
        { seq: 5, payload: '{"k":"del","key":"zz"}' },
      ]);
    });

    it('sequencer: concurrent submits form groups, seqs are unique and contiguous, state = direct application', async () => {
      const spy = new SpyJournal(j);
      const s = await Sequencer.open(spy, counterFactory, { snapshotEvery: 300, maxGroup: 256 });
      const cmds: CounterCommand[] = Array.from({ length: 2000 }, (_, i) => counterCommand(7, i));
      const acks = await Promise.all(cmds.map((c) => s.submit(c)));
      expect(acks.map((a) => a.seq)).toEqual(cmds.map((_, i) => i + 1));
      // 2000 commands in one turn with groups of at most 256: 8 fsync'd transactions, not 2000.
      expect(spy.appends).toBe(8);
      // Pipelined, a group's commit overlaps applying the previous one; otherwise one at a time.
      expect(spy.maxInFlight).toBe(j.pipelined ? 2 : 1);
      const direct = new CounterMachine();
      cmds.forEach((c, i) => direct.apply(c, i + 1));
      expect(s.stateHash()).toBe(direct.stateHash());
      // Snapshot + journal, genesis replay and a fresh sequencer all agree with the live state.
      const snap = await j.latestSnapshot();
      expect(snap?.seq).toBeGreaterThanOrEqual(1700);
      const fromSnap = await replay(j, counterFactory);
      const fromGenesis = await replay(j, counterFactory, { useSnapshot: false, pageSize: 333 });
      expect(fromSnap.snapshotSeq).toBe(snap!.seq);
      expect(fromSnap.lastSeq).toBe(2000);
      expect(fromSnap.machine.stateHash()).toBe(direct.stateHash());
      expect(fromGenesis.machine.stateHash()).toBe(direct.stateHash());
      const again = await Sequencer.open(j, counterFactory);
      expect(again.lastSeq).toBe(2000);
      expect((await again.submit({ k: 'add', key: 'new', by: 1n })).seq).toBe(2001);
    });

    it('sequencer: commands submitted while an append is in flight form the next group', async () => {
      const spy = new SpyJournal(j);
      const s = await Sequencer.open(spy, counterFactory);
      const first = s.submit(counterCommand(3, 0));
      const later: Promise<unknown>[] = [];
      // Each ack triggers 10 more submits; they must be grouped, not committed one by one.
      const acks: number[] = [];
      const chain = (n: number): Promise<void> =>
        n === 0
          ? Promise.resolve()
          : Promise.all(Array.from({ length: 10 }, (_, i) => s.submit(counterCommand(3, n * 10 + i)).then((a) => void acks.push(a.seq)))).then(() => chain(n - 1));
      later.push(first.then(() => chain(5)));
      await Promise.all(later);
      expect(acks.length).toBe(50);
      // Pipelined, the sequencer splits a burst that finds it idle in two (one half commits while the other is applied).
      expect(spy.appends).toBe(j.pipelined ? 11 : 6);
      expect(await j.lastSeq()).toBe(51);
    });

    it('sequencer: a failed append acknowledges nothing, applies nothing, and leaves no hole', async () => {
      const spy = new SpyJournal(j);
      const s = await Sequencer.open(spy, counterFactory);
      await s.submit({ k: 'add', key: 'a', by: 1n });
      const before = s.stateHash();
      spy.failNext = 1;
      const failed = await Promise.allSettled([s.submit({ k: 'add', key: 'a', by: 10n }), s.submit({ k: 'add', key: 'b', by: 1n })]);
      expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(s.stateHash()).toBe(before);
      expect(s.halted).toBeUndefined();
      const ok = await s.submit({ k: 'add', key: 'a', by: 100n });
      expect(ok.seq).toBe(2);
      expect(ok.events).toEqual([{ k: 'set', key: 'a', value: 101n }]);
      expect((await replay(j, counterFactory)).machine.stateHash()).toBe(s.stateHash());
    });

    it('sequencer: an append whose outcome is unknown halts it; reopening recovers the journal', async () => {
      const spy = new SpyJournal(j);
      const s = await Sequencer.open(spy, counterFactory);
      await s.submit({ k: 'add', key: 'a', by: 1n });
      spy.failAfterWrite = true;
      await expect(s.submit({ k: 'add', key: 'a', by: 5n })).rejects.toThrow(/outcome is unknown/);
      expect(s.halted).toBeInstanceOf(JournalError);
      await expect(s.submit({ k: 'add', key: 'a', by: 1n })).rejects.toBe(s.halted);
      const reopened = await Sequencer.open(j, counterFactory);
      expect(reopened.lastSeq).toBe(2);
      expect(reopened.snapshot()).toBe('{"lastSeq":2,"counters":[["a","6"]]}');
    });

    it('sequencer: a command that cannot be encoded is refused before the journal', async () => {
      const s = await Sequencer.open(j, counterFactory);
      await expect(s.submit({ k: 'add', key: 'a', by: 'x' as unknown as bigint })).rejects.toThrow();
      expect(await j.lastSeq()).toBe(0);
      expect((await s.submit({ k: 'add', key: 'a', by: 1n })).seq).toBe(1);
    });

    it('sequencer: submitPayload journals the payload as given and applies its decoding; an undecodable one is refused before the journal', async () => {
      const s = await Sequencer.open(j, counterFactory);
      await expect(s.submitPayload('{"k":"add","key":"a"')).rejects.toThrow();
      await expect(s.submitPayload('{"k":"add","key":"a","by":"1.5"}')).rejects.toThrow();
      expect(await j.lastSeq()).toBe(0);
      // Key order differs from the codec's own encoding: stored byte for byte, applied as decoded.
      const payload = '{"by":"40","key":"a","k":"add"}';
      const [a1, a2] = await Promise.all([s.submitPayload(payload), s.submit({ k: 'add', key: 'a', by: 2n })]);
      expect(a1).toEqual({ seq: 1, events: [{ k: 'set', key: 'a', value: 40n }] });
      expect(a2).toEqual({ seq: 2, events: [{ k: 'set', key: 'a', value: 42n }] });
      expect(await j.read(1, 10)).toEqual([
        { seq: 1, payload },
        { seq: 2, payload: '{"k":"add","key":"a","by":"2"}' },
      ]);
      expect((await replay(j, counterFactory, { useSnapshot: false })).machine.stateHash()).toBe(s.stateHash());
    });
  });
}
