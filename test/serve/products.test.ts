/**
 * The products in the running exchange: the real `hashperp serve` (startServe + makeWiring: SQLite journal,
 * paced mainnet replay, demo on) driven through the typed clients. Truth: forward quotes against the forward
 * curve recomputed here at the engine's height; block-delta quotes against the model recomputed here; the
 * contract address against buildBlockDeltaVtxo encoded by btc-signer; the vault's NAV against its seed.
 */
import { rmSync } from 'node:fs';
import { hex } from '@scure/base';
import { Address, OutScript } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { HashPerpClient } from '../../src/client/client.js';
import { ProductsClient } from '../../src/client/products-client.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { buildBlockDeltaVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { bdcChainStateAt, seriesFairValue } from '../../src/engine/products/bdc/index.js';
import { forwardCurve } from '../../src/index/forward-curve.js';
import { serveConfig, tempDb, until } from './helpers.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 90_000 });

const SK = new Uint8Array(32).fill(31);
const ACCOUNT = hex.encode(schnorr.getPublicKey(SK));
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Msg = { type: string; market?: string; kind?: string; data?: Record<string, unknown> };
type HealthX = { engine: { height: number; contracts: { network: string; operator: string; funded: boolean; batches: number } } };

describe('serve: products live', () => {
  let operatorFirstRun = '';
  let positionId = '';

  it('demo quotes forwards and block-delta series; a user takes a BDC position, it is batched (unfunded) and exits; vault and options work; product WS channel', async () => {
    const s = await startServe(serveConfig(db), makeWiring());
    const parts = s.wiring.parts!;
    const chain = loadEmbeddedChain();
    try {
      const c = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: SK } });
      await c.syncClock();
      const p = new ProductsClient(c);

      // Three series listed by the demo (the operator), each with a two-sided demo book.
      const series = await until('three quoted series', async () => {
        const l = (await p.bdcSeries()).filter((x) => x.status === 'open' && x.bestBid !== null && x.bestAsk !== null);
        return l.length >= 3 ? l : undefined;
      });
      await until('forward quotes', async () => ((await p.forwardMarkets()).every((m) => m.bestBid !== null && m.bestAsk !== null) ? true : undefined));

      // The product WebSocket channel: snapshot, then the user's trade and the new book.
      const target = series.sort((a, b) => a.height - b.height)[series.length - 1];
      const ws = await s.app.injectWS('/v1/ws');
      const got: Msg[] = [];
      ws.on('message', (d: Buffer) => got.push(JSON.parse(d.toString()) as Msg));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'bdc', market: target.series }));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'forwards', market: 'FWD-90D' }));
      ws.send(JSON.stringify({ op: 'subscribe', channel: 'bdc', market: 'BDC-1-1700000000' }));
      await until('snapshots', () => got.filter((m) => m.kind === 'book').length >= 2);
      expect(got.find((m) => m.type === 'bdc' && m.kind === 'book')).toMatchObject({ market: target.series, data: { bids: expect.any(Array), asks: expect.any(Array) } });
      expect(got.find((m) => m.type === 'error')).toMatchObject({ error: { code: 'unknown_market', field: 'market' } });

      // A new user: faucet, then FAST at the demo's best SLOW offer.
      await c.faucet(5_000_000);
      // The demo requotes every 50 ms block: a limit 10 % above its offer fills at the maker's price. On a
      // loaded machine a requote can land between the read and the order; an unfilled IOC changes nothing, so retry.
      let limit = 0;
      let ack: Awaited<ReturnType<typeof p.placeBdcOrder>> | undefined;
      for (let attempt = 0; attempt < 3 && ack?.filled !== 2; attempt++) {
        const ask = (await p.bdcBook(target.series, 1)).asks[0];
        limit = Math.min(9_999, ask.price + 1_000);
        ack = await p.placeBdcOrder({ series: target.series, side: 'FAST', price: limit, qty: 2, tif: 'IOC' });
      }
      if (ack === undefined) throw new Error('no order placed');
      expect(ack).toMatchObject({ status: 'filled', filled: 2 });
      expect(ack.positionIds).toHaveLength(1);
      positionId = ack.positionIds[0];
      const trade = await until('bdc trade message', () => got.find((m) => m.type === 'bdc' && m.kind === 'trade'));
      expect(trade).toMatchObject({ market: target.series, data: { qty: 2, takerSide: 'FAST', seq: ack.seq } });
      expect(trade.data!.price as number).toBeLessThanOrEqual(limit);
      await until('bdc book after the trade', () => got.find((m) => m.type === 'bdc' && m.kind === 'book' && (m.data!.seq as number) >= ack.seq));

      // The holder registers its contract key (an Ark wallet key, not the API key): the document then shows
      // its contract VTXO's address and leaves. The embedded demo never funds it, and says why.
      const U = schnorr.getPublicKey(schnorr.utils.randomSecretKey());
      await p.setBdcContractKey(hex.encode(U));
      const doc = await until('contract document', async () => {
        const d = await p.bdcContract(positionId);
        return d.reason !== undefined ? d : undefined;
      });
      expect(doc).toMatchObject({ status: 'unfunded', funded: false, reason: expect.stringContaining('--chain bitcoind') });
      const terms = doc.terms as { operator: string; targetHeight: number; deadline: number; slowLockTime: number; exitDelay: { type: string; value: string } };
      expect(terms).toMatchObject({ targetHeight: target.height, deadline: target.deadline, slowLockTime: target.deadline - 1, exitDelay: { type: 'blocks', value: '120' } });
      const health = (await c.health()) as unknown as HealthX;
      expect(health.engine.contracts).toMatchObject({ funded: 0, problems: [] });
      const vtxo = buildBlockDeltaVtxo({ user: U, operator: hex.decode(terms.operator), userSide: 'FAST', targetHeight: target.height, deadline: target.deadline, exitDelay: { type: 'blocks', value: 120n } });
      expect((doc.vtxo as { address: string }).address).toBe(Address(NETWORKS.regtest).encode(OutScript.decode(vtxo.vtxoScript.pkScript)));
      await expect(p.bdcExitPackage(positionId)).rejects.toMatchObject({ status: 409 });
      operatorFirstRun = terms.operator;

      // Freeze the chain: the quotes then sit exactly where the rules put them at the engine's height.
      await parts.chain!.stop();
      await parts.engine.flush();
      const h = parts.engine.chainTip().height;
      await until('demo requoted at the last block', () => parts.demo!.lastQuoteHeight === h);
      await parts.engine.flush();

      const curve = forwardCurve(chain, h);
      for (const m of await p.forwardMarkets()) {
        const fair = Number(curve.points.find((x) => x.tenorDays === m.days)!.hashpriceSatPerPHDay);
        expect(m.fairPriceSatPerPHDay).toBe(fair);
        expect(m.bestBid).toBe(Math.floor((fair * 990_000) / 1_000_000)); // 1 % below fair
        expect(m.bestAsk).toBe(Math.ceil((fair * 1_010_000) / 1_000_000)); // 1 % above
        const b = await p.forwardBook(m.market, 5);
        expect(b.bids[0].size).toBe(500_000); // 50 TH/s
      }

      const ex = parts.engine.exchange;
      const tip = ex.productContext(0).chain;
      const state = bdcChainStateAt(chain, { height: tip.height, mtp: tip.mtp });
      const open = (await p.bdcSeries()).filter((x) => x.status === 'open');
      expect(open.length).toBeGreaterThanOrEqual(3);
      for (const x of open) {
        const f = seriesFairValue({ height: x.height, deadline: x.deadline }, state, { paths: 400, seed: 1 });
        if (f.decided) continue;
        expect(x.fairBps).toBe(f.fair.fairBps);
        const b = await p.bdcBook(x.series, 5);
        if (f.fair.fairBps - 150 >= 1) expect(b.bids[0].price).toBe(Math.floor(f.fair.fairBps - 150));
        if (f.fair.fairBps + 150 <= 9999) expect(b.asks[0].price).toBe(Math.ceil(f.fair.fairBps + 150));
      }
      // The newest series was listed near even odds.
      const newest = open.sort((a, b) => b.height - a.height)[0];
      expect(newest.fairBps!).toBeGreaterThan(2_000);
      expect(newest.fairBps!).toBeLessThan(8_000);

      // The vault was seeded by the operator: NAV > 0, so it sells options.
      const v = await p.vault();
      expect(BigInt(v.navMsat)).toBeGreaterThanOrEqual(500_000_000_000n - 1_000_000_000n);
      const index = tip.index!;
      const terms2 = { optionType: 'call' as const, strike: index, expiryHeight: h + 1008, lots: 100 };
      const q = await p.optionQuote(terms2);
      expect(BigInt(q.premiumMsat)).toBeGreaterThan(0n);
      const bought = await p.buyOption(terms2);
      expect(bought.optionId).not.toBe('');
      expect(await p.options()).toEqual([expect.objectContaining({ id: bought.optionId, status: 'open' })]);
      ws.terminate();
    } finally {
      await s.close();
    }
  });

  it('a restart keeps the operator key and the contract documents', async () => {
    const s = await startServe(serveConfig(db, { demo: false }), makeWiring());
    try {
      // The document is the holder's: read it signed with the holder's key.
      const c = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: SK } });
      await c.syncClock();
      const doc = await new ProductsClient(c).bdcContract(positionId);
      expect((doc.terms as { operator: string }).operator).toBe(operatorFirstRun);
      // The embedded demo keeps its Ark records (contract keys too) in memory with its ledger: re-registered after a restart.
      expect(doc.status).toBe('awaiting-key');
      expect(hex.encode(s.wiring.parts!.ark!.keys.signerXOnly)).toBe(operatorFirstRun);
    } finally {
      await s.close();
    }
  });
});
