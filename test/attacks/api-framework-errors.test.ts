/**
 * Attack (issue item 6): a header over 16 KB got Node's bare 431 instead of the documented error body;
 * every error the server emits, framework-level included, is {error:{code,message,field?}}. Raw TCP
 * against the real server, so nothing in between tidies the reply.
 */
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb } from '../serve/helpers.js';
import { isErrorShape, send } from './api-helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function raw(url: string, bytes: string): Promise<{ status: number; headers: string; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname, () => sock.write(bytes));
    let got = '';
    sock.on('data', (d) => (got += d.toString()));
    sock.on('error', reject);
    sock.on('close', () => {
      const [head, ...rest] = got.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), headers: head, body: rest.join('\r\n\r\n') });
    });
  });
}

describe('attack: framework-level errors', () => {
  it('an oversized header, a malformed request and the other framework refusals answer with the JSON error shape', async () => {
    const s = await startServe(serveConfig(db, { demo: false }));
    try {
      const big = await raw(s.url, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
      expect(big.status).toBe(431);
      expect(big.headers).toMatch(/content-type: application\/json/i);
      expect(JSON.parse(big.body)).toMatchObject({ error: { code: 'headers_too_large' } });

      const garbage = await raw(s.url, 'NOT HTTP AT ALL\r\n\r\n');
      expect(garbage.status).toBe(400);
      expect(isErrorShape(JSON.parse(garbage.body))).toBe(true);

      // The other framework refusals: unknown route, wrong method, bad JSON, wrong media type, too large.
      const cases = [
        await send(s.url, undefined, 'GET', '/nope'),
        await send(s.url, undefined, 'PUT', '/health'),
        await send(s.url, undefined, 'POST', '/v1/faucet', '{bad json'),
        await send(s.url, undefined, 'POST', '/v1/faucet', 'x', { headers: { 'content-type': 'text/plain' } }),
        await send(s.url, undefined, 'POST', '/v1/faucet', JSON.stringify({ pad: 'x'.repeat(100 * 1024) })),
        await send(s.url, undefined, 'GET', '/v1/ws'),
        await send(s.url, undefined, 'GET', '/v1/markets/%E0%A4%A/book'),
      ];
      for (const c of cases) {
        expect(c.status, c.text).toBeGreaterThanOrEqual(400);
        expect(c.status, c.text).toBeLessThan(500);
        expect(isErrorShape(c.body), c.text).toBe(true);
      }
    } finally {
      await s.close();
    }
  });
});
