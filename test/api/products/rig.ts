/**
 * A server with the product routes over a real Exchange: commands are applied in-process with
 * increasing seq (the Sequencer's contract minus the journal), every ack feeds the port's ingest
 * (history + ContractService), and the chain is the shipped mainnet data at a real height.
 */
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { loadEmbeddedChain, type EmbeddedChain } from '../../../src/chain/embedded.js';
import { Exchange, type Command, type EngineEvent } from '../../../src/engine/index.js';
import { confirmedBlockAt as blockCommandAt } from '../../../src/index/confirmed-block.js';
import { memoryDesk } from '../../operator/desk-fixture.js';
import type { ContractDesk } from '../../../src/operator/block-delta/desk.js';
import { MemoryApiKeyStore } from '../../../src/api/auth/api-keys.js';
import type { App } from '../../../src/api/app-types.js';
import { createServer } from '../../../src/api/server.js';
import { routeModules } from '../../../src/api/routes/index.js';
import { registerProductRoutes } from '../../../src/api/routes/products/index.js';
import { createProductsPort, type EngineProductsPort } from '../../../src/server/products-port.js';
import { authHeaders, newNonce, type Credentials } from '../../../src/api/auth/message.js';
import { FakeExchange, FakeIndex } from '../fakes.js';
import { SK1, SK2 } from '../helpers.js';

export const OPERATOR_SECRET = '11'.repeat(32);
export const EXIT_DELAY = { type: 'blocks' as const, value: 144n };
export const TIP = 830_000;
export const A1 = hex.encode(schnorr.getPublicKey(SK1));
export const A2 = hex.encode(schnorr.getPublicKey(SK2));
export const C1: Credentials = { kind: 'account', secretKey: SK1 };
export const C2: Credentials = { kind: 'account', secretKey: SK2 };

let chainCache: EmbeddedChain | undefined;
export const chain = (): EmbeddedChain => (chainCache ??= loadEmbeddedChain());

export interface ProductsRig {
  app: App;
  ex: Exchange;
  port: EngineProductsPort;
  contracts: ContractDesk;
  apiKeys: MemoryApiKeyStore;
  clock: { t: number; nowMs(): number };
  seq(): number;
  /** Every submitted command, in seq order (for journal-replay checks). */
  log: Command[];
  /** Applies commands directly (test set-up); throws on a rejection. */
  run(...cmds: Command[]): EngineEvent[];
  block(height: number): EngineEvent[];
  /** A synthetic block past the shipped headers: same index, 600 s apart. */
  syntheticBlocks(from: number, to: number): void;
  /** Signed request (account key or API key credentials). */
  req(creds: Credentials | undefined, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown): Promise<{ statusCode: number; body: string; headers: Record<string, unknown>; json(): any }>;
}

const unlimited = { capacity: 1e9, refillPerSec: 1e9 };

export async function productsRig(o: { tip?: number; noBlocks?: boolean } = {}): Promise<ProductsRig> {
  const ex = new Exchange();
  const log: Command[] = [];
  let seq = 0;
  const apiKeys = new MemoryApiKeyStore();
  const contracts = memoryDesk({ exchange: () => ex, operatorSecret: OPERATOR_SECRET });
  const apply = (cmd: Command): { seq: number; events: EngineEvent[] } => {
    const s = ++seq;
    log.push(cmd);
    const events = ex.apply(JSON.parse(JSON.stringify(cmd)) as Command, s);
    port.ingest(s, events);
    return { seq: s, events };
  };
  const clock = { t: 1_763_700_000_000, nowMs() { return this.t; } };
  const port: EngineProductsPort = createProductsPort({ submit: async (cmd) => apply(cmd), exchange: ex, chain: chain(), contracts, apiKeys, bdcModel: { paths: 500, seed: 7 }, nowMs: () => clock.t });
  const app = await createServer({
    exchange: new FakeExchange(), index: new FakeIndex(), clock, apiKeys,
    rateLimits: { perIp: unlimited, perKey: unlimited, cancelPerKey: unlimited },
    routes: [...routeModules, (a) => registerProductRoutes(a, port)],
  });
  await app.ready();
  const run = (...cmds: Command[]): EngineEvent[] => {
    const out: EngineEvent[] = [];
    for (const c of cmds) {
      const { events } = apply(c);
      const r = events.find((e) => e.type === 'CommandRejected' || e.type === 'OrderRejected');
      if (r !== undefined) throw new Error(`set-up command ${c.type} refused: ${JSON.stringify(r)}`);
      out.push(...events);
    }
    return out;
  };
  const rig: ProductsRig = {
    app, ex, port, contracts, apiKeys, clock, log, run,
    seq: () => seq,
    block: (h) => run(blockCommandAt(chain(), h)),
    syntheticBlocks(from, to) {
      const c = ex.productContext(0).chain;
      for (let h = from; h <= to; h++) {
        const time = c.time + (h - c.height) * 600;
        run({ type: 'BlockConnected', height: h, hash: h.toString(16).padStart(64, '0'), time, mtp: time - 3_000, indexPrice: c.index! });
      }
    },
    async req(creds, method, url, body) {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const headers: Record<string, string> = payload !== undefined ? { 'content-type': 'application/json' } : {};
      if (creds !== undefined) Object.assign(headers, authHeaders(creds, { method, path: url, body: payload, timestampMs: clock.t, nonce: newNonce() }));
      const res = await app.inject({ method, url, payload, headers });
      return { statusCode: res.statusCode, body: res.body, headers: res.headers, json: () => res.json() };
    },
  };
  // A few blocks so MTP and the index are real; the tip is a shipped mainnet height.
  const tip = o.tip ?? TIP;
  if (o.noBlocks !== true) for (let h = tip - 2; h <= tip; h++) rig.block(h);
  return rig;
}
