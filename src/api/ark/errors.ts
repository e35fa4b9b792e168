/**
 * arkd's error shape on the REST gateway: a google.rpc.Status `{code, message, details}` whose
 * details carry one `ark.v1.ErrorDetails` `{code, name, message, metadata}`. The stock SDK's
 * `maybeArkError` (providers/errors.ts) turns exactly this into an `ArkError` with that name, so the
 * /ark routes answer in it rather than in the project's `{error:{code,message,field}}`: the client
 * of these routes is the unmodified SDK, which would see the project's shape as an anonymous failure
 * (and a 5xx without details as a retryable outage).
 */
import { HashPerpError } from '../../units/errors.js';
import { httpStatusOf } from '../errors.js';
import { ArkRequestError } from '../../operator/ark/ports.js';

/** gRPC status codes grpc-gateway renders (google.rpc.Code). */
export const GRPC = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/** grpc-gateway's HTTPStatusFromCode. */
export function httpStatusFromGrpc(code: number): number {
  switch (code) {
    case GRPC.OK:
      return 200;
    case GRPC.CANCELLED:
      return 499;
    case GRPC.INVALID_ARGUMENT:
    case GRPC.FAILED_PRECONDITION:
    case GRPC.OUT_OF_RANGE:
      return 400;
    case GRPC.DEADLINE_EXCEEDED:
      return 504;
    case GRPC.NOT_FOUND:
      return 404;
    case GRPC.ALREADY_EXISTS:
    case GRPC.ABORTED:
      return 409;
    case GRPC.PERMISSION_DENIED:
      return 403;
    case GRPC.UNAUTHENTICATED:
      return 401;
    case GRPC.RESOURCE_EXHAUSTED:
      return 429;
    case GRPC.UNIMPLEMENTED:
      return 501;
    case GRPC.UNAVAILABLE:
      return 503;
    default:
      return 500;
  }
}

function grpcFromHttpStatus(status: number): number {
  if (status === 400) return GRPC.INVALID_ARGUMENT;
  if (status === 401) return GRPC.UNAUTHENTICATED;
  if (status === 403) return GRPC.PERMISSION_DENIED;
  if (status === 404) return GRPC.NOT_FOUND;
  if (status === 409) return GRPC.ALREADY_EXISTS;
  if (status === 422) return GRPC.FAILED_PRECONDITION;
  if (status === 429) return GRPC.RESOURCE_EXHAUSTED;
  if (status === 501) return GRPC.UNIMPLEMENTED;
  if (status === 503) return GRPC.UNAVAILABLE;
  if (status === 504) return GRPC.DEADLINE_EXCEEDED;
  if (status >= 400 && status < 500) return GRPC.INVALID_ARGUMENT;
  return GRPC.INTERNAL;
}

