import { hexToBytes } from '@noble/hashes/utils.js';
import { authHeaders, newNonce, type Credentials } from '../../src/api/auth/message.js';
import type { App } from '../../src/api/app-types.js';
import { createServer, type ServerOptions } from '../../src/api/server.js';
import { FakeExchange, FakeIndex } from './fakes.js';

export const SK1 = hexToBytes('0000000000000000000000000000000000000000000000000000000000000003');
export const SK2 = hexToBytes('b7e151628aed2a6abf7158809cf4f3c762e7160f38b4da56a784d9045190cfef');
export const ACCOUNT1: Credentials = { kind: 'account', secretKey: SK1 };
export const ACCOUNT2: Credentials = { kind: 'account', secretKey: SK2 };

export interface TestRig {
  app: App;
  exchange: FakeExchange;
  index: FakeIndex;
  clock: { t: number; nowMs(): number };
}

export async function rig(opts: Partial<ServerOptions> = {}): Promise<TestRig> {
  const clock = { t: 1_763_700_000_000, nowMs() { return this.t; } };
  const exchange = new FakeExchange();
  const index = new FakeIndex();
  const app = await createServer({ exchange, index, clock, ...opts });
  await app.ready();
  return { app, exchange, index, clock };
}

export async function signed(
  r: TestRig,
  creds: Credentials,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  body?: unknown,
  o: { timestampMs?: number; nonce?: string } = {},
) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = authHeaders(creds, { method, path: url, body: payload, timestampMs: o.timestampMs ?? r.clock.t, nonce: o.nonce ?? newNonce() });
  return r.app.inject({ method, url, payload, headers: { ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) } });
}
