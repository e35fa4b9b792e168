/** Header codec, hashes, bits <-> target, work and difficulty against real headers and Bitcoin Core's vectors. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { decodeHeader, encodeHeader, headerHash } from '../../src/chain/header.js';
import { MAINNET_POW_LIMIT, bitsToTarget, difficultyOfBits, targetOf, targetToBits, workOfBits } from '../../src/chain/target.js';

const chain = loadEmbeddedChain();
const GENESIS_HEX =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';

describe('header codec', () => {
  it('decodes the genesis header to its well-known fields and hash', () => {
    const raw = chain.rawHeader(0)!;
    expect(Buffer.from(raw).toString('hex')).toBe(GENESIS_HEX);
    expect(headerHash(raw)).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(decodeHeader(raw)).toEqual({
      version: 1,
      prevHash: '0'.repeat(64),
      merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
      time: 1231006505,
      bits: 0x1d00ffff,
      nonce: 2083236893,
    });
  });

  it('round-trips every 997th shipped header byte for byte, and each links to the previous hash', () => {
    let n = 0;
    for (const s of chain.segments)
      for (let h = s.firstHeight + 1; h <= s.lastHeight; h += 997) {
        const raw = chain.rawHeader(h)!;
        const d = decodeHeader(raw);
        expect(Buffer.from(encodeHeader(d)).equals(Buffer.from(raw))).toBe(true);
        expect(d.prevHash).toBe(headerHash(chain.rawHeader(h - 1)!));
        n++;
      }
    expect(n).toBeGreaterThan(200);
  });

  it('reads a negative version (BIP9 top bits) and large times/nonces as the right signs', () => {
    const d = decodeHeader(chain.rawHeader(830592)!);
    expect(d.version).toBe(0x20c00000);
    expect(d.time).toBe(1708008110); // segments.json last_time
    expect(d.nonce).toBeGreaterThan(2 ** 31); // u32, not i32
  });

  it('rejects a header of the wrong length naming the field', () => {
    expect(() => decodeHeader(new Uint8Array(79))).toThrow(/header: expected 80 bytes, got 79/);
  });
});

describe('bits <-> target (Bitcoin Core arith_uint256 SetCompact/GetCompact vectors)', () => {
  const vectors: [number, bigint, number, boolean, boolean][] = [
    // bits, target, canonical bits, negative, overflow
    [0x00000000, 0n, 0, false, false],
    [0x00123456, 0n, 0, false, false],
    [0x01003456, 0n, 0, false, false],
    [0x02000056, 0n, 0, false, false],
    [0x03000000, 0n, 0, false, false],
    [0x04000000, 0n, 0, false, false],
    [0x00923456, 0n, 0, false, false],
    [0x01803456, 0n, 0, false, false],
    [0x02800056, 0n, 0, false, false],
    [0x03800000, 0n, 0, false, false],
    [0x04800000, 0n, 0, false, false],
    [0x01123456, 0x12n, 0x01120000, false, false],
    [0x02123456, 0x1234n, 0x02123400, false, false],
    [0x03123456, 0x123456n, 0x03123456, false, false],
    [0x04123456, 0x12345600n, 0x04123456, false, false],
    [0x05009234, 0x92340000n, 0x05009234, false, false],
    [0x20123456, 0x1234560000000000000000000000000000000000000000000000000000000000n, 0x20123456, false, false],
  ];
  it.each(vectors)('bits %i', (bits, target, canonical, negative, overflow) => {
    const r = bitsToTarget(bits);
    expect(r.target).toBe(target);
    expect(r.negative).toBe(negative);
    expect(r.overflow).toBe(overflow);
    expect(targetToBits(target)).toBe(canonical);
  });

  it('flags negative and overflowing encodings', () => {
    expect(bitsToTarget(0x04923456).negative).toBe(true);
    expect(bitsToTarget(0x01fedcba).negative).toBe(true);
    expect(bitsToTarget(0xff123456).overflow).toBe(true);
  });

  it('knows the mainnet minimum difficulty target and the genesis work (Core chainwork of block 0 = 0x100010001)', () => {
    expect(targetOf(0x1d00ffff)).toBe(0xffffn << 208n);
    expect(targetOf(0x1d00ffff) <= MAINNET_POW_LIMIT).toBe(true);
    expect(workOfBits(0x1d00ffff)).toBe(0x100010001n);
  });

  it('matches epochs.csv for every epoch: target, canonical bits round-trip, difficulty', () => {
    const text = readFileSync(join(chain.dataDir, 'epochs.csv'), 'utf8').trim().split('\n').slice(1);
    expect(text).toHaveLength(474);
    for (const line of text) {
      const [, , , bitsHex, targetHex, difficulty] = line.split(',');
      const bits = parseInt(bitsHex, 16);
      expect(targetOf(bits)).toBe(BigInt('0x' + targetHex));
      expect(targetToBits(targetOf(bits))).toBe(bits);
      // The CSV prints 8 decimals; Core's GetDifficulty is a double computation.
      expect(Math.abs(difficultyOfBits(bits) - Number(difficulty))).toBeLessThanOrEqual(5e-9 + Number(difficulty) * 1e-12);
    }
  });

  it('gives the well-known difficulty of the first retarget (block 32256: 1.18289953)', () => {
    expect(chain.bitsAt(32256)).toBe(0x1d00d86a);
    expect(difficultyOfBits(0x1d00d86a)).toBeCloseTo(1.182899534312841, 12);
  });
});
