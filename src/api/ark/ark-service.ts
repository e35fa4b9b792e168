/** arkd's ArkService routes (api-spec service.proto), decoded onto ArkServicePort. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ArkServicePort } from '../../operator/ark/ports.js';
import { intent, object, optStr, queryAll, str, strArray, strMap, type JsonObject, type Query } from './decode.js';
import { encodeInfo, encodeSettlementEvent, encodeTransactionEvent } from './encode.js';
import { digestMismatch, invalidRequest } from './errors.js';
import { serveSse } from './sse.js';

export interface ArkRouteOptions {
  bodyLimit: number;
  heartbeatMs: number;
  onFault(err: unknown): void;
  /** Aborts when the server closes, ending every open stream. */
  shutdown: AbortSignal;
}

const HEX = /^[0-9a-fA-F]*$/;

/** A tree txid → hex map whose values are `bytes` long (MuSig2 public nonces, partial signatures). */
function hexMap(o: JsonObject, key: string, bytes: number, what: string): Record<string, string> {
  const m = strMap(o, 'body', key);
  if (Object.keys(m).length === 0) throw invalidRequest(key, 'must not be empty');
  for (const [txid, v] of Object.entries(m)) {
    if (!HEX.test(v) || v.length !== bytes * 2) throw invalidRequest(`${key}.${txid}`, `expected a ${bytes}-byte ${what} in hex, got ${v.length} characters`);
  }
  return m;
}

function pubkey(o: JsonObject): string {
  const p = str(o, 'body', 'pubkey');
  if (!HEX.test(p) || p.length !== 66) throw invalidRequest('pubkey', 'expected a 33-byte compressed public key in hex');
  return p;
}

export function registerArkServiceRoutes(app: FastifyInstance, port: ArkServicePort, opts: ArkRouteOptions): void {
  /**
   * arkd's digest guard (interceptors/digest.go): a request carrying X-Digest (the SDK sends the
   * digest of the last GetInfo it read) is refused with DIGEST_MISMATCH when the server's info has
   * changed since, so the SDK refetches the info (e.g. a rotated signer) and rebuilds the request.
   * GetInfo is exempt: it is how a client learns the digest. No header, no check (arkd's default).
   */
  const digestGuard = async (req: FastifyRequest): Promise<void> => {
    const got = req.headers['x-digest'];
    if (typeof got !== 'string' || got === '') return;
    const expected = (await port.getInfo()).digest;
    if (got !== expected) throw digestMismatch(expected, got);
  };
  const post = { bodyLimit: opts.bodyLimit, preHandler: digestGuard, schema: { tags: ['ark'], hide: true } };
  const stream = { preHandler: digestGuard, schema: { tags: ['ark'], hide: true } };
  const get = { schema: { tags: ['ark'], hide: true } };

  app.get('/v1/info', get, async () => encodeInfo(await port.getInfo()));

  app.post('/v1/batch/registerIntent', post, async (req) => {
    const b = object(req.body, 'body', ['intent']);
    const intentId = await port.registerIntent(intent(b, 'body', 'intent'));
    return { intentId };
  });

  app.post('/v1/batch/deleteIntent', post, async (req) => {
    const b = object(req.body, 'body', ['intent']);
    await port.deleteIntent(intent(b, 'body', 'intent'));
    return {};
  });

  app.post('/v1/batch/ack', post, async (req) => {
    const b = object(req.body, 'body', ['intentId']);
    await port.confirmRegistration(str(b, 'body', 'intentId'));
    return {};
  });

  app.post('/v1/batch/tree/submitNonces', post, async (req) => {
    const b = object(req.body, 'body', ['batchId', 'pubkey', 'treeNonces']);
    const batchId = str(b, 'body', 'batchId');
    const pk = pubkey(b);
    await port.submitTreeNonces(batchId, pk, hexMap(b, 'treeNonces', 66, 'MuSig2 public nonce'));
    return {};
  });

  app.post('/v1/batch/tree/submitSignatures', post, async (req) => {
    const b = object(req.body, 'body', ['batchId', 'pubkey', 'treeSignatures']);
    const batchId = str(b, 'body', 'batchId');
    const pk = pubkey(b);
    await port.submitTreeSignatures(batchId, pk, hexMap(b, 'treeSignatures', 32, 'MuSig2 partial signature'));
    return {};
  });

  app.post('/v1/batch/submitForfeitTxs', post, async (req) => {
    const b = object(req.body, 'body', ['signedForfeitTxs', 'signedCommitmentTx']);
    const forfeits = strArray(b, 'body', 'signedForfeitTxs', false);
    const commitment = optStr(b, 'body', 'signedCommitmentTx');
    // arkd's handler: a request with neither is refused, not a no-op.
    if (forfeits.length === 0 && commitment === undefined) throw invalidRequest('signedForfeitTxs', 'either forfeit txs or commitment tx must be set');
    await port.submitSignedForfeitTxs(forfeits, commitment);
    return {};
  });

  app.get('/v1/batch/events', stream, async (req, reply) => {
    const topics = queryAll(req.query as Query, 'topics');
    await serveSse(reply, {
      open: (signal) => port.batchEvents(topics, signal),
      encode: encodeSettlementEvent,
      heartbeatMs: opts.heartbeatMs,
      onFault: opts.onFault,
      shutdown: opts.shutdown,
    });
  });

  app.post('/v1/tx/submit', post, async (req) => {
    const b = object(req.body, 'body', ['signedArkTx', 'checkpointTxs']);
    const signedArkTx = str(b, 'body', 'signedArkTx');
    const r = await port.submitTx(signedArkTx, strArray(b, 'body', 'checkpointTxs', false));
    return { arkTxid: r.arkTxid, finalArkTx: r.finalArkTx, signedCheckpointTxs: [...r.signedCheckpointTxs] };
  });

  app.post('/v1/tx/finalize', post, async (req) => {
    const b = object(req.body, 'body', ['arkTxid', 'finalCheckpointTxs']);
    const arkTxid = str(b, 'body', 'arkTxid');
    await port.finalizeTx(arkTxid, strArray(b, 'body', 'finalCheckpointTxs', false));
    return {};
  });

  app.post('/v1/tx/pending', post, async (req) => {
    const b = object(req.body, 'body', ['intent']);
    const txs = await port.getPendingTxs(intent(b, 'body', 'intent'));
    return { pendingTxs: txs.map((t) => ({ arkTxid: t.arkTxid, finalArkTx: t.finalArkTx, signedCheckpointTxs: [...t.signedCheckpointTxs] })) };
  });

  app.get('/v1/txs', stream, async (_req, reply) => {
    await serveSse(reply, {
      open: (signal) => port.transactions(signal),
      encode: encodeTransactionEvent,
      heartbeatMs: opts.heartbeatMs,
      onFault: opts.onFault,
      shutdown: opts.shutdown,
    });
  });
}
