import { createHash } from 'node:crypto';
import type { StateMachine, StateMachineFactory } from '../../src/engine/state-machine.js';

/**
 * A small deterministic state machine for the journal suites: keyed bigint counters.
 * `add` that would take a counter below zero is rejected (an event, not a throw), like the engine.
 */
export type CounterCommand = { k: 'add'; key: string; by: bigint } | { k: 'del'; key: string };
export type CounterEvent = { k: 'set'; key: string; value: bigint } | { k: 'deleted'; key: string } | { k: 'rejected'; seq: number; reason: string };

export class CounterMachine implements StateMachine<CounterCommand, CounterEvent> {
  constructor(
    readonly counters: Map<string, bigint> = new Map(),
    public lastSeq = 0,
  ) {}

  apply(c: CounterCommand, seq: number): CounterEvent[] {
    this.lastSeq = seq;
    if (c.k === 'del') {
      if (!this.counters.delete(c.key)) return [{ k: 'rejected', seq, reason: `no counter ${c.key}` }];
      return [{ k: 'deleted', key: c.key }];
    }
    const value = (this.counters.get(c.key) ?? 0n) + c.by;
    if (value < 0n) return [{ k: 'rejected', seq, reason: `${c.key} would go negative` }];
    this.counters.set(c.key, value);
    return [{ k: 'set', key: c.key, value }];
  }

  snapshot(): string {
    const keys = [...this.counters.keys()].sort();
    return JSON.stringify({ lastSeq: this.lastSeq, counters: keys.map((k) => [k, this.counters.get(k)!.toString()]) });
  }

  stateHash(): string {
    return createHash('sha256').update(this.snapshot()).digest('hex');
  }
}

export const counterFactory: StateMachineFactory<CounterCommand, CounterEvent> = {
  create: () => new CounterMachine(),
  restore(s: string): CounterMachine {
    const o = JSON.parse(s) as { lastSeq: number; counters: [string, string][] };
    if (!Number.isSafeInteger(o.lastSeq) || !Array.isArray(o.counters)) throw new Error('not a counter snapshot');
    return new CounterMachine(new Map(o.counters.map(([k, v]) => [k, BigInt(v)])), o.lastSeq);
  },
  encodeCommand: (c) => (c.k === 'add' ? JSON.stringify({ k: 'add', key: c.key, by: c.by.toString() }) : JSON.stringify({ k: 'del', key: c.key })),
  decodeCommand(s: string): CounterCommand {
    const o = JSON.parse(s) as { k?: unknown; key?: unknown; by?: unknown };
    if (typeof o.key !== 'string') throw new Error('key missing');
    if (o.k === 'del') return { k: 'del', key: o.key };
    if (o.k === 'add' && typeof o.by === 'string' && /^-?\d+$/.test(o.by)) return { k: 'add', key: o.key, by: BigInt(o.by) };
    throw new Error(`bad counter command ${s}`);
  },
};

/** A seeded command stream (mulberry32), so a restarted child can continue the same kind of load. */
export function counterCommand(seed: number, i: number): CounterCommand {
  const r = mulberry32(seed ^ Math.imul(i, 0x9e3779b1));
  const key = `k${r() % 64}`;
  if (r() % 17 === 0) return { k: 'del', key };
  // Occasionally large (> 2^53) and occasionally negative, so bigints and rejections both occur.
  const by = r() % 9 === 0 ? BigInt(r()) * 2n ** 40n : BigInt((r() % 2001) - 700);
  return { k: 'add', key, by };
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
