/**
 * `GET /v1/index/history`: where hashprice has been.
 *
 * With `resolution=epoch|day|block` it answers the hashprice series of the shipped mainnet data from genesis
 * up to the index tip (src/index/hashprice-history.ts: per retarget and halving everywhere, per day or per
 * block where headers are shipped), `from`/`to` a height or an ISO date, at most HISTORY_POINT_CAP points.
 * Without `resolution` it keeps its earlier per-height form: index values at `from..to` every `step` heights.
 * Every refusal is JSON `{error:{code,message,field}}` with a 4xx status.
 */
import { Type } from 'typebox';
import { HISTORY_POINT_CAP, HISTORY_RESOLUTIONS, parseHistoryBound, type HashpriceSeriesWire, type HistoryBound, type HistoryResolution } from '../../index/hashprice-history.js';
import { HashPerpError, InvalidArgumentError } from '../../units/errors.js';
import type { App, ServerContext } from '../app-types.js';
import { ApiError } from '../errors.js';
import * as S from '../schemas.js';
import { toWire } from '../wire.js';

/** A height (digits) or an ISO 8601 date (`2012-06-01`, `2024-01-01T12:00:00Z`). */
const Bound = Type.String({ pattern: '^(?:[0-9]{1,9}|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\\.[0-9]{1,3})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?)$', maxLength: 40, description: 'a block height, or an ISO 8601 date (the height in force then)' });

export const IndexHistoryQuery = Type.Object(
  {
    from: Type.Optional(Bound),
    to: Type.Optional(Bound),
    resolution: Type.Optional(Type.Union(HISTORY_RESOLUTIONS.map((r) => Type.Literal(r)), { description: 'the hashprice series: one point per retarget and halving, plus per day / per block where headers are shipped' })),
    step: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, description: 'per-height form only (no resolution)' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, description: 'per-height form only (no resolution)' })),
  },
  { additionalProperties: false },
);

const Sat = Type.String({ pattern: '^[0-9]{1,40}$' });
const HistoryPoint = Type.Object({
  height: Type.Integer(),
  time: Type.Integer({ description: 'Unix seconds: the header time, or estimated (timeEstimated)' }),
  timeEstimated: Type.Boolean(),
  epoch: Type.Integer(),
  bits: Type.String(),
  difficulty: Type.Number(),
  subsidySat: Sat,
  hashpriceSatPerPHDay: Sat,
  kind: Type.String({ description: 'start, retarget, halving, day, block or end' }),
});
export const HashpriceSeriesBody = Type.Object({
  resolution: Type.String(),
  fromHeight: Type.Integer(),
  toHeight: Type.Integer(),
  feesIncluded: Type.Boolean(),
  basis: Type.String(),
  pointCap: Type.Integer(),
  points: Type.Array(HistoryPoint),
  halvings: Type.Array(
    Type.Object({ height: Type.Integer(), halving: Type.Integer(), time: Type.Integer(), timeEstimated: Type.Boolean(), subsidySatBefore: Sat, subsidySatAfter: Sat }),
  ),
});

const errors = { 400: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };

/** The bound as the series takes it; the field name the refusal carries. */
function bound(field: 'from' | 'to', s: string | undefined): HistoryBound | undefined {
  return s === undefined ? undefined : parseHistoryBound(field, s);
}

/** A refusal of the index code, on the query field it is about. */
function asQueryError(e: unknown): unknown {
  if (e instanceof HashPerpError && !(e instanceof ApiError) && e.code === 'invalid_argument') {
    const field = e.field ?? 'resolution';
    return new ApiError('invalid_argument', e.message.replace(new RegExp(`^${field}: `), ''), `querystring.${field}`);
  }
  return e;
}

function heightOf(field: 'from' | 'to', s: string | undefined): number | undefined {
  const b = bound(field, s);
  if (b === undefined) return undefined;
  if ('height' in b) return b.height;
  throw new InvalidArgumentError(field, 'a date needs resolution=epoch|day|block (the per-height form takes heights)');
}

export function registerIndexHistoryRoutes(app: App, ctx: ServerContext): void {
  app.get(
    '/v1/index/history',
    {
      schema: {
        tags: ['index'],
        summary: `Hashprice history: with resolution, the series from genesis to the tip (subsidy only; at most ${HISTORY_POINT_CAP} points); without, index values over a height range`,
        querystring: IndexHistoryQuery,
        response: { 200: Type.Union([HashpriceSeriesBody, S.IndexHistory]), ...errors },
      },
    },
    async (req) => {
      const q = req.query;
      try {
        if (q.resolution === undefined) {
          const from = heightOf('from', q.from);
          const to = heightOf('to', q.to);
          if (from !== undefined && to !== undefined && from > to) throw new InvalidArgumentError('from', 'from must be <= to');
          return { values: ctx.index.history({ from, to, step: q.step, limit: q.limit ?? 1000 }) };
        }
        if (q.step !== undefined) throw new InvalidArgumentError('step', 'step is for the per-height form; with resolution the series picks its points');
        if (q.limit !== undefined) throw new InvalidArgumentError('limit', `limit is for the per-height form; the series holds at most ${HISTORY_POINT_CAP} points`);
        if (ctx.index.hashpriceHistory === undefined) throw new ApiError('index_unavailable', 'this server has no chain data to chart hashprice history from');
        const series = ctx.index.hashpriceHistory({ from: bound('from', q.from), to: bound('to', q.to), resolution: q.resolution as HistoryResolution, maxPoints: HISTORY_POINT_CAP });
        const body: HashpriceSeriesWire = { ...(toWire(series) as Omit<HashpriceSeriesWire, 'pointCap'>), pointCap: HISTORY_POINT_CAP };
        return body;
      } catch (e) {
        throw asQueryError(e);
      }
    },
  );
}
