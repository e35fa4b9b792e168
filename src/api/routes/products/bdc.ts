/**
 * Block-delta contracts ("height H is mined before MTP reaches T"): series with the model's fair odds
 * beside the book, books, listing (operator only), orders, positions, the holder's contract key, and the
 * contract documents and exit data of the operator's block-delta desk (contract VTXOs on the Ark operator).
 * Prices are FAST-side basis points of the payout.
 */
import { Type } from 'typebox';
import type { BdcSeriesView } from '../../../engine/products/bdc/index.js';
import type { ChainView } from '../../../engine/index.js';
import { HashPerpError } from '../../../units/errors.js';
import { ApiError } from '../../errors.js';
import type { Principal } from '../../auth/authenticate.js';
import type { ProductsPort } from '../../products/port.js';
import { bdcExitView } from '../../products/bdc-exit-view.js';
import * as S from '../../schemas.js';
import type { App } from '../../app-types.js';
import { errs, eventsOf, isoOf, Obj, security, submitOrRefuse, Tif, wire } from './common.js';

const SeriesId = Type.String({ pattern: '^BDC-[0-9]{1,9}-[0-9]{1,10}$', description: 'BDC-<height>-<deadline>' });
const PositionId = Type.String({ pattern: '^BDC-[0-9]{1,9}-[0-9]{1,10}#[0-9]{1,15}$', description: '<series>#<n>; percent-encode the # in URLs (%23)' });
const Bps = Type.Integer({ minimum: 1, maximum: 9999, description: 'FAST price, basis points of the payout' });

export const BdcListBody = Type.Object(
  { height: Type.Integer({ minimum: 1, maximum: 499_999_999 }), deadline: Type.Integer({ minimum: 500_000_000, maximum: S.ENGINE_LIMITS.maxLocktime }), payoutSat: Type.Integer({ minimum: 10_000, maximum: S.ENGINE_LIMITS.maxBdcPayoutSat, multipleOf: 10_000 }) },
  { additionalProperties: false },
);
export const BdcOrderBody = Type.Object(
  {
    series: SeriesId,
    side: Type.Union([Type.Literal('FAST'), Type.Literal('SLOW')]),
    price: Bps,
    qty: Type.Integer({ minimum: 1, maximum: S.ENGINE_LIMITS.maxBdcContracts, description: 'contracts' }),
    tif: Type.Optional(Tif),
    postOnly: Type.Optional(Type.Boolean()),
    clientOrderId: Type.Optional(S.ClientOrderId),
  },
  { additionalProperties: false },
);