/** arkd's error catalogue (pkg/errors/errors.go): name → [its numeric code, its gRPC code]. */
export const ARKD_ERRORS: Readonly<Record<string, readonly [number, number]>> = {
  INTERNAL_ERROR: [0, GRPC.INTERNAL],
  INVALID_ARK_PSBT: [1, GRPC.INVALID_ARGUMENT],
  INVALID_CHECKPOINT_PSBT: [2, GRPC.INVALID_ARGUMENT],
  INVALID_PSBT_MISSING_INPUT: [3, GRPC.INVALID_ARGUMENT],
  VTXO_ALREADY_REGISTERED: [4, GRPC.ALREADY_EXISTS],
  INVALID_PSBT_INPUT: [5, GRPC.INVALID_ARGUMENT],
  VTXO_ALREADY_SPENT: [6, GRPC.INVALID_ARGUMENT],
  VTXO_ALREADY_UNROLLED: [7, GRPC.INVALID_ARGUMENT],
  VTXO_RECOVERABLE: [8, GRPC.INVALID_ARGUMENT],
  OFFCHAIN_TX_SPENDING_NOTE: [9, GRPC.INVALID_ARGUMENT],
  INVALID_VTXO_SCRIPT: [10, GRPC.INVALID_ARGUMENT],
  FORFEIT_CLOSURE_LOCKED: [11, GRPC.FAILED_PRECONDITION],
  ARK_TX_INPUT_NOT_SIGNED: [12, GRPC.INVALID_ARGUMENT],
  MALFORMED_ARK_TX: [13, GRPC.INVALID_ARGUMENT],
  AMOUNT_TOO_HIGH: [14, GRPC.INVALID_ARGUMENT],
  AMOUNT_TOO_LOW: [15, GRPC.INVALID_ARGUMENT],
  CHECKPOINT_MISMATCH: [16, GRPC.INVALID_ARGUMENT],
  ARK_TX_MISMATCH: [17, GRPC.INVALID_ARGUMENT],
  INVALID_SIGNATURE: [18, GRPC.INVALID_ARGUMENT],
  TX_NOT_FOUND: [19, GRPC.NOT_FOUND],
  INVALID_INTENT_TIMERANGE: [20, GRPC.INVALID_ARGUMENT],
  INVALID_INTENT_MESSAGE: [21, GRPC.INVALID_ARGUMENT],
  INVALID_INTENT_PSBT: [22, GRPC.INVALID_ARGUMENT],
  INVALID_INTENT_PROOF: [23, GRPC.INVALID_ARGUMENT],
  INVALID_PKSCRIPT: [24, GRPC.INVALID_ARGUMENT],
  CONFIRMATION_SESSION_NOT_STARTED: [25, GRPC.INVALID_ARGUMENT],
  INVALID_FORFEIT_TXS: [26, GRPC.INVALID_ARGUMENT],
  INVALID_BOARDING_INPUT_SIG: [27, GRPC.INVALID_ARGUMENT],
  SIGNING_SESSION_TIMED_OUT: [28, GRPC.INTERNAL],
  VTXO_BANNED: [29, GRPC.INVALID_ARGUMENT],
  VTXO_NOT_FOUND: [30, GRPC.NOT_FOUND],
  INTENT_INSUFFICIENT_FEE: [31, GRPC.INVALID_ARGUMENT],
  OFFCHAIN_TX_INSUFFICIENT_FEE: [32, GRPC.INVALID_ARGUMENT],
  ASSET_VALIDATION_FAILED: [33, GRPC.INVALID_ARGUMENT],
  ASSET_NOT_FOUND: [34, GRPC.NOT_FOUND],
  ASSET_INPUT_INVALID: [35, GRPC.INVALID_ARGUMENT],
  ASSET_OUTPUT_INVALID: [36, GRPC.INVALID_ARGUMENT],
  CONTROL_ASSET_INVALID: [37, GRPC.INVALID_ARGUMENT],
  CONTROL_ASSET_NOT_FOUND: [38, GRPC.NOT_FOUND],
  INTENT_ASSET_VALIDATION_FAILED: [39, GRPC.INVALID_ARGUMENT],
  CHECKPOINT_TX_INVALID: [40, GRPC.INVALID_ARGUMENT],
  CHECKPOINT_TX_NOT_FOUND: [41, GRPC.NOT_FOUND],
  OFFCHAIN_TX_INVALID: [42, GRPC.INVALID_ARGUMENT],
  ASSET_PACKET_INVALID: [43, GRPC.INVALID_ARGUMENT],
  INTENT_FEE_EVALUATION_FAILED: [44, GRPC.INTERNAL],
  INTENT_NOT_FOUND: [45, GRPC.NOT_FOUND],
  TX_TOO_LARGE: [46, GRPC.INVALID_ARGUMENT],
  VTXO_WITH_TOO_MANY_ASSETS: [47, GRPC.INVALID_ARGUMENT],
  BUILD_VERSION_TOO_OLD: [48, GRPC.FAILED_PRECONDITION],
  DIGEST_MISMATCH: [49, GRPC.FAILED_PRECONDITION],
  SUBSCRIPTION_NOT_FOUND: [50, GRPC.NOT_FOUND],
  TX_FILTERS_LIMIT_EXCEEDED: [51, GRPC.INVALID_ARGUMENT],
  INVALID_TX_FILTER: [52, GRPC.INVALID_ARGUMENT],
};

/**
 * The name malformed requests (bad JSON, a missing or mistyped field) are refused with. arkd itself
 * answers those with a bare status (code 3, no details), which the SDK can only surface as an
 * anonymous Error; naming them lets a client branch on it, and metadata.field says which field.
 * Its numeric code is gRPC's INVALID_ARGUMENT, outside the catalogue's meaning on purpose: it is
 * not an arkd catalogue entry.
 */
