/**
 * The bitcoind path of `serve` under reorgs, with a stub regtest chain (real headers, see
 * stub-chain.ts) behind the real wiring: only blocks buried under the confirmation depth reach the
 * engine; a reorg above that depth settles nothing that was disconnected; a reorg below it halts
 * the follower and the engine keeps its state. The regtest index rule is the documented one.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { REGTEST } from '../../src/chain/params.js';
import { indexAt } from '../../src/index/index-at.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { regtestIndexHeight } from '../../src/server/chain-runtime.js';
import type { BlockConnectedCommand } from '../../src/engine/index.js';
import { serveConfig, tempDb, until } from './helpers.js';
import { StubChain } from './stub-chain.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('serve --chain bitcoind: confirmations and reorgs', () => {
  it('settles only buried blocks, never a disconnected one, and halts on a reorg below the depth', async () => {
    const stub = new StubChain();
    stub.extend(30);
    const cfg = serveConfig(db, { chain: 'bitcoind', rpc: 'http://127.0.0.1:1', demo: false, confirmations: 2 });
    const s = await startServe(cfg, makeWiring({ source: stub, params: REGTEST, pollMs: 10 }));
    const sent: BlockConnectedCommand[] = [];
    const engine = s.wiring.parts!.engine;
    engine.on((_seq, c) => {
      if (c.type === 'BlockConnected') sent.push(c);
    });
    try {
      // The follower starts at the tip (30): block h is sent once the tip is at h + 2.
      await until('follower at 30', () => s.wiring.parts!.chain!.follower.status().tip?.height === 30);
      stub.extend(4); // tip 34
      await until('blocks up to 32', () => engine.chainTip().height === 32);
      expect(sent.map((c) => c.height)).toEqual([30, 31, 32]);
      for (const c of sent) expect(c.hash).toBe(stub.hashAt(c.height));
      // Regtest index rule: the real mainnet index at the mapped height.
      const chain = loadEmbeddedChain();
      expect(sent[0].indexPrice).toBe(Number(indexAt(chain, regtestIndexHeight(chain, 30)).hashpriceSatPerPHDay));

      // Reorg of the two unconfirmed blocks (33, 34) by a longer branch: they never settle.
      const gone = stub.reorg(32, 4); // new tip 36
      await until('blocks up to 34 on the new branch', () => engine.chainTip().height === 34);
      expect(sent.map((c) => c.height)).toEqual([30, 31, 32, 33, 34]);
      for (const c of sent) expect(c.hash).toBe(stub.hashAt(c.height));
      for (const c of sent) expect(gone).not.toContain(c.hash);
      const h1 = (await (await fetch(s.url + '/health')).json()) as { chain: { reorgs: number; follower: string; indexPriceRule: string } };
      expect(h1.chain.reorgs).toBe(1);
      expect(h1.chain.indexPriceRule).toMatch(/^regtest: the real mainnet index/);

      // A reorg that would disconnect a settled block (34): the follower halts, the engine is untouched.
      const before = { tip: engine.chainTip(), hash: engine.stateHash() };
      stub.reorg(33, 6);
      await until('halt', async () => ((await (await fetch(s.url + '/health')).json()) as { chain: { follower: string } }).chain.follower === 'halted');
      const h2 = (await (await fetch(s.url + '/health')).json()) as { chain: { error: { code: string } } };
      expect(h2.chain.error.code).toBe('deep_reorg');
      expect(engine.chainTip()).toEqual(before.tip);
      expect(engine.stateHash()).toBe(before.hash);
    } finally {
      await s.close();
    }
  });
});
