import { HashPerpError } from '../units/errors.js';

/** One sequenced command as stored: `payload` is the state machine's own encoding of the command. */
export interface JournalEntry {
  seq: number;
  payload: string;
}

/** A canonical state serialisation taken after the command numbered `seq` was applied. */
export interface JournalSnapshot {
  seq: number;
  state: string;
}

/**
 * The durable, append-only command log. Sequence numbers start at 1 and are contiguous; a snapshot
 * never replaces the log (the whole history stays replayable from genesis).
 */
export interface Journal {
  /** Which backend, for messages and reports. */
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Appends one group atomically; the promise resolves only once the group is durable (fsync'd /
   * committed). The first seq must be lastSeq()+1 and the group contiguous, else nothing is written.
   */
  append(entries: readonly JournalEntry[]): Promise<void>;
  /**
   * True when append may be called again before the previous one resolved: groups are committed in
   * call order and each checks that it continues what is committed, so a group after a failed one
   * fails too (journal_conflict) without writing. The sequencer then overlaps a group's commit with
   * applying the group before it.
   */
  readonly pipelined?: boolean;
  /** Entries with seq >= fromSeq, in order, at most `limit` of them. */
  read(fromSeq: number, limit: number): Promise<JournalEntry[]>;
  /**
   * Optional replay fast path: calls visit(seq, payload) for every entry with fromSeq <= seq <= toSeq,
   * in seq order, group by group, without an entry object per command; same corruption checks as
   * `read`. A hole shows as a jump in seq (the caller checks). An error thrown by `visit` stops the
   * scan and is rethrown as is. Resolves with the number of entries visited.
   */
  scan?(fromSeq: number, toSeq: number, visit: (seq: number, payload: string) => void): Promise<number>;
  /** Highest stored seq, 0 for an empty journal. */
  lastSeq(): Promise<number>;
  saveSnapshot(seq: number, state: string): Promise<void>;
  /** The snapshot with the highest seq, checked against its stored SHA-256; undefined when none. */
  latestSnapshot(): Promise<JournalSnapshot | undefined>;
  close(): Promise<void>;
}

export type JournalErrorCode = 'journal_unavailable' | 'journal_corrupt' | 'journal_conflict' | 'journal_closed' | 'engine_fault';

/**
 * Journal failures. `journal_unavailable` (cannot open / connect) and `journal_closed` may succeed
 * later; `journal_corrupt` (not a journal, gap in seqs, snapshot hash mismatch) and `journal_conflict`
 * (non-contiguous append) are terminal; `engine_fault` means the state machine threw, which its
 * contract forbids. Status and retryability: the error catalogue's.
 */
export class JournalError extends HashPerpError {
  constructor(code: JournalErrorCode, message: string) {
    super(code, message);
    this.name = 'JournalError';
  }
}

/** Checks that `entries` continue a journal whose last seq is `last`; shared by every backend. */
export function assertContiguous(entries: readonly JournalEntry[], last: number): void {
  let expected = last + 1;
  for (const e of entries) {
    if (!Number.isSafeInteger(e.seq) || e.seq !== expected) {
      throw new JournalError('journal_conflict', `append: expected seq ${expected}, got ${String(e.seq)}`);
    }
    if (typeof e.payload !== 'string') throw new JournalError('journal_conflict', `append: payload of seq ${e.seq} is not a string`);
    expected++;
  }
}