export const INVALID_REQUEST = 'INVALID_REQUEST';

/** A request the codec refuses before it reaches the port. */
export function invalidRequest(field: string, problem: string): ArkRequestError {
  return new ArkRequestError(INVALID_REQUEST, `${field}: ${problem}`, field, 400);
}

/** A refusal with arkd's metadata for it (e.g. DIGEST_MISMATCH's expected_digest / got_digest). */
export class ArkMetadataError extends ArkRequestError {
  constructor(
    arkCode: string,
    message: string,
    readonly metadata: Record<string, string>,
  ) {
    super(arkCode, message);
    this.name = 'ArkMetadataError';
  }
}

/** arkd's digest guard: the client built its request against server info that has since changed. */
export function digestMismatch(expected: string, got: string): ArkMetadataError {
  return new ArkMetadataError('DIGEST_MISMATCH', 'invalid digest header', { expected_digest: expected, got_digest: got });
}

export interface ArkErrorDetails {
  '@type': 'type.googleapis.com/ark.v1.ErrorDetails';
  code: number;
  name: string;
  message: string;
  metadata: Record<string, string>;
}

export interface ArkStatusBody {
  code: number;
  message: string;
  details: ArkErrorDetails[];
}

export interface RenderedError {
  status: number;
  body: ArkStatusBody;
  /** e.g. retry-after on a 429. */
  headers: Record<string, string>;
}

function withDetails(grpcCode: number, code: number, name: string, message: string, field: string | undefined, extra: Record<string, string> = {}): RenderedError {
  // arkd's structured errors read "NAME (code): cause" in both the status and the details
  // (ErrorImpl.Error()); the SDK keeps that text as ArkError.message.
  const text = `${name} (${code}): ${message}`;
  const metadata: Record<string, string> = field === undefined ? { ...extra } : { ...extra, field };
  return {
    status: httpStatusFromGrpc(grpcCode),
    body: { code: grpcCode, message: text, details: [{ '@type': 'type.googleapis.com/ark.v1.ErrorDetails', code, name, message: text, metadata }] },
    headers: {},
  };
}

/** Any error out of a handler, as arkd would render it; `internal` is called for faults (to log them). */
export function renderArkError(err: unknown, internal: (err: unknown) => void): RenderedError {
  if (err instanceof ArkRequestError) {
    if (err.arkCode === INVALID_REQUEST) return withDetails(GRPC.INVALID_ARGUMENT, GRPC.INVALID_ARGUMENT, INVALID_REQUEST, err.message, err.field);
    const extra = err instanceof ArkMetadataError ? err.metadata : {};
    const known = ARKD_ERRORS[err.arkCode];
    if (known !== undefined) return withDetails(known[1], known[0], err.arkCode, err.message, err.field, extra);
    return withDetails(grpcFromHttpStatus(err.httpStatus), 0, err.arkCode, err.message, err.field, extra);
  }
  if (err instanceof HashPerpError) {
    const status = httpStatusOf(err.code);
    const headers = (err as { headers?: unknown }).headers;
    const h = typeof headers === 'object' && headers !== null ? (headers as Record<string, string>) : {};
    // A rate limit or an outage must stay unstructured: the SDK retries (and honours retry-after)
    // only for a 429/5xx whose body is NOT an arkd error; a structured one it treats as terminal.
    if (status === 429 || status === 503) return { status, body: { code: grpcFromHttpStatus(status), message: err.message, details: [] }, headers: h };
    const grpc = grpcFromHttpStatus(status);
    if (grpc !== GRPC.INTERNAL) return { ...withDetails(grpc, grpc, err.code.toUpperCase(), err.message, err.field), headers: h };
  }
  const fastify = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    // fastify's own refusals: an unparsable or oversized body, a wrong content type.
    const what = fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? 'body' : fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'content-type' : 'body';
    const msg = typeof fastify.message === 'string' ? fastify.message : 'malformed request';
    const grpc = grpcFromHttpStatus(fastify.statusCode);
    const r = withDetails(grpc, GRPC.INVALID_ARGUMENT, INVALID_REQUEST, `${what}: ${msg}`, what);
    return { ...r, status: fastify.statusCode };
  }
  internal(err);
  return { status: 500, body: { code: GRPC.INTERNAL, message: 'internal error', details: [] }, headers: {} };
}
