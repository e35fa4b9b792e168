/**
 * GET/POST /v1/backtests over the real index port: the report equals the core's run for the same request
 * (the core is checked against hand-computed and reference numbers in test/backtest/), both forms agree, and
 * every bad input is a JSON 4xx naming the field.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { runBacktest } from '../../src/backtest/index.js';
import { ChainIndexPort } from '../../src/server/index-port.js';
import type { App } from '../../src/api/app-types.js';
import { createServer } from '../../src/api/server.js';
import { FakeExchange } from './fakes.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let app: App;
const chain = loadEmbeddedChain();
beforeAll(async () => {
  app = await createServer({ exchange: new FakeExchange(), index: new ChainIndexPort(chain, { tipHeight: 830_592 }) });
  await app.ready();
});

const body = {
  from: '2019-01-01', to: '2020-01-01', profile: { hashrateThs: 500, costSatPerDay: 1_000_000 },
  hedge: { forward: { tenorDays: 90, discountBps: 200, ratioPct: 50 }, puts: { tenorDays: 30, otmBps: 1000, ratioPct: 30 } },
};

describe('/v1/backtests', () => {
  it('POST answers the core\'s report; GET with the same request flat in the query answers the same', async () => {
    const post = await app.inject({ method: 'POST', url: '/v1/backtests', payload: body });
    expect(post.statusCode).toBe(200);
    const r = post.json();
    const core = runBacktest(chain, body as Parameters<typeof runBacktest>[1]);
    expect(r.summary).toEqual(JSON.parse(JSON.stringify(core.summary)));
    expect(r.series.length).toBe(core.series.length);
    expect(r.engine.optionsBought).toBeGreaterThan(5);
    expect(r.request.optionWindowDays).toBe(28);
    const q = 'from=2019-01-01&to=2020-01-01&hashrateThs=500&costSatPerDay=1000000&forwardTenorDays=90&forwardDiscountBps=200&forwardRatioPct=50&putsTenorDays=30&putsOtmBps=1000&putsRatioPct=30';
    const get = await app.inject({ method: 'GET', url: `/v1/backtests?${q}` });
    expect(get.statusCode).toBe(200);
    expect(get.json().summary).toEqual(r.summary);
  });

  it('refuses bad input with JSON 4xx naming the field', async () => {
    const refuse = async (payload: unknown, field: RegExp): Promise<void> => {
      const res = await app.inject({ method: 'POST', url: '/v1/backtests', payload: payload as object });
      expect(res.statusCode, JSON.stringify(payload)).toBeGreaterThanOrEqual(400);
      expect(res.statusCode).toBeLessThan(500);
      const e = res.json().error;
      expect(e.code).toBeTypeOf('string');
      expect(`${e.field ?? ''} ${e.message}`).toMatch(field);
    };
    await refuse({ ...body, profile: { hashrateThs: 0, costSatPerDay: 0 } }, /hashrateThs/);
    await refuse({ ...body, extra: 1 }, /extra/);
    await refuse({ ...body, hedge: { forward: { tenorDays: 45, discountBps: 0, ratioPct: 10 } } }, /tenorDays/);
    await refuse({ ...body, from: '2012-01-01' }, /from/);
    await refuse({ ...body, resolution: 'block', from: '500000' }, /from|to/);
    const get = await app.inject({ method: 'GET', url: '/v1/backtests?hashrateThs=10&perpHorizonDays=30' });
    expect(get.statusCode).toBe(400);
    expect(get.json().error.field).toBe('querystring.perpRatioPct');
    // A refusal of the core names the flat query field.
    const tenor = await app.inject({ method: 'GET', url: '/v1/backtests?hashrateThs=10&forwardTenorDays=45&forwardDiscountBps=0&forwardRatioPct=10' });
    expect(tenor.statusCode).toBe(400);
    expect(tenor.json().error.field).toBe('querystring.forwardTenorDays');
  });
});
