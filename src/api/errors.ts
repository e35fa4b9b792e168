/** HTTP errors with the JSON body every refusal uses: {error:{code,message,field}}. */
import { HashPerpError } from '../units/errors.js';

export class ApiError extends HashPerpError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, { field, retryable: status === 429 || status === 503 });
    this.name = 'ApiError';
  }
}

export const unauthorized = (reason: string, message: string, field?: string): ApiError => new ApiError(401, reason, message, field);

/** Engine/domain refusals keep their code; the status says what kind of refusal it is. */
const statusByCode: Record<string, number> = {
  invalid_argument: 400,
  not_found: 404,
  unknown_market: 404,
  unknown_order: 404,
  conflict: 409,
  duplicate_client_order_id: 409,
  forbidden: 403,
  rate_limited: 429,
};

export function statusForDomainError(e: HashPerpError): number {
  if (e instanceof ApiError) return e.status;
  return statusByCode[e.code] ?? (e.retryable ? 503 : 422);
}

export function errorBody(code: string, message: string, field?: string): { error: { code: string; message: string; field?: string } } {
  return field === undefined ? { error: { code, message } } : { error: { code, message, field } };
}
