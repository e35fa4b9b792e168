/** Header-sequence validation with Bitcoin Core's rules, on the real shipped mainnet headers. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { embeddedContext, loadEmbeddedChain } from '../../src/chain/embedded.js';
import { hashHeaders, hashHeadersParallel } from '../../src/chain/hash-all.js';
import { HEADER_BYTES, encodeHeader, headerHash, type BlockHeader } from '../../src/chain/header.js';
import { MAINNET, REGTEST, REGTEST_GENESIS_HEADER } from '../../src/chain/params.js';
import { targetOf } from '../../src/chain/target.js';
import { hashAtMostTarget, nextEpochBits, verifyHeaders, type HeaderContext } from '../../src/chain/validate.js';
import { InvalidArgumentError } from '../../src/units/errors.js';

const chain = loadEmbeddedChain();
const ctx = embeddedContext(chain);

/** A copy of the shipped headers [from, to]. */
function slice(from: number, to: number): Buffer {
  const seg = chain.segmentOf(from)!;
  expect(to).toBeLessThanOrEqual(seg.lastHeight);
  const buf = chain.segmentBuffer(seg);
  return Buffer.from(buf.subarray((from - seg.firstHeight) * HEADER_BYTES, (to - seg.firstHeight + 1) * HEADER_BYTES));
}

describe('every shipped segment verifies with embedded context', async () => {
  const all = Buffer.concat(chain.segments.map((s) => chain.segmentBuffer(s)));
  const hashes = await hashHeadersParallel(all);
  let off = 0;
  for (const s of chain.segments) {
    const n = s.lastHeight - s.firstHeight + 1;
    const myHashes = hashes.subarray(off * 32, (off + n) * 32);
    off += n;
    it(`${s.firstHeight}..${s.lastHeight}`, () => {
      const r = verifyHeaders(chain.segmentBuffer(s), s.firstHeight, { context: ctx, hashes: myHashes });
      expect(r.failure).toBeUndefined();
      expect(r.valid).toBe(true);
      expect(r.verified).toBe(n);
      expect(r.checked.pow).toBe(n);
      expect(r.checked.version).toBe(n);
      expect(r.lastHash).toBe(chain.hash(s.lastHeight));
      // Chainwork through the last header equals the epoch-sum chainwork (which matches bitcoinj's checkpoints).
      expect(r.chainworkAtEnd).toBe(chain.chainworkAt(s.lastHeight));
      // Every retarget inside the segment was recomputed (the epoch's first header is in the file or in epochs.csv).
      const retargets = Math.floor(s.lastHeight / 2016) - Math.floor((Math.max(s.firstHeight, 1) - 1) / 2016);
      expect(r.checked.retarget).toBe(retargets);
      // Nothing is silently passed: per rule, checked + unchecked covers every header it applies to.
      const un = (rule: string) => r.unchecked.find((u) => u.rule === rule)?.count ?? 0;
      const nonGenesis = n - (s.firstHeight === 0 ? 1 : 0);
      expect(r.checked.link + un('link')).toBe(n);
      expect(r.checked.bits + r.checked.retarget + un('bits') + un('retarget')).toBe(nonGenesis);
      expect(r.checked.mtp + un('mtp')).toBe(nonGenesis);
      expect(un('time-too-new')).toBe(n);
    });
  }
  it('the first headers of a segment without a shipped predecessor are reported, not passed', async () => {
    const r = verifyHeaders(chain.segmentBuffer(chain.segments[1]), 30000, { context: ctx });
    expect(r.unchecked.find((u) => u.rule === 'link')).toMatchObject({ count: 1, firstHeight: 30000, reason: expect.stringContaining('29999') });
    expect(r.unchecked.find((u) => u.rule === 'mtp')).toMatchObject({ firstHeight: 30000 });
  });
});

