/**
 * Submits an Ark tx that several parties sign (a contract's open, settlement or swap): each party signs
 * the inputs it owns with its own SDK identity, the operator co-signs at submit, then each party signs
 * the checkpoints of its own inputs and the tx is finalized. arkd's two-step protocol (submitTx,
 * finalizeTx), driven through the SDK's ArkProvider.
 */
import { base64 } from '@scure/base';
import { Transaction, type ArkProvider, type Identity, type OffchainTx } from '@arkade-os/sdk';
import { InvalidArgumentError } from '../units/errors.js';

export interface CoSigner {
  identity: Identity;
  /** Ark tx input indexes this party owns (checkpoint i spends the VTXO of input i). */
  inputs: number[];
}

export const psbtOf = (tx: Transaction): string => base64.encode(tx.toPSBT());
const psbt = psbtOf;

/** A PSBT from a request; a malformed one is refused naming the field. */
export function parsePsbt(b64: string, field: string): Transaction {
  try {
    return Transaction.fromPSBT(base64.decode(b64));
  } catch (e) {
    throw new InvalidArgumentError(field, `not a PSBT: ${(e as Error).message}`);
  }
}

/**
 * Submits an Ark tx whose parties signed it and their checkpoints beforehand (a swap, a take): the
 * operator signs at submit, each checkpoint it returns gets the parties' signatures added, then finalize.
 */
export async function submitPreSigned(ark: Pick<ArkProvider, 'submitTx' | 'finalizeTx'>, signedArkTx: string, unsignedCheckpoints: string[], signedCheckpoints: Transaction[]): Promise<{ arkTxid: string }> {
  const { arkTxid, signedCheckpointTxs } = await ark.submitTx(signedArkTx, unsignedCheckpoints);
  const parties = new Map(signedCheckpoints.map((t) => [t.id, t]));
  const final = signedCheckpointTxs.map((b64) => {
    const server = parsePsbt(b64, 'signedCheckpointTxs');
    const mine = parties.get(server.id);
    if (mine === undefined) throw new InvalidArgumentError('signedCheckpointTxs', `the operator returned an unknown checkpoint ${server.id}`);
    server.updateInput(0, { tapScriptSig: [...(server.getInput(0).tapScriptSig ?? []), ...(mine.getInput(0).tapScriptSig ?? [])] });
    return psbt(server);
  });
  await ark.finalizeTx(arkTxid, final);
  return { arkTxid };
}

export async function submitCoSigned(ark: Pick<ArkProvider, 'submitTx' | 'finalizeTx'>, tx: OffchainTx, signers: CoSigner[]): Promise<{ arkTxid: string }> {
  const owner = new Map<number, Identity>();
  for (const s of signers)
    for (const i of s.inputs) {
      if (owner.has(i)) throw new InvalidArgumentError('signers', `input ${i} has two signers`);
      owner.set(i, s.identity);
    }
  for (let i = 0; i < tx.arkTx.inputsLength; i++) if (!owner.has(i)) throw new InvalidArgumentError('signers', `nobody signs input ${i}`);

  let arkTx = tx.arkTx;
  for (const s of signers) arkTx = await s.identity.sign(arkTx, s.inputs);
  const { arkTxid, signedCheckpointTxs } = await ark.submitTx(psbt(arkTx), tx.checkpoints.map(psbt));
  const index = new Map(tx.checkpoints.map((c, i) => [c.id, i]));
  const final = await Promise.all(
    signedCheckpointTxs.map(async (b64) => {
      const cp = Transaction.fromPSBT(base64.decode(b64));
      const i = index.get(cp.id);
      if (i === undefined) throw new InvalidArgumentError('signedCheckpointTxs', `the operator returned an unknown checkpoint ${cp.id}`);
      return psbt(await owner.get(i)!.sign(cp, [0]));
    }),
  );
  await ark.finalizeTx(arkTxid, final);
  return { arkTxid };
}
