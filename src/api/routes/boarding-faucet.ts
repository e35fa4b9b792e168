/**
 * The embedded demo's boarding faucet: pays a user's Ark boarding address on the demo ledger and mines
 * a block, so the stock SDK wallet (and the web wallet) can board and settle without a Bitcoin node.
 * Only registered in embedded mode (by the Ark wiring). Unauthenticated, since the caller is a wallet
 * with no HashPerp account, so it is bounded like the account faucet: at most `faucetLimits.maxSat`
 * per call and the per-IP bucket. The coins are not bitcoin: every answer says so.
 */
import { Type } from 'typebox';
import { isAddressOn, type BtcNetwork } from '../../bitcoin/networks.js';
import { ApiError, rateLimited } from '../errors.js';
import { TokenBuckets } from '../rate-limit.js';
import * as S from '../schemas.js';
import type { App, ServerContext } from '../app-types.js';

export interface BoardingFaucetDeps {
  network: BtcNetwork;
  /** The smallest payment worth boarding (the operator's UTXO minimum). */
  minSat: number;
  /** Pays `amountSat` to `address` and mines it into a block. */
  pay(address: string, amountSat: bigint): Promise<{ txid: string; vout: number; height: number }>;
  /** Shown with every payment: what these coins are not. */
  note: string;
}

const Body = Type.Object({ address: Type.String({ minLength: 1, maxLength: 200 }), amountSat: S.Sat }, { additionalProperties: false });
const Paid = Type.Object({ txid: Type.String(), vout: Type.Integer(), amountSat: Type.Integer(), height: Type.Integer(), note: Type.String() });

export function registerBoardingFaucet(app: App, ctx: ServerContext, deps: BoardingFaucetDeps): void {
  const limits = ctx.faucetLimits;
  const perIp = new TokenBuckets(ctx.clock, limits.perIp);
  app.post(
    '/v1/faucet/boarding',
    {
      schema: {
        tags: ['funds'],
        summary: `Embedded demo only: pays ${deps.minSat}..${limits.maxSat} sat of demo-ledger coins (not bitcoin) to a ${deps.network.bech32} Ark boarding address and mines a block`,
        body: Body,
        response: { 200: Paid, 400: S.ErrorBody, 429: S.ErrorBody },
      },
    },
    async (req) => {
      const { address, amountSat } = req.body as { address: string; amountSat: number };
      if (!isAddressOn(deps.network, address)) throw new ApiError('invalid_argument', `address must be a ${deps.network.bech32} (regtest) address, got ${JSON.stringify(address.slice(0, 100))}`, 'body.address');
      if (amountSat < deps.minSat || amountSat > limits.maxSat) throw new ApiError('invalid_argument', `amountSat must be between ${deps.minSat} and ${limits.maxSat}, got ${amountSat}`, 'body.amountSat');
      const wait = perIp.take('ip:' + req.ip);
      if (wait > 0) throw rateLimited('boarding faucet limit for this address', wait);
      const paid = await deps.pay(address, BigInt(amountSat));
      return { ...paid, amountSat, note: deps.note };
    },
  );
}
