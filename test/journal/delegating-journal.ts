import type { Journal, JournalEntry } from '../../src/journal/journal.js';

/**
 * Forwards every Journal call to `inner`, so a test or bench wrapper overrides only what it observes
 * (usually `append`). `scan` is deliberately not forwarded: a wrapper that wants replay's fast path adds it.
 */
export class DelegatingJournal implements Journal {
  constructor(readonly inner: Journal) {}
  get kind() {
    return this.inner.kind;
  }
  get pipelined() {
    return this.inner.pipelined;
  }
  append(e: readonly JournalEntry[]): Promise<void> {
    return this.inner.append(e);
  }
  read(f: number, l: number) {
    return this.inner.read(f, l);
  }
  lastSeq() {
    return this.inner.lastSeq();
  }
  saveSnapshot(s: number, st: string) {
    return this.inner.saveSnapshot(s, st);
  }
  latestSnapshot() {
    return this.inner.latestSnapshot();
  }
  close() {
    return this.inner.close();
  }
}
