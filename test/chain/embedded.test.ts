/**
 * The embedded mainnet data against sources it was not derived from in this code: segments.json
 * (sha256 and end hashes), bitcoinj's checkpoints (chainwork and header of every epoch's first block)
 * and Electrum's checkpoints (hash of every epoch's last block, target of the next epoch).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain, packageRoot } from '../../src/chain/embedded.js';
import { headerHash } from '../../src/chain/header.js';
import { targetOf } from '../../src/chain/target.js';
import { InvalidArgumentError } from '../../src/units/errors.js';

const chain = loadEmbeddedChain();
const dir = chain.dataDir;

describe('embedded chain', () => {
  it('is found from the package root and cached', () => {
    expect(dir).toBe(join(packageRoot(), 'data', 'mainnet'));
    expect(loadEmbeddedChain()).toBe(chain);
    expect(chain.maxHeight).toBe(955583);
    expect(chain.epochs).toHaveLength(474);
  });

  it('has the segments of segments.json, with matching sha256, first and last hashes', () => {
    const index = JSON.parse(readFileSync(join(dir, 'headers', 'segments.json'), 'utf8')) as {
      file: string;
      first_height: number;
      last_height: number;
      sha256: string;
      first_hash: string;
      last_hash: string;
      prev_hash_of_first: string;
    }[];
    expect(chain.segments.map((s) => [s.firstHeight, s.lastHeight])).toEqual(index.map((s) => [s.first_height, s.last_height]));
    let total = 0;
    for (const s of index) {
      const buf = chain.segmentBuffer({ firstHeight: s.first_height, lastHeight: s.last_height });
      expect(createHash('sha256').update(buf).digest('hex')).toBe(s.sha256);
      expect(chain.hash(s.first_height)).toBe(s.first_hash);
      expect(chain.hash(s.last_height)).toBe(s.last_hash);
      expect(chain.header(s.first_height)!.prevHash).toBe(s.prev_hash_of_first);
      expect(chain.segmentOf(s.first_height + 1)).toEqual({ firstHeight: s.first_height, lastHeight: s.last_height });
      total += s.last_height - s.first_height + 1;
    }
    expect(total).toBe(238066);
    expect(chain.segmentOf(10000)).toBeUndefined();
  });

  it("matches bitcoinj's checkpoints: header and cumulative chainwork of every epoch's first block", () => {
    const lines = readFileSync(join(dir, 'checkpoints', 'bitcoinj_org.bitcoin.production.checkpoints.txt'), 'utf8').trim().split('\n');
    expect(lines[0]).toBe('TXT CHECKPOINTS 1');
    const count = Number(lines[2]);
    const cps = lines.slice(3 + Number(lines[1]));
    expect(cps).toHaveLength(count);
    let headersCompared = 0;
    for (const line of cps) {
      const b = Buffer.from(line, 'base64'); // 12-byte chainwork, 4-byte height, 80-byte header
      const work = BigInt('0x' + b.subarray(0, 12).toString('hex'));
      const height = b.readUInt32BE(12);
      const header = b.subarray(16, 96);
      expect(height % 2016).toBe(0);
      expect(chain.chainworkAt(height)).toBe(work);
      expect(chain.bitsAt(height)).toBe(header.readUInt32LE(72));
      const shipped = chain.rawHeader(height);
      if (shipped) {
        expect(Buffer.from(shipped).equals(header)).toBe(true);
        headersCompared++;
      }
      if (height <= chain.maxHeight && chain.epochs[height / 2016].startHash) expect(chain.epochs[height / 2016].startHash).toBe(headerHash(header));
    }
    expect(count).toBe(436);
    expect(headersCompared).toBe(436);
  });

  it("matches Electrum's checkpoints: hash of every epoch's last block and the next epoch's target", () => {
    const text = readFileSync(join(dir, 'checkpoints', 'electrum_mainnet_checkpoints_github.json'), 'utf8');
    // Targets exceed 2^53: read them as text, not through JSON.parse.
    const pairs = [...text.matchAll(/\[\s*"([0-9a-f]{64})",\s*(\d+)\s*\]/g)];
    expect(pairs).toHaveLength(473);
    pairs.forEach(([, hash, target], k) => {
      expect(chain.hash(2016 * k + 2015)).toBe(hash);
      // Electrum stores the target used by epoch k+1, as decoded from its bits.
      expect(targetOf(chain.bitsAt(2016 * (k + 1)))).toBe(BigInt(target));
    });
  });

  it('adds chainwork per block inside an epoch', () => {
    expect(chainworkDelta(0, 0)).toBe(0x100010001n);
    expect(chain.chainworkAt(0)).toBe(0x100010001n);
    expect(chain.chainworkAt(2015)).toBe(chain.epochs[0].chainworkAtEnd);
    const w = chain.chainworkAt(300001) - chain.chainworkAt(300000);
    expect(w).toBe((1n << 256n) / (targetOf(chain.bitsAt(300001)) + 1n));
  });

  it('reads boundary headers beyond the segments and epoch hashes beyond the headers', () => {
    const raw = chain.rawHeader(878976)!;
    expect(headerHash(raw)).toBe('00000000000000000002819359a9af460f342404bec23e7478512a619584083b');
    expect(chain.timeAt(878976)).toBe(1736712111);
    expect(chain.rawHeader(878977)).toBeUndefined();
    expect(chain.hash(953567)).toBe('00000000000000000001b315e72169bef4867bf780527aa97c625ee9c001dc5d');
    expect(chain.hash(955583)).toBeUndefined();
  });

  it('knows the fees of blocks 0..438 only', () => {
    expect(chain.feesAt(0)).toBe(0n);
    expect(chain.feesAt(438)).toBe(0n);
    expect(chain.feesAt(439)).toBeUndefined();
  });

  it('refuses heights outside the epoch data with an InvalidArgumentError', () => {
    expect(chain.bitsAt(955583)).toBe(0x170240c3);
    expect(() => chain.bitsAt(955584)).toThrow(InvalidArgumentError);
    expect(() => chain.bitsAt(-1)).toThrow(/height -1 is outside the embedded epoch data/);
    expect(() => chain.chainworkAt(1.5)).toThrow(InvalidArgumentError);
    expect(() => chain.rawHeader(Number.NaN)).toThrow(InvalidArgumentError);
  });
});

function chainworkDelta(a: number, b: number): bigint {
  return chain.chainworkAt(b) - (a === 0 ? 0n : chain.chainworkAt(a - 1));
}
