/**
 * `GET /v1/backtests` and `POST /v1/backtests`: how a miner's hedge would have done over real history
 * (src/backtest/: the shipped index replayed block by block through the exchange engine). GET takes the
 * request flat in the query string, POST as a JSON body; both answer the same report. Every refusal is JSON
 * `{error:{code,message,field}}` with a 4xx status naming the field.
 */
import { Type, type Static } from 'typebox';
import type { BacktestReport, BacktestRequest } from '../../backtest/index.js';
import { HashPerpError } from '../../units/errors.js';
import type { App, ServerContext } from '../app-types.js';
import { ApiError } from '../errors.js';
import * as S from '../schemas.js';

const Bound = Type.String({ pattern: '^(?:[0-9]{1,9}|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2})?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?)$', maxLength: 40, description: 'a block height, or an ISO 8601 date (the height in force then)' });
const Resolution = Type.Union([Type.Literal('epoch'), Type.Literal('block')], { description: "'epoch': one block a day from the bits of every retarget; 'block': every shipped header (one segment)" });
const Ratio = Type.Number({ minimum: 0, maximum: 200, description: 'percent of the miner\'s hashrate covered' });
const Profile = Type.Object(
  {
    hashrateThs: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'the miner\'s hashrate, TH/s' }),
    costSatPerDay: Type.Integer({ minimum: 0, maximum: 2_100_000_000_000, description: 'running costs paid in BTC, sat per day' }),
  },
  { additionalProperties: false },
);
const Hedge = Type.Object(
  {
    forward: Type.Optional(Type.Object({
      tenorDays: Type.Union([Type.Literal(30), Type.Literal(90), Type.Literal(180), Type.Literal(365)]),
      discountBps: Type.Integer({ minimum: 0, maximum: 9_000, description: 'sold at index × (1 − discount)' }),
      ratioPct: Ratio,
    }, { additionalProperties: false, description: 'every period sell a forward of this tenor (overlapping contracts add up to the ratio)' })),
    perp: Type.Optional(Type.Object({
      horizonDays: Type.Integer({ minimum: 1, maximum: 3_650, description: 'the short is ratio × hashrate × horizon lots (1 lot = 1 TH/s·day)' }),
      ratioPct: Ratio,
    }, { additionalProperties: false, description: 'hold a perp short, re-sized every period' })),
    puts: Type.Optional(Type.Object({
      tenorDays: Type.Integer({ minimum: 3, maximum: 365 }),
      otmBps: Type.Integer({ minimum: -5_000, maximum: 9_000, description: 'strike = index × (1 − otm)' }),
      ratioPct: Ratio,
    }, { additionalProperties: false, description: 'every period buy puts from the vault at its own price' })),
  },
  { additionalProperties: false },
);
export const BacktestBody = Type.Object(
  {
    from: Type.Optional(Bound),
    to: Type.Optional(Bound),
    resolution: Type.Optional(Resolution),
    profile: Profile,
    hedge: Hedge,
    rollDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365, description: 'days between hedge decisions (default 30)' })),
    optionWindowDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 3_650, description: 'the options product\'s estimation window (default: the product\'s)' })),
  },
  { additionalProperties: false },
);
/** Query strings carry whole percentages (the query parser turns only integers into numbers). */
const RatioInt = Type.Integer({ minimum: 0, maximum: 200, description: 'percent of the miner\'s hashrate covered' });
export const BacktestQuery = Type.Object(
  {
    from: Type.Optional(Bound),
    to: Type.Optional(Bound),
    resolution: Type.Optional(Resolution),
    hashrateThs: Type.Integer({ minimum: 1, maximum: 100_000_000 }),
    costSatPerDay: Type.Optional(Type.Integer({ minimum: 0, maximum: 2_100_000_000_000 })),
    forwardTenorDays: Type.Optional(Type.Integer({ minimum: 30, maximum: 365, description: '30, 90, 180 or 365' })),
    forwardDiscountBps: Type.Optional(Type.Integer({ minimum: 0, maximum: 9_000 })),
    forwardRatioPct: Type.Optional(RatioInt),
    perpHorizonDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_650 })),
    perpRatioPct: Type.Optional(RatioInt),
    putsTenorDays: Type.Optional(Type.Integer({ minimum: 3, maximum: 365 })),
    putsOtmBps: Type.Optional(Type.Integer({ minimum: -5_000, maximum: 9_000 })),
    putsRatioPct: Type.Optional(RatioInt),
    rollDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 365 })),
    optionWindowDays: Type.Optional(Type.Integer({ minimum: 7, maximum: 3_650 })),
  },
  { additionalProperties: false },
);

