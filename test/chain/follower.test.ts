/**
 * ChainFollower against a stub ChainSource serving regtest headers mined here from the real regtest
 * genesis (trivial PoW under REGTEST params, verified with the same rules as any source): reorgs
 * shallower and deeper than the confirmation depth, transient source failures, invalid headers, resume.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ChainFollower, type CommandEvent, type FollowerEvent, type ReorgEvent, type TipEvent } from '../../src/chain/follower.js';
import { encodeHeader, headerHash, type BlockHeader } from '../../src/chain/header.js';
import { REGTEST, REGTEST_GENESIS_HEADER } from '../../src/chain/params.js';
import { UnknownHeightError, type ChainSource } from '../../src/chain/source.js';
import { targetOf } from '../../src/chain/target.js';
import { HashPerpError } from '../../src/units/errors.js';

const GENESIS: BlockHeader = { ...REGTEST_GENESIS_HEADER };
const LIMIT = targetOf(0x207fffff);
const meetsTarget = (raw: Uint8Array) => BigInt('0x' + headerHash(raw)) <= LIMIT;

/** Mines one header on `prev`; `tag` goes into the merkle root so competing branches differ. */
function mineOn(prev: Uint8Array, tag: string, over: Partial<BlockHeader> = {}, valid = true): Uint8Array {
  const p = new DataView(prev.buffer, prev.byteOffset, 80);
  const h: BlockHeader = {
    version: 0x20000000,
    prevHash: headerHash(prev),
    merkleRoot: createHash('sha256').update(tag).digest('hex'),
    time: p.getUint32(68, true) + 600,
    bits: 0x207fffff,
    nonce: 0,
    ...over,
  };
  while (meetsTarget(encodeHeader(h)) !== valid) h.nonce++;
  return encodeHeader(h);
}

/** `chain` plus `n` headers mined on its last one. */
function extend(chain: readonly Uint8Array[], n: number, tag: string): Uint8Array[] {
  const out = [...chain];
  for (let i = 0; i < n; i++) out.push(mineOn(out[out.length - 1], `${tag}${out.length}`));
  return out;
}

const genesisChain = (): Uint8Array[] => [encodeHeader(GENESIS)];
const hashAt = (chain: readonly Uint8Array[], h: number) => headerHash(chain[h]);

/** A node's view of its best chain, switchable to another branch, with scripted failures. */
class StubSource implements ChainSource {
  readonly name = 'stub';
  failures: { method: keyof ChainSource; left: number }[] = [];
  constructor(public chain: Uint8Array[]) {}
  private maybeFail(method: keyof ChainSource): void {
    const f = this.failures.find((x) => x.method === method && x.left > 0);
    if (f) {
      f.left--;
      throw new HashPerpError('rpc_unreachable', `stub ${method}: connection refused`);
    }
  }
  private need(h: number): Uint8Array {
    const raw = this.chain[h];
    if (!raw) throw new UnknownHeightError(this.name, h, `tip is ${this.chain.length - 1}`);
    return raw;
  }
  async tipHeight() {
    this.maybeFail('tipHeight');
    return this.chain.length - 1;
  }
  async blockHash(h: number) {
    this.maybeFail('blockHash');
    return headerHash(this.need(h));
  }
  async rawHeaders(from: number, count: number) {
    this.maybeFail('rawHeaders');
    return Array.from({ length: count }, (_, i) => this.need(from + i));
  }
  /** 1,001 sat x height: a fee series whose 144-block mean is easy to work out by hand (and not always whole). */
  async blockFees(h: number) {
    this.maybeFail('blockFees');
    this.need(h);
    return BigInt(h) * 1001n;
  }
}

/** Regtest hashprice is ~1e29 sat/PH/day (trivial difficulty); tests price blocks by height instead. */
const byHeight = (i: { height: number }) => BigInt(i.height) * 10n;

function follow(source: StubSource, opts: Partial<ConstructorParameters<typeof ChainFollower>[0]> = {}) {
  const f = new ChainFollower({ source, params: REGTEST, indexPrice: byHeight, ...opts });
  const events: FollowerEvent[] = [];
  f.on((e) => events.push(e));
  const take = () => events.splice(0);
  return { f, events, take };
}
const commands = (evs: FollowerEvent[]) => evs.filter((e): e is CommandEvent => e.kind === 'command').map((e) => e.command);
const tips = (evs: FollowerEvent[]) => evs.filter((e): e is TipEvent => e.kind === 'tip');

