/**
 * The Ark transactions that move a block-delta contract VTXO, built with the SDK's `buildOffchainTx`
 * (one checkpoint per input, as arkd and the stock wallet do). Pure: the caller picks the inputs and
 * has every party sign its own; S co-signs when the operator accepts the tx.
 *
 * - open: the user's stake VTXO(s) and the operator's liquidity VTXO(s) in; the contract VTXO
 *   (value = the payout) and each side's change out.
 * - settle: the contract VTXO in through leaf 1 (U + S); the winner's payment out.
 * - swap: the seller's contract VTXO (leaf 1) and the buyer's payment VTXO(s) in; the buyer's contract
 *   VTXO (same terms, the buyer as U, same value), the seller's price and the buyer's change out. One tx,
 *   so the position and the payment move together or not at all.
 *
 * Ark txs carry no fee (arkd requires inputs = outputs), so a transfer never eats the contract's value.
 */
import { CSVMultisigTapscript, DefaultVtxo, buildOffchainTx, type ArkTxInput, type RelativeTimelock, type OffchainTx, type VtxoScript, type TapLeafScript } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { InvalidArgumentError } from '../units/errors.js';
import type { BlockDeltaVtxo } from './vtxo-scripts.js';

export interface SpendableVtxo {
  txid: string;
  vout: number;
  /** sat */
  value: number;
  vtxoScript: VtxoScript;
  /** The collaborative leaf it is spent through (owner + S). */
  leaf: TapLeafScript;
}

export interface Payment {
  script: Uint8Array;
  amount: bigint;
}

/** The default Ark VTXO script of `key` at this operator (what the SDK wallet of that key calls its address). */
export function ownerVtxoScript(key: Uint8Array, operator: Uint8Array, exitDelay: RelativeTimelock): Uint8Array {
  return new DefaultVtxo.Script({ pubKey: key, serverPubKey: operator, csvTimelock: exitDelay }).pkScript;
}

export function arkInput(v: SpendableVtxo): ArkTxInput {
  return { txid: v.txid, vout: v.vout, value: v.value, tapLeafScript: v.leaf, tapTree: v.vtxoScript.encode() };
}

const sum = (vs: SpendableVtxo[]): bigint => vs.reduce((s, v) => s + BigInt(v.value), 0n);

function changeOutput(field: string, amount: bigint, script: Uint8Array, dust: bigint): Payment[] {
  if (amount < 0n) throw new InvalidArgumentError(field, `inputs fall ${-amount} sat short`);
  if (amount === 0n) return [];
  if (amount < dust) throw new InvalidArgumentError(field, `change of ${amount} sat is below dust (${dust}): pick inputs that leave none or more`);
  return [{ script, amount }];
}

function build(inputs: SpendableVtxo[], outputs: Payment[], checkpointTapscript: Uint8Array): OffchainTx {
  const total = sum(inputs);
  const out = outputs.reduce((s, o) => s + o.amount, 0n);
  if (total !== out) throw new InvalidArgumentError('outputs', `outputs ${out} sat != inputs ${total} sat`);
  return buildOffchainTx(
    inputs.map(arkInput),
    outputs.map((o) => ({ script: o.script, amount: o.amount })),
    CSVMultisigTapscript.decode(checkpointTapscript),
  );
}

/** A plain payment from `inputs` (one owner), change back to `change`. */
export function payTx(inputs: SpendableVtxo[], outputs: Payment[], change: Uint8Array, dust: bigint, checkpointTapscript: Uint8Array): OffchainTx {
  const need = outputs.reduce((s, o) => s + o.amount, 0n);
  return build(inputs, [...outputs, ...changeOutput('inputs', sum(inputs) - need, change, dust)], checkpointTapscript);
}

export interface OpenPosition {
  contract: BlockDeltaVtxo;
  /** The contract VTXO's value: what the winner takes. */
  payout: bigint;
  /** The user's share of the payout (the rest is the operator's). */
  userStake: bigint;
  userInputs: SpendableVtxo[];
  operatorInputs: SpendableVtxo[];
  userChange: Uint8Array;
  operatorChange: Uint8Array;
  dust: bigint;
  checkpointTapscript: Uint8Array;
}

/** Output 0 is the contract VTXO; the user's inputs come first, then the operator's. */
export function openPositionTx(p: OpenPosition): OffchainTx {
  if (p.userStake <= 0n || p.userStake >= p.payout) throw new InvalidArgumentError('userStake', `must be in (0, payout ${p.payout}), got ${p.userStake}`);
  if (p.userInputs.length === 0) throw new InvalidArgumentError('userInputs', 'the user must fund its stake');
  if (p.operatorInputs.length === 0) throw new InvalidArgumentError('operatorInputs', 'the operator must fund its side');
  const outputs: Payment[] = [
    { script: p.contract.vtxoScript.pkScript, amount: p.payout },
    ...changeOutput('userInputs', sum(p.userInputs) - p.userStake, p.userChange, p.dust),
    ...changeOutput('operatorInputs', sum(p.operatorInputs) - (p.payout - p.userStake), p.operatorChange, p.dust),
  ];
  return build([...p.userInputs, ...p.operatorInputs], outputs, p.checkpointTapscript);
}

/** The contract VTXO as an input spent through leaf 1 (U + S). */
export function contractInput(contract: BlockDeltaVtxo, outpoint: { txid: string; vout: number }, value: number): SpendableVtxo {
  return { ...outpoint, value, vtxoScript: contract.vtxoScript, leaf: contract.leaf(1) };
}

/** The cooperative settlement: the whole contract VTXO to the winner (the user's or the operator's address). */
export function settleTx(input: SpendableVtxo, winner: Uint8Array, checkpointTapscript: Uint8Array): OffchainTx {
  return build([input], [{ script: winner, amount: BigInt(input.value) }], checkpointTapscript);
}

export interface Swap {
  sellerContract: SpendableVtxo;
  /** The same terms with the buyer as U. */
  buyerContract: BlockDeltaVtxo;
  buyerInputs: SpendableVtxo[];
  price: bigint;
  sellerPayee: Uint8Array;
  buyerChange: Uint8Array;
  dust: bigint;
  checkpointTapscript: Uint8Array;
}

/** Inputs: the seller's contract VTXO (0), then the buyer's; outputs: the buyer's contract VTXO (0), the seller's price (1), the buyer's change. */
export function swapTx(s: Swap): OffchainTx {
  if (s.price <= 0n) throw new InvalidArgumentError('price', `must be positive, got ${s.price}`);
  if (s.buyerInputs.length === 0) throw new InvalidArgumentError('buyerInputs', 'the buyer must pay the price');
  const outputs: Payment[] = [
    { script: s.buyerContract.vtxoScript.pkScript, amount: BigInt(s.sellerContract.value) },
    { script: s.sellerPayee, amount: s.price },
    ...changeOutput('buyerInputs', sum(s.buyerInputs) - s.price, s.buyerChange, s.dust),
  ];
  return build([s.sellerContract, ...s.buyerInputs], outputs, s.checkpointTapscript);
}

/** What a signer checks before signing: output `vout` pays `script` exactly `amount`. */
export function assertPays(tx: OffchainTx, vout: number, script: Uint8Array, amount: bigint): void {
  const o = tx.arkTx.getOutput(vout);
  if (!o.script || hex.encode(o.script) !== hex.encode(script) || o.amount !== amount)
    throw new InvalidArgumentError(`outputs[${vout}]`, `expected ${amount} sat to ${hex.encode(script)}, the tx pays ${o.amount ?? 0n} sat to ${o.script ? hex.encode(o.script) : 'nothing'}`);
}
