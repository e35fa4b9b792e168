/**
 * Where headers come from. One interface for the embedded data, bitcoind JSON-RPC and Esplora REST,
 * checked by one conformance suite. It is also what a follower needs: the tip, and the hash at a
 * height to detect reorgs.
 */
import { HashPerpError } from '../units/errors.js';
import { invalidField } from '../units/checks.js';

export interface ChainSource {
  readonly name: string;
  /** Height of the best block the source can serve. */
  tipHeight(): Promise<number>;
  /** Block hash (display hex) at a height of the source's best chain; unknown height -> UnknownHeightError. */
  blockHash(height: number): Promise<string>;
  /** `count` consecutive 80-byte headers starting at `from`; any unknown height -> UnknownHeightError. */
  rawHeaders(from: number, count: number): Promise<Uint8Array[]>;
  /** Total fees (sat) of the block, or undefined when the source cannot tell. */
  blockFees(height: number): Promise<bigint | undefined>;
}

export class UnknownHeightError extends HashPerpError {
  constructor(readonly source: string, readonly height: number, detail = '') {
    super('unknown_height', `${source}: height ${height} unknown${detail ? `: ${detail}` : ''}`, { field: 'height' });
    this.name = 'UnknownHeightError';
  }
}

export class SourceDataError extends HashPerpError {
  constructor(source: string, message: string) {
    super('source_bad_data', `${source}: ${message}`);
    this.name = 'SourceDataError';
  }
}

export function checkHeightArg(field: string, height: number): void {
  if (!Number.isSafeInteger(height) || height < 0) throw invalidField(field, 'a non-negative integer', height);
}

export function checkCountArg(count: number): void {
  if (!Number.isSafeInteger(count) || count < 1) throw invalidField('count', 'a positive integer', count);
}

/** rawHeaders' preconditions for a remote source: sane arguments, and heights from..from+count-1 at or below its tip. */
export async function checkRangeBelowTip(source: Pick<ChainSource, 'name' | 'tipHeight'>, from: number, count: number): Promise<void> {
  checkHeightArg('from', from);
  checkCountArg(count);
  const tip = await source.tipHeight();
  if (from + count - 1 > tip) throw new UnknownHeightError(source.name, Math.max(from, tip + 1), `tip is ${tip}`);
}
