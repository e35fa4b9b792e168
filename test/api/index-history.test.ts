/**
 * GET /v1/index/history?resolution=: the hashprice series over the shipped mainnet data, served by the real
 * index port (tip 830,592, the last shipped header). Values hand-computed in test/index/hashprice-history.test.ts.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { ChainIndexPort } from '../../src/server/index-port.js';
import type { App } from '../../src/api/app-types.js';
import { createServer } from '../../src/api/server.js';
import { FakeExchange, FakeIndex } from './fakes.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let app: App;
beforeAll(async () => {
  app = await createServer({ exchange: new FakeExchange(), index: new ChainIndexPort(loadEmbeddedChain(), { tipHeight: 830_592 }) });
  await app.ready();
});

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json(), type: r.headers['content-type'] };
};

describe('GET /v1/index/history with a resolution', () => {
  it('the whole history to the tip at epoch resolution: from 2009, the 2012 halving halves the hashprice, markers at 210,000·k', async () => {
    const { status, body } = await get('/v1/index/history?resolution=epoch');
    expect(status).toBe(200);
    expect(body).toMatchObject({ resolution: 'epoch', fromHeight: 0, toHeight: 830_592, feesIncluded: false, pointCap: 5000 });
    expect(body.basis).toMatch(/^subsidy only: hashprice = subsidy × 86,400 × 10\^15 \/ \(difficulty × 2\^32\)/);
    expect(body.points[0]).toMatchObject({ height: 0, time: 1_231_006_505, hashpriceSatPerPHDay: '100582838058471679687', kind: 'start' });
    expect(body.points.filter((p: { time: number }) => p.time < Date.UTC(2020, 0, 1) / 1000).length).toBeGreaterThan(300);
    const h = (height: number) => body.points.find((p: { height: number }) => p.height === height);
    expect([h(209_664).hashpriceSatPerPHDay, h(210_000).hashpriceSatPerPHDay]).toEqual(['29248473636189', '14624236818094']);
    expect(body.halvings.map((m: { height: number }) => m.height)).toEqual([210_000, 420_000, 630_000]); // 840,000 is past the tip
    expect(body.points.at(-1)).toMatchObject({ height: 830_592, kind: 'retarget', timeEstimated: false }); // 830,592 = 2016 × 412: the tip is a retarget
  });

  it('from/to as heights or ISO dates; day and block resolution where headers are shipped', async () => {
    const byDate = await get('/v1/index/history?resolution=day&from=2024-01-01&to=2024-02-01');
    expect(byDate.status).toBe(200);
    expect(byDate.body.points[0].time).toBeLessThanOrEqual(Date.UTC(2024, 0, 1) / 1000);
    expect(byDate.body.points.filter((p: { kind: string }) => p.kind === 'day').length).toBeGreaterThan(25);
    const blocks = await get('/v1/index/history?resolution=block&from=830000&to=830100');
    expect(blocks.body.points.map((p: { height: number }) => p.height)).toEqual(Array.from({ length: 101 }, (_, i) => 830_000 + i));
    const epoch = await get('/v1/index/history?resolution=epoch&from=830000&to=830100');
    expect(epoch.body.points.map((p: { height: number; kind: string }) => [p.height, p.kind])).toEqual([[830_000, 'start'], [830_100, 'end']]);
  });

  it('refuses bad queries with JSON 4xx {error:{code,message,field}}', async () => {
    const cases: [string, number, string, string][] = [
      ['/v1/index/history?resolution=hourly', 400, 'validation_failed', 'querystring.resolution'],
      ['/v1/index/history?resolution=day&from=yesterday', 400, 'validation_failed', 'querystring.from'],
      ['/v1/index/history?resolution=day&from=2012-13-45', 400, 'invalid_argument', 'querystring.from'],
      ['/v1/index/history?resolution=day&from=2008-01-01', 400, 'invalid_argument', 'querystring.from'],
      ['/v1/index/history?resolution=day&from=800000&to=700000', 400, 'invalid_argument', 'querystring.from'],
      ['/v1/index/history?resolution=day&to=830593', 400, 'invalid_argument', 'querystring.to'],
      ['/v1/index/history?resolution=block', 400, 'invalid_argument', 'querystring.resolution'],
      ['/v1/index/history?resolution=day&step=144', 400, 'invalid_argument', 'querystring.step'],
      ['/v1/index/history?resolution=day&limit=10', 400, 'invalid_argument', 'querystring.limit'],
      ['/v1/index/history?resolution=day&nope=1', 400, 'validation_failed', 'querystring.nope'],
      ['/v1/index/history?from=2012-01-01', 400, 'invalid_argument', 'querystring.from'],
    ];
    for (const [url, status, code, field] of cases) {
      const r = await get(url);
      expect([url, r.status, r.type, r.body.error?.code, r.body.error?.field]).toEqual([url, status, 'application/json; charset=utf-8', code, field]);
      expect(typeof r.body.error.message).toBe('string');
    }
    const cap = await get('/v1/index/history?resolution=block');
    expect(cap.body.error.message).toMatch(/more than the cap of 5000: narrow from\/to or use 'day' or 'epoch'/);
  });

  it('without a resolution the per-height form is unchanged', async () => {
    const r = await get('/v1/index/history?from=2016&to=6048&step=2016');
    expect(r.body.values.map((v: { height: number }) => v.height)).toEqual([2016, 4032, 6048]);
  });

  it('a server whose index port has no series says so (503 index_unavailable)', async () => {
    const bare = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
    const r = await bare.inject({ method: 'GET', url: '/v1/index/history?resolution=epoch' });
    expect([r.statusCode, r.json().error.code]).toEqual([503, 'index_unavailable']);
    await bare.close();
  });
});
