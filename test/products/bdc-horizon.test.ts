// The lifetime rule of block-delta series: a series must be decided inside the batch life of its contract
// VTXOs (src/engine/products/bdc/horizon.ts). The horizon's derivation from the Ark operator's batch life,
// and the engine's edge: exactly at the limit accepted, one past refused, for the height and the time bound.
import { describe, expect, it } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import { Exchange } from '../../src/engine/exchange.js';
import { bdcHorizonOf, bdcModuleOf } from '../../src/engine/products/bdc/index.js';
import { DEFAULT_ARK_PARAMS, REGTEST_ARK_PARAMS } from '../../src/operator/ark/ark-params.js';
import { EMBEDDED_ARK_PARAMS } from '../../src/server/ark-wiring.js';
import { engineArkParams, setBdcHorizon } from '../../src/server/bdc-horizon.js';
import { Harness, deposit, ofType } from '../engine/helpers.js';
import { blk } from './bdc-helpers.js';

/** The tip every case below starts from: height 100, MTP M. */
const M = 1_700_000_000;
const HORIZON = { blocks: 20, seconds: 12_000 };
const list = (height: number, deadline: number): Command => ({ type: 'BdcListSeries', height, deadline, payoutSat: 10_000 });
const order = (series: string): Command =>
  ({ type: 'BdcPlaceOrder', account: 'alice', series, side: 'FAST', price: 5000, qty: 1, tif: 'GTC', postOnly: false });

const setHorizon = (x: { blocks: number; seconds: number }): Command => ({ type: 'BdcSetHorizon', ...x });

/** An engine at the tip; `null`: no horizon (no Ark operator). */
function engine(horizon: { blocks: number; seconds: number } | null = HORIZON): Harness {
  const h = new Harness();
  h.run(blk(100, M), deposit('alice', 100_000), ...(horizon === null ? [] : [setHorizon(horizon)]));
  return h;
}

function rejection(h: Harness, c: Command): { reason: string; field?: string; message: string } | undefined {
  const r = h.run(c).find((e) => e.type === 'CommandRejected' || e.type === 'OrderRejected');
  return r as { reason: string; field?: string; message: string } | undefined;
}

describe('the server journals the horizon from its Ark params', () => {
  it('once for a new journal, not again while it is unchanged', async () => {
    const ex = new Exchange();
    const sent: Command[] = [];
    const core = { exchange: ex, submit: async (c: Command) => { sent.push(c); return { seq: sent.length, events: ex.apply(c, sent.length) }; } };
    await setBdcHorizon(core as never, REGTEST_ARK_PARAMS);
    await setBdcHorizon(core as never, REGTEST_ARK_PARAMS);
    expect(sent).toEqual([{ type: 'BdcSetHorizon', blocks: 17, seconds: 10_200 }]);
    await setBdcHorizon(core as never, DEFAULT_ARK_PARAMS);
    expect(sent.at(-1)).toEqual({ type: 'BdcSetHorizon', blocks: 850, seconds: 510_472 });
    expect(bdcModuleOf(ex).horizon).toEqual({ blocks: 850, seconds: 510_472 });
  });
});

describe('bdcHorizonOf: batch life − (unroll txs + exit margin)', () => {
  it('regtest, 40-block batches: window 13 + min(144, 40/4 = 10) = 23 blocks, horizon 17 blocks = 10,200 s', () => {
    expect(bdcHorizonOf(REGTEST_ARK_PARAMS)).toEqual({ blocks: 17, seconds: 10_200 });
  });

  it('mainnet-like, 604,672 s batches (1,007 blocks): window 13 + 144 = 157 blocks = 94,200 s, horizon 510,472 s ≈ 850 blocks', () => {
    expect(bdcHorizonOf(DEFAULT_ARK_PARAMS)).toEqual({ blocks: 850, seconds: 510_472 });
  });

  it('the embedded demo ledger, 480-block batches: window 13 + min(144, 120) = 133, horizon 347 blocks = 208,200 s', () => {
    expect(bdcHorizonOf(EMBEDDED_ARK_PARAMS)).toEqual({ blocks: 347, seconds: 208_200 });
  });

  it('the server derives it from regtest\'s params on a regtest node, else from the mainnet-like ones (the embedded replay follows mainnet blocks)', () => {
    expect(engineArkParams({ chain: 'bitcoind' }, 'regtest')).toBe(REGTEST_ARK_PARAMS);
    expect(engineArkParams({ chain: 'bitcoind' }, 'mainnet').vtxoTreeExpiry).toBe(604_672n);
    expect(engineArkParams({ chain: 'embedded' }, 'regtest')).toBe(DEFAULT_ARK_PARAMS);
    expect(engineArkParams({ chain: 'esplora' }, 'mainnet')).toBe(DEFAULT_ARK_PARAMS);
  });

  it('refuses a batch life shorter than the window, naming the parameter', () => {
    // 17 blocks: window 13 + 4 = 17 leaves no block at all.
    expect(() => bdcHorizonOf({ vtxoTreeExpiry: 17n })).toThrow(/vtxoTreeExpiry/);
    expect(bdcHorizonOf({ vtxoTreeExpiry: 18n })).toEqual({ blocks: 1, seconds: 600 });
  });
});