describe('ChainFollower: reorgs (regtest headers, confirmations 2)', () => {
  it('rewrites provisional tips on a shallow reorg, never sends the orphaned blocks, and sends the new branch once buried', async () => {
    const a = extend(genesisChain(), 12, 'a');
    const src = new StubSource(a);
    const { f, take } = follow(src, { confirmations: 2, startHeight: 12 });
    expect(f.confirmations).toBe(2);

    expect((await f.pollOnce()).status).toBe('ok');
    let evs = take();
    expect(tips(evs).map((t) => [t.height, t.hash])).toEqual([[12, hashAt(a, 12)]]);
    expect(commands(evs)).toEqual([]); // 12 is at the tip: depth 0

    src.chain = extend(a, 2, 'a'); // a13, a14
    const a14 = src.chain;
    await f.pollOnce();
    evs = take();
    expect(tips(evs).map((t) => t.height)).toEqual([13, 14]);
    expect(commands(evs).map((c) => [c.height, c.hash])).toEqual([[12, hashAt(a, 12)]]);

    // A competing branch from 12 overtakes: b13, b14, b15.
    const b = extend(a.slice(0, 13), 3, 'b');
    expect(hashAt(b, 13)).not.toBe(hashAt(a14, 13));
    src.chain = b;
    await f.pollOnce();
    evs = take();
    const reorg = evs.find((e): e is ReorgEvent => e.kind === 'reorg')!;
    expect(reorg).toEqual({
      kind: 'reorg',
      fork: { height: 12, hash: hashAt(a, 12) },
      disconnected: [13, 14].map((h) => ({ height: h, hash: hashAt(a14, h) })),
      connected: [13, 14, 15].map((h) => ({ height: h, hash: hashAt(b, h) })),
    });
    expect(evs[0]).toBe(reorg); // the display learns of the reorg before the new tips
    expect(tips(evs).map((t) => t.hash)).toEqual([13, 14, 15].map((h) => hashAt(b, h)));
    expect(commands(evs).map((c) => [c.height, c.hash])).toEqual([[13, hashAt(b, 13)]]);

    src.chain = extend(b, 2, 'b');
    await f.pollOnce();
    const later = commands(take());
    expect(later.map((c) => [c.height, c.hash])).toEqual([14, 15].map((h) => [h, hashAt(src.chain, h)]));
    expect(f.status().confirmed).toEqual({ height: 15, hash: hashAt(b, 15) });
    expect(f.status().tip).toEqual({ height: 17, hash: hashAt(src.chain, 17) });
  });

  it('halts with deep_reorg, emitting nothing else, when a reorg would disconnect a block already sent', async () => {
    const b = extend(genesisChain(), 17, 'b');
    const src = new StubSource(b);
    const { f, take } = follow(src, { confirmations: 2, startHeight: 12 });
    await f.pollOnce();
    expect(commands(take()).map((c) => c.height)).toEqual([12, 13, 14, 15]);

    src.chain = extend(b.slice(0, 14), 6, 'c'); // forks after 13: disconnects 14 and 15, which were sent
    const r = await f.pollOnce();
    expect(r.status).toBe('halted');
    expect(r.error).toMatchObject({ code: 'deep_reorg', height: 15, retryable: false });
    expect(r.error!.message).toMatch(/confirmation depth \(2\)/);
    expect(take().map((e) => e.kind)).toEqual(['halted']);
    expect(f.status()).toMatchObject({ state: 'halted', error: { code: 'deep_reorg' }, confirmed: { height: 15, hash: hashAt(b, 15) } });
    // Halted is final: later polls read nothing from the source.
    src.chain = extend(src.chain, 5, 'c');
    src.failures.push({ method: 'tipHeight', left: 1 });
    expect((await f.pollOnce()).status).toBe('halted');
    expect(src.failures[0].left).toBe(1);
  });

  it('handles a chain that only shrinks (invalidateblock with nothing mined yet) as a reorg with nothing connected', async () => {
    const a = extend(genesisChain(), 15, 'a');
    const src = new StubSource(a);
    const { f, take } = follow(src, { confirmations: 2, startHeight: 12 });
    await f.pollOnce();
    take();
    src.chain = a.slice(0, 15); // 15 invalidated
    await f.pollOnce();
    expect(take()).toEqual([{ kind: 'reorg', fork: { height: 14, hash: hashAt(a, 14) }, disconnected: [{ height: 15, hash: hashAt(a, 15) }], connected: [] }]);
    src.chain = extend(a.slice(0, 15), 2, 'x');
    await f.pollOnce();
    const evs = take();
    expect(evs.some((e) => e.kind === 'reorg')).toBe(false); // 14 is still common: the new blocks simply extend it
    expect(tips(evs).map((t) => t.hash)).toEqual([15, 16].map((h) => hashAt(src.chain, h)));
    expect(commands(evs).map((c) => [c.height, c.hash])).toEqual([[14, hashAt(a, 14)]]);
  });
});