describe('a mutated header is caught at its height with the rule that fails', () => {
  const FROM = 299000;
  const TO = 302500; // crosses the retarget at 302400
  const good = slice(FROM, TO);
  const goodHashes = hashHeaders(good);
  const at = (h: number) => (h - FROM) * HEADER_BYTES;

  it('control: the unmutated run is valid and checks the retargets at 300384 and 302400', () => {
    const r = verifyHeaders(good, FROM, { context: ctx, hashes: goodHashes });
    expect(r.valid).toBe(true);
    expect(r.checked.retarget).toBe(2);
  });

  it('one flipped byte (merkle root) fails proof of work at that height', () => {
    const bad = Buffer.from(good);
    bad[at(300000) + 40] ^= 0x01;
    const r = verifyHeaders(bad, FROM, { context: ctx });
    expect(r.valid).toBe(false);
    expect(r.failure).toMatchObject({ height: 300000, rule: 'pow' });
    expect(r.failure!.message).toMatch(/^height 300000: proof of work: hash [0-9a-f]{64} > target 0{16}[0-9a-f]{48}$/);
    expect(r.verified).toBe(1000);
  });

  it('changed bits, time or prev-hash also fail proof of work first, as in Core (the hash changes)', () => {
    for (const [offset, label] of [[72, 'bits'], [68, 'time'], [4, 'prev']] as const) {
      const bad = Buffer.from(good);
      bad[at(301000) + offset] ^= 0x01;
      expect(verifyHeaders(bad, FROM, { context: ctx }).failure, label).toMatchObject({ height: 301000, rule: 'pow' });
    }
  });

  // With the unmutated headers' hashes supplied, proof of work is set aside and each later rule is seen alone.
  const mutate = (h: number, edit: (b: Buffer, off: number) => void) => {
    const bad = Buffer.from(good);
    edit(bad, at(h));
    return verifyHeaders(bad, FROM, { context: ctx, hashes: goodHashes });
  };

  it('bits changed inside an epoch', () => {
    const r = mutate(300000, (b, o) => b.writeUInt32LE(0x1d00ffff, o + 72));
    expect(r.failure).toMatchObject({ height: 300000, rule: 'bits', expected: chain.bitsAt(300000).toString(16), actual: '1d00ffff' });
    expect(r.failure!.message).toContain('height 300000: bits unchanged inside epoch');
  });

  it('bits not recomputed at a retarget', () => {
    const old = chain.bitsAt(302399);
    const r = mutate(302400, (b, o) => b.writeUInt32LE(old, o + 72));
    expect(r.failure).toMatchObject({ height: 302400, rule: 'retarget', expected: chain.bitsAt(302400).toString(16), actual: old.toString(16) });
    expect(r.failure!.message).toMatch(/timespan \d+ s/);
  });

  it('time not above the median of the previous 11', () => {
    const median = [...Array(11).keys()].map((k) => chain.timeAt(300000 - 1 - k)!).sort((a, b) => a - b)[5];
    const r = mutate(300000, (b, o) => b.writeUInt32LE(median, o + 68));
    expect(r.failure).toMatchObject({ height: 300000, rule: 'mtp' });
    expect(r.failure!.message).toBe(`height 300000: time above median of previous 11: time ${median} <= median ${median} of the previous 11`);
    expect(mutate(300000, (b, o) => b.writeUInt32LE(median + 1, o + 68)).valid).toBe(true);
  });

  it('prev-hash not linking to the previous header', () => {
    const r = mutate(300000, (b, o) => (b[o + 10] ^= 0xff));
    expect(r.failure).toMatchObject({ height: 300000, rule: 'link', expected: chain.hash(299999) });
  });

  it('version below the BIP34 floor', () => {
    const r = mutate(300000, (b, o) => b.writeInt32LE(1, o));
    expect(r.failure).toMatchObject({ height: 300000, rule: 'version', expected: '2', actual: '1' });
  });
});

