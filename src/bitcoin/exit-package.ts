import { Transaction } from '@scure/btc-signer';
import { hex } from '@scure/base';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import { TX_OPTS } from './tx.js';

export type ExitStepKind = 'tree' | 'checkpoint' | 'ark';

/** One pre-signed transaction of a unilateral exit, in broadcast order. */
export interface ExitStep {
  kind: ExitStepKind;
  label: string;
  txid: string;
  hex: string;
}

/**
 * What a user needs to put a VTXO on chain without the operator: the signed tree branch from the
 * batch output down, then (for VTXOs created offchain) each checkpoint and Ark tx. The claim itself
 * (a leaf spend) is signed by the user when its timelocks allow.
 */
export interface ExitPackage {
  version: 1;
  vtxo: { txid: string; vout: number; amount: string; scriptPubKey: string; tapTree: string };
  commitmentTxid: string;
  batchVout: number;
  steps: ExitStep[];
}

export function exitStep(kind: ExitStepKind, label: string, tx: Transaction): ExitStep {
  return { kind, label, txid: tx.id, hex: hex.encode(tx.extract()) };
}

export function serializeExitPackage(p: ExitPackage): string {
  return JSON.stringify(p);
}

/** Parses and checks a package: every hex decodes to a tx whose id matches and each step spends an earlier output or the batch. */
export function parseExitPackage(json: string): ExitPackage {
  let p: ExitPackage;
  try {
    p = JSON.parse(json) as ExitPackage;
  } catch {
    throw new InvalidArgumentError('package', 'not JSON');
  }
  if (p.version !== 1 || !Array.isArray(p.steps) || !p.vtxo) throw new InvalidArgumentError('package', 'not an exit package v1');
  const known = new Set([`${p.commitmentTxid}:${p.batchVout}`]);
  for (const [i, s] of p.steps.entries()) {
    let tx: Transaction;
    try {
      tx = Transaction.fromRaw(hex.decode(s.hex), TX_OPTS);
    } catch {
      throw new InvalidArgumentError(`steps[${i}].hex`, 'not a transaction');
    }
    if (tx.id !== s.txid) throw new InvalidArgumentError(`steps[${i}].txid`, `hex hashes to ${tx.id}`);
    const spends = Array.from({ length: tx.inputsLength }, (_, j) => tx.getInput(j)).map((inp) => `${hex.encode(inp.txid!)}:${inp.index}`);
    if (!spends.some((o) => known.has(o))) throw new HashPerpError('exit_package_broken', `step ${i} (${s.label}) does not spend an earlier step`, { field: `steps[${i}]` });
    for (let v = 0; v < tx.outputsLength; v++) known.add(`${s.txid}:${v}`);
  }
  if (!known.has(`${p.vtxo.txid}:${p.vtxo.vout}`)) throw new HashPerpError('exit_package_broken', 'the steps do not create the VTXO', { field: 'vtxo' });
  return p;
}
