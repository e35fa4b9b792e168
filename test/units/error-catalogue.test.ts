import { describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE, errorInfo, isErrorCode, type CodesWithStatus } from '../../src/units/error-catalogue.js';
import { HashPerpError, InvalidArgumentError } from '../../src/units/errors.js';

const entries = Object.entries(ERROR_CATALOGUE);
/** snake_case; a family may add ':' and its detail's own kebab-case name (vtxo_rule:cltv-block-type-not-allowed). */
const CODE_RE = /^[a-z][a-z0-9]*(_[a-z0-9]+)*(:[a-z0-9]+(-[a-z0-9]+)*)?$/;

describe('the error catalogue', () => {
  it('every entry: a well-formed code, a 4xx/5xx status, a one-line meaning', () => {
    expect(entries.length).toBeGreaterThan(100);
    for (const [code, info] of entries) {
      expect(code, code).toMatch(CODE_RE);
      expect(Number.isInteger(info.status) && info.status >= 400 && info.status <= 599, `${code}: status ${info.status}`).toBe(true);
      expect(typeof info.retryable, code).toBe('boolean');
      expect(info.meaning.trim().length, `${code}: meaning`).toBeGreaterThan(5);
      expect(info.meaning, `${code}: one line`).not.toMatch(/\n/);
    }
  });

  it('no two codes differ only by word order (position_unknown vs unknown_position)', () => {
    const seen = new Map<string, string>();
    for (const [code] of entries) {
      const key = code.split(/[_:-]/).sort().join(' ');
      expect(seen.get(key), `${code} repeats ${seen.get(key)}`).toBeUndefined();
      seen.set(key, code);
    }
  });

  it('retryable codes answer 429 or 503 (what clients read retryability from)', () => {
    for (const [code, info] of entries) if (info.retryable) expect([429, 503], code).toContain(info.status);
  });

  it('HashPerpError takes its retryability from the catalogue', () => {
    expect(new HashPerpError('rpc_unreachable', 'x').retryable).toBe(true);
    expect(new HashPerpError('deep_reorg', 'x').retryable).toBe(false);
    expect(new InvalidArgumentError('qty', 'bad')).toMatchObject({ code: 'invalid_argument', field: 'qty', retryable: false });
    // @ts-expect-error: a code missing from the catalogue does not compile
    void new HashPerpError('no_such_code', 'x');
    const auth: CodesWithStatus<401> = 'bad_signature';
    // @ts-expect-error: not_owner is a permission refusal (403), not an authentication failure
    const notAuth: CodesWithStatus<401> = 'not_owner';
    expect([ERROR_CATALOGUE[auth].status, ERROR_CATALOGUE[notAuth].status]).toEqual([401, 403]);
  });

  it('looks codes up; one this build does not know reads as an internal error', () => {
    expect(isErrorCode('not_owner')).toBe(true);
    expect(isErrorCode('toString')).toBe(false);
    expect(errorInfo('not_owner').status).toBe(403);
    expect(errorInfo('from_a_newer_server')).toBe(ERROR_CATALOGUE.internal_error);
  });
});
