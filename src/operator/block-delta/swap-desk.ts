/**
 * Swap offers on contract VTXOs: one atomic Ark tx (src/bitcoin/block-delta-tx.ts `swapTx`) moves the
 * seller's contract VTXO into the same contract held by the buyer and the buyer's payment to the seller,
 * signed by seller, buyer and S. Nothing moves unless both signed:
 *
 * 1. prepare (buyer): the desk builds the tx from the open offer, the seller's contract VTXO and the
 *    buyer's VTXOs, and registers the buyer's contract with the guard;
 * 2. sign (each party, in any order): its Ark-tx inputs and their checkpoints; every signature is
 *    verified against the signer's key before it is kept;
 * 3. when both have signed: submitted to the operator (S co-signs the Ark tx and the checkpoints),
 *    finalized with the parties' checkpoint signatures, and only then recorded in the engine
 *    (AcceptOffer with the new outpoint; the price was paid in the tx, not in the ledger).
 *
 * A swap that is never fully signed, or that the operator refuses, changes neither the ledger nor any VTXO.
 * One crash window remains: finalized but not yet recorded; reconciliation names it and the desk records
 * it at its next pass.
 */
import { base64, hex } from '@scure/base';
import { MultisigTapscript, Transaction, VtxoScript, decodeTapscript, scriptFromTapLeafScript, verifyTapscriptSignatures, type RelativeTimelock, type TapLeafScript } from '@arkade-os/sdk';
import type { Command } from '../../engine/commands.js';
import type { Exchange } from '../../engine/exchange.js';
import { bdcModuleOf } from '../../engine/products/bdc/index.js';
import { swapOffer } from '../../engine/products/swap/index.js';
import { buildBlockDeltaVtxo } from '../../bitcoin/vtxo-scripts.js';
import { contractInput, ownerVtxoScript, swapTx, type SpendableVtxo } from '../../bitcoin/block-delta-tx.js';
import { HashPerpError, InvalidArgumentError } from '../../units/errors.js';
import type { ArkServicePort } from '../ark/ports.js';
import type { ArkStore } from '../ark/ark-store.js';
import type { ContractTermsRecord } from './contract-guard.js';
import { parsePsbt, psbtOf, submitPreSigned } from '../../wallet/cosign.js';
import { Serial } from '../serial.js';

export interface SwapDeskDeps {
  store: ArkStore;
  ark: Pick<ArkServicePort, 'submitTx' | 'finalizeTx'>;
  registerContract(t: ContractTermsRecord): void;
  contractKey(account: string): string | undefined;
  operatorXOnly: Uint8Array;
  exitDelay: RelativeTimelock;
  checkpointTapscript: Uint8Array;
  dust: bigint;
  engine: { submit(c: Command): Promise<{ events: { type: string }[] }>; readonly exchange: Exchange };
  now(): number;
}

export interface PendingSwap {
  swapId: string;
  offerId: number;
  positionId: string;
  seller: string;
  buyer: string;
  sellerKey: string;
  buyerKey: string;
  priceSat: string;
  arkTx: string;
  checkpoints: string[];
  /** As built: what is submitted (the operator signs checkpoints itself and returns them). */
  unsignedCheckpoints: string[];
  sellerInputs: number[];
  buyerInputs: number[];
  signed: { seller: boolean; buyer: boolean };
  status: 'signing' | 'finalized' | 'recorded' | 'refused';
  reason?: string;
  createdAt: number;
}

/** Swap records in the Ark store's meta records (the desk reads them for documents after settlement). */
export const SWAP_RECORD_KIND = 'bdc-swap';
const KIND = SWAP_RECORD_KIND;
const psbt = psbtOf;
const parse = parsePsbt;

export class SwapDesk {
  private readonly queue = new Serial();

  constructor(private readonly d: SwapDeskDeps) {}

  private serial<T>(job: () => Promise<T>): Promise<T> {
    return this.queue.run(job);
  }

  private ownerScript(key: string): Uint8Array {
    return ownerVtxoScript(hex.decode(key), this.d.operatorXOnly, this.d.exitDelay);
  }

