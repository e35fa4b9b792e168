/**
 * Money in and out of the exchange through the user's own Ark wallet.
 * - GET /v1/ark/funding (public): where to pay (the operator's liquidity key's Ark address) and the memo
 *   that names the account; a deposit is an Ark tx the user's wallet signs, credited once finalized.
 * - POST /v1/withdrawals/ark (account key only, like every withdrawal): the operator pays an Ark
 *   address of this server's network and operator a VTXO; the debit is journaled before the payment.
 */
import { Type } from 'typebox';
import * as S from '../schemas.js';
import type { App, RouteModule } from '../app-types.js';

export interface ArkFundingInfo {
  address: string;
  network: string;
  memoPrefix: string;
  memoExample: string;
  note: string;
}

export interface ArkWithdrawalAck {
  requestId: string;
  account: string;
  amountSat: number;
  /** settled: the Ark tx is finalized; pending: the operator accepted it but it is not finalized yet (reconciled later). */
  status: 'settled' | 'pending';
  arkTxid: string;
  balanceMsat: string;
  availableMsat: string;
}

export interface ArkFundsPort {
  fundingInfo(): ArkFundingInfo;
  withdraw(c: { account: string; amountSat: number; address: string }): Promise<ArkWithdrawalAck>;
}

const FundingInfo = Type.Object({ address: Type.String(), network: Type.String(), memoPrefix: Type.String(), memoExample: Type.String(), note: Type.String() });
const ArkWithdrawBody = Type.Object(
  {
    amountSat: S.Sat,
    /** An Ark address (bech32m) of this server's network and operator. */
    address: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);
const Ack = Type.Object({
  requestId: Type.String(),
  account: S.AccountId,
  amountSat: Type.Integer(),
  status: Type.Union([Type.Literal('settled'), Type.Literal('pending')]),
  arkTxid: Type.String({ pattern: '^[0-9a-f]{64}$' }),
  balanceMsat: S.DecimalString,
  availableMsat: S.DecimalString,
});
const errs = { 400: S.ErrorBody, 401: S.ErrorBody, 403: S.ErrorBody, 404: S.ErrorBody, 409: S.ErrorBody, 422: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };

export function arkFundsRoutes(port: ArkFundsPort): RouteModule {
  return (app: App) => {
    app.get(
      '/v1/ark/funding',
      { schema: { tags: ['funds'], summary: "Fund the exchange from your Ark wallet: pay this Ark address in an Ark tx with a zero-value OP_RETURN output <memoPrefix + your account id>; credited once the tx is finalized", response: { 200: FundingInfo, ...errs } } },
      async () => port.fundingInfo(),
    );
    app.post(
      '/v1/withdrawals/ark',
      {
        config: { auth: 'account' },
        schema: {
          tags: ['funds'],
          summary: "Withdraw to your Ark wallet (account key only): debits the free balance (refused beyond it), then the operator pays the Ark address a VTXO in an Ark tx carrying the request's memo",
          security: [{ accountKey: [] }],
          body: ArkWithdrawBody,
          response: { 200: Ack, ...errs },
        },
      },
      async (req) => port.withdraw({ account: req.principal!.account, amountSat: req.body.amountSat, address: req.body.address }),
    );
  };
}
