import { describe, expect, it } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { targetOf } from '../../src/chain/target.js';
import { indexAt } from '../../src/index/index-at.js';
import { impliedHashrateHps } from '../../src/index/hashrate.js';
import { nextBitsFromTimespan, retargetProjection } from '../../src/index/retarget.js';
import { epochsCsv, rawSegment } from './csv-truth.js';

const chain = loadEmbeddedChain();
const recent = rawSegment('mainnet_822527-830592.bin', 822_527);
const old = rawSegment('mainnet_150001-340000.bin', 150_001);
const csv = epochsCsv();

describe('indexAt on real headers', () => {
  it('height 830,000: hash from the raw header, difficulty, subsidy, hand-computed hashprice', () => {
    const v = indexAt(chain, 830_000);
    expect(v.height).toBe(830_000);
    expect(v.blockHash).toBe(recent.hash(830_000));
    expect(recent.prevHash(830_001)).toBe(v.blockHash);
    expect(v.time).toBe(recent.time(830_000));
    expect(v.bits).toBe('1703ba5d');
    expect(v.difficulty).toBeCloseTo(csv[411].difficulty, 1);
    expect(v.subsidySat).toBe(625_000_000n);
    expect(v.feesIncluded).toBe(false);
    expect(v.fee144Sat).toBe(0n);
    // See hashprice.test.ts for the arithmetic: floor(5.4e28 × 244317 / (65535 × 2^80)) = 166523.
    expect(v.hashpriceSatPerPHDay).toBe(166_523n);
    expect(v.hashpriceBtcPerPHDay).toBe('0.00166523');
  });

  it('height 823,000 (epoch 408, difficulty 72.0e12): hand-computed hashprice', () => {
    // bits 0x1703e8b3: D = 65535 × 2^48 / 0x03e8b3 (256179) = 72,006,146,478,567.1 (epochs.csv 72006146478567.09375)
    // hashprice = floor(8.64e19 × 6.25e8 × 256179 / (65535 × 2^80)) = floor(1.38337e34 / 7.92270e28) = floor(174608.08) = 174608
    const v = indexAt(chain, 823_000);
    expect(v.bits).toBe('1703e8b3');
    expect(v.difficulty / 72_006_146_478_567.1).toBeCloseTo(1, 12);
    expect(v.hashpriceSatPerPHDay).toBe(174_608n);
    expect(v.hashpriceBtcPerPHDay).toBe('0.00174608');
    expect(v.blockHash).toBe(recent.hash(823_000));
  });

  it('hashrate estimates: exact chainwork/time from raw headers, and the D × 2^32 / 600 order of magnitude', () => {
    const v = indexAt(chain, 830_000);
    // Blocks 827,985..830,000: 827,985..828,575 in epoch 410 (bits 0x1704005a), 828,576..830,000 in epoch 411.
    const work = (bits: number): bigint => (1n << 256n) / (targetOf(bits) + 1n);
    const w = 591n * work(0x1704005a) + 1425n * work(0x1703ba5d);
    const dt = recent.time(830_000) - recent.time(827_984);
    const h2016 = v.hashrate.h2016;
    if (!('hashrateHps' in h2016)) throw new Error(h2016.unavailable);
    expect(h2016.hashrateHps / (Number(w) / dt)).toBeCloseTo(1, 12);
    const implied = (75502165623893.72 * 2 ** 32) / 600; // 5.4e20 H/s = 540 EH/s
    expect(v.hashrate.impliedHps / implied).toBeCloseTo(1, 9);
    expect(h2016.hashrateHps / implied).toBeGreaterThan(0.8);
    expect(h2016.hashrateHps / implied).toBeLessThan(1.25);
    const h144 = v.hashrate.h144;
    if (!('hashrateHps' in h144)) throw new Error(h144.unavailable);
    expect(h144.hashrateHps / implied).toBeGreaterThan(0.6);
    expect(h144.hashrateHps / implied).toBeLessThan(1.6);
  });

  it('newest covered height 955,583: no hash shipped -> blockHash null with a basis, value from Electrum bits', () => {
    const v = indexAt(chain, 955_583);
    expect(v.blockHash).toBeNull();
    expect(v.basis.hash).toMatch(/no header or hash/);
    expect(v.basis.bitsFrom).toMatch(/Electrum/);
    expect(v.difficulty).toBeCloseTo(csv[473].difficulty, 1);
    expect(v.subsidySat).toBe(312_500_000n);
    expect(v.hashpriceSatPerPHDay).toBe(50_318n);
    expect(v.hashrate.h144).toHaveProperty('unavailable');
    expect(v.retarget).toHaveProperty('unavailable');
    expect(v.hashrate.impliedHps / ((csv[473].difficulty * 2 ** 32) / 600)).toBeCloseTo(1, 9);
  });

  it('heights covered only by the epoch table give bits and a same-epoch hash where one is known', () => {
    const v = indexAt(chain, 900_000);
    expect(v.blockHash).toBeNull();
    expect(v.difficulty).toBeCloseTo(csv[446].difficulty, 1);
    expect(v.basis.sameBitsBlock).not.toBeNull();
    expect(Math.floor(v.basis.sameBitsBlock!.height / 2016)).toBe(446);
    // An epoch start with a shipped boundary header has its hash.
    expect(indexAt(chain, 878_976).blockHash).toMatch(/^0{19}/);
  });

  it('fees: blocks 0..438 have fee data (all zero), so feesIncluded is true there only', () => {
    expect(indexAt(chain, 300).feesIncluded).toBe(true);
    expect(indexAt(chain, 300).fee144Sat).toBe(0n);
    expect(indexAt(chain, 439).feesIncluded).toBe(false);
    const withFees = indexAt(chain, 830_000, { fee144Sat: 62_500_000n });
    expect(withFees.feesIncluded).toBe(true);
    // 6.875 BTC reward: floor(8.64e19 × 6.875e8 × 244317 / (65535 × 2^80)) = floor(183175.41) = 183175
    expect(withFees.hashpriceSatPerPHDay).toBe(183_175n);
  });

  it('every covered height works at the edges; others are refused naming the height', () => {
    for (const h of [0, 1, 2015, 2016, 9_999, 10_000, 150_000, 340_001, 822_526, 953_568, 955_583]) expect(indexAt(chain, h).height).toBe(h);
    expect(() => indexAt(chain, 955_584)).toThrow(/height/);
    expect(() => indexAt(chain, -1)).toThrow(/height/);
    expect(() => indexAt(chain, 1.5)).toThrow(/height/);
  });
});

