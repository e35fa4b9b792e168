/**
 * The gateway → sequencer-thread path (what `serve` runs): payloads are journaled exactly as sent,
 * an undecodable one is refused alone, acks come back in seq order, and the thread's final state
 * is what a replay of its journal and a reference fed only the acknowledged commands both give.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalError } from '../../src/journal/journal.js';
import { replay } from '../../src/journal/replay.js';
import { Sequencer, type SubmitSink } from '../../src/journal/sequencer.js';
import { SequencerLink } from '../../src/journal/sequencer-thread.js';
import { SqliteJournal } from '../../src/journal/sqlite-journal.js';
import { counterCommand, counterFactory, CounterMachine, type CounterCommand, type CounterEvent } from './counter-machine.js';

const dir = mkdtempSync(join(tmpdir(), 'hp-seq-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const WORKER = new URL('./counter-sequencer.worker.ts', import.meta.url);

type Outcome = { tag: number; seq?: number; error?: string };
class RecordingSink implements SubmitSink<CounterEvent> {
  readonly outcomes: Outcome[] = [];
  ack(tag: number, seq: number) {
    this.outcomes.push({ tag, seq });
  }
  fail(tag: number, e: unknown) {
    this.outcomes.push({ tag, error: e instanceof Error ? e.message : String(e) });
  }
}

describe('Sequencer.submitPayloads', () => {
  it('journals each payload byte for byte, refuses an undecodable one alone, acks the rest in order under their tags', async () => {
    const journal = SqliteJournal.open(join(dir, 'batch.db'));
    const s = await Sequencer.open(journal, counterFactory);
    // Not the codec's own spelling (spaces, key order): journaled as sent, not re-encoded.
    const payloads = ['{ "key": "a", "k": "add", "by": "5" }', '{"k":"add","key":"a","by":"x"}', 'not json', '{"k":"del","key":"a"}', '{"k":"add","key":"b","by":"-1"}'];
    const sink = new RecordingSink();
    s.submitPayloads(payloads, sink, 100);
    // Refusals are immediate; nothing else is acknowledged before its group is durable.
    expect(sink.outcomes.map((o) => o.tag)).toEqual([101, 102]);
    await s.flush();
    expect(sink.outcomes.slice(2)).toEqual([{ tag: 100, seq: 1 }, { tag: 103, seq: 2 }, { tag: 104, seq: 3 }]);
    expect(sink.outcomes[0]!.error).toMatch(/^command: cannot be decoded: bad counter command/);
    const stored = await journal.read(1, 10);
    expect(stored.map((e) => e.payload)).toEqual([payloads[0], payloads[3], payloads[4]]);
    // Applied = what replay applies: add 5, delete, then b -1 rejected (would go negative).
    const ref = new CounterMachine();
    for (const [i, e] of stored.entries()) ref.apply(counterFactory.decodeCommand(e.payload), i + 1);
    expect(s.stateHash()).toBe(ref.stateHash());
    // A raw lone surrogate parses, but storage (UTF-8) would turn it into U+FFFD: refused before the journal.
    s.submitPayloads(['{"k":"add","key":"\ud800","by":"1"}'], sink, 50);
    expect(sink.outcomes.at(-1)).toEqual({ tag: 50, error: 'command: payload is not well-formed UTF-16 (a lone surrogate would not survive storage)' });
    await expect(s.submitPayload('{"k":"add","key":"\udfff","by":"1"}')).rejects.toThrow(/not well-formed/);
    expect(await journal.lastSeq()).toBe(3);
    await s.close();
    s.submitPayloads(['{"k":"del","key":"a"}'], sink, 7);
    expect(sink.outcomes.at(-1)).toEqual({ tag: 7, error: 'sequencer is closed' });
    await journal.close();
  });
});

describe.each([{ writerThread: false }, { writerThread: true }])('SequencerLink to a sequencer thread (SQLite writer thread $writerThread)', ({ writerThread }) => {
  it('acks every command in seq order, refuses a bad one alone, and closes on the hash a replay and a reference give', async () => {
    const path = join(dir, `link-${writerThread}.db`);
    type Item = { i: number; resolve: (seq: number) => void; reject: (e: unknown) => void };
    const link = await SequencerLink.start<Item>(WORKER, { path, writerThread }, { ack: (it, seq) => it.resolve(seq), fail: (it, e) => it.reject(e) });
    expect(link.ready.lastSeq).toBe(0);
    const commands: CounterCommand[] = Array.from({ length: 3000 }, (_, i) => counterCommand(7, i));
    // Settled at once into values, so a refusal is never an unhandled rejection while later bursts go out.
    const sendOne = (i: number, payload: string) =>
      new Promise<number>((resolve, reject) => link.send(payload, { i, resolve, reject })).then(
        (seq) => ({ seq }),
        (e: unknown) => ({ error: e as JournalError }),
      );
    // Three bursts from "different turns", one malformed payload in the middle of the second.
    const results: Promise<{ seq?: number; error?: JournalError }>[] = [];
    for (let b = 0; b < 3; b++) {
      for (let i = b * 1000; i < (b + 1) * 1000; i++) results.push(sendOne(i, i === 1500 ? '{"k":"add"}' : counterFactory.encodeCommand(commands[i]!)));
      await new Promise((r) => setImmediate(r));
    }
    const settled = await Promise.all(results);
    const refused = settled.flatMap((r, i) => (r.error ? [[i, r.error.code, r.error.message]] : []));
    expect(refused).toEqual([[1500, 'invalid_argument', 'command: cannot be decoded: key missing']]);
    const seqs = settled.flatMap((r) => (r.seq !== undefined ? [r.seq] : []));
    expect(seqs).toEqual(Array.from({ length: 2999 }, (_, i) => i + 1));
    const ref = new CounterMachine();
    let seq = 0;
    for (const [i, c] of commands.entries()) if (i !== 1500) ref.apply(c, ++seq);
    const closed = await link.close();
    expect(closed).toEqual({ lastSeq: 2999, stateHash: ref.stateHash() });
    const j = SqliteJournal.open(path, { mustExist: true });
    const r = await replay(j, counterFactory, { useSnapshot: false });
    expect(r.machine.stateHash()).toBe(ref.stateHash());
    await j.close();
  });
});

describe('SequencerLink when the sequencer thread dies', () => {
  it('fails every command in flight with engine_fault and refuses later ones; a restart recovers what was acknowledged', async () => {
    const path = join(dir, 'crash.db');
    type Item = { resolve: (seq: number) => void; reject: (e: unknown) => void };
    const handlers = { ack: (it: Item, seq: number) => it.resolve(seq), fail: (it: Item, e: JournalError) => it.reject(e) };
    const link = await SequencerLink.start<Item>(WORKER, { path, writerThread: false }, handlers);
    const send = (payload: string) => new Promise<number>((resolve, reject) => link.send(payload, { resolve, reject }));
    const first = await Promise.all(Array.from({ length: 50 }, (_, i) => send(counterFactory.encodeCommand(counterCommand(3, i)))));
    expect(first.at(-1)).toBe(50);
    const doomed = [send('"exit"'), send(counterFactory.encodeCommand(counterCommand(3, 50)))];
    for (const d of await Promise.allSettled(doomed)) {
      expect(d.status).toBe('rejected');
      expect((d as PromiseRejectedResult).reason).toBeInstanceOf(JournalError);
      expect(((d as PromiseRejectedResult).reason as JournalError).code).toBe('engine_fault');
    }
    expect(link.halted?.message).toMatch(/exited \(code 3\)/);
    await expect(send(counterFactory.encodeCommand(counterCommand(3, 51)))).rejects.toThrow(/exited/);
    const again = await SequencerLink.start<Item>(WORKER, { path, writerThread: false }, handlers);
    expect(again.ready.lastSeq).toBe(50);
    expect((await again.close()).lastSeq).toBe(50);
  });
});
