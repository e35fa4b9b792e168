/** arkd's IndexerService routes (api-spec indexer.proto), decoded onto ArkIndexerPort. */
import type { FastifyInstance } from 'fastify';
import type { Outpoint } from '@arkade-os/sdk';
import type { ArkIndexerPort, VtxoQuery } from '../../operator/ark/ports.js';
import { object, optStr, outpoint, queryAll, queryBool, queryInt, queryPage, str, strArray, txid, vout, type Query } from './decode.js';
import { encodeChain, encodeCommitmentTx, encodePage, encodeSubscriptionEvent, encodeTreeRefs, encodeVtxo } from './encode.js';
import { invalidRequest } from './errors.js';
import { ArkRequestError } from '../../operator/ark/ports.js';
import type { ArkRouteOptions } from './ark-service.js';
import { serveSse } from './sse.js';

type Params = Record<string, string>;

function batchOutpoint(p: Params): Outpoint {
  return { txid: txid(p.txid, 'batchOutpoint.txid'), vout: vout(p.vout, 'batchOutpoint.vout') };
}

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function scripts(list: string[], field: string): string[] {
  list.forEach((s, i) => {
    if (!HEX.test(s)) throw invalidRequest(`${field}[${i}]`, `expected a hex script, got ${JSON.stringify(s)}`);
  });
  return list;
}

/** GetVtxosRequest from the query string, with arkd's handler checks (one filter family, one state filter). */
function vtxoQuery(q: Query): VtxoQuery {
  const byScript = scripts(queryAll(q, 'scripts'), 'scripts');
  const byOutpoint = queryAll(q, 'outpoints').map((o, i) => outpoint(o, `outpoints[${i}]`));
  if (byScript.length === 0 && byOutpoint.length === 0) throw invalidRequest('scripts', 'missing outpoints or scripts filter');
  if (byScript.length > 0 && byOutpoint.length > 0) throw invalidRequest('outpoints', 'outpoints and scripts filters are mutually exclusive');
  const flags = {
    spendableOnly: queryBool(q, 'spendableOnly'),
    spentOnly: queryBool(q, 'spentOnly'),
    recoverableOnly: queryBool(q, 'recoverableOnly'),
    pendingOnly: queryBool(q, 'pendingOnly'),
    renewableOnly: queryBool(q, 'renewableOnly'),
  };
  const set = Object.entries(flags).filter(([, v]) => v === true);
  if (set.length > 1) throw invalidRequest(set[1][0], 'spendable, spent, recoverable, pending and renewable filters are mutually exclusive');
  const after = queryInt(q, 'after', 0, Number.MAX_SAFE_INTEGER);
  const before = queryInt(q, 'before', 0, Number.MAX_SAFE_INTEGER);
  if (after !== undefined && before !== undefined && after > 0 && before > 0 && before <= after) throw invalidRequest('before', 'before must be greater than after');
  const out: VtxoQuery = {};
  if (byScript.length > 0) out.scripts = byScript;
  if (byOutpoint.length > 0) out.outpoints = byOutpoint;
  for (const [k, v] of Object.entries(flags)) if (v !== undefined) out[k as keyof typeof flags] = v;
  if (after !== undefined) out.after = after;
  if (before !== undefined) out.before = before;
  const page = queryPage(q);
  if (page !== undefined) out.page = page;
  return out;
}

