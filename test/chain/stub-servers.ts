/**
 * Loopback servers that serve the real shipped mainnet headers the way bitcoind (JSON-RPC) and
 * Esplora (REST) do, so the adapters run on real data in every test run. Heights whose header is
 * not shipped are answered like heights above the tip (bitcoind -8, Esplora 404).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadEmbeddedChain, type EmbeddedChain } from '../../src/chain/embedded.js';
import { headerHash } from '../../src/chain/header.js';

export interface StubServer {
  url: string;
  requests: number;
  close(): Promise<void>;
}

interface StatsRow {
  coinbase: number;
  fees: number;
}

function blockStats(chain: EmbeddedChain): Map<number, StatsRow> {
  const text = readFileSync(join(chain.dataDir, 'blocks_000000-000438_full_block_stats.csv'), 'utf8');
  const [head, ...rows] = text.trim().split('\n');
  const cols = head.split(',');
  const m = new Map<number, StatsRow>();
  for (const r of rows) {
    const c = r.split(',');
    const get = (k: string) => c[cols.indexOf(k)];
    m.set(Number(get('height')), { coinbase: Number(get('coinbase_output_sat')), fees: Number(get('implied_fees_sat')) });
  }
  return m;
}

class Index {
  readonly chain = loadEmbeddedChain();
  readonly tip: number;
  readonly byHash = new Map<string, number>();
  readonly stats: Map<number, StatsRow>;
  constructor() {
    const segs = this.chain.segments;
    this.tip = segs[segs.length - 1].lastHeight;
    this.stats = blockStats(this.chain);
  }
  hashAt(h: number): string | undefined {
    const raw = Number.isSafeInteger(h) && h >= 0 && h <= this.tip ? this.chain.rawHeader(h) : undefined;
    if (!raw) return undefined;
    const hash = headerHash(raw);
    this.byHash.set(hash, h);
    return hash;
  }
}

function listen(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => handler(req, body, res));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const closer = (server: Server) => () => new Promise<void>((r) => server.close(() => r()));

/** bitcoind JSON-RPC: getblockcount, getblockhash, getblockheader (verbose=false), getblockstats; batches too. */
export async function startBitcoindStub(user = 'u', pass = 'p'): Promise<StubServer> {
  const idx = new Index();
  const auth = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
  const stub = { url: '', requests: 0, close: async () => {} };
  const answer = (call: { id: unknown; method: string; params?: unknown[] }) => {
    const p = call.params ?? [];
    const ok = (result: unknown) => ({ result, error: null, id: call.id });
    const err = (code: number, message: string) => ({ result: null, error: { code, message }, id: call.id });
    switch (call.method) {
      case 'getblockcount':
        return ok(idx.tip);
      case 'getblockhash': {
        const hash = idx.hashAt(p[0] as number);
        return hash ? ok(hash) : err(-8, 'Block height out of range');
      }
      case 'getblockheader': {
        const h = idx.byHash.get(p[0] as string);
        if (h === undefined) return err(-5, 'Block not found');
        if (p[1] !== false) return err(-1, 'stub serves verbose=false only');
        return ok(Buffer.from(idx.chain.rawHeader(h)!).toString('hex'));
      }
      case 'getblockstats': {
        const h = p[0] as number;
        if (idx.hashAt(h) === undefined) return err(-8, `Target block height ${h} after current tip ${idx.tip}`);
        const s = idx.stats.get(h);
        return s ? ok({ totalfee: s.fees }) : err(-1, 'Block not available (stub has no block data)');
      }
      default:
        return err(-32601, 'Method not found');
    }
  };
  const { server, url } = await listen((req, body, res) => {
    stub.requests++;
    if (req.headers.authorization !== auth) {
      res.writeHead(401).end();
      return;
    }
    const parsed = JSON.parse(body);
    const reply = Array.isArray(parsed) ? parsed.map(answer) : answer(parsed);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  });
  stub.url = url.replace('http://', `http://${user}:${pass}@`);
  stub.close = closer(server);
  return stub;
}

/** Esplora REST: /blocks/tip/height, /block-height/:h, /blocks/:h, /block/:hash/header, /block/:hash, /block/:hash/txs[/:start]. */
export async function startEsploraStub(): Promise<StubServer> {
  const idx = new Index();
  const stub = { url: '', requests: 0, close: async () => {} };
  const { server, url } = await listen((req, _body, res) => {
    stub.requests++;
    let m: RegExpMatchArray | null;
    const text = (status: number, s: string) => res.writeHead(status, { 'content-type': 'text/plain' }).end(s);
    const json = (v: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(v));
    const path = (req.url ?? '').replace(/^\/api/, '');
    const blockJson = (h: number) => {
      const hd = idx.chain.header(h)!;
      const b: Record<string, unknown> = { id: idx.hashAt(h), height: h, version: hd.version, timestamp: hd.time, bits: hd.bits, nonce: hd.nonce, merkle_root: hd.merkleRoot };
      if (h > 0) b.previousblockhash = hd.prevHash; // electrs omits it for genesis
      return b;
    };
    if (path === '/blocks/tip/height') return text(200, String(idx.tip));
    if ((m = path.match(/^\/blocks\/(\d+)$/))) {
      // 10 newest blocks starting at start_height, descending; the stub stops at a gap in the shipped data.
      const blocks = [];
      for (let h = Number(m[1]); h >= 0 && h > Number(m[1]) - 10 && idx.hashAt(h) !== undefined; h--) blocks.push(blockJson(h));
      return blocks.length ? json(blocks) : text(404, 'Block not found');
    }
    if ((m = path.match(/^\/block-height\/(\d+)$/))) {
      const hash = idx.hashAt(Number(m[1]));
      return hash ? text(200, hash) : text(404, 'Block not found');
    }
    if ((m = path.match(/^\/block\/([0-9a-f]{64})(\/header|\/txs(?:\/0)?)?$/))) {
      const h = idx.byHash.get(m[1]);
      if (h === undefined) return text(404, 'Block not found');
      const raw = Buffer.from(idx.chain.rawHeader(h)!);
      if (m[2] === '/header') return text(200, raw.toString('hex'));
      const hd = idx.chain.header(h)!;
      if (m[2] === undefined) return json(blockJson(h));
      const s = idx.stats.get(h);
      if (!s) return text(404, 'stub has no transactions for this block');
      return json([{ txid: hd.merkleRoot, vin: [{ is_coinbase: true, txid: '0'.repeat(64), vout: 4294967295 }], vout: [{ value: s.coinbase, scriptpubkey_type: 'p2pk' }], fee: 0 }]);
    }
    return text(404, 'Not found');
  });
  stub.url = url + '/api';
  stub.close = closer(server);
  return stub;
}
