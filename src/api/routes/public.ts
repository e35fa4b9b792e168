/** Unauthenticated reads: health, markets, books, trades, the index and its derived prices (its history: index-history.ts). */
import { Type } from 'typebox';
import { ApiError } from '../errors.js';
import * as S from '../schemas.js';
import type { App, ServerContext } from '../app-types.js';

const errors = { 400: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody };

export function registerPublicRoutes(app: App, ctx: ServerContext): void {
  app.get('/health', { schema: { tags: ['meta'], summary: 'Liveness and the index tip', response: { 200: S.Health } } }, async () => {
    const now = ctx.clock.nowMs();
    const tip = ctx.index.current();
    return {
      status: 'ok' as const,
      serverTimeMs: now,
      uptimeSec: (now - ctx.startedMs) / 1000,
      ...(tip ? { index: { height: tip.height, blockHash: tip.blockHash } } : {}),
      ...ctx.status(),
    };
  });

  app.get('/v1/time', { schema: { tags: ['meta'], summary: 'Server clock, for signing timestamps', response: { 200: Type.Object({ serverTimeMs: Type.Integer(), authWindowMs: Type.Integer() }) } } }, async () => ({
    serverTimeMs: ctx.clock.nowMs(),
    authWindowMs: ctx.auth.windowMs,
  }));

  app.get('/v1/markets', { schema: { tags: ['markets'], response: { 200: S.Markets } } }, async () => ({ markets: ctx.exchange.markets() }));

  app.get(
    '/v1/markets/:market/book',
    { schema: { tags: ['markets'], summary: 'Aggregated order book', params: S.MarketParams, querystring: S.BookQuery, response: { 200: S.Book, ...errors } } },
    async (req) => {
      const book = ctx.exchange.book(req.params.market, req.query.levels ?? 50);
      if (book === undefined) throw new ApiError('unknown_market', `no market ${req.params.market}`, 'params.market');
      return book;
    },
  );

  app.get(
    '/v1/markets/:market/trades',
    { schema: { tags: ['markets'], summary: 'Recent trades, newest first', params: S.MarketParams, querystring: S.TradesQuery, response: { 200: S.Trades, ...errors } } },
    async (req) => {
      const trades = ctx.exchange.trades(req.params.market, req.query.limit ?? 100);
      if (trades === undefined) throw new ApiError('unknown_market', `no market ${req.params.market}`, 'params.market');
      return { market: req.params.market, trades };
    },
  );

  app.get(
    '/v1/index',
    {
      schema: {
        tags: ['index'],
        summary: 'Hashprice index (HPI): current, or at ?height= or at Unix time ?at=',
        querystring: S.IndexQuery,
        response: { 200: S.IndexValue, ...errors, 503: S.ErrorBody },
      },
    },
    async (req) => {
      const { height, at } = req.query;
      if (height !== undefined && at !== undefined) throw new ApiError('invalid_argument', 'give height or at, not both', 'querystring.at');
      if (height === undefined && at === undefined) {
        const v = ctx.index.current();
        if (v === undefined) throw new ApiError('index_unavailable', 'no block processed yet; retry shortly');
        return v;
      }
      const v = ctx.index.at({ height, at });
      if (v === undefined) {
        throw new ApiError('not_found', height !== undefined ? `no index value at height ${height}` : `no index value at time ${at}`, height !== undefined ? 'querystring.height' : 'querystring.at');
      }
      return v;
    },
  );

  app.get('/v1/curve', { schema: { tags: ['index'], summary: 'Forward curve (30/90/180/365 days) with its model assumptions', response: { 200: S.ForwardCurve, 503: S.ErrorBody } } }, async () => {
    const c = ctx.index.curve();
    if (c === undefined) throw new ApiError('index_unavailable', 'not enough history for a curve yet; retry shortly');
    return c;
  });

  app.get(
    '/v1/price/bdc',
    { schema: { tags: ['index'], summary: 'Block-delta fair odds: is `height` mined before MTP passes `deadline`?', querystring: S.BdcQuery, response: { 200: S.BdcOdds, ...errors } } },
    async (req) => ctx.index.bdcOdds({ height: req.query.height, deadline: req.query.deadline }),
  );
}
