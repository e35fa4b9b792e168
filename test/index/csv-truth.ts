/**
 * Independent readers for the test truth: data/mainnet/epochs.csv and raw .bin headers, parsed here
 * without the project's loader so the tests compare two separate code paths.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DATA = join(import.meta.dirname, '..', '..', 'data', 'mainnet');

export interface CsvEpoch {
  epoch: number;
  bits: number;
  difficulty: number;
  nextBitsActual: number | undefined;
  startTime: number | undefined;
  endTime: number | undefined;
}

export function epochsCsv(): CsvEpoch[] {
  const [head, ...rows] = readFileSync(join(DATA, 'epochs.csv'), 'utf8').trim().split('\n');
  const cols = head.split(',');
  const col = (r: string[], name: string): string => r[cols.indexOf(name)];
  return rows.map((line) => {
    const r = line.split(',');
    const opt = (s: string): number | undefined => (s === '' ? undefined : Number(s));
    return {
      epoch: Number(col(r, 'epoch')),
      bits: parseInt(col(r, 'bits_hex'), 16),
      difficulty: Number(col(r, 'difficulty')),
      nextBitsActual: col(r, 'next_bits_actual_hex') === '' ? undefined : parseInt(col(r, 'next_bits_actual_hex'), 16),
      startTime: opt(col(r, 'start_time')),
      endTime: opt(col(r, 'end_time')),
    };
  });
}

/** Raw header bytes of one .bin segment and helpers reading fields straight from them. */
export function rawSegment(file: string, firstHeight: number) {
  const bytes = readFileSync(join(DATA, 'headers', file));
  const at = (h: number): Buffer => bytes.subarray((h - firstHeight) * 80, (h - firstHeight) * 80 + 80);
  return {
    firstHeight,
    lastHeight: firstHeight + bytes.length / 80 - 1,
    time: (h: number): number => at(h).readUInt32LE(68),
    bits: (h: number): number => at(h).readUInt32LE(72),
    hash: (h: number): string => Buffer.from(createHash('sha256').update(createHash('sha256').update(at(h)).digest()).digest()).reverse().toString('hex'),
    prevHash: (h: number): string => Buffer.from(at(h).subarray(4, 36)).reverse().toString('hex'),
  };
}
