/**
 * The index routes over the real index/pricing modules and the shipped mainnet data. Expected
 * values are computed by hand from the DESIGN formula (see comments), not by the code under test.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { ChainIndexPort } from '../../src/server/index-port.js';
import type { App } from '../../src/api/app-types.js';
import { createServer } from '../../src/api/server.js';
import { FakeExchange } from './fakes.js';

// vitest projects do not inherit the root testTimeout; these talk to servers on a shared, busy machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

let app: App;
let port: ChainIndexPort;
beforeAll(async () => {
  // the tip a follower would have published: the last shipped header (its time is known)
  port = new ChainIndexPort(loadEmbeddedChain(), { tipHeight: 830592 });
  app = await createServer({ exchange: new FakeExchange(), index: port });
  await app.ready();
});

const get = async (url: string) => {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json() };
};

/** P(Poisson(lambda) >= k) by direct summation, independent of src/pricing's incomplete gamma. */
function poissonAtLeast(k: number, lambda: number): number {
  let term = Math.exp(-lambda);
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += term;
    term *= lambda / (i + 1);
  }
  return 1 - below;
}

describe('index routes on mainnet data', () => {
  it('genesis: difficulty 1, hashprice floor(8.64e19 * 5e9 / 2^32) = 100582838058471679687 sat/PH/day, exact as a string', async () => {
    const { status, body } = await get('/v1/index?height=0');
    expect(status).toBe(200);
    expect(body.blockHash).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(body.difficulty).toBe(1);
    expect(body.hashpriceSatPerPHDay).toBe('100582838058471679687');
    expect(body.time).toBe(1231006505);
  });

  it('height 830000 (bits 0x1703ba5d, subsidy 6.25 BTC, no fee data): 166523 sat/PH/day', async () => {
    // floor(86400e15 * 625000000 * target(0x1703ba5d) / (target(0x1d00ffff) * 2^32)) = 166523
    const { body } = await get('/v1/index?height=830000');
    expect(body).toMatchObject({ height: 830000, hashpriceSatPerPHDay: '166523', feesIncluded: false, bits: '1703ba5d' });
  });

  it('?at= maps a date to the height in force; genesis time is height 0', async () => {
    const { body } = await get('/v1/index?at=1231006505');
    expect(body.height).toBe(0);
    expect(body.heightFromTime.exact).toBe(true);
    const before = await get('/v1/index?at=1231006504');
    expect([before.status, before.body.error.field]).toEqual([400, 'querystring.at']); // before genesis: refused by the schema
  });

  it('current is the tip; past the tip is 404; history steps and the curve has four tenors', async () => {
    const cur = await get('/v1/index');
    expect(cur.body.height).toBe(port.tipHeight);
    expect((await get(`/v1/index?height=${port.tipHeight + 1}`)).status).toBe(404);
    const h = await get('/v1/index/history?from=2016&to=10080&step=2016');
    expect(h.body.values.map((v: { height: number }) => v.height)).toEqual([2016, 4032, 6048, 8064, 10080]);
    const c = await get('/v1/curve');
    expect(c.body.atHeight).toBe(port.tipHeight);
    expect(c.body.points.map((p: { tenorDays: number }) => p.tenorDays)).toEqual([30, 90, 180, 365]);
    expect(c.body.points[0].hashpriceSatPerPHDay).toMatch(/^[0-9]+$/);
  });

  it('block-delta odds equal a Poisson tail with the MTP-adjusted window', async () => {
    const tip = (await get('/v1/index')).body;
    const deadline = tip.time + 6 * 3600;
    const { status, body } = await get(`/v1/price/bdc?height=${tip.height + 36}&deadline=${deadline}`);
    expect([status, body.error]).toEqual([200, undefined]);
    expect(body.seconds).toBeCloseTo(deadline - tip.time + 5 * body.meanIntervalS, 6);
    const p = poissonAtLeast(36, body.seconds / body.meanIntervalS);
    expect(body.pFast).toBeCloseTo(p, 9);
    expect(body.fairBps).toBe(Math.round(p * 10_000));
    const mined = await get(`/v1/price/bdc?height=${tip.height}&deadline=${deadline}`);
    expect([mined.status, mined.body.error.field]).toEqual([400, 'height']);
  });

  it('at the newest covered height (no header shipped) the tip time is estimated and says so', async () => {
    const chain = loadEmbeddedChain();
    const p = new ChainIndexPort(chain);
    const tip = p.current();
    expect(tip.time).toBeNull();
    const odds = p.bdcOdds({ height: tip.height + 6, deadline: 1_900_000_000 });
    expect((odds as { timing?: string }).timing).toMatch(/estimated: block \d+ time \d+/);
    expect(odds.fairBps).toBe(9999); // years away: the FAST side is certain, clamped to the tradable 9999
  });

  it('publishTip pushes the new value to subscribers and moves current', () => {
    const seen: number[] = [];
    const off = port.subscribe((v) => seen.push(v.height));
    port.publishTip(port.tipHeight);
    off();
    expect(seen).toEqual([port.tipHeight]);
  });
});
