import { JournalError, type JournalEntry } from './journal.js';

/**
 * One stored group: the payloads of seqs firstSeq..lastSeq concatenated into `body`, and their
 * lengths (UTF-16 code units, u32 little-endian) in `lens`. A group commit is then one row, one
 * INSERT and one fsync however many commands it holds, and a replay reads one string per group
 * instead of one row per command. The seq of every entry is implicit, so a group cannot hold a
 * hole; a hole between groups is seen by `replay` as a jump in seq.
 */
export interface StoredGroup {
  firstSeq: number;
  lastSeq: number;
  lens: Uint8Array;
  body: string;
}

/** Builds the row for a contiguous group (checked by the caller with assertContiguous). */
export function frameGroup(entries: readonly JournalEntry[]): StoredGroup {
  const n = entries.length;
  const lens = Buffer.allocUnsafe(4 * n);
  const parts: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const p = entries[i]!.payload;
    parts[i] = p;
    lens.writeUInt32LE(p.length, 4 * i);
  }
  return { firstSeq: entries[0]!.seq, lastSeq: entries[n - 1]!.seq, lens, body: parts.join('') };
}

/** Checks that the lengths of `g` account exactly for its seq range and its body; returns them as a view. */
function checkedLens(g: StoredGroup, where: string): Buffer {
  const { firstSeq, lastSeq, lens, body } = g;
  const n = lastSeq - firstSeq + 1;
  if (!Number.isSafeInteger(firstSeq) || !Number.isSafeInteger(lastSeq) || firstSeq < 1 || n < 1 || lens.byteLength !== 4 * n) {
    throw new JournalError('journal_corrupt', `${where}: group at seq ${firstSeq}..${lastSeq} has ${lens.byteLength} length bytes for ${n} commands`);
  }
  const view = Buffer.isBuffer(lens) ? lens : Buffer.from(lens.buffer, lens.byteOffset, lens.byteLength);
  let total = 0;
  for (let i = 0; i < n; i++) total += view.readUInt32LE(4 * i);
  if (total !== body.length) {
    throw new JournalError('journal_corrupt', `${where}: group at seq ${firstSeq}..${lastSeq} has a body of ${body.length} characters, its lengths add up to ${total}`);
  }
  return view;
}

/**
 * Appends to `out` the entries of `g` with seq >= fromSeq while out.length < max. A row whose
 * lengths do not account exactly for its seq range and its body is `journal_corrupt`: slicing it
 * anyway would hand replay commands that were never journaled.
 */
export function unframeGroup(g: StoredGroup, fromSeq: number, max: number, out: JournalEntry[], where: string): void {
  const view = checkedLens(g, where);
  const n = g.lastSeq - g.firstSeq + 1;
  let off = 0;
  for (let i = 0; i < n && out.length < max; i++) {
    const len = view.readUInt32LE(4 * i);
    const seq = g.firstSeq + i;
    if (seq >= fromSeq) out.push({ seq, payload: g.body.slice(off, off + len) });
    off += len;
  }
}

/**
 * Calls visit(seq, payload) for the entries of `g` with fromSeq <= seq <= toSeq, in order, with
 * the checks of unframeGroup but no entry object per command (the replay fast path). Returns how
 * many were visited.
 */
export function visitGroup(g: StoredGroup, fromSeq: number, toSeq: number, visit: (seq: number, payload: string) => void, where: string): number {
  const view = checkedLens(g, where);
  const { firstSeq, body } = g;
  const n = Math.min(g.lastSeq, toSeq) - firstSeq + 1;
  let off = 0;
  let visited = 0;
  for (let i = 0; i < n; i++) {
    const len = view.readUInt32LE(4 * i);
    if (firstSeq + i >= fromSeq) {
      visit(firstSeq + i, body.slice(off, off + len));
      visited++;
    }
    off += len;
  }
  return visited;
}
