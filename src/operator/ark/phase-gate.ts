/**
 * A batch phase that waits for a known set of parties (intents to confirm, cosigners to send nonces
 * or signatures, inputs to be forfeited) and ends when all have answered or the deadline passes.
 * Who answered is kept, so a timeout can say who did not.
 */
export class PhaseGate<V> {
  private readonly got = new Map<string, V>();
  private resolve: (() => void) | undefined;
  private readonly done: Promise<void>;

  constructor(readonly expected: ReadonlySet<string>) {
    this.done = new Promise((r) => (this.resolve = r));
    if (expected.size === 0) this.resolve!();
  }

  has(party: string): boolean {
    return this.got.has(party);
  }

  expects(party: string): boolean {
    return this.expected.has(party);
  }

  /** Records an answer; false if the party is not expected or already answered. */
  answer(party: string, v: V): boolean {
    if (!this.expected.has(party) || this.got.has(party)) return false;
    this.got.set(party, v);
    if (this.got.size === this.expected.size) this.resolve!();
    return true;
  }

  answers(): Map<string, V> {
    return this.got;
  }

  missing(): string[] {
    return [...this.expected].filter((p) => !this.got.has(p));
  }

  /** Resolves true when everyone answered, false at the deadline. */
  async wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), timeoutMs);
      signal?.addEventListener('abort', () => r(false), { once: true });
    });
    try {
      return await Promise.race([this.done.then(() => true), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