export function registerIndexerRoutes(app: FastifyInstance, port: ArkIndexerPort, opts: ArkRouteOptions): void {
  const get = { schema: { tags: ['ark'], hide: true } };
  const post = { bodyLimit: opts.bodyLimit, schema: { tags: ['ark'], hide: true } };
  const P = (req: { params: unknown }): Params => req.params as Params;
  const Q = (req: { query: unknown }): Query => req.query as Query;

  app.get('/v1/indexer/commitmentTx/:txid', get, async (req) => encodeCommitmentTx(await port.getCommitmentTx(txid(P(req).txid, 'txid'))));

  app.get('/v1/indexer/commitmentTx/:txid/forfeitTxs', get, async (req) => {
    const r = await port.getCommitmentTxForfeitTxs(txid(P(req).txid, 'txid'), queryPage(Q(req)));
    return { txids: [...r.txids], ...encodePage(r.page) };
  });

  app.get('/v1/indexer/commitmentTx/:txid/connectors', get, async (req) => {
    const r = await port.getCommitmentTxConnectors(txid(P(req).txid, 'txid'), queryPage(Q(req)));
    return { connectors: encodeTreeRefs(r.connectors), ...encodePage(r.page) };
  });

  app.get('/v1/indexer/batch/:txid/:vout/tree', get, async (req) => {
    const r = await port.getVtxoTree(batchOutpoint(P(req)), queryPage(Q(req)));
    return { vtxoTree: encodeTreeRefs(r.vtxoTree), ...encodePage(r.page) };
  });

  app.get('/v1/indexer/batch/:txid/:vout/tree/leaves', get, async (req) => {
    const r = await port.getVtxoTreeLeaves(batchOutpoint(P(req)), queryPage(Q(req)));
    return { leaves: r.leaves.map((l) => ({ txid: l.txid, vout: l.vout })), ...encodePage(r.page) };
  });

  app.get('/v1/indexer/batch/:txid/:vout/sweepTxs', get, async (req) => {
    const r = await port.getBatchSweepTransactions(batchOutpoint(P(req)));
    return { sweptBy: [...r.sweptBy] };
  });

  app.get('/v1/indexer/vtxos', get, async (req) => {
    const r = await port.getVtxos(vtxoQuery(Q(req)));
    return { vtxos: r.vtxos.map(encodeVtxo), ...encodePage(r.page) };
  });

  app.get('/v1/indexer/vtxo/:txid/:vout/chain', get, async (req) => {
    const p = P(req);
    const r = await port.getVtxoChain({ txid: txid(p.txid, 'outpoint.txid'), vout: vout(p.vout, 'outpoint.vout') }, queryPage(Q(req)));
    return { chain: encodeChain(r.chain), ...encodePage(r.page) };
  });

  // grpc-gateway reads a repeated path parameter as comma-separated values. A wildcard, not
  // `:txids`: fastify's router refuses parameters over 100 characters (maxParamLength, a server-wide
  // option), and two txids already make 129.
  app.get('/v1/indexer/virtualTx/*', get, async (req) => {
    const ids = P(req)['*'].split(',').map((t, i) => txid(t, `txids[${i}]`));
    const r = await port.getVirtualTxs(ids, queryPage(Q(req)));
    return { txs: [...r.txs], ...encodePage(r.page) };
  });

  // The port has no assets (HashPerp's operator issues none): every asset is unknown.
  app.get('/v1/indexer/asset/:assetId', get, async (req) => {
    throw new ArkRequestError('ASSET_NOT_FOUND', `asset ${P(req).assetId} not found: this operator issues no assets`, 'assetId', 404);
  });

  app.post('/v1/indexer/script/subscribe', post, async (req) => {
    const b = object(req.body, 'body', ['scripts', 'subscriptionId']);
    const list = scripts(strArray(b, 'body', 'scripts', true), 'scripts');
    if (list.length === 0) throw invalidRequest('scripts', 'missing scripts');
    const subscriptionId = await port.subscribeForScripts(list, optStr(b, 'body', 'subscriptionId'));
    return { subscriptionId };
  });

  app.post('/v1/indexer/script/unsubscribe', post, async (req) => {
    const b = object(req.body, 'body', ['subscriptionId', 'scripts']);
    const id = str(b, 'body', 'subscriptionId');
    const list = scripts(strArray(b, 'body', 'scripts', false), 'scripts');
    await port.unsubscribeForScripts(id, list.length === 0 ? undefined : list);
    return {};
  });

  app.get('/v1/indexer/script/subscription/:subscriptionId', get, async (req, reply) => {
    const id = P(req).subscriptionId;
    if (id === '') throw invalidRequest('subscriptionId', 'missing');
    await serveSse(reply, {
      open: (signal) => port.subscription(id, signal),
      encode: encodeSubscriptionEvent,
      heartbeatMs: opts.heartbeatMs,
      onFault: opts.onFault,
      shutdown: opts.shutdown,
    });
  });
}