describe('context from the embedded data', () => {
  it('a file starting mid-epoch takes the previous bits and hash from the embedded data', () => {
    const r = verifyHeaders(slice(300001, 300100), 300001, { context: ctx });
    expect(r.valid).toBe(true);
    expect(r.checked.link).toBe(100);
    expect(r.checked.bits).toBe(100);
    expect(r.checked.mtp).toBe(100);
    expect(r.unchecked.map((u) => u.rule)).toEqual(['time-too-new']);
    const lying: HeaderContext = { ...ctx, bits: (h) => (h === 300000 ? 0x1d00ffff : ctx.bits(h)) };
    expect(verifyHeaders(slice(300001, 300100), 300001, { context: lying }).failure).toMatchObject({ height: 300001, rule: 'bits' });
  });

  it("recomputes 822528's retarget from the epoch's first header in epoch_boundary_headers.csv (in no .bin segment)", () => {
    expect(chain.segmentOf(820512)).toBeUndefined();
    expect(chain.rawHeader(820512)).toBeDefined();
    expect(chain.timeAt(820512)).toBe(chain.epochs[407].startTime);
    const file = slice(822527, 822600);
    const r = verifyHeaders(file, 822527, { context: ctx });
    expect(r.valid).toBe(true);
    expect(r.checked.retarget).toBe(1);
    expect(r.unchecked.find((u) => u.rule === 'retarget')).toBeUndefined();
    const lying: HeaderContext = { ...ctx, time: (h) => (h === 820512 ? ctx.time(h)! - 100_000 : ctx.time(h)) };
    expect(verifyHeaders(file, 822527, { context: lying }).failure).toMatchObject({ height: 822528, rule: 'retarget' });
  });

  it('without context the rules it would need are reported unchecked, with heights and reasons', () => {
    const r = verifyHeaders(slice(822527, 822600), 822527);
    expect(r.valid).toBe(true);
    const byRule = Object.fromEntries(r.unchecked.map((u) => [u.rule, u]));
    expect(byRule.link).toMatchObject({ count: 1, firstHeight: 822527 });
    expect(byRule.bits).toMatchObject({ count: 1, firstHeight: 822527, reason: 'bits of height 822526 unknown' });
    expect(byRule.retarget).toMatchObject({ count: 1, firstHeight: 822528, reason: 'time of height 820512 unknown' });
    expect(byRule.mtp.count).toBeGreaterThanOrEqual(6);
    expect(r.chainworkAtEnd).toBeUndefined();
  });
});

describe('retarget rule (CalculateNextWorkRequired)', () => {
  it('reproduces every mainnet retarget whose epoch times are known (epochs.csv, from headers)', () => {
    let n = 0;
    for (const e of chain.epochs) {
      if (e.startTime === undefined || e.endTime === undefined || e.epoch + 1 >= chain.epochs.length) continue;
      expect(nextEpochBits(e.bits, e.startTime, e.endTime), `epoch ${e.epoch}`).toBe(chain.epochs[e.epoch + 1].bits);
      n++;
    }
    expect(n).toBe(413);
  });

  it('clamps the timespan to x4 either way and caps at the pow limit (hand-computed)', () => {
    // target(0x1c0fffff) = 0x0fffff << 200; /4 = 0x03ffffc0 << 192 -> 0x1c03ffff; x4 = 0x3ffffc << 200 -> 0x1c3ffffc.
    expect(nextEpochBits(0x1c0fffff, 0, 1)).toBe(0x1c03ffff);
    expect(nextEpochBits(0x1c0fffff, 0, 302400)).toBe(0x1c03ffff);
    expect(nextEpochBits(0x1c0fffff, 0, 100_000_000)).toBe(0x1c3ffffc);
    expect(nextEpochBits(0x1c0fffff, 0, 1209600)).toBe(0x1c0fffff);
    expect(nextEpochBits(0x1d00ffff, 0, 100_000_000)).toBe(0x1d00ffff);
    expect(nextEpochBits(0x1c0fffff, 1000, 500)).toBe(0x1c03ffff); // negative timespan clamps too
  });
});

