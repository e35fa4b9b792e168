/**
 * The paced replay of the shipped mainnet headers, alone and under the ChainFollower. Truth is read
 * independently of the code under test: the .bin file's bytes with node:fs, hashes with node:crypto,
 * MTP as a sort of the 11 header times, and hashprices worked out by hand from the difficulty
 * (bits -> target -> difficulty -> 86,400e15 x reward / (difficulty x 2^32)).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { ChainFollower, type CommandEvent, type FollowerEvent, type TipEvent } from '../../src/chain/follower.js';
import { PacedReplaySource } from '../../src/chain/paced-source.js';
import { UnknownHeightError } from '../../src/chain/source.js';
import { hashpriceSatPerPHDay } from '../../src/index/hashprice.js';
import { indexAt } from '../../src/index/index-at.js';
import { HashPerpError, InvalidArgumentError } from '../../src/units/errors.js';

const chain = loadEmbeddedChain();
const FIRST = 822_527;
const LAST = 830_592;
const bin = readFileSync(join(chain.dataDir, 'headers', 'mainnet_822527-830592.bin'));

/** Independent truth from the raw bytes. */
const truth = {
  raw: (h: number) => bin.subarray((h - FIRST) * 80, (h - FIRST + 1) * 80),
  hash(h: number): string {
    const once = createHash('sha256').update(truth.raw(h)).digest();
    return Buffer.from(createHash('sha256').update(once).digest()).reverse().toString('hex');
  },
  time: (h: number) => truth.raw(h).readUInt32LE(68),
  bits: (h: number) => truth.raw(h).readUInt32LE(72),
  mtp(h: number): number {
    const ts: number[] = [];
    for (let k = h - 10; k <= h; k++) ts.push(truth.time(k));
    ts.sort((a, b) => a - b);
    return ts[5];
  },
};

class Clock {
  t = 1_700_000_000_000;
  now = () => this.t;
}

describe('PacedReplaySource', () => {
  it('starts 144 blocks into the newest segment and advances one block per pace of the injected clock', async () => {
    const clock = new Clock();
    const src = new PacedReplaySource({ now: clock.now, paceMs: 5000 });
    expect(src.segment).toEqual({ firstHeight: FIRST, lastHeight: LAST });
    expect(await src.tipHeight()).toBe(FIRST + 144);
    clock.t += 4999;
    expect(await src.tipHeight()).toBe(FIRST + 144);
    clock.t += 1;
    expect(await src.tipHeight()).toBe(FIRST + 145);
    clock.t += 5000 * 10;
    expect(await src.tipHeight()).toBe(FIRST + 155);
    expect(src.status()).toMatchObject({ state: 'replaying', tipHeight: FIRST + 155, nextBlockAtMs: clock.t + 5000 });
    expect(await src.blockHash(FIRST + 155)).toBe(truth.hash(FIRST + 155));
    const raws = await src.rawHeaders(FIRST, 3);
    raws.forEach((r, i) => expect(Buffer.from(r).equals(truth.raw(FIRST + i))).toBe(true));
  });

  it('serves nothing above its tip or below the segment (as a node that has not seen the block)', async () => {
    const src = new PacedReplaySource({ now: () => 0, startHeight: 823_000 });
    await expect(src.blockHash(823_001)).rejects.toBeInstanceOf(UnknownHeightError);
    await expect(src.rawHeaders(822_999, 3)).rejects.toMatchObject({ code: 'unknown_height', height: 823_001 });
    await expect(src.blockHash(FIRST - 1)).rejects.toBeInstanceOf(UnknownHeightError);
    await expect(src.blockFees(823_000)).resolves.toBeUndefined(); // headers carry no fees; none shipped for 2023-24
  });

  it('stops at the end of the segment and says so', async () => {
    const clock = new Clock();
    const src = new PacedReplaySource({ now: clock.now, paceMs: 1000, startHeight: LAST - 2 });
    clock.t += 1000;
    expect(src.status()).toMatchObject({ state: 'replaying', tipHeight: LAST - 1 });
    clock.t += 1000;
    expect(await src.tipHeight()).toBe(LAST);
    clock.t += 10_000_000;
    expect(await src.tipHeight()).toBe(LAST);
    const st = src.status();
    expect(st.state).toBe('ended');
    expect(st.nextBlockAtMs).toBeUndefined();
    expect(st.reason).toMatch(/end of the shipped segment 822527\.\.830592/);
  });

  it('resumes from a persisted height: the next block comes one pace later', async () => {
    const clock = new Clock();
    const src = new PacedReplaySource({ now: clock.now, paceMs: 3000, resumeFrom: 826_000, startHeight: 823_000 });
    expect(await src.tipHeight()).toBe(826_000);
    clock.t += 3000;
    expect(await src.tipHeight()).toBe(826_001);
  });

  it('replays an older segment when asked, and refuses bad arguments by name', () => {
    const seg = chain.segments.find((s) => s.firstHeight === 150_001)!;
    expect(new PacedReplaySource({ now: () => 0, segment: seg }).baseHeight).toBe(150_001 + 144);
    const bad = (f: () => unknown, field: string) => {
      try {
        f();
        throw new Error('did not throw');
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidArgumentError);
        expect((e as HashPerpError).field).toBe(field);
      }
    };
    bad(() => new PacedReplaySource({ now: () => 0, paceMs: 0 }), 'paceMs');
    bad(() => new PacedReplaySource({ now: () => 0, startHeight: FIRST + 5 }), 'startHeight'); // no room for the MTP window
    bad(() => new PacedReplaySource({ now: () => 0, startHeight: LAST + 1 }), 'startHeight');
    bad(() => new PacedReplaySource({ now: () => 0, resumeFrom: 100 }), 'resumeFrom');
    bad(() => new PacedReplaySource({ now: () => 0, segment: { firstHeight: 1, lastHeight: 2 } }), 'segment');
    bad(() => new PacedReplaySource({} as never), 'now');
  });
});

