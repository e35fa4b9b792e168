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

const psbt = (tx: Transaction): string => base64.encode(tx.toPSBT());

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
