/**
 * Intents waiting for the next batch. An intent is admitted only after its proof is verified
 * against the real prevouts (the chain for boarding outputs, the VTXO store for VTXOs), its
 * scripts follow the operator's rules, its amounts balance, and none of its inputs is already
 * claimed by another intent, a batch in progress or a pending Ark tx.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import type { ArkChain } from './ark-chain.js';
import type { ArkStore, VtxoRecord } from './ark-store.js';
import type { ArkParams } from './ark-params.js';
import { checkIntentInput } from '../block-delta/contract-guard.js';
import { ArkRequestError, type RawIntent } from './ports.js';
import { parseIntent, verifyIntent, walletTimelock, type IntentPolicy, type ParsedIntent, type RealPrevout, type VerifiedIntent as Verified } from './intent.js';
import { requiresForfeit } from './forfeits.js';
import type { TapLeafScript } from '@arkade-os/sdk';
import type { OperatorKeys } from './operator-keys.js';
import { outpointKey as op } from './outpoint.js';

export interface IntentInput {
  txid: string;
  vout: number;
  amount: bigint;
  pkScript: Uint8Array;
  /** The taproot tree the proof revealed (VtxoTaprootTree field), for the operator's script rules and forfeits. */
  tapTree: Uint8Array;
  /** The leaf the proof was signed with (for VTXOs: the collaborative leaf the forfeit uses). */
  leaf: TapLeafScript;
}

export interface VtxoInput extends IntentInput {
  record: VtxoRecord;
  /** Swept and sub-dust VTXOs are settled without a forfeit, as in arkd and the SDK. */
  needsForfeit: boolean;
}

export type BoardingInput = IntentInput;

export interface IntentOutput {
  script: Uint8Array;
  amount: bigint;
  onchain: boolean;
}

export interface VerifiedIntent {
  id: string;
  /** sha256 of the id's UTF-8 bytes, hex: what BatchStarted lists. */
  idHash: string;
  cosigners: string[];
  outputs: IntentOutput[];
  vtxoInputs: VtxoInput[];
  boardingInputs: BoardingInput[];
  registeredAt: number;
}


export interface IntentContext {
  chain: ArkChain;
  store: ArkStore;
  params: ArkParams;
  keys: OperatorKeys;
  now(): number;
  /** Inputs held by a batch in progress or a pending Ark tx. */
  isLocked(outpoint: string): boolean;
}

/** The intent rules as the operator's parameters set them. */
export function intentPolicy(ctx: Pick<IntentContext, 'params' | 'keys'>): IntentPolicy {
  const p = ctx.params;
  return {
    operatorXOnly: ctx.keys.signerXOnly,
    boardingExitDelay: walletTimelock(p.boardingExitDelay),
    unilateralExitDelay: walletTimelock(p.unilateralExitDelay),
    dust: p.dust,
    utxoMinAmount: p.utxoMinAmount,
    utxoMaxAmount: p.utxoMaxAmount,
    vtxoMaxAmount: p.vtxoMaxAmount,
  };
}

/** Parses and verifies a proof, resolving each input against the store (VTXOs) or the chain (boarding outputs). */
export async function verifyAgainstState(ctx: IntentContext, raw: RawIntent): Promise<{ parsed: ParsedIntent; verified: Verified; vtxos: VtxoInput[]; boarding: BoardingInput[] }> {
  const parsed = parseIntent(raw.proof, raw.message);
  const prevouts = new Map<string, RealPrevout>();
  const records = new Map<string, VtxoRecord>();
  for (const inp of parsed.inputs) {
    const key = op(inp.txid, inp.vout);
    const rec = ctx.store.vtxo(inp.txid, inp.vout);
    if (rec) {
      if (rec.spentBy !== '') throw new ArkRequestError('VTXO_ALREADY_SPENT', `VTXO ${key} is already spent`, 'proof');
      if (rec.unrolled) throw new ArkRequestError('VTXO_ALREADY_UNROLLED', `VTXO ${key} was unrolled on chain`, 'proof');
      checkIntentInput(rec.script, key, { contractOf: (s) => ctx.store.contract(s) });
      prevouts.set(key, { amount: rec.amount, pkScript: hex.decode(rec.script), kind: 'vtxo', createdAt: rec.createdAt });
      records.set(key, rec);
      continue;
    }
    const coin = await ctx.chain.unspent(inp.txid, inp.vout);
    if (!coin) throw new ArkRequestError('VTXO_NOT_FOUND', `input ${key} is neither a VTXO nor an unspent on-chain output`, 'proof');
    if (coin.confirmations < 1) throw new ArkRequestError('INVALID_PSBT_INPUT', `boarding input ${key} is not confirmed yet`, 'proof');
    // A boarding output whose exit delay has passed is the user's alone: the operator can no longer count on it.
    if (ctx.params.boardingExitDelay < 512n && BigInt(coin.confirmations) >= ctx.params.boardingExitDelay) {
      throw new ArkRequestError('INVALID_PSBT_INPUT', `boarding input ${key} has reached its exit delay (${coin.confirmations} confirmations): the user can already take it back alone`, 'proof');
    }
    prevouts.set(key, { amount: coin.amount, pkScript: coin.pkScript, kind: 'boarding' });
  }
  const verified = verifyIntent(parsed, prevouts, Math.floor(ctx.now() / 1000), intentPolicy(ctx));
  const vtxos: VtxoInput[] = verified.vtxoInputs.map((i) => {
    const rec = records.get(op(i.txid, i.vout))!;
    return { txid: i.txid, vout: i.vout, amount: rec.amount, pkScript: hex.decode(rec.script), tapTree: i.tapTree!, leaf: i.leaf, record: rec, needsForfeit: requiresForfeit({ swept: rec.swept, unrolled: rec.unrolled }) && rec.amount >= ctx.params.dust };
  });
  const boarding: BoardingInput[] = verified.boardingInputs.map((i) => ({ txid: i.txid, vout: i.vout, amount: i.amount, pkScript: i.pkScript, tapTree: i.tapTree!, leaf: i.leaf }));
  return { parsed, verified, vtxos, boarding };
}

