/**
 * Hashrate forwards (FWD-30D/90D/180D/365D): markets with the forward curve's fair price, books, the
 * LOKA calculator, orders, the account's contracts, auto-delivery, delivery reports and rollovers.
 * Sizes are forward lots (0.0001 TH/s), prices sat/PH/day, money msat as decimal strings.
 */
import { Type } from 'typebox';
import type { ForwardContract } from '../../../engine/products/forward/index.js';
import { forwardCurve, type ForwardCurve } from '../../../index/forward-curve.js';
import { ApiError } from '../../errors.js';
import type { ProductsPort } from '../../products/port.js';
import { verifyRolloverConsent } from '../../products/rollover-consent.js';
import * as S from '../../schemas.js';
import type { App } from '../../app-types.js';
import { errs, eventsOf, modelCall, Msat, Obj, security, submitOrRefuse, Tif, wire } from './common.js';

const ForwardMarket = Type.String({ pattern: '^FWD-(30|90|180|365)D$', description: 'FWD-30D, FWD-90D, FWD-180D or FWD-365D' });
const Lots = Type.Integer({ minimum: 1, maximum: 1e12, description: 'forward lots (0.0001 TH/s); orders need at least 10,000 (1 TH/s)' });
const Price = S.PriceSatPerPHDay;
const Id = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });

