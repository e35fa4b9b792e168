import type { Transaction } from '@scure/btc-signer';
import type { RefTx } from './bip341-ref.js';

/** Reads a btc-signer tx into the reference's shape (prevouts from witnessUtxo). */
export function refOf(tx: Transaction): RefTx {
  const inputs = Array.from({ length: tx.inputsLength }, (_, i) => tx.getInput(i)).map((inp) => ({
    txid: Buffer.from(inp.txid!).toString('hex'),
    vout: inp.index!,
    sequence: inp.sequence ?? 0xffffffff,
    amount: inp.witnessUtxo!.amount,
    script: inp.witnessUtxo!.script,
  }));
  const outputs = Array.from({ length: tx.outputsLength }, (_, i) => tx.getOutput(i)).map((o) => ({ amount: o.amount!, script: o.script! }));
  return { version: tx.version, lockTime: tx.lockTime, inputs, outputs };
}
