/**
 * Swap offers: a holder offers a position (perp slice, forward side, option, block-delta contract) for a
 * signed price in msat; a taker accepts and the position, its collateral and history move in one command.
 */
import { Type } from 'typebox';
import type { OfferStatus } from '../../../engine/products/swap/index.js';
import { ApiError } from '../../errors.js';
import type { ProductsPort } from '../../products/port.js';
import type { App } from '../../app-types.js';
import { errs, eventsOf, Obj, security, submitOrRefuse, wire } from './common.js';

/** Wire product names -> the engine's product modules. */
const PRODUCT: Record<string, string> = { perp: 'perp', forward: 'forward', options: 'options', bdc: 'bdc' };
const OfferIdParams = Type.Object({ offerId: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }) });

export const OfferBody = Type.Object(
  {
    product: Type.Union([Type.Literal('perp'), Type.Literal('forward'), Type.Literal('options'), Type.Literal('bdc')]),
    positionId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:#-]+$', description: "perp: the market id; forward: c<id>:miner|investor; options: the option id; bdc: <series>#<n>" }),
    qty: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'perp only: lots' })),
    priceMsat: Type.String({ pattern: '^(0|-?[1-9][0-9]{0,18})$', description: 'signed msat: > 0 the taker pays, < 0 the maker pays' }),
    expiresAtHeight: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
  },
  { additionalProperties: false },
);
export const OffersQuery = Type.Object(
  {
    status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('accepted'), Type.Literal('cancelled'), Type.Literal('expired'), Type.Literal('all')])),
    product: Type.Optional(Type.Union([Type.Literal('perp'), Type.Literal('forward'), Type.Literal('options'), Type.Literal('bdc')])),
  },
  { additionalProperties: false },
);

export function registerSwapRoutes(app: App, port: ProductsPort): void {
  app.get(
    '/v1/swaps/offers',
    { schema: { tags: ['swaps'], summary: 'Swap offers (default: open ones), oldest first, with what each moves', querystring: OffersQuery, response: { 200: Obj({ offers: Type.Array(Obj({ id: Type.Integer() })) }), ...errs } } },
    async (req) => {
      const status = req.query.status ?? 'open';
      const offers = port.views.swaps.offers({
        ...(status !== 'all' ? { status: status as OfferStatus } : {}),
        ...(req.query.product !== undefined ? { product: PRODUCT[req.query.product] } : {}),
      });
      return { offers: offers.map((o) => wire(o)) };
    },
  );

  app.post(
    '/v1/swaps/offers',
    { config: { auth: 'trade' }, schema: { tags: ['swaps'], summary: 'Offer a position for a price', security, body: OfferBody, response: { 200: Obj({ seq: Type.Integer(), offerId: Type.Integer() }), ...errs } } },
    async (req) => {
      const b = req.body;
      const { seq, events } = await submitOrRefuse(port, {
        type: 'OfferPosition', account: req.principal!.account, product: PRODUCT[b.product], positionId: b.positionId, priceMsat: b.priceMsat,
        ...(b.qty !== undefined ? { qty: b.qty } : {}), ...(b.expiresAtHeight !== undefined ? { expiresAtHeight: b.expiresAtHeight } : {}),
      });
      const c = eventsOf(events, 'SwapOfferCreated')[0];
      return { seq, offerId: c?.offerId ?? seq, ...wire({ offer: c ?? null }) };
    },
  );

  app.delete(
    '/v1/swaps/offers/:offerId',
    { config: { auth: 'trade', cancel: true }, schema: { tags: ['swaps'], summary: 'Withdraw your live offer', security, params: OfferIdParams, response: { 200: Obj({ seq: Type.Integer(), offerId: Type.Integer(), status: Type.String() }), ...errs } } },
    async (req) => {
      const account = req.principal!.account;
      const offerId = Number(req.params.offerId);
      const o = port.views.swaps.offer(offerId);
      if (o === undefined || o.maker !== account) throw new ApiError('unknown_offer', `no offer ${offerId} of this account`, 'params.offerId');
      if (o.status !== 'open') throw new ApiError('offer_closed', `offer ${offerId} is ${o.status}`, 'params.offerId');
      const { seq } = await submitOrRefuse(port, { type: 'CancelOffer', account, offerId }, () => 'params.offerId');
      return { seq, offerId, status: 'cancelled' };
    },
  );

  app.post(
    '/v1/swaps/offers/:offerId/accept',
    { config: { auth: 'trade' }, schema: { tags: ['swaps'], summary: 'Take an offer: payment and position move atomically', security, params: OfferIdParams, response: { 200: Obj({ seq: Type.Integer(), offerId: Type.Integer(), status: Type.String() }), ...errs } } },
    async (req) => {
      const account = req.principal!.account;
      const offerId = Number(req.params.offerId);
      const o = port.views.swaps.offer(offerId);
      if (o === undefined) throw new ApiError('unknown_offer', `no offer ${offerId}`, 'params.offerId');
      if (o.status !== 'open') throw new ApiError('offer_closed', `offer ${offerId} is ${o.status}`, 'params.offerId');
      const { seq, events } = await submitOrRefuse(port, { type: 'AcceptOffer', account, offerId }, (f) => (f === 'offerId' ? 'params.offerId' : 'body.' + f));
      return { seq, offerId, status: 'accepted', ...wire({ accepted: eventsOf(events, 'SwapOfferAccepted')[0] ?? null }) };
    },
  );
}
