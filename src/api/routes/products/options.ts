/**
 * Hashprice options: the vault's quote (the engine's own price at its current state: μ, σ from the index
 * history the engine recorded, the Hedge model, the vault's spread), buying with that premium as the buyer's
 * limit (the engine prices again when it applies the command), the account's options.
 */
import { Type } from 'typebox';
import type { OptionQuoteResult } from '../../../engine/products/options/index.js';
import { ApiError } from '../../errors.js';
import type { ProductsPort } from '../../products/port.js';
import * as S from '../../schemas.js';
import type { App } from '../../app-types.js';
import { errs, eventsOf, modelCall, Msat, Obj, security, submitOrRefuse, wire } from './common.js';

const OptionType = Type.Union([Type.Literal('call'), Type.Literal('put')], {
  description: 'call: pays lots × min(max(S − K, 0), 2K) msat — the payoff is capped at twice the strike per lot (a call spread K..3K, priced as C(K) − C(3K)); put: pays lots × max(K − S, 0). S is the mean index over the 144 blocks ending at expiryHeight.',
});
export const OptionTerms = Type.Object(
  {
    optionType: OptionType,
    strike: S.PriceSatPerPHDay,
    expiryHeight: S.Height,
    lots: Type.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'lots of 1 TH/s·day' }),
  },
  { additionalProperties: false },
);

function quoteView(q: OptionQuoteResult, tipTime: number, feePpm: number): Record<string, unknown> {
  const c = q.command;
  return wire({
    optionType: c.optionType, strike: c.strike, expiryHeight: c.expiryHeight, lots: c.lots,
    premiumMsat: q.premiumMsat, modelMsat: q.modelMsat, spreadBps: c.quote.spreadBps,
    feePpm,
    windowDays: q.model.windowDays,
    mu: q.model.mu, sigma: q.model.sigma, muUsed: q.model.muUsed, sigmaUsed: q.model.sigmaUsed,
    stdErrLogDrift: q.model.stdErrLogDrift, stdErrSigma: q.model.stdErrSigma, estimation: { window: q.model.window, method: q.model.method },
    expiryUtc: q.expiryEstimateUtc,
    basis: { index: c.quote.indexAtQuote, height: c.quote.quotedAtHeight, mtp: c.quote.quotedAtMtp, time: tipTime },
    price: q.price,
    quote: c.quote,
  });
}

export function registerOptionRoutes(app: App, port: ProductsPort): void {
  const quote = (account: string, t: { optionType: 'call' | 'put'; strike: number; expiryHeight: number; lots: number }) => {
    const tip = port.views.options.quoteTip();
    if (tip === undefined) throw new ApiError('index_unavailable', 'no index yet: the engine has processed no block');
    return { tip, q: modelCall('option quote', () => port.views.options.quote(tip, { account, ...t })) };
  };

  app.get(
    '/v1/options/quote',
    { schema: { tags: ['options'], summary: 'The vault’s quote for a European HPI call or put: premium, model value, μ, σ, expiry date', description: 'The engine’s own price at its current state: μ and σ estimated from the whole days of the index the engine recorded from blocks (σ never below the vault’s floor; with fewer than 5 whole days recorded, μ = 0 and σ = the floor — see estimation.method), the Hedge drift model on the expiry-day mean, the vault’s spread. Calls are capped at 2K per lot and priced as the call spread C(K) − C(3K). premiumMsat is what a buy at this state pays.', querystring: OptionTerms, response: { 200: Obj({ premiumMsat: Msat, modelMsat: Msat, windowDays: Type.Integer({ description: 'days of index history μ and σ were estimated from (the product parameter optionWindowDays)' }), mu: Type.Number(), sigma: Type.Number(), muUsed: Type.Number(), sigmaUsed: Type.Number(), expiryUtc: Type.String() }), ...errs } } },
    async (req) => {
      const { tip, q } = quote('quote', req.query);
      return quoteView(q, tip.time, port.views.options.feePpm);
    },
  );

  app.post(
    '/v1/options/buy',
    { config: { auth: 'trade' }, schema: { tags: ['options'], summary: 'Buy from the vault at the engine’s price (the quote’s premium is the most you pay)', description: 'The server quotes now and submits the quote’s premium as your limit; the engine prices the option again from its own state and charges its price, or refuses (quote_stale) if that is above the limit. A call pays at most 2K per lot (the cap is a contract term).', security, body: OptionTerms, response: { 200: Obj({ seq: Type.Integer(), optionId: Type.String() }), ...errs } } },
    async (req) => {
      const { tip, q } = quote(req.principal!.account, req.body);
      const { seq, events } = await submitOrRefuse(port, q.command, (f) => (f.startsWith('quote') ? 'body' : 'body.' + f));
      const b = eventsOf(events, 'OptionBought')[0];
      return { seq, optionId: b?.optionId ?? '', ...wire({ bought: b ?? null }), quote: quoteView(q, tip.time, port.views.options.feePpm) };
    },
  );

  app.get(
    '/v1/options/parameters',
    { schema: { tags: ['options'], summary: 'The options product’s parameters as the engine runs them', description: 'windowDays: the whole days of index history μ and σ are estimated from (default chosen by the vault-selling backtest, docs/option-window.md; set where the exchange is configured, ExchangeConfig.products.optionWindowDays, windowDaysMin..windowDaysMax); the σ floor, spread, fee, freshness rule, expiry and exposure limits.', response: { 200: Obj({ windowDays: Type.Integer(), windowDaysMin: Type.Integer(), windowDaysMax: Type.Integer(), windowDaysDefault: Type.Integer() }), ...errs } } },
    async () => {
      const p = port.views.options.parameters;
      if (p === undefined) throw new ApiError('index_unavailable', 'this server does not list the options product\'s parameters');
      return p();
    },
  );

  app.get(
    '/v1/options',
    { config: { auth: 'read' }, schema: { tags: ['options'], summary: 'The account’s options (open and settled)', security, response: { 200: Obj({ options: Type.Array(Obj({ id: Type.String() })) }), ...errs } } },
    async (req) => ({ options: port.views.options.optionsOf(req.principal!.account).map((o) => wire(o)) }),
  );
}
