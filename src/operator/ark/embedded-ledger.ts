/**
 * The embedded demo's stand-in for a chain: an in-memory UTXO set with a mempool and blocks, so the
 * Ark operator, the stock SDK wallet and the Esplora routes run the same protocol and code path as on
 * bitcoind. What it is not: a network or a validator. It checks that inputs exist, are unspent and
 * cover the outputs, that relative timelocks (BIP-68, block-based) have matured and absolute ones
 * (height) are final; it does NOT execute scripts or check signatures. Nothing here is on any chain,
 * and every answer that reaches a user says so (`/health`, the README, the operator's notes).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import type { ArkChain, ChainCoin } from './ark-chain.js';
import { ArkRequestError } from './ports.js';

export interface LedgerOutput {
  amount: bigint;
  pkScript: Uint8Array;
}

export interface LedgerTx {
  txid: string;
  hex: string;
  /** 0 while in the mempool. */
  height: number;
  /** Block time (unix s), 0 in the mempool. */
  time: number;
  outputs: LedgerOutput[];
  inputs: { txid: string; vout: number }[];
}

const TX_OPTS = { allowUnknownInputs: true, allowUnknownOutputs: true, allowUnknownOutputScripts: true, disableScriptCheck: true } as const;
const op = (txid: string, vout: number): string => `${txid}:${vout}`;

export class EmbeddedLedger implements ArkChain {
  readonly kind = 'embedded';
  private height = 0;
  private readonly utxos = new Map<string, LedgerOutput & { txid: string; vout: number }>();
  private readonly spentBy = new Map<string, string>();
  private readonly txs = new Map<string, LedgerTx>();
  private readonly blocks: { height: number; hash: string; time: number; txids: string[] }[] = [];
  private mempool: string[] = [];
  private faucetNonce = 0;

  constructor(private readonly clock: () => number = () => Math.floor(Date.now() / 1000), startHeight = 100) {
    for (let i = 0; i < startHeight; i++) this.mine();
  }

  /** Mines the mempool (or an empty block) into the next block; returns its height. */
  mine(): number {
    this.height += 1;
    const time = this.clock();
    const hash = hex.encode(sha256(new TextEncoder().encode(`embedded-block:${this.height}:${this.mempool.join(',')}`)));
    for (const txid of this.mempool) {
      const t = this.txs.get(txid)!;
      t.height = this.height;
      t.time = time;
    }
    this.blocks.push({ height: this.height, hash, time, txids: this.mempool });
    this.mempool = [];
    return this.height;
  }

  /** A synthetic funding transaction (the demo faucet): pays `amount` to `pkScript`, in the mempool. */
  fund(pkScript: Uint8Array, amount: bigint): { txid: string; vout: number } {
    const tx = new Transaction({ version: 2 });
    // A unique input from nowhere marks it as a faucet coin (like a coinbase, spendable at once).
    tx.addInput({ txid: sha256(new TextEncoder().encode(`faucet:${this.faucetNonce++}`)), index: 0xffffffff });
    tx.addOutput({ script: pkScript, amount });
    const raw = tx.unsignedTx;
    const txid = tx.id;
    this.record(txid, hex.encode(raw), [], [{ amount, pkScript }]);
    return { txid, vout: 0 };
  }

  private record(txid: string, txHex: string, inputs: { txid: string; vout: number }[], outputs: LedgerOutput[]): void {
    for (const i of inputs) {
      const k = op(i.txid, i.vout);
      this.utxos.delete(k);
      this.spentBy.set(k, txid);
    }
    outputs.forEach((o, vout) => this.utxos.set(op(txid, vout), { ...o, txid, vout }));
    this.txs.set(txid, { txid, hex: txHex, height: 0, time: 0, outputs, inputs });
    this.mempool.push(txid);
  }

  async tipHeight(): Promise<number> {
    return this.height;
  }

  tip(): { height: number; hash: string; time: number } {
    return this.blocks[this.blocks.length - 1]!;
  }

  async unspent(txid: string, vout: number): Promise<ChainCoin | undefined> {
    const u = this.utxos.get(op(txid, vout));
    if (!u) return undefined;
    const t = this.txs.get(txid)!;
    return { txid, vout, amount: u.amount, pkScript: u.pkScript, confirmations: t.height === 0 ? 0 : this.height - t.height + 1 };
  }

