/**
 * Strict readers of arkd's request shapes (grpc-gateway JSON: camelCase names, int64 as strings,
 * repeated query parameters). Nothing is coerced: a field of the wrong JSON type, an unknown field
 * or a missing required one is refused with the field's path, before the port sees the request.
 * Unknown body fields are refused as protojson refuses them; unknown query parameters are ignored
 * as grpc-gateway ignores them (the SDK sends some only newer servers read).
 */
import type { Outpoint } from '@arkade-os/sdk';
import { invalidRequest } from './errors.js';
import type { Page, RawIntent } from '../../operator/ark/ports.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** The body as an object with only the given fields. */
export function object(v: unknown, path: string, allowed: readonly string[]): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidRequest(path, `expected an object, got ${typeName(v)}`);
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) throw invalidRequest(path === 'body' ? k : `${path}.${k}`, `unknown field (allowed: ${allowed.join(', ')})`);
  }
  return v as JsonObject;
}

const at = (path: string, key: string): string => (path === 'body' ? key : `${path}.${key}`);

export function str(o: JsonObject, path: string, key: string): string {
  const v = o[key];
  if (v === undefined) throw invalidRequest(at(path, key), 'missing');
  if (typeof v !== 'string') throw invalidRequest(at(path, key), `expected a string, got ${typeName(v)}`);
  if (v === '') throw invalidRequest(at(path, key), 'must not be empty');
  return v;
}

export function optStr(o: JsonObject, path: string, key: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw invalidRequest(at(path, key), `expected a string, got ${typeName(v)}`);
  return v === '' ? undefined : v;
}

export function strArray(o: JsonObject, path: string, key: string, required: boolean): string[] {
  const v = o[key];
  if (v === undefined || v === null) {
    if (required) throw invalidRequest(at(path, key), 'missing');
    return [];
  }
  if (!Array.isArray(v)) throw invalidRequest(at(path, key), `expected an array of strings, got ${typeName(v)}`);
  v.forEach((x, i) => {
    if (typeof x !== 'string') throw invalidRequest(`${at(path, key)}[${i}]`, `expected a string, got ${typeName(x)}`);
  });
  return v as string[];
}

/** A proto map<string,string>: an object whose values are all strings. */
export function strMap(o: JsonObject, path: string, key: string): Record<string, string> {
  const v = o[key];
  if (v === undefined) throw invalidRequest(at(path, key), 'missing');
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidRequest(at(path, key), `expected an object of strings, got ${typeName(v)}`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw invalidRequest(`${at(path, key)}.${k}`, `expected a string, got ${typeName(x)}`);
    out[k] = x;
  }
  return out;
}

/** arkd's Intent `{proof, message}` under `key`: the message string is passed through untouched. */
export function intent(o: JsonObject, path: string, key: string): RawIntent {
  const v = o[key];
  if (v === undefined || v === null) throw invalidRequest(at(path, key), 'missing');
  const i = object(v, at(path, key), ['proof', 'message']);
  return { proof: str(i, at(path, key), 'proof'), message: str(i, at(path, key), 'message') };
}

// ---- query strings and path parameters ----

export type Query = Record<string, string | string[] | undefined>;

/** Every value of a repeated query parameter, in order. */
export function queryAll(q: Query, key: string): string[] {
  const v = q[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function queryOne(q: Query, key: string): string | undefined {
  const v = q[key];
  if (Array.isArray(v)) throw invalidRequest(key, 'given more than once');
  return v;
}

/** protojson's bool: "true" or "false", nothing else. */
export function queryBool(q: Query, key: string): boolean | undefined {
  const v = queryOne(q, key);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidRequest(key, `expected true or false, got ${JSON.stringify(v)}`);
}

/** A decimal integer within [min, max]: no sign tricks, exponents, spaces or fractions. */
export function queryInt(q: Query, key: string, min: number, max: number): number | undefined {
  const v = queryOne(q, key);
  if (v === undefined) return undefined;
  if (!/^-?(0|[1-9][0-9]*)$/.test(v)) throw invalidRequest(key, `expected an integer, got ${JSON.stringify(v)}`);
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min || n > max) throw invalidRequest(key, `must be between ${min} and ${max}, got ${v}`);
  return n;
}

const INT32_MAX = 2 ** 31 - 1;

/** arkd's IndexerPageRequest as `page.index` / `page.size`; absent when neither is given. */
export function queryPage(q: Query): Page | undefined {
  const index = queryInt(q, 'page.index', 0, INT32_MAX);
  const size = queryInt(q, 'page.size', 0, INT32_MAX);
  if (index === undefined && size === undefined) return undefined;
  return { index: index ?? 0, size: size ?? 0 };
}

const TXID = /^[0-9a-f]{64}$/;

export function txid(v: string, field: string): string {
  if (!TXID.test(v)) throw invalidRequest(field, `expected a txid (64 lowercase hex characters), got ${JSON.stringify(v)}`);
  return v;
}

/** A uint32 output index given as a path segment. */
export function vout(v: string, field: string): number {
  if (!/^(0|[1-9][0-9]*)$/.test(v) || Number(v) > 0xffffffff) throw invalidRequest(field, `expected an output index, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** "txid:vout", as the SDK sends outpoints in the vtxos query. */
export function outpoint(v: string, field: string): Outpoint {
  const i = v.lastIndexOf(':');
  if (i < 0) throw invalidRequest(field, `expected txid:vout, got ${JSON.stringify(v)}`);
  return { txid: txid(v.slice(0, i), field), vout: vout(v.slice(i + 1), field) };
}