describe('ChainFollower: deep shrink', () => {
  it('halts when the chain shrinks below a block already sent, even though no competing block exists yet', async () => {
    const a = extend(genesisChain(), 17, 'a');
    const src = new StubSource(a);
    const { f, take } = follow(src, { confirmations: 1, startHeight: 12 });
    await f.pollOnce();
    expect(commands(take()).map((c) => c.height)).toEqual([12, 13, 14, 15, 16]);
    src.chain = a.slice(0, 16); // 16 and 17 invalidated; 16 was sent
    const r = await f.pollOnce();
    expect(r.error).toMatchObject({ code: 'deep_reorg', height: 16 });
    expect(take().map((e) => e.kind)).toEqual(['halted']);
  });
});

describe('ChainFollower: source failures are retried, invalid headers are terminal', () => {
  it('retries a source that fails transiently, at any call, and sends each block exactly once', async () => {
    const a = extend(genesisChain(), 20, 'a');
    const src = new StubSource(a.slice(0, 13));
    const { f, take } = follow(src, { confirmations: 1, startHeight: 12 });
    await f.pollOnce();
    take();
    src.chain = a;
    for (const method of ['tipHeight', 'blockHash', 'rawHeaders', 'blockFees'] as const) src.failures.push({ method, left: 1 });
    const results = [];
    for (let i = 0; i < 5; i++) results.push(await f.pollOnce());
    expect(results.map((r) => r.status)).toEqual(['retry', 'retry', 'retry', 'retry', 'ok']);
    expect(results[0].error).toMatchObject({ code: 'rpc_unreachable', retryable: true });
    const evs = take();
    expect(evs.filter((e) => e.kind === 'retry')).toHaveLength(4);
    expect(commands(evs).map((c) => c.height)).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    expect(f.status()).toMatchObject({ state: 'idle', retries: 4, polls: 6 });
  });

  it.each([
    ['pow', (prev: Uint8Array) => mineOn(prev, 'bad', {}, false), /proof of work/],
    ['mtp', (prev: Uint8Array) => mineOn(prev, 'old', { time: GENESIS.time }), /median/],
    ['bits', (prev: Uint8Array) => mineOn(prev, 'bits', { bits: 0x207ffffe }), /bits unchanged/],
  ] as const)('refuses a header failing %s: terminal, naming the height and the rule', async (rule, make, words) => {
    const a = extend(genesisChain(), 12, 'a');
    const src = new StubSource(a);
    const { f, take } = follow(src, { confirmations: 1, startHeight: 12 });
    await f.pollOnce();
    take();
    const bad = make(a[12]);
    src.chain = extend([...a, bad], 2, 'z');
    const r = await f.pollOnce();
    expect(r.status).toBe('halted');
    expect(r.error).toMatchObject({ code: 'header_invalid', height: 13, rule, retryable: false });
    expect(r.error!.message).toMatch(/height 13/);
    expect(r.error!.message).toMatch(words);
    expect(take().map((e) => e.kind)).toEqual(['halted']);
    expect(f.status().tip!.height).toBe(12);
  });

  it('retries headers that do not link (a reorg racing the poll) a few times, then takes them as invalid', async () => {
    const a = extend(genesisChain(), 12, 'a');
    const src = new StubSource(a);
    const { f, take } = follow(src, { confirmations: 1, startHeight: 12, maxLinkRetries: 2 });
    await f.pollOnce();
    take();
    const stray = extend(a.slice(0, 12), 2, 's'); // s12, s13 on a11
    src.chain = [...a, stray[13]]; // the node claims a12 then a header whose parent is s12
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await f.pollOnce());
    expect(statuses.map((s) => s.status)).toEqual(['retry', 'retry', 'halted']);
    expect(statuses[0].error).toMatchObject({ code: 'chain_changed', retryable: true });
    expect(statuses[2].error).toMatchObject({ code: 'header_invalid', rule: 'link', height: 13 });
  });

  it('halts with index_out_of_range on regtest without an index rule (the hashprice there exceeds 2^53)', async () => {
    const src = new StubSource(extend(genesisChain(), 12, 'a'));
    const f = new ChainFollower({ source: src, params: REGTEST, confirmations: 0, startHeight: 12 });
    const events: FollowerEvent[] = [];
    f.on((e) => events.push(e));
    const r = await f.pollOnce();
    expect(r.error).toMatchObject({ code: 'index_out_of_range', height: 12 });
    expect(events.filter((e) => e.kind === 'tip')[0]).toMatchObject({ height: 12 });
    expect((events.find((e) => e.kind === 'tip') as TipEvent).index.hashpriceSatPerPHDay > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(events.some((e) => e.kind === 'command')).toBe(false);
  });
});