export const ForwardQuoteBody = Type.Object(
  { market: ForwardMarket, qtyLots: Lots, priceSatPerPHDay: Price, taker: Type.Union([Type.Literal('miner'), Type.Literal('investor')]) },
  { additionalProperties: false },
);
export const ForwardOrderBody = Type.Object(
  { market: ForwardMarket, side: S.Side, price: Price, qty: Lots, tif: Type.Optional(Tif), postOnly: Type.Optional(Type.Boolean()) },
  { additionalProperties: false },
);
export const AutoDeliveryBody = Type.Object({ enabled: Type.Boolean() }, { additionalProperties: false });
export const DeliveryReportBody = Type.Object(
  { contractId: Id, day: Type.Integer({ minimum: 0, maximum: 3649 }), receivedMsat: Type.String({ pattern: '^(0|[1-9][0-9]{0,29})$', description: 'msat, decimal string' }) },
  { additionalProperties: false },
);
export const RolloverBody = Type.Object(
  {
    contractId: Id,
    market: ForwardMarket,
    price: Price,
    qty: Type.Optional(Lots),
    with: Type.Union([Type.Literal('book'), Type.Literal('counterparty')]),
    /** with: 'counterparty' only: the investor's signature over the new terms (rollover-consent.ts). */
    investorConsent: Type.Optional(
      Type.Object(
        { timestampMs: Type.Integer({ minimum: 0, maximum: 1e16 }), nonce: Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' }), signature: Type.String({ pattern: '^[0-9a-f]{128}$' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

/** The account's view of one contract: its side(s), day counts and where the collateral stands. */
export function contractView(k: ForwardContract, account: string): Record<string, unknown> {
  const count = (s: string) => k.history.filter((d) => d.status === s).length;
  const toMiner = k.history.reduce((s, d) => s + d.toMinerMsat, 0n);
  const toInvestor = k.history.reduce((s, d) => s + d.toInvestorMsat, 0n);
  const roles = [...(k.miner === account ? ['miner'] : []), ...(k.investor === account ? ['investor'] : [])];
  return wire({
    contractId: k.id, market: k.market, roles, miner: k.miner, investor: k.investor, qtyLots: k.qtyLots, price: k.price, days: k.days,
    startHeight: k.startHeight, endHeight: k.startHeight + 144 * k.days, status: k.status, valueMsat: k.valueMsat,
    daysEnded: k.history.length, daysDelivered: count('delivered'), daysPartial: count('partial'), daysMissed: count('missed'), daysAwaitingReport: count('awaiting'),
    deliveredMsat: k.history.reduce((s, d) => s + d.deliveredMsat, 0n),
    collateral: { lockedMsat: k.collateralMsat, releasedMsat: k.releasedMsat, remainingMsat: k.collateralMsat - k.releasedMsat, toMinerMsat: toMiner, toInvestorMsat: toInvestor },
    rolledFrom: k.rolledFrom, rolledInto: k.rolledInto, history: k.history,
  });
}

export function registerForwardRoutes(app: App, port: ProductsPort): void {
  let curveCache: { height: number; curve: ForwardCurve | undefined; reason?: string } | undefined;
  const curveAt = (height: number): { curve: ForwardCurve | undefined; reason?: string } => {
    if (curveCache?.height !== height) {
      try {
        curveCache = { height, curve: forwardCurve(port.chain, height) };
      } catch (e) {
        curveCache = { height, curve: undefined, reason: e instanceof Error ? e.message : String(e) };
      }
    }
    return curveCache;
  };

  app.get(
    '/v1/forwards/markets',
    { schema: { tags: ['forwards'], summary: 'Forward markets with best bid/ask and the forward curve’s fair price', response: { 200: Obj({ markets: Type.Array(Obj({ market: Type.String(), days: Type.Integer() })) }) } } },
    async () => {
      const tip = port.views.tip();
      const c = tip.height >= 0 ? curveAt(tip.height) : { curve: undefined, reason: 'no block processed yet' };
      return {
        height: tip.height, index: tip.index ?? null, curveReason: c.reason ?? null,
        markets: port.views.forwards.markets().map(({ market, days }) => {
          const b = port.views.forwards.book(market, 1);
          const pt = c.curve?.points.find((p) => p.tenorDays === days);
          return {
            market, days, bestBid: b?.bids[0]?.price ?? null, bestAsk: b?.asks[0]?.price ?? null,
            fairPriceSatPerPHDay: pt === undefined ? null : Number(pt.hashpriceSatPerPHDay), fairVsSpotPct: pt?.vsSpotPct ?? null,
          };
        }),
      };
    },
  );

  app.get(
    '/v1/forwards/:market/book',
    { schema: { tags: ['forwards'], summary: 'A forward market’s order book (price sat/PH/day, size lots)', params: Type.Object({ market: S.MarketId }), querystring: S.BookQuery, response: { 200: Obj({ market: Type.String(), bids: Type.Array(S.Level), asks: Type.Array(S.Level) }), ...errs } } },
    async (req) => {
      const b = port.views.forwards.book(req.params.market, req.query.levels ?? 50);
      if (b === undefined) throw new ApiError('unknown_market', `no forward market ${req.params.market}`, 'params.market');
      return { market: b.market, days: b.days, bids: b.bids.map((l) => ({ price: l.price, size: l.qty })), asks: b.asks.map((l) => ({ price: l.price, size: l.qty })) };
    },
  );

  app.post(
    '/v1/forwards/quote',
    { schema: { tags: ['forwards'], summary: 'The calculator for both sides at the current index', body: ForwardQuoteBody, response: { 200: Obj({ contractValueMsat: Msat, collateralMsat: Msat }), ...errs } } },
    async (req) => {
      const b = req.body;
      const q = modelCall('forward quote', () => port.views.forwards.quote({ market: b.market, qtyLots: b.qtyLots, priceSatPerPHDay: b.priceSatPerPHDay }, b.taker));
      if (q === undefined) throw new ApiError('index_unavailable', 'no index yet: the engine has processed no block');
      const tip = port.views.tip();
      return wire({
        market: b.market, days: port.views.forwards.markets().find((m) => m.market === b.market)?.days, qtyLots: b.qtyLots, hashrateThs: b.qtyLots / 10_000, priceSatPerPHDay: b.priceSatPerPHDay, taker: b.taker,
        indexSatPerPHDay: tip.index, height: tip.height, ...q,
      });
    },
  );

  app.post(
    '/v1/forwards/orders',
    { config: { auth: 'trade' }, schema: { tags: ['forwards'], summary: 'Place a forward order (sell = miner, buy = investor)', security, body: ForwardOrderBody, response: { 200: Obj({ seq: Type.Integer(), orderId: Type.Integer(), status: Type.String() }), ...errs } } },
    async (req) => {
      const b = req.body;
      const account = req.principal!.account;
      const { seq, events } = await submitOrRefuse(port, { type: 'ForwardPlaceOrder', account, market: b.market, side: b.side, price: b.price, qty: b.qty, ...(b.tif !== undefined ? { tif: b.tif } : {}), ...(b.postOnly !== undefined ? { postOnly: b.postOnly } : {}) });
      const accepted = eventsOf(events, 'ForwardOrderAccepted')[0];
      const orderId = accepted?.orderId ?? 0;
      const fills = eventsOf(events, 'ForwardFilled').filter((f) => f.takerOrderId === orderId);
      const filled = fills.reduce((s, f) => s + f.qty, 0);
      const resting = eventsOf(events, 'ForwardOrderResting').find((r) => r.orderId === orderId);
      const remaining = resting?.qty ?? 0;
      const status = resting !== undefined ? (filled > 0 ? 'partially_filled' : 'open') : filled === b.qty ? 'filled' : filled > 0 ? 'partially_filled' : 'expired';
      return wire({ seq, orderId, market: b.market, status, filled, remaining, contractIds: fills.map((f) => f.contractId), takerFeeMsat: fills.reduce((s, f) => s + f.takerFeeMsat, 0n), lockedMsat: resting?.lockedMsat ?? 0n });
    },
  );

  app.delete(
    '/v1/forwards/orders/:orderId',
    { config: { auth: 'trade', cancel: true }, schema: { tags: ['forwards'], summary: 'Cancel a resting forward order (its escrow returns)', security, params: Type.Object({ orderId: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }) }), querystring: Type.Object({ market: Type.Optional(ForwardMarket) }, { additionalProperties: false }), response: { 200: Obj({ seq: Type.Integer(), orderId: Type.Integer(), status: Type.String() }), ...errs } } },
    async (req) => {
      const account = req.principal!.account;
      const orderId = Number(req.params.orderId);
      const o = port.views.forwards.order(orderId);
      // Someone else's order looks exactly like a missing one, and nothing is journaled for either.
      if (o === undefined || o.account !== account || (req.query.market !== undefined && o.market !== req.query.market)) {
        throw new ApiError('unknown_order', `no resting forward order ${orderId} of this account`, 'params.orderId');
      }
      const { seq, events } = await submitOrRefuse(port, { type: 'ForwardCancelOrder', account, market: o.market, orderId }, (f) => (f === 'orderId' ? 'params.orderId' : 'querystring.' + f));
      const closed = eventsOf(events, 'ForwardOrderClosed')[0];
      return wire({ seq, orderId, market: o.market, status: 'cancelled', remainingQty: closed?.remainingQty ?? 0, releasedMsat: closed?.releasedMsat ?? 0n });
    },
  );

  app.get(
    '/v1/forwards/contracts',
    { config: { auth: 'read' }, schema: { tags: ['forwards'], summary: 'The account’s forward contracts: days delivered/missed, collateral', security, response: { 200: Obj({ contracts: Type.Array(Obj({ contractId: Type.Integer() })) }), ...errs } } },
    async (req) => {
      const account = req.principal!.account;
      const fwd = port.views.forwards;
      return { autoDelivery: fwd.isAutoDelivery(account), orders: fwd.restingOrders(account), contracts: fwd.contractsOf(account).map((k) => contractView(k, account)) };
    },
  );

  app.post(
    '/v1/forwards/auto-delivery',
    { config: { auth: 'trade' }, schema: { tags: ['forwards'], summary: 'Opt in/out of cash delivery from the free balance at each day’s end', security, body: AutoDeliveryBody, response: { 200: Obj({ seq: Type.Integer(), enabled: Type.Boolean() }), ...errs } } },
    async (req) => {
      const { seq } = await submitOrRefuse(port, { type: 'ForwardSetAutoDelivery', account: req.principal!.account, enabled: req.body.enabled });
      return { seq, enabled: req.body.enabled };
    },
  );

  app.post(
    '/v1/forwards/delivery-report',
    { config: { auth: 'trade' }, schema: { tags: ['forwards'], summary: 'The investor reports what a contract day delivered off-exchange', security, body: DeliveryReportBody, response: { 200: Obj({ seq: Type.Integer() }), ...errs } } },
    async (req) => {
      const b = req.body;
      const { seq, events } = await submitOrRefuse(port, { type: 'ForwardDeliveryReport', account: req.principal!.account, contractId: b.contractId, day: b.day, receivedMsat: b.receivedMsat });
      const d = [...eventsOf(events, 'ForwardDayDelivered'), ...eventsOf(events, 'ForwardDayMissed')][0];
      return wire({ seq, contractId: b.contractId, day: b.day, outcome: d === undefined ? null : d.type === 'ForwardDayDelivered' ? (d.deliveredMsat < d.obligationMsat ? 'partial' : 'delivered') : 'missed', event: d ?? null });
    },
  );

  app.post(
    '/v1/forwards/rollover',
    { config: { auth: 'trade' }, schema: { tags: ['forwards'], summary: 'Roll an expiring contract (miner) into the next, in one step', security, body: RolloverBody, response: { 200: Obj({ seq: Type.Integer() }), ...errs } } },
    async (req) => {
      const b = req.body;
      let investorSigned = false;
      if (b.with === 'counterparty') {
        if (b.investorConsent === undefined) throw new ApiError('invalid_argument', "with: 'counterparty' needs investorConsent, the investor's signature over the new terms", 'body.investorConsent');
        const investor = port.views.forwards.investorOf(b.contractId);
        if (investor === undefined) throw new ApiError('unknown_contract', `no forward contract ${b.contractId}`, 'body.contractId');
        const v = verifyRolloverConsent(investor, { contractId: b.contractId, market: b.market, price: b.price, ...(b.qty !== undefined ? { qty: b.qty } : {}) }, b.investorConsent, port.nowMs());
        if (v === 'stale') throw new ApiError('stale_consent', "the investor's consent is older than 10 minutes (or from the future)", 'body.investorConsent.timestampMs');
        if (v === 'bad_signature') throw new ApiError('bad_consent', "investorConsent is not the contract investor's signature over these terms", 'body.investorConsent.signature');
        investorSigned = true;
      }
      const { seq, events } = await submitOrRefuse(port, {
        type: 'ForwardRollover', account: req.principal!.account, contractId: b.contractId, market: b.market, price: b.price,
        ...(b.qty !== undefined ? { qty: b.qty } : {}), with: b.with, ...(investorSigned ? { investorSigned } : {}),
      });
      const r = eventsOf(events, 'ForwardRolledOver');
      return wire({ seq, fromContractId: b.contractId, toContractIds: r.map((x) => x.toContractId), opened: eventsOf(events, 'ForwardContractOpened') });
    },
  );
}
