/**
 * The error catalogue's root: every rejection the product makes names what was wrong.
 * `field` names the argument or input field; `code` is stable for programs to match on.
 */
export class HashPerpError extends Error {
  readonly code: string;
  readonly field: string | undefined;
  /** Retryable errors may succeed later unchanged (a node not reachable yet); terminal ones never. */
  readonly retryable: boolean;
  constructor(code: string, message: string, opts: { field?: string; retryable?: boolean } = {}) {
    super(message);
    this.name = 'HashPerpError';
    this.code = code;
    this.field = opts.field;
    this.retryable = opts.retryable ?? false;
  }
}

export class InvalidArgumentError extends HashPerpError {
  constructor(field: string, message: string) {
    super('invalid_argument', `${field}: ${message}`, { field });
    this.name = 'InvalidArgumentError';
  }
}

export function assertSafeInteger(field: string, v: unknown, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new InvalidArgumentError(field, `expected an integer, got ${String(v)}`);
  if (v < min || v > max) throw new InvalidArgumentError(field, `must be between ${min} and ${max}, got ${v}`);
  return v;
}