const Dist = Type.Object({ count: Type.Integer(), min: Type.Number(), p10: Type.Number(), median: Type.Number(), p90: Type.Number(), max: Type.Number(), mean: Type.Number(), stdev: Type.Number() });
const Side = Type.Object({ totalSat: Type.Number(), maxDrawdownSat: Type.Number(), periods: Dist });
export const BacktestReportBody = Type.Object({
  request: Type.Object({}, { additionalProperties: true }),
  fromHeight: Type.Integer(),
  toHeight: Type.Integer(),
  steps: Type.Integer(),
  series: Type.Array(Type.Object({ height: Type.Integer(), time: Type.Integer(), index: Type.Integer(), unhedgedSat: Type.Number(), hedgedSat: Type.Number() })),
  periods: Type.Array(Type.Object({ fromHeight: Type.Integer(), toHeight: Type.Integer(), time: Type.Integer(), unhedgedSat: Type.Number(), hedgedSat: Type.Number() })),
  summary: Type.Object({ unhedged: Side, hedged: Side, hedgeResultSat: Type.Number(), depositsSat: Type.Number() }),
  engine: Type.Object({}, { additionalProperties: true }),
  basis: Type.String(),
});

const errors = { 400: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };

/** The flat query as the nested request; a hedge leg needs all its fields (the refusal names the missing one). */
export function requestOfQuery(q: Static<typeof BacktestQuery>): BacktestRequest {
  const leg = <K extends string>(prefix: string, keys: K[]): Record<K, number> | undefined => {
    const rec = q as Record<string, unknown>;
    const given = keys.filter((k) => rec[prefix + k[0].toUpperCase() + k.slice(1)] !== undefined);
    if (given.length === 0) return undefined;
    const missing = keys.find((k) => rec[prefix + k[0].toUpperCase() + k.slice(1)] === undefined);
    if (missing !== undefined) throw new ApiError('invalid_argument', `the ${prefix} hedge needs ${keys.map((k) => prefix + k[0].toUpperCase() + k.slice(1)).join(', ')}`, `querystring.${prefix}${missing[0].toUpperCase()}${missing.slice(1)}`);
    return Object.fromEntries(keys.map((k) => [k, rec[prefix + k[0].toUpperCase() + k.slice(1)] as number])) as Record<K, number>;
  };
  const forward = leg('forward', ['tenorDays', 'discountBps', 'ratioPct']);
  const perp = leg('perp', ['horizonDays', 'ratioPct']);
  const puts = leg('puts', ['tenorDays', 'otmBps', 'ratioPct']);
  return {
    ...(q.from !== undefined ? { from: q.from } : {}),
    ...(q.to !== undefined ? { to: q.to } : {}),
    ...(q.resolution !== undefined ? { resolution: q.resolution } : {}),
    profile: { hashrateThs: q.hashrateThs, costSatPerDay: q.costSatPerDay ?? 0 },
    hedge: {
      ...(forward ? { forward: forward as { tenorDays: 30 | 90 | 180 | 365; discountBps: number; ratioPct: number } } : {}),
      ...(perp ? { perp: perp as { horizonDays: number; ratioPct: number } } : {}),
      ...(puts ? { puts: puts as { tenorDays: number; otmBps: number; ratioPct: number } } : {}),
    },
    ...(q.rollDays !== undefined ? { rollDays: q.rollDays } : {}),
    ...(q.optionWindowDays !== undefined ? { optionWindowDays: q.optionWindowDays } : {}),
  };
}

function run(ctx: ServerContext, r: BacktestRequest, where: 'body' | 'querystring'): BacktestReport {
  if (ctx.index.backtest === undefined) throw new ApiError('index_unavailable', 'this server has no chain data to backtest on');
  try {
    return ctx.index.backtest(r);
  } catch (e) {
    if (e instanceof HashPerpError && !(e instanceof ApiError) && e.code === 'invalid_argument') {
      const field = e.field ?? 'from';
      // The body nests profile/hedge like the core names them; the flat query has only the leaf.
      const [a, b, c] = field.split('.');
      const path = where === 'body' ? field : a === 'hedge' && b !== undefined && c !== undefined ? b + c[0].toUpperCase() + c.slice(1) : a === 'profile' && b !== undefined ? b : field;
      throw new ApiError('invalid_argument', e.message.replace(new RegExp(`^${field.replace(/[.]/g, '\\.')}: `), ''), `${where}.${path}`);
    }
    throw e;
  }
}

export function registerBacktestRoutes(app: App, ctx: ServerContext): void {
  const description = 'The miner mines hashrateThs TH/s over real history (subsidy-only index: per day from the bits of every retarget, or per block where headers are shipped) and hedges through the exchange engine itself: forwards sold every period (delivered daily by the engine), a perp short (its PnL and funding), puts bought from the vault at its own price (settled on the expiry day). Answers cumulative hedged and unhedged BTC income, drawdowns and the spread of per-period outcomes.';
  app.get(
    '/v1/backtests',
    { schema: { tags: ['backtests'], summary: 'Run a hedge backtest (parameters flat in the query string)', description, querystring: BacktestQuery, response: { 200: BacktestReportBody, ...errors } } },
    async (req) => run(ctx, requestOfQuery(req.query), 'querystring'),
  );
  app.post(
    '/v1/backtests',
    { schema: { tags: ['backtests'], summary: 'Run a hedge backtest (JSON body)', description, body: BacktestBody, response: { 200: BacktestReportBody, ...errors } } },
    async (req) => run(ctx, req.body as BacktestRequest, 'body'),
  );
}
