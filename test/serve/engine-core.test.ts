/**
 * EngineCore on a worker thread vs in-process: the same commands give the same events and the same
 * stateHash, and the thread's replica equals what replaying its journal (in-process) rebuilds.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineCore } from '../../src/server/engine-host.js';
import type { Command } from '../../src/engine/index.js';
import { tempDb } from './helpers.js';

const { dir } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);
const commands: Command[] = [
  { type: 'BlockConnected', height: 1, hash: '1'.padStart(64, '0'), time: 1_700_000_600, mtp: 1_700_000_000, indexPrice: 50_000 },
  { type: 'Deposit', account: A, amountSat: 10_000_000 },
  { type: 'Deposit', account: B, amountSat: 10_000_000 },
  ...Array.from({ length: 40 }, (_, i): Command => ({ type: 'PlaceOrder', account: i % 2 ? A : B, market: 'HPI-PERP', side: i % 2 ? 'sell' : 'buy', orderType: 'limit', price: 49_990 + (i % 7), qty: 1 + (i % 3), tif: 'GTC', postOnly: false, reduceOnly: false })),
  { type: 'PlaceOrder', account: A, market: 'NOPE', side: 'buy', orderType: 'limit', price: 1, qty: 1, tif: 'GTC', postOnly: false, reduceOnly: false },
  { type: 'CancelAll', account: A },
  { type: 'BlockConnected', height: 2, hash: '2'.padStart(64, '0'), time: 1_700_001_200, mtp: 1_700_000_100, indexPrice: 51_000 },
  { type: 'Withdraw', account: B, amountSat: 1_000 },
];

describe('EngineCore: worker thread and in-process agree', () => {
  it('same events, same stateHash, and a replay of the thread journal matches its replica', async () => {
    const threaded = await EngineCore.open({ sqlitePath: join(dir, 't.sqlite'), thread: true });
    const local = await EngineCore.open({ sqlitePath: join(dir, 'l.sqlite') });
    const [t, l] = await Promise.all([Promise.all(commands.map((c) => threaded.submit(c))), Promise.all(commands.map((c) => local.submit(c)))]);
    expect(t.map((a) => a.seq)).toEqual(commands.map((_, i) => i + 1));
    expect(JSON.stringify(t, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))).toBe(JSON.stringify(l, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    expect(t.some((a) => a.events.some((e) => e.type === 'Trade'))).toBe(true);
    expect(t.some((a) => a.events.some((e) => e.type === 'OrderRejected'))).toBe(true);
    const hash = threaded.stateHash();
    expect(hash).toBe(local.stateHash());
    expect(threaded.journalKind).toBe('sqlite (worker thread)');
    expect(await threaded.journal.lastSeq()).toBe(commands.length); // the read side sees the worker's commits
    await threaded.close();
    await local.close();
    const replayed = await EngineCore.open({ sqlitePath: join(dir, 't.sqlite') });
    expect(replayed.stateHash()).toBe(hash);
    expect(replayed.lastSeq).toBe(commands.length);
    await replayed.close();
  });
});