export function registerBdcRoutes(app: App, port: ProductsPort): void {
  const seriesView = (tip: ChainView, s: BdcSeriesView): Record<string, unknown> => {
    const f = port.views.bdc.fair(s.series);
    const fair = f.fair === undefined ? null : f.fair.decided ? { fairBps: f.fair.fairBps, decided: true, basis: f.fair.basis } : { ...f.fair.fair, decided: false };
    return wire({
      series: s.series, height: s.height, deadline: s.deadline, deadlineIso: isoOf(s.deadline),
      heightEtaIso: tip.height >= 0 && s.height > tip.height ? isoOf(tip.time + (s.height - tip.height) * 600) : null,
      payoutSat: s.payoutSat, bestBid: s.bestBid ?? null, bestAsk: s.bestAsk ?? null, fairBps: fair?.fairBps ?? null, fair, fairError: f.error ?? null,
      status: s.status, winner: s.winner, decidedAtHeight: s.decidedAtHeight, openInterest: s.openInterest, potMsat: s.potMsat,
    });
  };

  app.get(
    '/v1/bdc/series',
    { schema: { tags: ['bdc'], summary: 'Series with H, T (unix and ISO), payout, best bid/ask, the model’s fair bps, status/outcome', response: { 200: Obj({ series: Type.Array(Obj({ series: Type.String() })) }) } } },
    async () => {
      const tip = port.views.tip();
      return { height: tip.height, mtp: tip.mtp, series: port.views.bdc.series().map((s) => seriesView(tip, s)) };
    },
  );

  app.get(
    '/v1/bdc/series/:series/book',
    { schema: { tags: ['bdc'], summary: 'A series’ book: bids are FAST orders, asks SLOW orders (FAST bps)', params: Type.Object({ series: SeriesId }), querystring: S.BookQuery, response: { 200: Obj({ series: Type.String(), bids: Type.Array(S.Level), asks: Type.Array(S.Level) }), ...errs } } },
    async (req) => {
      const b = port.views.bdc.book(req.params.series, req.query.levels ?? 50);
      if (b === undefined) throw new ApiError('unknown_series', `no series ${req.params.series}`, 'params.series');
      const f = port.views.bdc.fair(req.params.series).fair;
      return { series: req.params.series, bids: b.bids.map((l) => ({ price: l.price, size: l.qty })), asks: b.asks.map((l) => ({ price: l.price, size: l.qty })), fairBps: f === undefined ? null : f.decided ? f.fairBps : f.fair.fairBps };
    },
  );

  app.post(
    '/v1/bdc/series',
    {
      // 'admin' is an API key scope the operator grants itself; the auth hook checks the key carries it
      // (the route-config type lists only the scopes of the public key API, hence the cast).
      config: { auth: 'admin' as 'read' },
      schema: { tags: ['bdc'], summary: 'List a series (operator only: an admin API key or an operator account)', security, body: BdcListBody, response: { 200: Obj({ seq: Type.Integer(), series: Type.String() }), ...errs } },
    },
    async (req) => {
      if (!port.isOperator(req.principal!)) throw new ApiError('operator_only', 'only the operator lists series', 'x-hp-account');
      const b = req.body;
      const { seq, events } = await submitOrRefuse(port, { type: 'BdcListSeries', height: b.height, deadline: b.deadline, payoutSat: b.payoutSat });
      const l = eventsOf(events, 'BdcSeriesListed')[0];
      return { seq, series: l?.series ?? `BDC-${b.height}-${b.deadline}`, height: b.height, deadline: b.deadline, deadlineIso: isoOf(b.deadline), payoutSat: b.payoutSat };
    },
  );

  app.post(
    '/v1/bdc/orders',
    { config: { auth: 'trade' }, schema: { tags: ['bdc'], summary: 'Order on a series (FAST bids, SLOW offers; price in FAST bps)', security, body: BdcOrderBody, response: { 200: Obj({ seq: Type.Integer(), orderId: Type.Integer(), status: Type.String() }), ...errs } } },
    async (req) => {
      const b = req.body;
      const account = req.principal!.account;
      const { seq, events } = await submitOrRefuse(port, {
        type: 'BdcPlaceOrder', account, series: b.series, side: b.side, price: b.price, qty: b.qty, tif: b.tif ?? 'GTC', postOnly: b.postOnly ?? false,
        ...(b.clientOrderId !== undefined ? { clientOrderId: b.clientOrderId } : {}),
      });
      const orderId = eventsOf(events, 'BdcOrderAccepted')[0]?.orderId ?? 0;
      const trades = eventsOf(events, 'BdcTrade').filter((t) => t.takerOrderId === orderId);
      const filled = trades.reduce((s, t) => s + t.qty, 0);
      const resting = eventsOf(events, 'BdcOrderResting').find((r) => r.orderId === orderId);
      const status = resting !== undefined ? (filled > 0 ? 'partially_filled' : 'open') : filled === b.qty ? 'filled' : filled > 0 ? 'partially_filled' : 'expired';
      const positions = eventsOf(events, 'BdcPositionOpened').filter((p) => p.account === account).map((p) => p.positionId);
      return wire({ seq, orderId, series: b.series, ...(b.clientOrderId !== undefined ? { clientOrderId: b.clientOrderId } : {}), status, filled, remaining: resting?.qty ?? 0, positionIds: positions, takerFeeMsat: trades.reduce((s, t) => s + t.takerFeeMsat, 0n) });
    },
  );

  app.delete(
    '/v1/bdc/orders/:orderId',
    { config: { auth: 'trade', cancel: true }, schema: { tags: ['bdc'], summary: 'Cancel a resting order (its escrow returns)', security, params: Type.Object({ orderId: Type.String({ pattern: '^[1-9][0-9]{0,14}$' }) }), querystring: Type.Object({ series: Type.Optional(SeriesId) }, { additionalProperties: false }), response: { 200: Obj({ seq: Type.Integer(), orderId: Type.Integer(), status: Type.String() }), ...errs } } },
    async (req) => {
      const account = req.principal!.account;
      const orderId = Number(req.params.orderId);
      const o = port.views.bdc.ordersOf(account, req.query.series).find((x) => x.orderId === orderId);
      // Another account's order is indistinguishable from a missing one, and nothing is journaled.
      if (o === undefined) throw new ApiError('unknown_order', `no resting order ${orderId} of this account${req.query.series ? ' on ' + req.query.series : ''}`, 'params.orderId');
      const { seq, events } = await submitOrRefuse(port, { type: 'BdcCancelOrder', account, series: o.series, orderId }, (f) => (f === 'orderId' ? 'params.orderId' : 'querystring.' + f));
      const c = eventsOf(events, 'BdcOrderCancelled')[0];
      return wire({ seq, orderId, series: o.series, status: 'cancelled', remainingQty: c?.remainingQty ?? 0, releasedMsat: c?.releasedMsat ?? 0n });
    },
  );

  app.get(
    '/v1/bdc/positions',
    { config: { auth: 'read' }, schema: { tags: ['bdc'], summary: 'The account’s open positions and resting orders, with contract VTXO status and when to start a unilateral exit', description: 'exit: the latest safe start of a unilateral exit for the holder’s win (SLOW: broadcast the first unroll tx while the tip is at most latestStart.height; FAST: by latestStart.time, unix seconds, an estimate), from the contract’s exit delay d and the k transactions of its exit package (or the stated assumptions), and the race once both locks have opened (metastability).', security, response: { 200: Obj({ positions: Type.Array(Obj({ positionId: Type.String() })) }), ...errs } } },
    async (req) => {
      const account = req.principal!.account;
      return {
        positions: port.views.bdc.positionsOf(account).map((p) => ({ ...wire(p), contract: contractStatus(port, p.positionId), exit: bdcExitView(p, port.contracts) })),
        orders: port.views.bdc.ordersOf(account),
      };
    },
  );

  /**
   * Only the holder of the position (or the operator) reads its document and exit package: they name the
   * holder's key, side and stake. Anyone else gets the same 404 as for a position that does not exist, so
   * the sequential ids reveal nothing.
   */
  const contractDoc = (positionId: string, principal: Principal) => {
    const svc = port.contracts;
    if (svc === undefined) throw new ApiError('contracts_unavailable', 'this server runs no contract service');
    const missing = (): ApiError => new ApiError('unknown_position', `no contract ${positionId} of this account`, 'params.positionId');
    try {
      if (svc.record(positionId).account !== principal.account && !port.isOperator(principal)) throw missing();
      return { svc, doc: svc.contract(positionId) };
    } catch (e) {
      if (e instanceof HashPerpError && e.code === 'unknown_position') throw missing();
      throw e;
    }
  };

  app.post(
    '/v1/bdc/contract-key',
    {
      config: { auth: 'trade' },
      schema: {
        tags: ['bdc'],
        summary: 'Register the x-only key of your Ark wallet as U in your contract VTXOs (not the API key); positions waiting for it are funded next',
        security,
        body: Type.Object({ key: Type.String({ pattern: '^[0-9a-f]{64}$', description: 'x-only public key, lower-case hex' }) }, { additionalProperties: false }),
        response: { 200: Obj({ key: Type.String() }), ...errs },
      },
    },
    async (req) => {
      const svc = port.contracts;
      if (svc === undefined) throw new ApiError('contracts_unavailable', 'this server runs no Ark operator, so there are no contract VTXOs');
      svc.setContractKey(req.principal!.account, req.body.key);
      return { key: req.body.key };
    },
  );

  const swaps = () => {
    const d = port.contracts?.swaps;
    if (d === undefined) throw new ApiError('contracts_unavailable', 'this server funds no contract VTXOs, so offers on them cannot settle as Ark swaps');
    return d;
  };
  const Outpoint = { txid: Type.String({ pattern: '^[0-9a-f]{64}$' }), vout: Type.Integer({ minimum: 0, maximum: 65_535 }) };
  const Psbt = Type.String({ minLength: 1, maxLength: 200_000, description: 'base64 PSBT' });
  const SwapId = Type.String({ minLength: 1, maxLength: 64, description: 'the swap Ark tx id (64 hex)' });

  app.post(
    '/v1/bdc/swaps',
    {
      config: { auth: 'trade' },
      schema: {
        tags: ['bdc'],
        summary: 'Accept an offer on a contract VTXO as an atomic Ark swap: the desk builds the tx (the seller’s contract + your VTXOs in; your contract, the seller’s price and your change out) for both to sign',
        security,
        body: Type.Object(
          { offerId: Type.Integer({ minimum: 0 }), inputs: Type.Array(Type.Object({ ...Outpoint, tapTree: Type.String({ pattern: '^[0-9a-f]{2,20000}$' }) }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }) },
          { additionalProperties: false },
        ),
        response: { 200: Obj({ swapId: Type.String() }), ...errs },
      },
    },
    async (req) => ({ ...(await swaps().prepare(req.principal!.account, req.body.offerId, req.body.inputs)) }),
  );

  const takes = () => {
    const d = port.contracts?.takes;
    if (d === undefined) throw new ApiError('contracts_unavailable', 'this server funds no contract VTXOs, so orders cannot be taken from an Ark wallet');
    return d;
  };

  app.post(
    '/v1/bdc/take',
    {
      config: { auth: 'trade' },
      schema: {
        tags: ['bdc'],
        summary: 'Take a series from your Ark wallet: the desk builds one Ark tx (your stake VTXOs and the operator’s liquidity in, your contract VTXO out) for you to sign; the order fills in full at the limit when you sign, or nothing happens',
        security,
        body: Type.Object(
          {
            series: SeriesId, side: Type.Union([Type.Literal('FAST'), Type.Literal('SLOW')]), price: Bps, qty: Type.Integer({ minimum: 1, maximum: S.ENGINE_LIMITS.maxBdcContracts }),
            inputs: Type.Array(Type.Object({ ...Outpoint, tapTree: Type.String({ pattern: '^[0-9a-f]{2,20000}$' }) }, { additionalProperties: false }), { minItems: 1, maxItems: 20 }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Obj({ takeId: Type.String() }), ...errs },
      },
    },
    async (req) => ({ ...(await takes().prepare(req.principal!.account, req.body)) }),
  );

  app.post(
    '/v1/bdc/take/:takeId/signatures',
    {
      config: { auth: 'trade' },
      schema: {
        tags: ['bdc'],
        summary: 'Your signatures on your inputs of the take and on their checkpoints: the engine fills the order, then the tx is submitted and finalized',
        security,
        params: Type.Object({ takeId: SwapId }),
        body: Type.Object({ arkTx: Psbt, checkpoints: Type.Array(Psbt, { minItems: 1, maxItems: 21 }) }, { additionalProperties: false }),
        response: { 200: Obj({ takeId: Type.String(), status: Type.String() }), ...errs },
      },
    },
    async (req) => ({ ...(await takes().sign(req.principal!.account, req.params.takeId, req.body.arkTx, req.body.checkpoints)) }),
  );

  app.get(
    '/v1/bdc/swaps',
    { config: { auth: 'read' }, schema: { tags: ['bdc'], summary: 'Your pending and finished Ark swaps (as seller or buyer), with the PSBTs to sign', security, response: { 200: Obj({ swaps: Type.Array(Obj({ swapId: Type.String() })) }), ...errs } } },
    async (req) => ({ swaps: swaps().swapsOf(req.principal!.account).map((r) => ({ ...r })) }),
  );

  app.post(
    '/v1/bdc/swaps/:swapId/signatures',
    {
      config: { auth: 'trade' },
      schema: {
        tags: ['bdc'],
        summary: 'Your signatures on your inputs of the swap and on their checkpoints; once both parties signed the swap is submitted, finalized and recorded',
        security,
        params: Type.Object({ swapId: SwapId }),
        body: Type.Object({ arkTx: Psbt, checkpoints: Type.Array(Psbt, { minItems: 1, maxItems: 21 }) }, { additionalProperties: false }),
        response: { 200: Obj({ swapId: Type.String(), status: Type.String() }), ...errs },
      },
    },
    async (req) => ({ ...(await swaps().sign(req.principal!.account, req.params.swapId, req.body.arkTx, req.body.checkpoints)) }),
  );

  app.get(
    '/v1/bdc/contract-key',
    { config: { auth: 'read' }, schema: { tags: ['bdc'], summary: 'Your registered contract key (null when none)', security, response: { 200: Obj({ key: Type.Union([Type.String(), Type.Null()]) }), ...errs } } },
    async (req) => ({ key: port.contracts?.contractKey(req.principal!.account) ?? null }),
  );

  app.get(
    '/v1/bdc/contracts',
    {
      config: { auth: 'read' },
      schema: { tags: ['bdc'], summary: 'Your contracts: open positions, and decided ones whose contract VTXO you still have to settle or exit', security, response: { 200: Obj({ contracts: Type.Array(Obj({ positionId: Type.String() })) }), ...errs } },
    },
    async (req) => ({ contracts: (port.contracts?.contractsOf(req.principal!.account) ?? []).map((d) => wire({ ...d })) }),
  );

  app.get(
    '/v1/bdc/contracts/:positionId',
    { config: { auth: 'read' }, schema: { tags: ['bdc'], summary: 'The contract document (holder or operator only; 404 for anyone else): terms, address, leaves and control blocks, status, exit package if batched', security, params: Type.Object({ positionId: PositionId }), response: { 200: Obj({ positionId: Type.String(), funded: Type.Boolean() }), ...errs } } },
    async (req) => {
      const { doc } = contractDoc(req.params.positionId, req.principal!);
      return { ...wire(doc), open: port.views.bdc.isOpen(req.params.positionId) };
    },
  );

  app.get(
    '/v1/bdc/contracts/:positionId/exit-package',
    { config: { auth: 'read' }, schema: { tags: ['bdc'], summary: 'Download the exit package (pre-signed transactions to exit alone; holder or operator only, 404 for anyone else)', security, params: Type.Object({ positionId: PositionId }) } },
    async (req, reply) => {
      const { svc } = contractDoc(req.params.positionId, req.principal!);
      let pkg: string;
      try {
        pkg = await svc.exitPackage(req.params.positionId);
      } catch (e) {
        if (e instanceof HashPerpError && e.code === 'not_batched') throw new ApiError('not_batched', e.message, 'params.positionId');
        throw e;
      }
      const name = 'exit-package-' + req.params.positionId.replace(/[^A-Za-z0-9-]/g, '_') + '.json';
      return reply.type('application/json; charset=utf-8').header('content-disposition', `attachment; filename="${name}"`).send(pkg);
    },
  );
}

function contractStatus(port: ProductsPort, positionId: string): Record<string, unknown> | null {
  const svc = port.contracts;
  if (svc === undefined) return null;
  try {
    const d = svc.contract(positionId);
    return { status: d.status, address: d.vtxo?.address ?? null, funded: d.funded, outpoint: d.outpoint ?? null, reason: d.reason ?? null };
  } catch {
    return null;
  }
}
