/**
 * The holder's cooperative settlement of a block-delta contract VTXO once the header rule has decided
 * its series: the winner signs an Ark tx paying itself; a loser signs one releasing the VTXO to the
 * operator's liquidity (the contract guard refuses anything else). Before signing, the document's
 * contract is rebuilt from its terms with the holder's own key: a document whose address differs is
 * refused. Used by `hashperp bdc settle` and the web's contract document (no Node APIs here).
 */
import { hex } from '@scure/base';
import { ArkAddress, type ArkProvider, type Identity, type RelativeTimelock } from '@arkade-os/sdk';
import type { ContractDocument } from '../operator/block-delta/desk.js';
import { buildBlockDeltaVtxo, type BdcSide, type BlockDeltaVtxo } from '../bitcoin/vtxo-scripts.js';
import { assertPays, contractInput, settleTx } from '../bitcoin/block-delta-tx.js';
import { HashPerpError } from '../units/errors.js';
import { submitCoSigned } from './cosign.js';

/** What settlement reads of a contract document (GET /v1/bdc/contracts/:positionId). */
export type SettleableDocument = Pick<ContractDocument, 'positionId' | 'series' | 'terms' | 'vtxo' | 'outpoint' | 'funded' | 'operatorPayout' | 'checkpointTapscript'>;

const parseOutpoint = (s: string): { txid: string; vout: number } => {
  const m = /^([0-9a-f]{64}):(\d{1,5})$/.exec(s);
  if (m === null) throw new HashPerpError('contract_mismatch', `the document's outpoint ${JSON.stringify(s)} is not TXID:VOUT`, { field: 'outpoint' });
  return { txid: m[1]!, vout: Number(m[2]) };
};

/** The contract a document describes, rebuilt with the wallet's own key: refuses a document whose address differs. */
export function contractFromDocument(doc: Pick<SettleableDocument, 'positionId' | 'terms' | 'vtxo'>, userXOnly: Uint8Array): BlockDeltaVtxo {
  const t = doc.terms;
  const mine = hex.encode(userXOnly);
  if (t.user !== mine) throw new HashPerpError('contract_mismatch', `position ${doc.positionId}: the document names U = ${String(t.user)}, your wallet key is ${mine}; refusing to sign`, { field: 'terms.user' });
  const exitDelay: RelativeTimelock = { type: t.exitDelay.type as RelativeTimelock['type'], value: BigInt(t.exitDelay.value) };
  const c = buildBlockDeltaVtxo({ user: userXOnly, operator: hex.decode(t.operator), userSide: t.side, targetHeight: t.targetHeight, deadline: t.deadline, exitDelay });
  const script = hex.encode(c.vtxoScript.pkScript);
  if (doc.vtxo?.scriptPubKey !== script)
    throw new HashPerpError('contract_mismatch', `position ${doc.positionId}: the document's contract address (${doc.vtxo?.address ?? 'none'}) is not the contract your key and its terms build (script ${script}); refusing to sign`, { field: 'vtxo.address' });
  return c;
}

export interface Settlement {
  won: boolean;
  /** The Ark address paid: the holder's own (won) or the operator's liquidity (lost). */
  to: string;
  amountSat: number;
  arkTxid: string;
}

/**
 * Signs and submits the settlement. `winner` is the series' outcome (GET /v1/bdc/series); `ownArkAddress`
 * the holder's wallet address, paid when its side won.
 */
export async function settleContract(ark: Pick<ArkProvider, 'submitTx' | 'finalizeTx'>, doc: SettleableDocument, winner: BdcSide, identity: Identity, ownArkAddress: string): Promise<Settlement> {
  if (!doc.funded || doc.outpoint === undefined) throw new HashPerpError('not_allowed', `position ${doc.positionId} has no contract VTXO`, { field: 'positionId' });
  const contract = contractFromDocument(doc, await identity.xOnlyPublicKey());
  const won = winner === doc.terms.side;
  const to = won ? ownArkAddress : doc.operatorPayout.address;
  const payee = ArkAddress.decode(to).pkScript;
  if (!won && hex.encode(payee) !== doc.operatorPayout.script)
    throw new HashPerpError('contract_mismatch', "the document's operator payout address and script disagree; refusing to sign", { field: 'operatorPayout' });
  const tx = settleTx(contractInput(contract, parseOutpoint(doc.outpoint), doc.terms.amountSat), payee, hex.decode(doc.checkpointTapscript));
  assertPays(tx, 0, payee, BigInt(doc.terms.amountSat));
  const { arkTxid } = await submitCoSigned(ark, tx, [{ identity, inputs: [0] }]);
  return { won, to, amountSat: doc.terms.amountSat, arkTxid };
}
