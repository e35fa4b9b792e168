import { formatUtc } from '../../../src/units/time.js';
import { grouped } from './format.js';
import { describeHeight, relative, type ChainTip } from './deadline.js';

/**
 * The exit advice on a block-delta position (GET /v1/bdc/positions `exit`, src/api/products/bdc-exit-view.ts)
 * in words: when the holder must start a unilateral exit for a win to be safe, and the race that follows
 * once both locks have opened.
 */
export interface ExitAdvice {
  /** "Start a unilateral exit by block 899,942" or "… by 2023-11-13 20:16 UTC (estimate)". */
  startBy: string;
  /** The chain's now is past the latest safe start: only the operator's cooperative settlement is sure. */
  passed: boolean;
  /** Where the numbers come from: the exit delay d and the k transactions to unroll. */
  basis: string;
  metastability: string;
}

const rec = (v: unknown): Record<string, unknown> | undefined => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined);

/**
 * Undefined when the server sent no (or a malformed) `exit`. With the chain's tip (its header time is the
 * chain's now, as everywhere in the app) the advice says how far off the start is, or that it has passed.
 */
export function exitAdvice(exit: unknown, tip?: ChainTip): ExitAdvice | undefined {
  const e = rec(exit);
  const start = rec(e?.latestStart);
  if (e === undefined || start === undefined || typeof e.exitDelayBlocks !== 'number' || typeof e.unrollTxs !== 'number') return undefined;
  let startBy: string;
  let passed = false;
  if (start.kind === 'height' && typeof start.height === 'number') {
    startBy = `Start a unilateral exit by block ${grouped(start.height)}`;
    if (tip !== undefined) {
      passed = tip.height > start.height;
      startBy += passed ? ' (passed)' : start.height === tip.height ? ' (now)' : ` (${describeHeight(start.height, tip)})`;
    }
  } else if (start.kind === 'time' && typeof start.time === 'number') {
    startBy = `Start a unilateral exit by ${formatUtc(start.time)} (estimate`;
    if (tip !== undefined) {
      passed = tip.time > start.time;
      startBy += passed ? ', passed' : `, ${relative(start.time - tip.time)}`;
    }
    startBy += ')';
  } else return undefined;
  const assumed = [e.exitDelaySource, e.unrollTxsSource].some((s) => typeof s === 'string' && s.startsWith('assumed'));
  const basis = `exit delay ${grouped(e.exitDelayBlocks)} blocks + ${grouped(e.unrollTxs)} transactions to unroll, one block each${assumed ? ' (partly assumed)' : ''}`;
  return { startBy, passed, basis, metastability: typeof e.metastability === 'string' ? e.metastability : '' };
}
