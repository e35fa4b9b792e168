/**
 * The Esplora REST subset the stock @arkade-os/sdk `EsploraProvider` and HashPerp's own Esplora client
 * (src/chain/esplora-source.ts, src/bitcoin/exit-executor.ts) call, served from bitcoind or, in the
 * embedded demo, from its in-memory ledger (any `EsploraBackend`). Mounted as an
 * encapsulated fastify plugin (default prefix `/esplora`) so that its replies keep Esplora's shape:
 * plain-text errors with the node's message, text bodies for POST /tx, no HashPerp JSON error body.
 *
 * Usage (composition root): `await registerEsplora(app, { rpc, network: 'regtest' })` or
 * `registerEsplora(app, { backend: new LedgerEsplora(ledger, NETWORKS.regtest) })`, before
 * `app.ready()`. No WebSocket: the SDK's watchAddresses falls back to polling /address/:a/txs when
 * /v1/ws does not upgrade.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { networkByName, type BtcNetwork, type NetworkName } from '../../bitcoin/networks.js';
import type { BitcoindRpc } from '../../chain/rpc-client.js';
import { errorInfo } from '../../units/error-catalogue.js';
import { HashPerpError } from '../../units/errors.js';
import { outspendOf, type EsploraBackend } from './backend.js';
import { BitcoindEsplora, type BitcoindEsploraOptions } from './bitcoind-esplora.js';
import { parseBlockHash, parseHeight, parseIndex, parseTxid } from './params.js';

export interface EsploraDeps extends BitcoindEsploraOptions {
  rpc: BitcoindRpc;
  network: NetworkName | BtcNetwork;
  /** Where the routes are mounted; `/esplora` unless given. */
  prefix?: string;
}

/** The routes over any backend (e.g. the embedded demo's `LedgerEsplora`). */
export interface EsploraBackendDeps<B extends EsploraBackend> {
  backend: B;
  prefix?: string;
}

/** A raw tx is at most 400,000 weight units, 800 kB in hex; a package of 25 of them is not policy-valid anyway. */
const TX_BODY_LIMIT = 2 * 1024 * 1024;

type Params = Record<string, string>;

/** Registers the routes; resolves to the service behind them (its history index is shared by all requests). */
export async function registerEsplora(app: FastifyInstance, deps: EsploraDeps): Promise<BitcoindEsplora>;
export async function registerEsplora<B extends EsploraBackend>(app: FastifyInstance, deps: EsploraBackendDeps<B>): Promise<B>;
export async function registerEsplora(app: FastifyInstance, deps: EsploraDeps | EsploraBackendDeps<EsploraBackend>): Promise<EsploraBackend> {
  let svc: EsploraBackend;
  if ('backend' in deps) svc = deps.backend;
  else {
    const network = typeof deps.network === 'string' ? networkByName(deps.network) : deps.network;
    svc = new BitcoindEsplora(deps.rpc, network, deps.historyFromHeight === undefined ? {} : { historyFromHeight: deps.historyFromHeight });
  }
  await app.register(async (esplora) => esploraRoutes(esplora, svc), { prefix: deps.prefix ?? '/esplora' });
  return svc;
}

const text = (reply: FastifyReply, body: string): FastifyReply => reply.type('text/plain; charset=utf-8').send(body);

function esploraRoutes(r: FastifyInstance, svc: EsploraBackend): void {
  // Bodies arrive as text (POST /tx) or JSON (POST /txs/package); the host server may have dropped
  // fastify's default parsers, and curl sends form-urlencoded: take any body as a string.
  r.removeAllContentTypeParsers();
  r.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  r.setErrorHandler((err: FastifyError, req, reply) => {
    if (err instanceof HashPerpError) return text(reply.code(errorInfo(err.code).status), err.message);
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return text(reply.code(err.statusCode), err.message);
    req.log.error({ err }, 'esplora: unhandled error');
    return text(reply.code(500), 'internal error');
  });
  r.setNotFoundHandler((req, reply) => text(reply.code(404), `no Esplora route ${req.method} ${req.url.split('?')[0]}`));

  const opts = { schema: { tags: ['esplora'] } };
  const get = (path: string, handler: (p: Params, reply: FastifyReply) => Promise<unknown>): void => {
    r.get(path, opts, async (req, reply) => handler(req.params as Params, reply));
  };

  // blocks
  get('/blocks/tip/height', async (_p, reply) => text(reply, String(await svc.tipHeight())));
  get('/blocks/tip/hash', async (_p, reply) => text(reply, await svc.tipHash()));
  get('/blocks', async () => svc.blocks());
  get('/blocks/tip', async () => svc.blocks()); // electrs' alias of /blocks
  get('/blocks/:start_height', async (p) => svc.blocks(parseHeight(p.start_height!, 'start_height')));
  get('/block-height/:height', async (p, reply) => text(reply, await svc.blockHashAt(parseHeight(p.height!))));
  get('/block/:hash', async (p) => svc.block(parseBlockHash(p.hash!)));
  get('/block/:hash/raw', async (p, reply) => reply.type('application/octet-stream').send(Buffer.from(await svc.blockHex(parseBlockHash(p.hash!)), 'hex')));
  get('/block/:hash/header', async (p, reply) => text(reply, await svc.headerHex(parseBlockHash(p.hash!))));
  get('/block/:hash/status', async (p) => svc.blockStatus(parseBlockHash(p.hash!)));
  get('/block/:hash/txids', async (p) => svc.blockTxids(parseBlockHash(p.hash!)));
  get('/block/:hash/txs', async (p) => svc.blockTxs(parseBlockHash(p.hash!), 0));
  get('/block/:hash/txs/:start_index', async (p) => svc.blockTxs(parseBlockHash(p.hash!), parseIndex(p.start_index!, 'start_index')));

  // transactions
  get('/tx/:txid', async (p) => svc.tx(parseTxid(p.txid!)));
  get('/tx/:txid/status', async (p) => svc.txStatus(parseTxid(p.txid!)));
  get('/tx/:txid/hex', async (p, reply) => text(reply, await svc.txHex(parseTxid(p.txid!))));
  get('/tx/:txid/raw', async (p, reply) => reply.type('application/octet-stream').send(Buffer.from(await svc.txHex(parseTxid(p.txid!)), 'hex')));
  get('/tx/:txid/merkleblock-proof', async (p, reply) => text(reply, await svc.merkleblockProof(parseTxid(p.txid!))));
  get('/tx/:txid/outspends', async (p) => svc.outspends(parseTxid(p.txid!)));
  get('/tx/:txid/outspend/:vout', async (p) => outspendOf(svc, parseTxid(p.txid!), parseIndex(p.vout!, 'vout')));
  r.post('/tx', { ...opts, bodyLimit: TX_BODY_LIMIT }, async (req, reply) => text(reply, await svc.broadcast(req.body)));
  r.post('/txs/package', { ...opts, bodyLimit: TX_BODY_LIMIT }, async (req) => svc.submitPackage(req.body));
  get('/mempool/txids', async () => svc.mempoolTxids());
  get('/fee-estimates', async () => svc.feeEstimates());

  // addresses
  get('/address/:address/utxo', async (p) => svc.addressUtxos(p.address!));
  get('/address/:address/txs', async (p) => svc.addressTxs(p.address!));
  get('/address/:address/txs/mempool', async (p) => svc.addressTxsMempool(p.address!));
  get('/address/:address/txs/chain', async (p) => svc.addressTxsChain(p.address!));
  get('/address/:address/txs/chain/:last_seen_txid', async (p) => svc.addressTxsChain(p.address!, parseTxid(p.last_seen_txid!, 'last_seen_txid')));
}