  /** The buyer's side: its VTXOs (with their tap trees, which the operator's store does not keep) for the price. */
  prepare(buyer: string, offerId: number, inputs: { txid: string; vout: number; tapTree: string }[]): Promise<PendingSwap> {
    return this.serial(async () => {
      const ex = this.d.engine.exchange;
      const offer = swapOffer(ex, offerId);
      if (offer === undefined || offer.status !== 'open') throw new HashPerpError('unknown_offer', `no open offer ${offerId}`, { field: 'offerId' });
      if (offer.product !== 'bdc') throw new InvalidArgumentError('offerId', 'only block-delta offers settle as an Ark swap');
      if (offer.maker === buyer) throw new HashPerpError('not_allowed', 'a maker cannot accept its own offer', { field: 'offerId' });
      const bdc = bdcModuleOf(ex);
      const p = bdc.getPosition(offer.positionId);
      if (p?.vtxo === undefined) throw new HashPerpError('not_allowed', `position ${offer.positionId} is not a contract VTXO: accept it in the ledger`, { field: 'offerId' });
      if (bdc.positionsOfSeries(p.series).some((q) => q.id !== p.id && q.vtxo === p.vtxo)) throw new HashPerpError('not_allowed', `position ${p.id} shares its contract VTXO with other fills of the same take: it cannot move alone`, { field: 'offerId' });
      const s = bdc.getSeries(p.series)!;
      const [ctxid, cvout] = p.vtxo.split(':');
      const cur = this.d.store.vtxo(ctxid!, Number(cvout));
      const terms = cur === undefined ? undefined : this.d.store.contract(cur.script);
      if (cur === undefined || terms === undefined || cur.spentBy !== '') throw new HashPerpError('not_allowed', `the contract VTXO ${p.vtxo} is not live`, { field: 'offerId' });
      const buyerKey = this.d.contractKey(buyer);
      if (buyerKey === undefined) throw new HashPerpError('not_allowed', 'register your contract key first (POST /v1/bdc/contract-key)', { field: 'key' });
      if (offer.priceMsat <= 0n || offer.priceMsat % 1000n !== 0n) throw new InvalidArgumentError('offerId', 'an Ark swap needs a positive price in whole sat');
      const price = offer.priceMsat / 1000n;
      const seller = buildBlockDeltaVtxo({ user: hex.decode(terms.user), operator: this.d.operatorXOnly, userSide: p.side, targetHeight: s.height, deadline: s.deadline, exitDelay: this.d.exitDelay });
      const buyerContract = buildBlockDeltaVtxo({ user: hex.decode(buyerKey), operator: this.d.operatorXOnly, userSide: p.side, targetHeight: s.height, deadline: s.deadline, exitDelay: this.d.exitDelay });
      const buyerInputs: SpendableVtxo[] = inputs.map((i, k) => this.buyerCoin(i, buyerKey, `inputs[${k}]`));
      const tx = swapTx({
        sellerContract: contractInput(seller, { txid: ctxid!, vout: Number(cvout) }, Number(cur.amount)),
        buyerContract, buyerInputs, price, sellerPayee: this.ownerScript(terms.user), buyerChange: this.ownerScript(buyerKey), dust: this.d.dust, checkpointTapscript: this.d.checkpointTapscript,
      });
      this.d.registerContract({ ...terms, script: hex.encode(buyerContract.vtxoScript.pkScript), user: buyerKey, account: buyer, registeredAt: Math.floor(this.d.now() / 1000) });
      const rec: PendingSwap = {
        swapId: tx.arkTx.id, offerId, positionId: p.id, seller: offer.maker, buyer, sellerKey: terms.user, buyerKey, priceSat: price.toString(),
        arkTx: psbt(tx.arkTx), checkpoints: tx.checkpoints.map(psbt), unsignedCheckpoints: tx.checkpoints.map(psbt), sellerInputs: [0], buyerInputs: buyerInputs.map((_, k) => k + 1),
        signed: { seller: false, buyer: false }, status: 'signing', createdAt: Math.floor(this.d.now() / 1000),
      };
      this.d.store.commit({ meta: [{ kind: KIND, id: rec.swapId, value: rec }] });
      return rec;
    });
  }

  private buyerCoin(i: { txid: string; vout: number; tapTree: string }, key: string, field: string): SpendableVtxo {
    return walletCoin(this.d.store, this.d.operatorXOnly, i, key, field);
  }

