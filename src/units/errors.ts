import { errorInfo, type ErrorCode } from './error-catalogue.js';

/**
 * The root of every error the product raises: every rejection names what was wrong.
 * `field` names the argument or input field; `code` is stable for programs to match on and comes
 * from the catalogue (src/units/error-catalogue.ts), which also says whether it is retryable.
 * `C` is widened only by the API client, whose codes come from a server (see HashPerpApiError).
 */
export class HashPerpError<C extends string = ErrorCode> extends Error {
  readonly code: C;
  readonly field: string | undefined;
  /** Retryable errors may succeed later unchanged (a node not reachable yet); terminal ones never. */
  readonly retryable: boolean;
  constructor(code: NoInfer<C>, message: string, opts: { field?: string } = {}) {
    super(message);
    this.name = 'HashPerpError';
    this.code = code;
    this.field = opts.field;
    this.retryable = errorInfo(code).retryable;
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
