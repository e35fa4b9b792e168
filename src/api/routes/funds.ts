/**
 * Money in and out: the embedded-mode faucet (signed, bounded per call, rate limited per account)
 * and withdrawals (signed by the account key or a 'trade' API key; the engine refuses anything over
 * the free balance). A request can only move the signer's own funds: the account is the principal,
 * never a body field.
 */
import { ApiError } from '../errors.js';
import * as S from '../schemas.js';
import { TokenBuckets } from '../rate-limit.js';
import type { App, ServerContext } from '../app-types.js';

const errs = { 400: S.ErrorBody, 401: S.ErrorBody, 403: S.ErrorBody, 404: S.ErrorBody, 409: S.ErrorBody, 422: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };
const security: Record<string, string[]>[] = [{ accountKey: [] }, { apiKey: [] }];

export function registerFundsRoutes(app: App, ctx: ServerContext): void {
  const funds = ctx.funds;
  if (funds === undefined) return;
  const faucet = funds.faucet;
  if (faucet !== undefined) {
    const limits = ctx.faucetLimits;
    const buckets = new TokenBuckets(ctx.clock, limits.perAccount);
    app.post(
      '/v1/faucet',
      {
        config: { auth: 'trade' },
        schema: {
          tags: ['funds'],
          summary: `Test funds (embedded mode): credits at most ${limits.maxSat} sat per call, rate limited per account`,
          security,
          body: S.FaucetBody,
          response: { 200: S.FundsAck, ...errs },
        },
      },
      async (req) => {
        const amountSat = req.body.amountSat;
        if (amountSat > limits.maxSat) throw new ApiError('invalid_argument', `the faucet gives at most ${limits.maxSat} sat per call`, 'body.amountSat');
        const account = req.principal!.account;
        const wait = buckets.take(account);
        if (wait > 0) throw new ApiError('rate_limited', `faucet limit for this account; retry in ${wait} ms`, undefined, { 'retry-after': String(Math.ceil(wait / 1000)) });
        return faucet({ account, amountSat });
      },
    );
  }
  const depositAddress = funds.depositAddress;
  if (depositAddress !== undefined) {
    app.get(
      '/v1/deposit-address',
      {
        config: { auth: 'read' },
        schema: {
          tags: ['funds'],
          summary: "The account's taproot deposit address (operator key path; the account key alone after a timeout); credited after confirmations",
          security,
          response: { 200: S.DepositAddressInfo, ...errs },
        },
      },
      async (req) => depositAddress(req.principal!.account),
    );
  }
  app.post(
    '/v1/withdrawals',
    {
      config: { auth: 'trade' },
      schema: {
        tags: ['funds'],
        summary: 'Withdraw to a Bitcoin address: debits the free balance (refused beyond it), then pays out on chain where the server holds funds',
        security,
        body: S.WithdrawBody,
        response: { 200: S.FundsAck, ...errs },
      },
    },
    async (req) => funds.withdraw({ account: req.principal!.account, amountSat: req.body.amountSat, address: req.body.address }),
  );
}
