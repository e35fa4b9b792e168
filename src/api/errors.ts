/** HTTP errors with the JSON body every refusal uses: {error:{code,message,field}}. */
import type { FastifyReply } from 'fastify';
import type { EngineEvent, RejectReason } from '../engine/events.js';
import { errorInfo, type CodesWithStatus, type ErrorCode } from '../units/error-catalogue.js';
import { HashPerpError } from '../units/errors.js';

/** A refusal raised by the gateway itself; its status is the catalogue's, `headers` go with the reply. */
export class ApiError extends HashPerpError {
  constructor(
    code: ErrorCode,
    message: string,
    field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, { field });
    this.name = 'ApiError';
  }

  get status(): number {
    return httpStatusOf(this.code);
  }
}

export const unauthorized = (reason: CodesWithStatus<401>, message: string, field?: string): ApiError => new ApiError(reason, message, field);

/**
 * The one translation from a refusal to HTTP: the catalogue's status for its code. The gateway's
 * replies (sendError) take their status from it: the global error handler's for every HashPerpError,
 * engine refusals included, and so product routes' refusals thrown by submitOrRefuse (refusalError).
 */
export function httpStatusOf(code: ErrorCode): number {
  return errorInfo(code).status;
}

/** An engine refusal (CommandRejected / OrderRejected) as the error the API throws: its reason is the code. */
export function refusalError(r: { reason: RejectReason; message: string; field?: string }, field: (f: string) => string = (f) => 'body.' + f): ApiError {
  return new ApiError(r.reason, r.message, r.field === undefined ? undefined : field(r.field));
}

export function errorBody(code: ErrorCode, message: string, field?: string): { error: { code: string; message: string; field?: string } } {
  return field === undefined ? { error: { code, message } } : { error: { code, message, field } };
}

/** The engine's refusal among a command's events, if it refused. */
export function rejectionOf(events: readonly EngineEvent[]): (EngineEvent & { reason: RejectReason; message: string; field?: string }) | undefined {
  for (const e of events) if (e.type === 'CommandRejected' || e.type === 'OrderRejected') return e;
  return undefined;
}

/** Writes a refusal with the documented body; the status is the catalogue's unless one is given. */
export function sendError(reply: FastifyReply, code: ErrorCode, message: string, field?: string, status = httpStatusOf(code)): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, field));
}

/** A 429 that says what ran out and, in retry-after, when to come back (at least one second). */
export function rateLimited(what: string, waitMs: number): ApiError {
  return new ApiError('rate_limited', `${what}; retry in ${waitMs} ms`, undefined, { 'retry-after': String(Math.max(1, Math.ceil(waitMs / 1000))) });
}
