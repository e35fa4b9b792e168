/**
 * The operator's own VTXOs: the liquidity key L's default VTXOs (L + S offchain; L alone after the exit
 * delay). They fund S's side of block-delta contracts, receive what users pay into the exchange, and
 * pay withdrawals. Spending them is an ordinary Ark tx that L signs and the operator co-signs through
 * the same submit/finalize path as any wallet's (so every rule and the contract guard still apply).
 *
 * L's coins come from the operator's own VTXO store (no indexer round trip); one payment at a time, so
 * two payments never pick the same coin.
 */
import { DefaultVtxo, type Identity, type RelativeTimelock } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { HashPerpError } from '../units/errors.js';
import { payTx, type Payment, type SpendableVtxo } from '../bitcoin/block-delta-tx.js';
import { submitCoSigned } from '../wallet/cosign.js';
import { Serial } from './serial.js';
import type { ArkServicePort } from './ark/ports.js';
import type { ArkStore, VtxoRecord } from './ark/ark-store.js';

export interface LiquidityDeps {
  store: ArkStore;
  ark: Pick<ArkServicePort, 'submitTx' | 'finalizeTx'>;
  identity: Identity;
  xOnly: Uint8Array;
  operatorXOnly: Uint8Array;
  exitDelay: RelativeTimelock;
  checkpointTapscript: Uint8Array;
  dust: bigint;
  /** Outpoints held by a batch or a pending Ark tx. */
  isLocked(outpoint: string): boolean;
  /** Current block height, for coins whose batch expiry is a height. */
  tipHeight(): Promise<number>;
}

export class LiquidityWallet {
  readonly vtxoScript: DefaultVtxo.Script;
  readonly script: Uint8Array;
  private readonly scriptHex: string;
  private readonly queue = new Serial();
  /** Coins promised to a tx still being signed (a take), until the deadline (ms). */
  private readonly reserved = new Map<string, number>();

  constructor(private readonly d: LiquidityDeps) {
    this.vtxoScript = new DefaultVtxo.Script({ pubKey: d.xOnly, serverPubKey: d.operatorXOnly, csvTimelock: d.exitDelay });
    this.script = this.vtxoScript.pkScript;
    this.scriptHex = hex.encode(this.script);
  }

  /** Keeps coins out of other payments while a tx that spends them is being signed; released, or after `ttlMs`. */
  reserve(outpoints: string[], ttlMs: number, now: number): void {
    for (const o of outpoints) this.reserved.set(o, now + ttlMs);
  }

  release(outpoints: string[]): void {
    for (const o of outpoints) this.reserved.delete(o);
  }

  private isReserved(o: string): boolean {
    const until = this.reserved.get(o);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    this.reserved.delete(o);
    return false;
  }

  /** Spendable coins, largest first: unspent, in a confirmed batch that has not expired, not locked or reserved. */
  coins(tip: number): VtxoRecord[] {
    return this.d.store
      .vtxosByScript(this.scriptHex)
      .filter((v) => v.spentBy === '' && !v.swept && !v.unrolled && v.expiresAt > 0 && (v.expiresAt >= 500_000_000 || v.expiresAt > tip) && !this.d.isLocked(`${v.txid}:${v.vout}`) && !this.isReserved(`${v.txid}:${v.vout}`))
      .sort((a, b) => (a.amount > b.amount ? -1 : a.amount < b.amount ? 1 : 0));
  }

  async balance(): Promise<bigint> {
    return this.coins(await this.d.tipHeight()).reduce((s, v) => s + v.amount, 0n);
  }

  /** L signs inputs `inputs` of a tx the desk built (its own coins only: the SDK identity signs where L's key is in the leaf). */
  sign<T extends Parameters<Identity['sign']>[0]>(tx: T, inputs: number[]): Promise<T> {
    return this.d.identity.sign(tx, inputs) as Promise<T>;
  }

  spendable(v: VtxoRecord): SpendableVtxo {
    return { txid: v.txid, vout: v.vout, value: Number(v.amount), vtxoScript: this.vtxoScript, leaf: this.vtxoScript.forfeit() };
  }

  /**
   * Pays `outputs` from L's coins (largest first, change back to L); `before` runs once the tx is built
   * and before it is submitted (the desk registers contract scripts there). Returns the Ark txid.
   */
  pay(outputs: Payment[], before?: (arkTxid: string) => void, minExpiry?: (v: VtxoRecord) => boolean): Promise<string> {
    return this.queue.run(async () => {
      const need = outputs.reduce((s, o) => s + o.amount, 0n);
      const picked: VtxoRecord[] = [];
      let have = 0n;
      const coins = this.coins(await this.d.tipHeight());
      for (const c of coins) {
        if (minExpiry && !minExpiry(c)) continue;
        picked.push(c);
        have += c.amount;
        if (have === need || have >= need + this.d.dust) break;
      }
      if (have !== need && have < need + this.d.dust) throw new HashPerpError('liquidity_short', `the operator's liquidity holds ${coins.reduce((t, v) => t + v.amount, 0n)} sat in spendable VTXOs; ${need} sat needed`, { field: 'amount' });
      const tx = payTx(picked.map((c) => this.spendable(c)), outputs, this.script, this.d.dust, this.d.checkpointTapscript);
      before?.(tx.arkTx.id);
      const { arkTxid } = await submitCoSigned(this.d.ark, tx, [{ identity: this.d.identity, inputs: picked.map((_, i) => i) }]);
      return arkTxid;
    });
  }
}
