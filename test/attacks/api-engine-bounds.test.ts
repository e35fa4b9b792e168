/**
 * Attack (issue item 7): OpenAPI allowed a perp price up to 1e12 where the engine refuses above
 * MAX_PRICE (4e9), so the documented contract promised orders the engine never takes. The schemas now
 * import the engine's bounds; every price-like field of every request is at most MAX_PRICE, and a perp
 * order one above the bound is a schema 400 that changes nothing.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Credentials } from '../../src/api/auth/message.js';
import { HPI_PERP } from '../../src/engine/index.js';
import { MAX_PRICE } from '../../src/engine/exchange.js';
import { MAX_ORDER_CONTRACTS, MAX_PAYOUT_SAT } from '../../src/engine/products/bdc/terms.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb } from '../serve/helpers.js';
import { send } from './api-helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const A: Credentials = { kind: 'account', secretKey: new Uint8Array(32).fill(47) };
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Schema = { maximum?: number; properties?: Record<string, Schema>; anyOf?: Schema[]; items?: Schema };
type Op = { requestBody?: { content: { 'application/json': { schema: Schema } } }; parameters?: { name: string; in: string; schema: Schema }[] };

/** Every (field, schema) pair of a schema, nested objects included. */
function fields(s: Schema, prefix = ''): [string, Schema][] {
  return Object.entries(s.properties ?? {}).flatMap(([k, v]) => [[prefix + k, v] as [string, Schema], ...fields(v, prefix + k + '.')]);
}

describe('attack: a price the documentation allows and the engine refuses', () => {
  it('the schemas carry the engine bounds; one above MAX_PRICE is a 400 of the schema', async () => {
    const s = await startServe(serveConfig(db, { demo: false }));
    const engine = s.wiring.parts!.engine;
    try {
      const doc = (await send(s.url, undefined, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, Op>> };
      const order = doc.paths['/v1/orders'].post.requestBody!.content['application/json'].schema.properties!;
      expect(order.price.maximum).toBe(MAX_PRICE);
      expect(order.size.maximum).toBe(HPI_PERP.maxQty);
      const bdc = doc.paths['/v1/bdc/orders'].post.requestBody!.content['application/json'].schema.properties!;
      expect(bdc.qty.maximum).toBe(MAX_ORDER_CONTRACTS);
      expect(doc.paths['/v1/bdc/series'].post.requestBody!.content['application/json'].schema.properties!.payoutSat.maximum).toBe(MAX_PAYOUT_SAT);
      // Every price-like field (request bodies and query strings) stops at the engine's MAX_PRICE.
      const priceLike = /price|strike/i;
      const over: string[] = [];
      for (const [path, ops] of Object.entries(doc.paths)) {
        for (const [m, op] of Object.entries(ops)) {
          const body = op.requestBody?.content['application/json'].schema;
          const all = [...(body ? fields(body) : []), ...(op.parameters ?? []).map((p) => [p.name, p.schema] as [string, Schema])];
          for (const [name, f] of all) if (priceLike.test(name) && f.maximum !== undefined && f.maximum > MAX_PRICE) over.push(`${m} ${path} ${name} ≤ ${f.maximum}`);
        }
      }
      expect(over).toEqual([]);

      expect((await send(s.url, A, 'POST', '/v1/faucet', JSON.stringify({ amountSat: 1_000_000 }))).status).toBe(200);
      await s.wiring.parts!.chain!.stop();
      await engine.flush();
      const before = engine.stateHash();
      const r = await send(s.url, A, 'POST', '/v1/orders', JSON.stringify({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: MAX_PRICE + 1, size: 1 }));
      expect(r.status, r.text).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'validation_failed', field: 'body.price' });
      const big = await send(s.url, A, 'POST', '/v1/orders', JSON.stringify({ market: 'HPI-PERP', side: 'buy', type: 'limit', price: 1000, size: HPI_PERP.maxQty + 1 }));
      expect(big.body.error).toMatchObject({ code: 'validation_failed', field: 'body.size' });
      expect(engine.stateHash()).toBe(before);
    } finally {
      await s.close();
    }
  });
});