describe('ChainFollower: index, MTP, resume, the poll loop', () => {
  it('computes fee144 as the floor of the mean fees of the window, subsidy with regtest halvings, and MTP over 11 blocks', async () => {
    const a = extend(genesisChain(), 160, 'a');
    const src = new StubSource(a);
    const seen: { height: number; fee144Sat: bigint; subsidySat: bigint }[] = [];
    const { f, take } = follow(src, {
      confirmations: 0,
      startHeight: 20,
      maxBatch: 200,
      indexPrice: (i) => {
        seen.push(i);
        return BigInt(i.height);
      },
    });
    await f.pollOnce();
    const t = tips(take());
    expect(t.map((x) => x.height)).toEqual(Array.from({ length: 141 }, (_, i) => 20 + i));
    const at = (h: number) => t[h - 20];
    // Fees are 1,001 x height: mean of 0..20 = 1,001 x 10 = 10,010; of 0..21 = 10,510.5 -> 10,510 (rounded down);
    // of 0..142 (143 blocks) = 71,071; of 17..160 (144 blocks) = 1,001 x (17 + 160) / 2 = 88,588.5 -> 88,588.
    expect(at(20).index.fee144Sat).toBe(10_010n);
    expect(at(21).index.fee144Sat).toBe(10_510n);
    expect(at(142).index.fee144Sat).toBe(71_071n);
    expect(at(160).index.fee144Sat).toBe(88_588n);
    expect(at(160).index.feesIncluded).toBe(true);
    // Regtest halves every 150 blocks.
    expect(at(149).index.subsidySat).toBe(5_000_000_000n);
    expect(at(150).index.subsidySat).toBe(2_500_000_000n);
    // Window 7..150: 1,001 x (7 + 150) / 2 = 78,578.5 -> 78,578.
    expect(seen.find((s) => s.height === 150)).toEqual({ height: 150, bits: 0x207fffff, subsidySat: 2_500_000_000n, fee144Sat: 78_578n });
    // Times are 600 s apart here, so the MTP of h is the time of h - 5.
    expect(at(100).mtp).toBe(GENESIS.time + 95 * 600);
  });

  it('resumes after the last block sent to the engine, and waits (retry) for a source that is behind', async () => {
    const a = extend(genesisChain(), 20, 'a');
    const behind = new StubSource(a.slice(0, 10));
    const { f: f1 } = follow(behind, { confirmations: 1, resume: { height: 15, hash: hashAt(a, 15) } });
    expect(await f1.pollOnce()).toMatchObject({ status: 'retry', error: { code: 'source_behind' } });
    behind.chain = a;
    await f1.pollOnce();
    expect(f1.status().confirmed).toEqual({ height: 19, hash: hashAt(a, 19) });

    const { f, take } = follow(new StubSource(a), { confirmations: 1, resume: { height: 15, hash: hashAt(a, 15) } });
    await f.pollOnce();
    expect(commands(take()).map((c) => c.height)).toEqual([16, 17, 18, 19]);
  });

  it('halts with listener_error when the command listener throws, without counting the block as sent', async () => {
    const a = extend(genesisChain(), 14, 'a');
    const { f } = follow(new StubSource(a), { confirmations: 1, startHeight: 12 });
    f.on((e) => {
      if (e.kind === 'command' && e.command.height === 13) throw new Error('journal full');
    });
    const r = await f.pollOnce();
    expect(r.error).toMatchObject({ code: 'listener_error', height: 13 });
    expect(r.error!.message).toMatch(/journal full/);
    expect(f.status().confirmed).toEqual({ height: 12, hash: hashAt(a, 12) });
  });

  it('start() polls until stop(), with the injected interval', async () => {
    const a = extend(genesisChain(), 30, 'a');
    const src = new StubSource(a.slice(0, 13));
    const { f, events } = follow(src, { confirmations: 0, startHeight: 12, pollMs: 5 });
    f.start();
    expect(f.status().state).toBe('running');
    src.chain = a;
    const deadline = Date.now() + 5000;
    while (commands(events).length < 19 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await f.stop();
    expect(f.status().state).toBe('idle');
    expect(commands(events).map((c) => c.height)).toEqual(Array.from({ length: 19 }, (_, i) => 12 + i));
  });
});