export class IntentQueue {
  private readonly queued = new Map<string, VerifiedIntent>();
  /** outpoint -> intent id, for every queued input. */
  private readonly byInput = new Map<string, string>();

  constructor(private readonly ctx: IntentContext) {}

  get size(): number {
    return this.queued.size;
  }

  has(outpoint: string): boolean {
    return this.byInput.has(outpoint);
  }

  async register(raw: RawIntent): Promise<string> {
    const { parsed, verified, vtxos, boarding } = await verifyAgainstState(this.ctx, raw);
    void verified;
    if (parsed.kind !== 'register') throw new ArkRequestError('INVALID_INTENT_MESSAGE', `expected a register intent, got ${parsed.kind}`, 'intent.message');
    const p = this.ctx.params;
    for (const input of [...vtxos, ...boarding]) {
      const k = op(input.txid, input.vout);
      if (this.byInput.has(k) || this.ctx.isLocked(k)) throw new ArkRequestError('INTERNAL_ERROR', `duplicated input ${k}: already registered by another intent`, 'proof');
    }
    const outputs: IntentOutput[] = parsed.outputs;
    if (outputs.length === 0) throw new ArkRequestError('INVALID_INTENT_MESSAGE', 'the intent has no outputs', 'intent.message');
    for (const o of outputs) {
      const min = o.onchain ? p.dust : p.vtxoMinAmount;
      if (o.amount < min) throw new ArkRequestError('AMOUNT_TOO_LOW', `output of ${o.amount} sat is below the minimum ${min}`, 'proof');
      if (!o.onchain && p.vtxoMaxAmount >= 0n && o.amount > p.vtxoMaxAmount) throw new ArkRequestError('AMOUNT_TOO_HIGH', `output of ${o.amount} sat exceeds ${p.vtxoMaxAmount}`, 'proof');
    }
    const inSum = [...vtxos, ...boarding].reduce((s, i) => s + i.amount, 0n);
    const outSum = outputs.reduce((s, o) => s + o.amount, 0n);
    if (outSum > inSum) throw new ArkRequestError('INVALID_INTENT_PROOF', `outputs (${outSum} sat) exceed inputs (${inSum} sat)`, 'proof');
    if (outputs.some((o) => !o.onchain) && parsed.cosigners.length === 0) throw new ArkRequestError('INVALID_INTENT_MESSAGE', 'offchain outputs need at least one cosigner public key', 'intent.message');
    const id = parsed.proofTxid;
    const intent: VerifiedIntent = {
      id,
      idHash: hex.encode(sha256(new TextEncoder().encode(id))),
      cosigners: parsed.cosigners,
      outputs,
      vtxoInputs: vtxos,
      boardingInputs: boarding,
      registeredAt: this.ctx.now(),
    };
    this.queued.set(id, intent);
    for (const input of [...vtxos, ...boarding]) this.byInput.set(op(input.txid, input.vout), id);
    return id;
  }

  /** Deletes every queued intent holding one of the proven inputs (arkd's DeleteIntent). */
  async delete(raw: RawIntent): Promise<void> {
    const parsed = parseIntent(raw.proof, raw.message);
    if (parsed.kind !== 'delete') throw new ArkRequestError('INVALID_INTENT_MESSAGE', `expected a delete intent, got ${parsed.kind}`, 'intent.message');
    const { parsed: verified } = await verifyAgainstState(this.ctx, raw).catch((e: unknown) => {
      // Inputs already spent by a finished batch have nothing left to delete.
      if (e instanceof ArkRequestError && (e.arkCode === 'VTXO_ALREADY_SPENT' || e.arkCode === 'VTXO_NOT_FOUND')) return { parsed: undefined };
      throw e;
    });
    if (!verified) return;
    for (const inp of verified.inputs) {
      const id = this.byInput.get(op(inp.txid, inp.vout));
      if (id !== undefined) this.remove(id);
    }
  }

  remove(id: string): void {
    const it = this.queued.get(id);
    if (!it) return;
    this.queued.delete(id);
    for (const input of [...it.vtxoInputs, ...it.boardingInputs]) this.byInput.delete(op(input.txid, input.vout));
  }

  /** Takes up to `max` intents out of the queue for a batch, oldest first. */
  take(max: number): VerifiedIntent[] {
    const out = [...this.queued.values()].sort((a, b) => a.registeredAt - b.registeredAt).slice(0, max);
    for (const i of out) this.remove(i.id);
    return out;
  }
}
