/**
 * Proof of liabilities and of reserves. Public: the root and total of each block's Merkle sum tree, and
 * the reserves report. Signed ('read'): the caller's own inclusion proof; asking for another account's is
 * refused (403), since a proof reveals the account's balance and salt.
 */
import { Type } from 'typebox';
import type { LiabilitiesProof, LiabilitiesRoot } from '../../proofs/liabilities.js';
import type { ReservesReport } from '../../proofs/reserves.js';
import { HashPerpError } from '../../units/errors.js';
import { ApiError } from '../errors.js';
import * as S from '../schemas.js';
import type { App, RouteModule } from '../app-types.js';

export interface ProofsPort {
  latest(): LiabilitiesRoot | undefined;
  rootAt(height: number): LiabilitiesRoot | undefined;
  /** undefined: no tree kept for that height; null: no leaf for the account (nothing owed to it). */
  proofAt(height: number, ledgerAccount: string): LiabilitiesProof | null | undefined;
  /** The report at the latest published block; undefined when this server runs no Ark operator. */
  reserves(): Promise<ReservesReport | undefined>;
}

const Msat = Type.String({ pattern: '^[0-9]{1,19}$', description: 'msat as a decimal string (may exceed 2^53)' });
const Hex32 = Type.String({ pattern: '^[0-9a-f]{64}$' });
export const LiabilitiesRootSchema = Type.Object({
  height: Type.Integer(),
  blockHash: Type.String(),
  root: Hex32,
  totalMsat: Msat,
  accounts: Type.Integer({ description: 'leaves in the tree: ledger accounts with a balance, world excluded' }),
});
const LiabilitiesProofSchema = Type.Object({
  height: Type.Integer(),
  blockHash: Type.String(),
  root: Hex32,
  totalMsat: Msat,
  ledgerAccount: Type.String(),
  balanceMsat: Msat,
  salt: Type.String({ pattern: '^[0-9a-f]{32}$' }),
  index: Type.Integer(),
  count: Type.Integer(),
  path: Type.Array(Type.Object({ hash: Hex32, sumMsat: Msat })),
});
const Outpoint = Type.Object({ kind: Type.String(), txid: Type.String(), vout: Type.Integer(), amountSat: S.DecimalString, confirmations: Type.Integer() });
const ReservesSchema = Type.Object({
  chain: Type.String(),
  network: Type.String(),
  onChain: Type.String(),
  chainHeight: Type.Integer(),
  outpoints: Type.Array(Outpoint),
  totals: Type.Object({ walletSat: S.DecimalString, forfeitSat: S.DecimalString, batchSat: S.DecimalString, reservesSat: S.DecimalString }),
  exchange: Type.Object({ liabilities: Type.Union([LiabilitiesRootSchema, Type.Null()]), vaultNavMsat: S.DecimalString, backingMsat: S.DecimalString, shortByMsat: S.DecimalString }),
  ark: Type.Object({ vtxosOutstandingSat: S.DecimalString, batchOutputsSat: S.DecimalString, shortBySat: S.DecimalString }),
  reservesShort: Type.Boolean(),
});

const HeightQuery = Type.Object({ height: Type.Optional(Type.Integer({ minimum: 0 })) }, { additionalProperties: false });
const MeQuery = Type.Object(
  { height: Type.Optional(Type.Integer({ minimum: 0 })), account: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'must be the signing account (omit it)' })) },
  { additionalProperties: false },
);
const errs = { 400: S.ErrorBody, 401: S.ErrorBody, 403: S.ErrorBody, 404: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };

function heightOf(port: ProofsPort, q: { height?: number }): number {
  if (q.height !== undefined) return q.height;
  const l = port.latest();
  if (l === undefined) throw new HashPerpError('proof_unavailable', 'no liabilities root published yet: one is published after each block');
  return l.height;
}

export function proofRoutes(port: ProofsPort): RouteModule {
  return (app: App) => {
    app.get(
      '/v1/proofs/liabilities',
      { schema: { tags: ['proofs'], summary: "The liabilities tree's root and total at a block (default: the latest)", querystring: HeightQuery, response: { 200: LiabilitiesRootSchema, ...errs } } },
      async (req) => {
        const h = heightOf(port, req.query);
        const r = port.rootAt(h);
        if (r === undefined) throw new HashPerpError('proof_not_kept', `no liabilities root kept for block ${h}`, { field: 'querystring.height' });
        return r;
      },
    );

    app.get(
      '/v1/proofs/liabilities/me',
      {
        config: { auth: 'read' },
        schema: { tags: ['proofs'], summary: "The signing account's inclusion proof in a block's liabilities tree (default: the latest)", security: [{ accountKey: [] }, { apiKey: [] }], querystring: MeQuery, response: { 200: LiabilitiesProofSchema, ...errs } },
      },
      async (req) => {
        const account = req.principal!.account;
        if (req.query.account !== undefined && req.query.account !== account) throw new ApiError('not_owner', "an account may fetch only its own liabilities proof", 'querystring.account');
        const h = heightOf(port, req.query);
        const p = port.proofAt(h, `user:${account}`);
        if (p === undefined) throw new HashPerpError('proof_not_kept', `no liabilities tree kept for block ${h} (only the last few blocks' are)`, { field: 'querystring.height' });
        if (p === null) throw new HashPerpError('unknown_account', `this account had no balance at block ${h}: nothing was owed to it, so it has no leaf`);
        return p;
      },
    );

    app.get(
      '/v1/proofs/reserves',
      { schema: { tags: ['proofs'], summary: 'Outpoints the operator controls, summed against the liabilities and the vault NAV', response: { 200: ReservesSchema, ...errs } } },
      async () => {
        const r = await port.reserves();
        if (r === undefined) throw new HashPerpError('reserves_unavailable', 'this server runs no Ark operator, so it lists no reserves');
        return r;
      },
    );
  };
}