describe('retarget projection', () => {
  it('at the last block of every epoch inside the 150,001-340,000 segment, reproduces the actual next bits', () => {
    let checked = 0;
    for (let e = Math.ceil(150_001 / 2016); (e + 1) * 2016 - 1 <= 340_000; e++) {
      const end = e * 2016 + 2015;
      const v = indexAt(chain, end);
      if (!('nextBits' in v.retarget)) throw new Error(v.retarget.unavailable);
      expect(v.retarget.final).toBe(true);
      expect(parseInt(v.retarget.nextBits, 16), `epoch ${e}`).toBe(csv[e].nextBitsActual);
      expect(parseInt(v.retarget.nextBits, 16)).toBe(old.bits(end + 1));
      checked++;
    }
    expect(checked).toBe(93);
  });

  it('from the epoch table alone (start/end times), reproduces the actual next bits of all 413 epochs 0..412', () => {
    let checked = 0;
    for (const e of csv) {
      if (e.startTime === undefined || e.endTime === undefined) continue;
      const v = indexAt(chain, e.epoch * 2016 + 2015);
      if (!('nextBits' in v.retarget)) throw new Error(v.retarget.unavailable);
      expect(parseInt(v.retarget.nextBits, 16), `epoch ${e.epoch}`).toBe(e.nextBitsActual);
      checked++;
    }
    expect(checked).toBe(413);
  });

  it('mid-epoch at 830,000 projects the next difficulty within 1 percentage point of what happened', () => {
    const v = indexAt(chain, 830_000);
    if (!('nextBits' in v.retarget)) throw new Error(v.retarget.unavailable);
    const actual = (csv[412].difficulty / csv[411].difficulty - 1) * 100; // +8.24 %
    expect(v.retarget.retargetHeight).toBe(830_592);
    expect(v.retarget.blocksRemaining).toBe(592);
    expect(Math.abs(v.retarget.changePct - actual)).toBeLessThan(1);
    expect(v.retarget.expectedRetargetTime).toBeGreaterThan(recent.time(830_000));
  });

  it('clamps at ×4 both ways and caps at powLimit (Core rule)', () => {
    // 4× faster than two weeks and more: target / 4. Slower than 8 weeks: target × 4 (capped at powLimit).
    // The result goes through compact bits: target/4 = 0x3ba5d × 2^158 is 22 bytes long, mantissa 0xee9740 has its sign
    // bit set, so Core shifts it to 0x00ee97 at size 23: bits 0x1700ee97 (the low 6 bits of 0x3ba5d/4 are dropped).
    expect(nextBitsFromTimespan(0x1703ba5d, 1000)).toBe(0x1700ee97);
    expect(nextBitsFromTimespan(0x1703ba5d, 302_399)).toBe(nextBitsFromTimespan(0x1703ba5d, 302_400));
    // × 4: 0x03ba5d × 4 = 0x0ee974 at the same size.
    expect(nextBitsFromTimespan(0x1703ba5d, 10 ** 8)).toBe(0x170ee974);
    expect(targetOf(nextBitsFromTimespan(0x1703ba5d, 10 ** 8))).toBe(targetOf(0x1703ba5d) * 4n);
    expect(nextBitsFromTimespan(0x1d00ffff, 2 * 1_209_600)).toBe(0x1d00ffff);
    expect(() => retargetProjection({ bits: 0x1d00ffff, epochStartHeight: 2016, epochStartTime: 1, height: 2016, time: 2 })).toThrow(/height/);
    expect(() => retargetProjection({ bits: 0x1d00ffff, epochStartHeight: 2000, epochStartTime: 1, height: 2016, time: 2 })).toThrow(/epochStartHeight/);
  });
});

describe('implied hashrate', () => {
  it('is D × 2^32 / 600', () => {
    expect(impliedHashrateHps(0x1d00ffff)).toBeCloseTo(2 ** 32 / 600, 3);
  });
});