describe('the engine refuses series the horizon does not reach (tip 100, horizon 20 blocks / 12,000 s)', () => {
  it('height bound: H = 120 is accepted with T far past MTP + 12,000; H = 121 is refused', () => {
    const far = M + 100_000;
    expect(rejection(engine(), list(120, far))).toBeUndefined();
    const r = rejection(engine(), list(121, far));
    expect(r).toMatchObject({ reason: 'invalid_argument', field: 'height' });
    expect(r?.message).toContain('height 121 is past 120 (tip 100 + 20 blocks)');
    expect(r?.message).toContain(`deadline ${far} is past ${M + 12_000}`);
  });

  it('time bound: T = MTP + 12,000 is accepted with H far past the tip + 20; T = MTP + 12,001 is refused', () => {
    expect(rejection(engine(), list(1_000, M + 12_000))).toBeUndefined();
    const r = rejection(engine(), list(1_000, M + 12_001));
    expect(r).toMatchObject({ reason: 'invalid_argument', field: 'height' });
    expect(r?.message).toContain(`deadline ${M + 12_001} is past ${M + 12_000} (MTP ${M} + 12000 s)`);
  });

  it('a refused listing changes nothing; without a horizon the same series lists', () => {
    const h = engine();
    const before = h.ex.stateHash();
    h.run(list(121, M + 12_001));
    expect(h.ex.stateHash()).toBe(before);
    const free = engine(null);
    expect(ofType(free.run(list(121, M + 12_001)), 'BdcSeriesListed')).toHaveLength(1);
  });

  it('before the first block the rule cannot be checked: market_not_ready', () => {
    const h = new Harness();
    expect(ofType(h.run(setHorizon(HORIZON)), 'BdcHorizonSet')).toEqual([{ type: 'BdcHorizonSet', blocks: 20, seconds: 12_000 }]);
    expect(rejection(h, list(10, M))).toMatchObject({ reason: 'market_not_ready', field: 'height' });
  });

  it('refuses a malformed horizon naming the field, and changes nothing', () => {
    const h = engine();
    const before = h.ex.stateHash();
    expect(rejection(h, setHorizon({ blocks: 0, seconds: 600 }))).toMatchObject({ reason: 'invalid_argument', field: 'blocks' });
    expect(rejection(h, setHorizon({ blocks: 10, seconds: 1.5 }))).toMatchObject({ reason: 'invalid_argument', field: 'seconds' });
    expect(h.ex.stateHash()).toBe(before);
  });
});

describe('orders and snapshots', () => {
  it('the snapshot keeps the horizon (restore refuses the same series); engines without one keep their snapshot bytes', () => {
    const h = engine();
    const copy = Exchange.restore(h.ex.snapshot());
    expect(copy.stateHash()).toBe(h.ex.stateHash());
    expect(bdcModuleOf(copy).horizon).toEqual(HORIZON);
    expect(rejection(new Harness(copy), list(121, M + 12_001))).toMatchObject({ reason: 'invalid_argument', field: 'height' });
    const bdcState = (ex: Exchange): Record<string, unknown> =>
      (JSON.parse(ex.snapshot()) as { products: [string, Record<string, unknown>][] }).products.find(([n]) => n === 'bdc')![1];
    expect(bdcState(h.ex).maxHorizon).toEqual([20, 12_000]);
    expect('maxHorizon' in bdcState(engine(null).ex)).toBe(false);
  });

  it('orders in a series past the horizon are refused (listed under wider parameters), and accepted once the tip reaches it', () => {
    const h = engine({ blocks: 30, seconds: 20_000 });
    expect(ofType(h.run(list(121, M + 12_001)), 'BdcSeriesListed')).toHaveLength(1);
    h.run(setHorizon(HORIZON)); // the operator's batches got shorter
    const series = `BDC-121-${M + 12_001}`;
    const before = h.ex.stateHash();
    expect(rejection(h, order(series))).toMatchObject({ reason: 'invalid_argument', field: 'height' });
    expect(h.ex.stateHash()).toBe(before);
    // Block 101: 121 ≤ 101 + 20, so the height bound now holds.
    h.run(blk(101, M + 1));
    expect(rejection(h, order(series))).toBeUndefined();
    expect(ofType(h.events, 'BdcOrderResting')).toHaveLength(1);
  });
});
