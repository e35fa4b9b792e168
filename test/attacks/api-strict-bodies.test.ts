/**
 * Attack (issue item 2): wrong JSON types in request bodies ("price":"1e3", "size":true, "price":[1000],
 * numbers as strings, strings as numbers, null for false) were coerced and accepted. Every body-taking
 * route of the OpenAPI document gets a valid baseline body with one field's type confused at a time,
 * signed by a funded account: each must be a JSON 400 validation_failed naming that field, and nothing
 * may change (engine stateHash, API keys). Query strings are parsed strictly too.
 */
import { rmSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Credentials } from '../../src/api/auth/message.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb } from '../serve/helpers.js';
import { isErrorShape, send, type Sent } from './api-helpers.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });

const SK = new Uint8Array(32).fill(42);
const CREDS: Credentials = { kind: 'account', secretKey: SK };
const ACCOUNT = bytesToHex(schnorr.getPublicKey(SK));
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Schema = { type?: string; properties?: Record<string, Schema>; required?: string[]; anyOf?: Schema[]; const?: unknown; enum?: unknown[]; minimum?: number; multipleOf?: number; items?: Schema; minItems?: number; pattern?: string };

/** Values that match the API's patterns, by field name. */
const FIXTURES: Record<string, unknown> = {
  market: 'HPI-PERP', series: 'BDC-830000-1800000000', address: 'bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080', clientOrderId: 'c-1',
  label: 'k', positionId: 'BDC-830000-1800000000#1', account: ACCOUNT, nonce: 'abcdefgh12', signature: 'ab'.repeat(64), receivedMsat: '1', shares: '1',
};

function sample(name: string, s: Schema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum !== undefined) return s.enum[0];
  if (s.anyOf !== undefined) return sample(name, s.anyOf[0]);
  if (name in FIXTURES && (s.type === 'string' || s.type === undefined)) return FIXTURES[name];
  switch (s.type) {
    case 'integer':
    case 'number': {
      const step = s.multipleOf ?? 1;
      return Math.ceil(Math.max(s.minimum ?? 1, step) / step) * step;
    }
    case 'boolean':
      return false;
    case 'string':
      return s.pattern === undefined ? 'x' : (FIXTURES[name] ?? 'x');
    case 'array':
      return Array.from({ length: s.minItems ?? 1 }, () => sample(name, s.items ?? {}));
    case 'object':
      return Object.fromEntries(Object.entries(s.properties ?? {}).map(([k, v]) => [k, sample(k, v)]));
    default:
      return 'x';
  }
}

/** The same field with its JSON type wrong: what a lenient parser would coerce. */
function confusions(v: unknown): unknown[] {
  if (typeof v === 'number') return [String(v), '1e3', [v], true, null];
  if (typeof v === 'boolean') return [String(v), null, v ? 1 : 0, [v]];
  if (typeof v === 'string') return [Number.isNaN(Number(v)) ? 123 : Number(v), [v], true, null];
  if (Array.isArray(v)) return [v[0], null];
  if (typeof v === 'object' && v !== null) return [null, [v], 'x'];
  return [];
}

describe('attack: type-confused bodies on every body-taking route', () => {
  it('each is a JSON 400 naming the field; nothing changes', async () => {
    const s = await startServe(serveConfig(db, { demo: false }));
    const engine = s.wiring.parts!.engine;
    const apiKeys = s.wiring.apiKeys!;
    try {
      expect((await send(s.url, CREDS, 'POST', '/v1/faucet', JSON.stringify({ amountSat: 10_000_000 }))).status).toBe(200);
      // Freeze the chain so only a request could move the state.
      await s.wiring.parts!.chain!.stop();
      await engine.flush();
      const state = () => engine.stateHash() + apiKeys.list(ACCOUNT).length;
      const before = state();

      const doc = (await send(s.url, undefined, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { requestBody?: { content: { 'application/json': { schema: Schema } } } }>> };
      const routes = Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).filter(([, op]) => op.requestBody !== undefined).map(([m, op]) => ({ method: m.toUpperCase(), path: path.replace(/\{[^}]+\}/g, '1'), schema: op.requestBody!.content['application/json'].schema })));
      expect(routes.length).toBeGreaterThan(15);

      const accepted: string[] = [];
      const wrong: string[] = [];
      let cases = 0;
      let exactRoutes = 0;
      const go = async (method: string, path: string, text: string): Promise<Sent> => {
        for (;;) {
          const r = await send(s.url, CREDS, method, path, text);
          if (r.status !== 429) return r;
          await new Promise((res) => setTimeout(res, 1000));
        }
      };
      for (const r of routes) {
        const base = sample('', r.schema) as Record<string, unknown>;
        // The baseline must pass validation for the field check to be exact: an unsigned send tells (validation runs before auth).
        const probe = await send(s.url, undefined, r.method, r.path, JSON.stringify(base));
        const exact = probe.status !== 400;
        if (exact) exactRoutes++;
        for (const [field, v] of Object.entries(base)) {
          for (const bad of confusions(v)) {
            cases++;
            const text = JSON.stringify({ ...base, [field]: bad });
            const res = await go(r.method, r.path, text);
            const what = `${r.method} ${r.path} ${field}=${JSON.stringify(bad)} → ${res.status} ${res.text.slice(0, 120)}`;
            if (res.status < 400) accepted.push(what);
            else if (res.status !== 400 || res.body.error?.code !== 'validation_failed' || !isErrorShape(res.body) || (exact ? !res.body.error?.field?.startsWith(`body.${field}`) : !res.body.error?.field?.startsWith('body'))) wrong.push(what);
          }
        }
      }
      console.log('type-confused bodies', { routes: routes.length, routesWithValidBaseline: exactRoutes, cases, accepted: accepted.length });
      expect(cases).toBeGreaterThan(100);
      expect(accepted, `${accepted.length} type-confused bodies accepted`).toEqual([]);
      expect(wrong).toEqual([]);
      expect(state()).toBe(before);

      // Query strings: integers only as plain decimals; an exponent, a repeated key or a boolean is refused.
      for (const q of ['levels=1e1', 'levels=5&levels=6', 'levels=true', 'levels=0x10', 'levels= 5', 'levels=05']) {
        const res = await send(s.url, undefined, 'GET', `/v1/markets/HPI-PERP/book?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.error).toMatchObject({ code: 'validation_failed', field: expect.stringMatching(/^querystring/) });
      }
      expect((await send(s.url, undefined, 'GET', '/v1/markets/HPI-PERP/book?levels=5')).status).toBe(200);
    } finally {
      await s.close();
    }
  });
});