describe('parallel hashing', () => {
  it('gives the same hashes over worker threads as in-thread (20,000 real headers)', async () => {
    const buf = chain.segmentBuffer(chain.segments[2]);
    const par = await hashHeadersParallel(buf, 2);
    expect(Buffer.from(par).equals(Buffer.from(hashHeaders(buf)))).toBe(true);
    expect(Buffer.from(par.subarray(32 * 19999)).reverse().toString('hex')).toBe(chain.hash(100000));
  });
});

describe('proof-of-work comparison without bigint', () => {
  it('agrees with the bigint comparison on random hashes and targets, including equality', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.integer({ min: 0, max: 31 }), fc.boolean(), (hashLE, keep, equal) => {
        const hashBig = BigInt('0x' + Buffer.from(hashLE).reverse().toString('hex'));
        // A target sharing the hash's top bytes, so the comparison goes deep.
        const be = Buffer.from(hashLE).reverse();
        if (!equal) for (let j = keep; j < 32; j++) be[j] = (be[j] * 7 + 13) & 0xff;
        const targetBig = BigInt('0x' + be.toString('hex'));
        expect(hashAtMostTarget(hashLE, 0, be)).toBe(hashBig <= targetBig);
      }),
      { numRuns: 2000 },
    );
  });

  it('bits above the pow limit are refused even when the hash would meet them', () => {
    const file = slice(300000, 300000);
    file.writeUInt32LE(0x1e00ffff, 72);
    const r = verifyHeaders(file, 300000, { hashes: hashHeaders(slice(300000, 300000)) });
    expect(r.failure).toMatchObject({ height: 300000, rule: 'pow' });
    expect(r.failure!.message).toContain(`> pow limit ${MAINNET.powLimit.toString(16).padStart(64, '0')}`);
    expect(targetOf(0x1e00ffff) > MAINNET.powLimit).toBe(true);
  });
});

describe('input errors', () => {
  it('refuses empty input, partial headers and bad start heights', () => {
    expect(() => verifyHeaders(new Uint8Array(0), 0)).toThrow(InvalidArgumentError);
    expect(() => verifyHeaders(new Uint8Array(79), 0)).toThrow(/79 bytes is not a whole number of 80-byte headers/);
    expect(() => verifyHeaders(new Uint8Array(161), 0)).toThrow(/1 bytes left over/);
    expect(() => verifyHeaders(slice(0, 1), -1)).toThrow(/startHeight/);
  });

  it('checks the genesis hash at height 0', () => {
    expect(verifyHeaders(slice(0, 10), 0).valid).toBe(true);
    expect(verifyHeaders(slice(1, 10), 0).failure).toMatchObject({ height: 0, rule: 'link' });
  });
});

describe('regtest parameters', () => {
  // Regtest's genesis: mainnet's coinbase with time 1296688602, bits 0x207fffff, nonce 2 (chainparams.cpp).
  const genesis: BlockHeader = { ...REGTEST_GENESIS_HEADER };
  /** Mines `n` headers on top of regtest genesis (about two tries each at the regtest limit). */
  function mine(n: number): Buffer {
    const out = [encodeHeader(genesis)];
    for (let i = 1; i <= n; i++) {
      const h: BlockHeader = { version: 0x20000000, prevHash: headerHash(out[i - 1]), merkleRoot: 'ab'.repeat(32), time: genesis.time + i * 600, bits: 0x207fffff, nonce: 0 };
      while (BigInt('0x' + headerHash(encodeHeader(h))) > targetOf(0x207fffff)) h.nonce++;
      out.push(encodeHeader(h));
    }
    return Buffer.concat(out);
  }

  it('accepts a regtest chain from the real regtest genesis, which mainnet rules refuse', () => {
    expect(headerHash(encodeHeader(genesis))).toBe(REGTEST.genesisHash);
    const chainBytes = mine(30);
    const r = verifyHeaders(chainBytes, 0, { params: REGTEST });
    expect(r.failure).toBeUndefined();
    expect(r.verified).toBe(31);
    expect(verifyHeaders(chainBytes, 0).failure).toMatchObject({ height: 0, rule: 'pow' }); // above mainnet's pow limit
  });
});