/** Runs the follower over a replay until the clock has revealed `blocks` more blocks. */
async function replay(opts: { startHeight?: number; resumeFrom?: number; blocks: number; pollEvery?: number; resume?: { height: number; hash: string } }) {
  const clock = new Clock();
  const source = new PacedReplaySource({ now: clock.now, paceMs: 2000, startHeight: opts.startHeight, resumeFrom: opts.resumeFrom });
  const follower = new ChainFollower({ source, resume: opts.resume, maxBatch: 500 });
  const events: FollowerEvent[] = [];
  follower.on((e) => events.push(e));
  expect(follower.confirmations).toBe(0); // the replay cannot reorg
  // The server starts the follower with the source, so the first poll sees the start block as the tip.
  expect((await follower.pollOnce()).status).toBe('ok');
  for (let revealed = 0; revealed < opts.blocks; ) {
    const step = Math.min(opts.pollEvery ?? 1, opts.blocks - revealed);
    revealed += step;
    clock.t += 2000 * step;
    let r = await follower.pollOnce();
    while (r.status === 'ok' && r.more) r = await follower.pollOnce();
    expect(r.status).toBe('ok');
  }
  return { source, follower, events, clock };
}

describe('ChainFollower over the paced replay', () => {
  it('emits the real mainnet hashes, times and MTPs in order, across the retarget at 824,544 and a backwards time at 824,888', async () => {
    const start = 824_400;
    const { events, follower } = await replay({ startHeight: start, blocks: 500, pollEvery: 7 });
    const commands = events.filter((e): e is CommandEvent => e.kind === 'command').map((e) => e.command);
    const tips = events.filter((e): e is TipEvent => e.kind === 'tip');
    expect(commands.length).toBe(501); // the start block plus 500 revealed
    commands.forEach((c, i) => {
      const h = start + i;
      expect(c).toEqual({ type: 'BlockConnected', height: h, hash: truth.hash(h), time: truth.time(h), mtp: truth.mtp(h), indexPrice: c.indexPrice });
    });
    expect(tips.map((t) => t.height)).toEqual(commands.map((c) => c.height));
    expect(events.some((e) => e.kind === 'reorg' || e.kind === 'retry' || e.kind === 'halted')).toBe(false);
    // MTP is not the header time: blocks' times are not monotonic, and 824,888 is below its predecessor.
    expect(commands.some((c, i) => i > 0 && c.time < commands[i - 1].time)).toBe(true);
    expect(commands.every((c) => c.mtp < c.time)).toBe(true);
    // The retarget at 824,544 was recomputed (the epoch's first time came from the embedded data), not skipped.
    expect(truth.bits(824_544)).not.toBe(truth.bits(824_543));
    expect(follower.status().unchecked).toEqual({});
    expect(follower.status().confirmed).toEqual({ height: start + 500, hash: truth.hash(start + 500) });
  });

  it('recomputes the retarget from the first header of the epoch, read from the source, when no context knows its time', async () => {
    const clock = new Clock();
    const source = new PacedReplaySource({ now: clock.now, paceMs: 1000, startHeight: 824_400 });
    const reads: number[] = [];
    const spy: typeof source = Object.create(source);
    spy.rawHeaders = async (from, count) => {
      reads.push(from);
      return source.rawHeaders(from, count);
    };
    const none = { hash: () => undefined, bits: () => undefined, time: () => undefined };
    const f = new ChainFollower({ source: spy, context: none, maxBatch: 1000 });
    await f.pollOnce();
    clock.t += 200_000;
    const r = await f.pollOnce();
    expect(r).toMatchObject({ status: 'ok', tipHeight: 824_600 });
    expect(reads).toContain(822_528); // epoch 408's first header, 1,872 blocks below the history
    expect(f.status().unchecked.retarget).toBeUndefined();
    expect(f.status().unchecked.link).toBe(1); // only the first history header, whose parent nobody knows
  });

  it('prices each block at hashprice(bits, subsidy), hand-checked at three heights', async () => {
    // Hand-worked from the header bits: target = mantissa x 256^(exponent-3); difficulty = 0xffff x 2^208 / target;
    // hashprice = floor(86,400 s x 1e15 H/s x 625,000,000 sat / (difficulty x 2^32)).
    //   822,671 bits 1703e8b3 difficulty 72,006,146,478,567 -> 174,608.08 -> 174,608
    //   825,000 bits 1703d869 difficulty 73,197,634,206,448 -> 171,765.86 -> 171,765
    //   828,576 bits 1703ba5d difficulty 75,502,165,623,894 -> 166,523.10 -> 166,523 (first block of epoch 411)
    const hand: Record<number, number> = { 822_671: 174_608, 825_000: 171_765, 828_576: 166_523 };
    for (const [h, price] of Object.entries(hand).map(([k, v]) => [Number(k), v])) {
      const { events } = await replay({ resumeFrom: h - 1, resume: { height: h - 1, hash: truth.hash(h - 1) }, blocks: 1 });
      const cmd = events.find((e): e is CommandEvent => e.kind === 'command')!.command;
      const tip = events.find((e): e is TipEvent => e.kind === 'tip')!;
      expect(cmd.height).toBe(h);
      expect(cmd.indexPrice).toBe(price);
      expect(tip.index).toEqual({ bits: truth.bits(h), subsidySat: 625_000_000n, fee144Sat: 0n, feesIncluded: false, hashpriceSatPerPHDay: BigInt(price) });
      // and the same as the index area's own functions (no fees are shipped for these blocks)
      expect(BigInt(price)).toBe(hashpriceSatPerPHDay(truth.bits(h), 625_000_000n));
      expect(indexAt(chain, h).hashpriceSatPerPHDay).toBe(BigInt(price));
    }
  });

  it('resumes from the journal height and hash, and halts with deep_reorg when that block is not on the chain', async () => {
    const { events } = await replay({ resumeFrom: 826_000, resume: { height: 826_000, hash: truth.hash(826_000) }, blocks: 3 });
    expect(events.filter((e) => e.kind === 'command').map((e) => (e as CommandEvent).command.height)).toEqual([826_001, 826_002, 826_003]);

    const source = new PacedReplaySource({ now: () => 0, resumeFrom: 826_000 });
    const f = new ChainFollower({ source, resume: { height: 826_000, hash: truth.hash(825_999) } });
    const seen: FollowerEvent[] = [];
    f.on((e) => seen.push(e));
    const r = await f.pollOnce();
    expect(r.status).toBe('halted');
    expect(r.error).toMatchObject({ code: 'deep_reorg', height: 826_000 });
    expect(seen.map((e) => e.kind)).toEqual(['halted']);
    expect(f.status().state).toBe('halted');
  });

  it('keeps its tip at the end of the segment, without errors', async () => {
    const { events, source, follower } = await replay({ startHeight: LAST - 3, blocks: 10 });
    const heights = events.filter((e) => e.kind === 'command').map((e) => (e as CommandEvent).command.height);
    expect(heights).toEqual([LAST - 3, LAST - 2, LAST - 1, LAST]);
    expect(source.status().state).toBe('ended');
    expect(follower.status().tip).toEqual({ height: LAST, hash: truth.hash(LAST) });
    const segs = JSON.parse(readFileSync(join(chain.dataDir, 'headers', 'segments.json'), 'utf8')) as { last_height: number; last_hash: string }[];
    expect(truth.hash(LAST)).toBe(segs.find((s) => s.last_height === LAST)!.last_hash);
  });

  it('refuses a real header whose nonce was altered: terminal, naming the height and the PoW rule', async () => {
    const clock = new Clock();
    const inner = new PacedReplaySource({ now: clock.now, paceMs: 1000, startHeight: 823_000 });
    const bad = 823_003;
    const tampered: typeof inner = Object.create(inner);
    tampered.rawHeaders = async (from, count) =>
      (await inner.rawHeaders(from, count)).map((raw, i) => {
        if (from + i !== bad) return raw;
        const copy = Buffer.from(raw);
        copy.writeUInt32LE((copy.readUInt32LE(76) + 1) >>> 0, 76);
        return copy;
      });
    const f = new ChainFollower({ source: tampered });
    const events: FollowerEvent[] = [];
    f.on((e) => events.push(e));
    clock.t += 5000;
    const r = await f.pollOnce();
    expect(r.status).toBe('halted');
    expect(r.error).toMatchObject({ code: 'header_invalid', height: bad, rule: 'pow' });
    expect(r.error!.message).toMatch(/height 823003.*proof of work/);
    // All-or-nothing: nothing from the poll that read the bad header was emitted, and later polls do nothing.
    expect(events.map((e) => e.kind)).toEqual(['halted']);
    clock.t += 5000;
    expect((await f.pollOnce()).status).toBe('halted');
  });
});
