/**
 * What the API attack tests share: a real `hashperp serve` (startServe, SQLite file, no demo) and raw
 * signed requests (fetch with the x-hp-* headers), so a test can send the exact bytes an attacker would.
 */
import { authHeaders, newNonce, type Credentials } from '../../src/api/auth/message.js';

export interface Sent {
  status: number;
  body: { error?: { code: string; message: string; field?: string } } & Record<string, unknown>;
  text: string;
}

/** Signs (when `creds` is given) and sends one request with the given JSON text as its body. */
export async function send(base: string, creds: Credentials | undefined, method: string, path: string, bodyText?: string, opts: { timestampMs?: number; nonce?: string; headers?: Record<string, string> } = {}): Promise<Sent> {
  const headers: Record<string, string> = { ...(bodyText !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  if (creds !== undefined) Object.assign(headers, authHeaders(creds, { method, path, body: bodyText, timestampMs: opts.timestampMs ?? Date.now(), nonce: opts.nonce ?? newNonce() }));
  return sendRaw(base, method, path, headers, bodyText);
}

export async function sendRaw(base: string, method: string, path: string, headers: Record<string, string>, bodyText?: string): Promise<Sent> {
  const res = await fetch(base + path, { method, headers, ...(bodyText !== undefined ? { body: bodyText } : {}) });
  const text = await res.text();
  let body: Sent['body'] = {};
  try {
    body = JSON.parse(text) as Sent['body'];
  } catch {
    /* not JSON: the assertions say so */
  }
  return { status: res.status, body, text };
}

/** Every error body the server sends: {error:{code,message,field?}} with a string code and message. */
export function isErrorShape(b: unknown): boolean {
  const e = (b as { error?: { code?: unknown; message?: unknown; field?: unknown } } | undefined)?.error;
  return typeof e === 'object' && e !== null && typeof e.code === 'string' && typeof e.message === 'string' && (e.field === undefined || typeof e.field === 'string');
}
