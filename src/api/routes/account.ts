/**
 * Signed routes: the account view, order placement and cancellation (account key or an API key
 * with the 'trade' scope), and API key management (account key only).
 */
import { Type } from 'typebox';
import { bodyHashHex } from '../auth/message.js';
import { nodeHashes } from '../auth/node-hashes.js';
import { ApiError } from '../errors.js';
import * as S from '../schemas.js';
import type { App, ServerContext } from '../app-types.js';

const errs = { 400: S.ErrorBody, 401: S.ErrorBody, 403: S.ErrorBody, 404: S.ErrorBody, 409: S.ErrorBody, 422: S.ErrorBody, 429: S.ErrorBody };
const security: Record<string, string[]>[] = [{ accountKey: [] }, { apiKey: [] }];

/**
 * Client order ids make placement idempotent: the first request's outcome is returned to any
 * retry with the same body; the same id with a different body is a conflict. Bounded FIFO.
 */
class IdempotencyCache {
  private readonly entries = new Map<string, { bodyHash: string; ack: Promise<S.OrderAck> }>();
  constructor(private readonly max = 100_000) {}
  run(key: string, bodyHash: string, place: () => Promise<S.OrderAck>): { ack: Promise<S.OrderAck>; replay: boolean } {
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      if (hit.bodyHash !== bodyHash) throw new ApiError('duplicate_client_order_id', 'this clientOrderId was used for a different order', 'body.clientOrderId');
      return { ack: hit.ack, replay: true };
    }
    const ack = place();
    this.entries.set(key, { bodyHash, ack });
    // A refused order leaves no trace, so a corrected retry with the same id can go through.
    ack.catch(() => this.entries.delete(key));
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return { ack, replay: false };
  }
}

export function registerAccountRoutes(app: App, ctx: ServerContext): void {
  const idem = new IdempotencyCache();

  app.get(
    '/v1/account',
    { config: { auth: 'read' }, schema: { tags: ['account'], summary: 'Balances, positions and open orders', security, response: { 200: S.Account, ...errs } } },
    async (req) => ctx.exchange.account(req.principal!.account),
  );

  app.post(
    '/v1/orders',
    { config: { auth: 'trade' }, schema: { tags: ['trading'], summary: 'Place an order (idempotent by clientOrderId)', security, body: S.PlaceOrderBody, response: { 200: S.OrderAck, ...errs } } },
    async (req, reply) => {
      const body = req.body;
      if (body.type === 'limit' && body.price === undefined) throw new ApiError('invalid_argument', 'a limit order needs a price', 'body.price');
      if (body.type === 'market' && body.price !== undefined) throw new ApiError('invalid_argument', 'a market order takes no price', 'body.price');
      if (body.type === 'market' && body.postOnly) throw new ApiError('invalid_argument', 'a market order cannot be post-only', 'body.postOnly');
      const account = req.principal!.account;
      const place = () => ctx.exchange.placeOrder({ ...body, account, receivedMs: ctx.clock.nowMs() });
      if (body.clientOrderId === undefined) return place();
      const { ack, replay } = idem.run(account + '\u0000' + body.clientOrderId, bodyHashHex(req.rawBody, nodeHashes), place);
      if (replay) reply.header('idempotent-replay', 'true');
      return ack;
    },
  );

  app.delete(
    '/v1/orders/:orderId',
    { config: { auth: 'trade', cancel: true }, schema: { tags: ['trading'], summary: 'Cancel an order', security, params: S.OrderParams, response: { 200: S.CancelAck, ...errs } } },
    async (req) => ctx.exchange.cancelOrder({ account: req.principal!.account, orderId: req.params.orderId, receivedMs: ctx.clock.nowMs() }),
  );

  app.get(
    '/v1/account/api-keys',
    { config: { auth: 'account' }, schema: { tags: ['account'], summary: 'List API keys (secrets are never shown again)', security: [{ accountKey: [] }], response: { 200: S.ApiKeyList, ...errs } } },
    async (req) => ({ keys: ctx.apiKeys.list(req.principal!.account).map(({ keyId, label, scopes, createdMs }) => ({ keyId, label, scopes, createdMs })) }),
  );

  app.post(
    '/v1/account/api-keys',
    { config: { auth: 'account' }, schema: { tags: ['account'], summary: 'Create an API key authorised by the account key', security: [{ accountKey: [] }], body: S.CreateApiKeyBody, response: { 200: S.CreatedApiKey, ...errs } } },
    async (req) => {
      const account = req.principal!.account;
      if (ctx.apiKeys.list(account).length >= 20) throw new ApiError('too_many_keys', 'an account may hold at most 20 API keys; revoke one first', 'body');
      const rec = ctx.apiKeys.create(account, req.body.label ?? '', req.body.scopes, ctx.clock.nowMs());
      return { keyId: rec.keyId, label: rec.label, scopes: rec.scopes, createdMs: rec.createdMs, secret: rec.secret };
    },
  );

  app.delete(
    '/v1/account/api-keys/:keyId',
    { config: { auth: 'account' }, schema: { tags: ['account'], summary: 'Revoke an API key', security: [{ accountKey: [] }], params: S.KeyParams, response: { 200: Type.Object({ revoked: Type.String() }), ...errs } } },
    async (req) => {
      if (!ctx.apiKeys.revoke(req.principal!.account, req.params.keyId)) throw new ApiError('not_found', 'no such API key on this account', 'params.keyId');
      return { revoked: req.params.keyId };
    },
  );
}
