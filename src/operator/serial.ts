/**
 * Runs async jobs one at a time, in order: a job that picks coins or reads and writes a record sees the
 * state the previous one left. A failed job does not stop the queue (its caller gets the rejection).
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(job: () => Promise<T>): Promise<T> {
    const r = this.tail.then(job);
    this.tail = r.catch(() => undefined);
    return r;
  }

  /** Resolves once every job queued so far has finished. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
