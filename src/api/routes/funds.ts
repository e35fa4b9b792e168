/**
 * Money in and out: the embedded-mode faucet (signed, bounded per call, rate limited per account and
 * per IP, and capped in total per block) and withdrawals (signed by the account key only: an API key,
 * even with the 'trade' scope, cannot move funds out; the address must be valid on the server's
 * network; the engine refuses anything over the free balance). A request can only move the signer's
 * own funds: the account is the principal, never a body field.
 */
import { ApiError, rateLimited } from '../errors.js';
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
    const perAccount = new TokenBuckets(ctx.clock, limits.perAccount);
    const perIp = new TokenBuckets(ctx.clock, limits.perIp);
    // Sat given in the current block, over every account and address (new keys are free to make).
    let block = { height: Number.NaN, sat: 0 };
    app.post(
      '/v1/faucet',
      {
        config: { auth: 'trade' },
        schema: {
          tags: ['funds'],
          summary: `Test funds (embedded mode): credits at most ${limits.maxSat} sat per call, rate limited per account and per IP, at most ${limits.perBlockSat} sat per block in total`,
          security,
          body: S.FaucetBody,
          response: { 200: S.FundsAck, ...errs },
        },
      },
      async (req) => {
        const amountSat = req.body.amountSat;
        if (amountSat > limits.maxSat) throw new ApiError('invalid_argument', `the faucet gives at most ${limits.maxSat} sat per call`, 'body.amountSat');
        const height = ctx.index.current()?.height ?? -1;
        if (height !== block.height) block = { height, sat: 0 };
        if (block.sat + amountSat > limits.perBlockSat) throw rateLimited(`the faucet gave its ${limits.perBlockSat} sat for block ${height}; retry after the next block`, 1000);
        const account = req.principal!.account;
        const ipWait = perIp.take('ip:' + req.ip);
        if (ipWait > 0) throw rateLimited('faucet limit for this address', ipWait);
        const wait = perAccount.take(account);
        if (wait > 0) throw rateLimited('faucet limit for this account', wait);
        const counted = block;
        counted.sat += amountSat;
        try {
          return await faucet({ account, amountSat });
        } catch (e) {
          counted.sat -= amountSat;
          throw e;
        }
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
      // Moving funds out takes the account key: API keys (even 'trade') cannot withdraw.
      config: { auth: 'account' },
      schema: {
        tags: ['funds'],
        summary: "Withdraw to a Bitcoin address of the server's network (account key only): debits the free balance (refused beyond it), then pays out on chain where the server holds funds",
        security: [{ accountKey: [] }],
        body: S.WithdrawBody,
        response: { 200: S.FundsAck, ...errs },
      },
    },
    async (req) => {
      return funds.withdraw({ account: req.principal!.account, amountSat: req.body.amountSat, address: req.body.address });
    },
  );
}