  /** The pending swaps an account is party to, newest first. */
  swapsOf(account: string): PendingSwap[] {
    return (this.d.store.metaAll(KIND) as PendingSwap[]).filter((r) => r.seller === account || r.buyer === account).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** A party's signatures on its inputs and their checkpoints; the swap goes through once both have signed. */
  sign(account: string, swapId: string, arkTx: string, checkpoints: string[]): Promise<PendingSwap> {
    return this.serial(async () => {
      const rec = this.d.store.meta(KIND, swapId) as PendingSwap | undefined;
      if (rec === undefined || (rec.seller !== account && rec.buyer !== account)) throw new HashPerpError('unknown_offer', `no swap ${swapId} of this account`, { field: 'swapId' });
      if (rec.status !== 'signing') throw new HashPerpError('not_allowed', `swap ${swapId} is ${rec.status}`, { field: 'swapId' });
      const role = rec.seller === account ? 'seller' : 'buyer';
      const key = role === 'seller' ? rec.sellerKey : rec.buyerKey;
      const mine = role === 'seller' ? rec.sellerInputs : rec.buyerInputs;
      const pending = parse(rec.arkTx, 'arkTx');
      const theirs = parse(arkTx, 'arkTx');
      if (theirs.id !== pending.id) throw new InvalidArgumentError('arkTx', 'not the swap’s Ark tx');
      if (checkpoints.length !== rec.checkpoints.length) throw new InvalidArgumentError('checkpoints', `expected ${rec.checkpoints.length} checkpoints`);
      const cps = rec.checkpoints.map((c, i) => parse(c, `checkpoints[${i}]`));
      const theirCps = checkpoints.map((c, i) => parse(c, `checkpoints[${i}]`));
      for (const i of mine) {
        merge(pending, theirs, i, key, `arkTx.inputs[${i}]`);
        if (theirCps[i]!.id !== cps[i]!.id) throw new InvalidArgumentError(`checkpoints[${i}]`, 'not the swap’s checkpoint');
        merge(cps[i]!, theirCps[i]!, 0, key, `checkpoints[${i}]`);
      }
      const next: PendingSwap = { ...rec, arkTx: psbt(pending), checkpoints: cps.map(psbt), signed: { ...rec.signed, [role]: true } };
      this.d.store.commit({ meta: [{ kind: KIND, id: swapId, value: next }] });
      if (!next.signed.seller || !next.signed.buyer) return next;
      return this.complete(next);
    });
  }

  private async complete(rec: PendingSwap): Promise<PendingSwap> {
    let done: PendingSwap;
    try {
      await submitPreSigned(this.d.ark, rec.arkTx, rec.unsignedCheckpoints, rec.checkpoints.map((c) => parse(c, 'checkpoints')));
      done = { ...rec, status: 'finalized' };
    } catch (e) {
      done = { ...rec, status: 'refused', reason: e instanceof Error ? e.message : String(e) };
      this.d.store.commit({ meta: [{ kind: KIND, id: rec.swapId, value: done }] });
      return done;
    }
    this.d.store.commit({ meta: [{ kind: KIND, id: rec.swapId, value: done }] });
    return this.record(done);
  }

  /** Records a finalized swap in the engine (idempotent: a crash between finalize and here is resumed). */
  async record(rec: PendingSwap): Promise<PendingSwap> {
    const ack = await this.d.engine.submit({ type: 'AcceptOffer', account: rec.buyer, offerId: rec.offerId, ark: { arkTxid: rec.swapId, vtxo: `${rec.swapId}:0` } } as Command);
    const refused = ack.events.find((e) => e.type === 'CommandRejected') as { message?: string } | undefined;
    const next: PendingSwap = refused ? { ...rec, reason: `finalized on the Ark operator but the engine refused: ${refused.message ?? '?'}` } : { ...rec, status: 'recorded' };
    this.d.store.commit({ meta: [{ kind: KIND, id: rec.swapId, value: next }] });
    return next;
  }

  /** Finalized swaps the engine has not recorded yet (resumed by the desk after every block). */
  unrecorded(): PendingSwap[] {
    return (this.d.store.metaAll(KIND) as PendingSwap[]).filter((r) => r.status === 'finalized');
  }
}


/** A wallet VTXO the user offers as an input: live in the operator's store, its tap tree committing to its script, spent through the collaborative leaf of `key` and S. */
export function walletCoin(store: ArkStore, operatorXOnly: Uint8Array, i: { txid: string; vout: number; tapTree: string }, key: string, field: string): SpendableVtxo {
  const rec = store.vtxo(i.txid, i.vout);
  if (rec === undefined || rec.spentBy !== '' || rec.swept || rec.unrolled) throw new InvalidArgumentError(field, `${i.txid}:${i.vout} is not a live VTXO`);
  let vs: VtxoScript;
  try {
    vs = VtxoScript.decode(hex.decode(i.tapTree));
  } catch {
    throw new InvalidArgumentError(`${field}.tapTree`, 'not a VTXO tap tree');
  }
  if (hex.encode(vs.pkScript) !== rec.script) throw new InvalidArgumentError(`${field}.tapTree`, 'does not commit to that VTXO’s script');
  // The collaborative leaf of the buyer's key and S.
  const leaf = vs.leaves.find((l: TapLeafScript) => {
    try {
      const t = decodeTapscript(scriptFromTapLeafScript(l));
      return MultisigTapscript.is(t) && t.params.pubkeys.length === 2 && t.params.pubkeys.some((k) => hex.encode(k) === key) && t.params.pubkeys.some((k) => hex.encode(k) === hex.encode(operatorXOnly));
    } catch {
      return false;
    }
  });
  if (leaf === undefined) throw new InvalidArgumentError(field, 'no collaborative leaf of your contract key and the operator: pay with a VTXO of that key');
  return { txid: i.txid, vout: i.vout, value: Number(rec.amount), vtxoScript: vs, leaf };
  }

/** Copies `key`'s signature on input `i` from `from` into `into`, after checking it against that input. */
export function merge(into: Transaction, from: Transaction, i: number, key: string, field: string): void {
  const sigs = (from.getInput(i).tapScriptSig ?? []).filter(([d]) => hex.encode(d.pubKey) === key);
  if (sigs.length === 0) throw new InvalidArgumentError(field, 'no signature of your key on this input');
  try {
    verifyTapscriptSignatures(from, i, [key]);
  } catch (e) {
    throw new InvalidArgumentError(field, `signature does not verify: ${(e as Error).message}`);
  }
  const have = into.getInput(i).tapScriptSig ?? [];
  into.updateInput(i, { tapScriptSig: [...have.filter(([d]) => hex.encode(d.pubKey) !== key), ...sigs] }, true);
}