  async coinsOf(pkScript: Uint8Array): Promise<ChainCoin[]> {
    const want = hex.encode(pkScript);
    const out: ChainCoin[] = [];
    for (const u of this.utxos.values()) {
      if (hex.encode(u.pkScript) !== want) continue;
      const t = this.txs.get(u.txid)!;
      if (t.height === 0) continue;
      out.push({ txid: u.txid, vout: u.vout, amount: u.amount, pkScript: u.pkScript, confirmations: this.height - t.height + 1 });
    }
    return out;
  }

  /** Accepts a finalized transaction whose inputs exist, are unspent, are mature and cover its outputs. */
  async broadcast(txHex: string): Promise<string> {
    let tx: Transaction;
    try {
      tx = Transaction.fromRaw(hex.decode(txHex), TX_OPTS);
    } catch (e) {
      throw new ArkRequestError('INVALID_REQUEST', `not a transaction: ${e instanceof Error ? e.message : String(e)}`, 'tx');
    }
    const txid = tx.id;
    if (this.txs.has(txid)) return txid;
    const inputs: { txid: string; vout: number }[] = [];
    let inSum = 0n;
    for (let i = 0; i < tx.inputsLength; i++) {
      const inp = tx.getInput(i);
      const prev = { txid: hex.encode(inp.txid!), vout: inp.index! };
      const k = op(prev.txid, prev.vout);
      const u = this.utxos.get(k);
      if (!u) throw new ArkRequestError('INVALID_REQUEST', this.spentBy.has(k) ? `input ${k} already spent by ${this.spentBy.get(k)}` : `input ${k} does not exist`, 'tx');
      const seq = inp.sequence ?? 0xffffffff;
      // BIP-68, block-based relative locks (the only kind the demo's parameters use below 512).
      if (tx.version >= 2 && (seq & (1 << 31)) === 0 && (seq & (1 << 22)) === 0) {
        const need = seq & 0xffff;
        const prevTx = this.txs.get(prev.txid)!;
        const conf = prevTx.height === 0 ? 0 : this.height - prevTx.height + 1;
        if (conf < need) throw new ArkRequestError('INVALID_REQUEST', `non-BIP68-final: input ${k} needs ${need} confirmations, has ${conf}`, 'tx');
      }
      inputs.push(prev);
      inSum += u.amount;
    }
    if (tx.lockTime > 0 && tx.lockTime < 500_000_000 && tx.lockTime > this.height) throw new ArkRequestError('INVALID_REQUEST', `non-final: locktime ${tx.lockTime} above the next block`, 'tx');
    const outputs: LedgerOutput[] = [];
    let outSum = 0n;
    for (let i = 0; i < tx.outputsLength; i++) {
      const o = tx.getOutput(i);
      outputs.push({ amount: o.amount!, pkScript: o.script! });
      outSum += o.amount!;
    }
    if (outSum > inSum) throw new ArkRequestError('INVALID_REQUEST', `outputs (${outSum}) exceed inputs (${inSum})`, 'tx');
    this.record(txid, txHex, inputs, outputs);
    return txid;
  }

  async broadcastPackage(txHexes: string[]): Promise<void> {
    for (const t of txHexes) await this.broadcast(t);
  }

  async blockTxids(height: number): Promise<string[] | undefined> {
    return this.blocks[height - 1]?.txids;
  }

  async confirmations(txid: string): Promise<number | undefined> {
    const t = this.txs.get(txid);
    if (!t) return undefined;
    return t.height === 0 ? 0 : this.height - t.height + 1;
  }

  async blockHeightOf(txid: string): Promise<number | undefined> {
    const t = this.txs.get(txid);
    return t && t.height > 0 ? t.height : undefined;
  }

  async feeRate(): Promise<number> {
    return 1;
  }

  // For the embedded Esplora routes.
  tx(txid: string): LedgerTx | undefined {
    return this.txs.get(txid);
  }

  spender(txid: string, vout: number): string | undefined {
    return this.spentBy.get(op(txid, vout));
  }

  txsTouching(pkScript: Uint8Array): LedgerTx[] {
    const want = hex.encode(pkScript);
    const out: LedgerTx[] = [];
    for (const t of this.txs.values()) {
      const pays = t.outputs.some((o) => hex.encode(o.pkScript) === want);
      const spends = t.inputs.some((i) => {
        const prev = this.txs.get(i.txid);
        return prev !== undefined && hex.encode(prev.outputs[i.vout]!.pkScript) === want;
      });
      if (pays || spends) out.push(t);
    }
    return out;
  }

  block(height: number): { height: number; hash: string; time: number; txids: string[] } | undefined {
    return this.blocks[height - 1];
  }
}
