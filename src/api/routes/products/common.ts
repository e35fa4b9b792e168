/** What every product route module shares: error schemas, the signed-route security, submit-or-refuse. */
import { Type, type TSchema } from 'typebox';
import type { Command, EngineEvent, RejectReason } from '../../../engine/index.js';
import { HashPerpError } from '../../../units/errors.js';
import { toWire } from '../../wire.js';
import { ApiError, refusalError, rejectionOf } from '../../errors.js';
import type { ProductsPort } from '../../products/port.js';
import * as S from '../../schemas.js';

export const errs = { 400: S.ErrorBody, 401: S.ErrorBody, 403: S.ErrorBody, 404: S.ErrorBody, 409: S.ErrorBody, 422: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };
export const security: Record<string, string[]>[] = [{ accountKey: [] }, { apiKey: [] }];
export const open = { additionalProperties: true } as const;
/** A response object: the named fields are documented, more may follow. */
export const Obj = (props: Record<string, TSchema>, description?: string) => Type.Object(props, { ...open, ...(description ? { description } : {}) });
export const Nullable = (t: TSchema) => Type.Union([t, Type.Null()]);
/** Money that can pass 2^53: a decimal string. */
export const Msat = S.DecimalString;
export const Tif = Type.Union([Type.Literal('GTC'), Type.Literal('IOC'), Type.Literal('FOK')]);


/**
 * Submits a command and throws the engine's refusal as a 4xx with its reason as the code. `field`
 * maps the engine's field names to the request's (default: `body.<field>`).
 */
export async function submitOrRefuse(port: ProductsPort, cmd: Command, field: (f: string) => string = (f) => 'body.' + f): Promise<{ seq: number; events: EngineEvent[] }> {
  const ack = await port.submit(cmd);
  const r = rejectionOf(ack.events);
  if (r !== undefined) throw refusalError(r, field);
  return ack;
}

/** JSON-safe copy (bigint -> decimal string, recursively). */
export function wire<T>(v: T): Record<string, unknown> {
  return toWire(v) as Record<string, unknown>;
}

export function eventsOf<K extends EngineEvent['type']>(events: readonly EngineEvent[], type: K): Extract<EngineEvent, { type: K }>[] {
  return events.filter((e): e is Extract<EngineEvent, { type: K }> => e.type === type);
}

/**
 * Model code (pricing, odds, the forward curve) may throw plain errors for inputs the chain data cannot
 * serve; those are refusals of the request (422), not faults of the server. Domain errors keep theirs.
 */
export function modelCall<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof HashPerpError) throw e;
    throw new ApiError('model_unavailable', `${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export const isoOf = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString();
