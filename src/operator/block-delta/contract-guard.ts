/**
 * When the operator co-signs a spend of a block-delta contract VTXO. Leaf 1 (U + S) is the only
 * offchain path, so S's signature is what enforces the contract offchain: an Ark tx the user alone
 * signed must not let the loser take the payout, nor the user move the contract anywhere but into the
 * same contract. The rules (one place; the operator applies them in submitTx and registerIntent):
 *
 * 1. Settlement: once the header rule has decided the series, the contract VTXO pays the winner: if the
 *    user won, wherever the user sends it (it signs); if S won, every output pays the operator's own
 *    liquidity scripts.
 * 2. Before the outcome, a contract VTXO moves only into the same contract held by someone else (a swap
 *    or transfer): an output registered with the same series, side and exit delay, of the same value.
 * 3. A new registered contract output that is not a swap target is an opening: the series must be
 *    undecided, and every input's batch must outlive the decision (the lifetime rule: contracts are never
 *    renewed, so their deadline must fit inside the batch life of what funds them).
 * 4. Contract VTXOs never join a batch (intents): they are not renewed.
 *
 * The guard knows a contract by the script the desk registered before the tx was submitted; an output
 * nobody registered is an ordinary VTXO to it.
 */
import { ArkRequestError } from '../ark/ports.js';
import type { BdcSide } from '../../bitcoin/vtxo-scripts.js';

export interface ContractTermsRecord {
  /** The contract VTXO's output script, hex: the registry's key. */
  script: string;
  /** x-only hex keys. */
  user: string;
  operator: string;
  side: BdcSide;
  /** H */
  height: number;
  /** T (UNIX seconds): SLOW wins once MTP ≥ T. */
  deadline: number;
  /** CSV of the claim leaves, BIP-68 value (blocks below 512). */
  exitDelay: number;
  /** The series' payout per contract, sat: a contract VTXO holds a whole number of them. */
  payoutSat: bigint;
  /** The holder's exchange account, when the desk opened it (documents after settlement). */
  account?: string;
  /** Engine series id, `BDC-<H>-<T>`. */
  series: string;
  /** Unix seconds. */
  registeredAt: number;
}

export interface GuardedInput {
  outpoint: string;
  script: string;
  amount: bigint;
  /** Batch expiry of the VTXO: a block height below 500 000 000, else UNIX seconds; 0 when unknown. */
  expiresAt: number;
}

export interface GuardContext {
  contractOf(script: string): ContractTermsRecord | undefined;
  /** The header rule's verdict for a series, undefined while undecided or unknown to the engine. */
  outcome(series: string): BdcSide | undefined;
  /** Scripts of the operator's own liquidity VTXOs (where S's winnings go). */
  isOperatorScript(script: string): boolean;
  /** Blocks (or seconds, for a time-based expiry) that must remain between the decision and the batch expiry. */
  window: { blocks: number; seconds: number };
  /** The chain tip as the engine last saw it: converts between a height expiry and a time deadline. */
  tip(): ChainTip;
}

export interface ChainTip {
  height: number;
  mtp: number;
}

/** The 600-second block the horizon converts with (src/engine/products/bdc/horizon.ts). */
const BLOCK_SECONDS = 600;

const refuse = (message: string, field: string): never => {
  throw new ArkRequestError('CONTRACT_SPEND_REFUSED', message, field);
};

const sameContract = (a: ContractTermsRecord, b: ContractTermsRecord): boolean =>
  a.series === b.series && a.side === b.side && a.exitDelay === b.exitDelay && a.operator === b.operator && a.height === b.height && a.deadline === b.deadline && a.payoutSat === b.payoutSat;

/** Throws CONTRACT_SPEND_REFUSED when the Ark tx breaks a rule above; returns the contracts it opens. */
export function checkContractTx(inputs: GuardedInput[], outputs: { script: string; amount: bigint }[], ctx: GuardContext): ContractTermsRecord[] {
  const targets = new Set<number>();
  inputs.forEach((inp, i) => {
    const c = ctx.contractOf(inp.script);
    if (c === undefined) return;
    const field = `signedArkTx.inputs[${i}]`;
    const winner = ctx.outcome(c.series);
    if (winner !== undefined) {
      if (winner === c.side) return; // the user won: its signature directs the payout
      outputs.forEach((o, j) => {
        if (!ctx.isOperatorScript(o.script)) refuse(`${c.series} was won by ${winner} (the operator's side): output ${j} must pay the operator`, `signedArkTx.outputs[${j}]`);
      });
      return;
    }
    const j = outputs.findIndex((o, k) => {
      const t = ctx.contractOf(o.script);
      return !targets.has(k) && t !== undefined && sameContract(t, c) && o.amount === inp.amount;
    });
    if (j < 0) refuse(`${inp.outpoint} is an undecided ${c.series} contract: it can only move into the same contract (same series, side and value) until the header rule decides`, field);
    targets.add(j);
  });
  const opened: ContractTermsRecord[] = [];
  outputs.forEach((o, j) => {
    const t = ctx.contractOf(o.script);
    if (t === undefined || targets.has(j)) return;
    const field = `signedArkTx.outputs[${j}]`;
    if (o.amount <= 0n || o.amount % t.payoutSat !== 0n) refuse(`contract output ${j} holds ${o.amount} sat, not a whole number of ${t.payoutSat}-sat contracts`, field);
    if (ctx.outcome(t.series) !== undefined) refuse(`${t.series} is already decided: no new positions`, field);
    for (const inp of inputs) {
      if (inp.expiresAt <= 0) refuse(`${inp.outpoint}: its batch is not confirmed yet, so its expiry is unknown; open the position once it is`, field);
      if (!outlives(inp.expiresAt, t, ctx.window, ctx.tip()))
        refuse(`${inp.outpoint} expires (${inp.expiresAt}) before ${t.series} is decided plus the settlement window: a contract must fit inside the batch life of its funding`, field);
    }
    opened.push(t);
  });
  return opened;
}

/**
 * The series is decided at the latest by the earlier of block H and MTP ≥ T, so either bound
 * suffices: H + window.blocks within the expiry, or T + window.seconds within it. The bound in the
 * expiry's own unit is exact; the other is converted at 600 s a block from the tip (an estimate, as the
 * engine's horizon does).
 */
export function outlives(expiresAt: number, t: Pick<ContractTermsRecord, 'height' | 'deadline'>, window: GuardContext['window'], tip: ChainTip): boolean {
  if (expiresAt <= 0) return false;
  if (expiresAt < 500_000_000) {
    return t.height + window.blocks <= expiresAt || t.deadline + window.seconds <= tip.mtp + (expiresAt - tip.height) * BLOCK_SECONDS;
  }
  return t.deadline + window.seconds <= expiresAt || t.height + window.blocks <= tip.height + Math.floor((expiresAt - tip.mtp) / BLOCK_SECONDS);
}

/** Rule 4: a contract VTXO is never an intent's input. */
export function checkIntentInput(script: string, outpoint: string, ctx: Pick<GuardContext, 'contractOf'>): void {
  const c = ctx.contractOf(script);
  if (c !== undefined) refuse(`${outpoint} is a ${c.series} contract VTXO: contracts are settled or swapped offchain, never renewed in a batch`, 'proof');
}
