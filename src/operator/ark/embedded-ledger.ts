/**
 * The embedded demo's stand-in for a chain: an in-memory UTXO set with a mempool and blocks, so the
 * Ark operator, the stock SDK wallet and the Esplora routes run the same protocol and code path as on
 * bitcoind. What it is not: a network or a validator. It checks that inputs exist, are unspent and
 * cover the outputs, that relative timelocks (BIP-68, block-based) have matured and absolute ones
 * (height) are final; it does NOT execute scripts, check signatures or ask for a minimum fee. Nothing
 * here is on any chain, and every answer that reaches a user says so (`/health`, the README, the
 * startup notes).
 *
 * Blocks carry real 80-byte headers (previous hash, merkle root of their txids, time, regtest's bits)
 * whose double-SHA256 is their hash, so header readers chain them like any other; there is no
 * coinbase and no proof of work.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import type { ArkChain, ChainCoin } from './ark-chain.js';
import { ArkRequestError } from './ports.js';
import { outpointKey as op } from './outpoint.js';

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
  /** A faucet payment: its one input comes from nowhere (Esplora shows it as a coinbase). */
  minted: boolean;
  /** When it entered the mempool (unix s). */
  seen: number;
}

export interface LedgerBlock {
  height: number;
  hash: string;
  time: number;
  txids: string[];
  /** The 80-byte header, hex. */
  header: string;
  prevHash: string;
  merkleRoot: string;
}

export interface LedgerUtxo extends LedgerOutput {
  txid: string;
  vout: number;
  /** 0 while in the mempool. */
  height: number;
}

const TX_OPTS = { allowUnknownInputs: true, allowUnknownOutputs: true, allowUnknownOutputScripts: true, disableScriptCheck: true, allowLegacyWitnessUtxo: true } as const;
const ZERO_HASH = '00'.repeat(32);
/** Regtest's proof-of-work limit, as its headers carry it. */
export const LEDGER_BITS = 0x207fffff;
const BLOCK_VERSION = 0x20000000;

const dsha = (b: Uint8Array): Uint8Array => sha256(sha256(b));
/** Internal byte order ↔ the reversed hex Bitcoin displays. */
const rev = (b: Uint8Array): Uint8Array => Uint8Array.from(b).reverse();

function merkleRoot(txids: string[]): string {
  if (txids.length === 0) return ZERO_HASH;
  let level = txids.map((t) => rev(hex.decode(t)));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const a = level[i]!;
      const b = level[i + 1] ?? a;
      next.push(dsha(new Uint8Array([...a, ...b])));
    }
    level = next;
  }
  return hex.encode(rev(level[0]!));
}

function u32le(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

function headerBytes(prevHash: string, root: string, time: number, nonce: number): Uint8Array {
  return new Uint8Array([...u32le(BLOCK_VERSION), ...rev(hex.decode(prevHash)), ...rev(hex.decode(root)), ...u32le(time), ...u32le(LEDGER_BITS), ...u32le(nonce)]);
}

const refuse = (message: string): ArkRequestError => new ArkRequestError('INVALID_REQUEST', message, 'tx');

export class EmbeddedLedger implements ArkChain {
  readonly kind = 'embedded';
  private height = 0;
  private readonly utxos = new Map<string, LedgerUtxo>();
  private readonly spentBy = new Map<string, string>();
  private readonly txs = new Map<string, LedgerTx>();
  private readonly blocks: LedgerBlock[] = [];
  private readonly byHash = new Map<string, LedgerBlock>();
  private mempool: string[] = [];
  private faucetNonce = 0;

  /** `clock`: unix seconds (wall time in the server: the ledger's only I/O edge). */
  constructor(private readonly clock: () => number = () => Math.floor(Date.now() / 1000), startHeight = 100) {
    this.connect(0, ZERO_HASH, []);
    for (let i = 0; i < startHeight; i++) this.mine();
  }

  private connect(height: number, prevHash: string, txids: string[]): LedgerBlock {
    // A block's time never goes below its parent's (a clock stepping back keeps headers ordered).
    const time = Math.max(this.clock(), this.blocks[height - 1]?.time ?? 0);
    const root = merkleRoot(txids);
    const header = headerBytes(prevHash, root, time, height);
    const b: LedgerBlock = { height, hash: hex.encode(rev(dsha(header))), time, txids, header: hex.encode(header), prevHash, merkleRoot: root };
    this.blocks.push(b);
    this.byHash.set(b.hash, b);
    this.height = height;
    return b;
  }

  /** Mines the mempool (or an empty block) into the next block; returns its height. */
  mine(): number {
    const b = this.connect(this.height + 1, this.blocks[this.height]!.hash, this.mempool);
    for (const txid of this.mempool) {
      const t = this.txs.get(txid)!;
      t.height = b.height;
      t.time = b.time;
      for (let vout = 0; vout < t.outputs.length; vout++) {
        const u = this.utxos.get(op(txid, vout));
        if (u) u.height = b.height;
      }
    }
    this.mempool = [];
    return b.height;
  }

  /** A synthetic funding transaction (the demo faucet): pays `amount` to `pkScript`, in the mempool. */
  fund(pkScript: Uint8Array, amount: bigint): { txid: string; vout: number } {
    if (amount <= 0n) throw refuse(`a faucet payment must be positive, got ${amount}`);
    const tx = new Transaction({ version: 2, allowUnknownOutputs: true });
    // A unique input from nowhere marks it as a faucet coin (like a coinbase, spendable at once).
    tx.addInput({ txid: sha256(new TextEncoder().encode(`faucet:${this.faucetNonce++}`)), index: 0xffffffff });
    tx.addOutput({ script: pkScript, amount });
    const txid = tx.id;
    this.record(txid, hex.encode(tx.unsignedTx), [], [{ amount, pkScript }], true);
    return { txid, vout: 0 };
  }

  private record(txid: string, txHex: string, inputs: { txid: string; vout: number }[], outputs: LedgerOutput[], minted = false): void {
    for (const i of inputs) {
      const k = op(i.txid, i.vout);
      this.utxos.delete(k);
      this.spentBy.set(k, txid);
    }
    outputs.forEach((o, vout) => this.utxos.set(op(txid, vout), { ...o, txid, vout, height: 0 }));
    this.txs.set(txid, { txid, hex: txHex, height: 0, time: 0, outputs, inputs, minted, seen: this.clock() });
    this.mempool.push(txid);
  }

  async tipHeight(): Promise<number> {
    return this.height;
  }

  tip(): LedgerBlock {
    return this.blocks[this.height]!;
  }

  async unspent(txid: string, vout: number): Promise<ChainCoin | undefined> {
    const u = this.utxos.get(op(txid, vout));
    if (!u) return undefined;
    return { txid, vout, amount: u.amount, pkScript: u.pkScript, confirmations: this.confs(u.height) };
  }

  private confs(height: number): number {
    return height === 0 ? 0 : this.height - height + 1;
  }

  /** Confirmed coins paying exactly this script (as bitcoind's scantxoutset: the operator spends only those). */
  async coinsOf(pkScript: Uint8Array): Promise<ChainCoin[]> {
    return this.utxosOf(pkScript)
      .filter((u) => u.height > 0)
      .map((u) => ({ txid: u.txid, vout: u.vout, amount: u.amount, pkScript: u.pkScript, confirmations: this.confs(u.height) }));
  }

  /** Every unspent output paying this script, mempool ones included. */
  utxosOf(pkScript: Uint8Array): LedgerUtxo[] {
    const want = hex.encode(pkScript);
    return [...this.utxos.values()].filter((u) => hex.encode(u.pkScript) === want);
  }

  /** Accepts a finalized transaction whose inputs exist, are unspent, are mature and cover its outputs. */
  async broadcast(txHex: string): Promise<string> {
    const [txid] = this.accept([txHex]);
    return txid!;
  }

  /**
   * A package (parents first, e.g. a v3 zero-fee parent and its CPFP child): each may spend the
   * outputs of those before it. All or nothing: one refusal leaves the ledger unchanged.
   */
  async submitPackage(txHexes: string[]): Promise<string[]> {
    return this.accept(txHexes);
  }

  private accept(txHexes: string[]): string[] {
    const staged = new Map<string, LedgerUtxo>();
    const spentHere = new Map<string, string>();
    const plan: { txid: string; txHex: string; inputs: { txid: string; vout: number }[]; outputs: LedgerOutput[] }[] = [];
    for (const txHex of txHexes) {
      let tx: Transaction;
      try {
        tx = Transaction.fromRaw(hex.decode(txHex), TX_OPTS);
      } catch (e) {
        throw refuse(`TX decode failed: ${e instanceof Error ? e.message : String(e)}`);
      }
      const txid = tx.id;
      if (this.txs.has(txid) || plan.some((p) => p.txid === txid)) {
        plan.push({ txid, txHex, inputs: [], outputs: [] });
        continue;
      }
      const inputs: { txid: string; vout: number }[] = [];
      let inSum = 0n;
      for (let i = 0; i < tx.inputsLength; i++) {
        const inp = tx.getInput(i);
        const prev = { txid: hex.encode(inp.txid!), vout: inp.index! };
        const k = op(prev.txid, prev.vout);
        const u = spentHere.has(k) ? undefined : (this.utxos.get(k) ?? staged.get(k));
        if (!u) {
          const by = spentHere.get(k) ?? this.spentBy.get(k);
          throw refuse(by !== undefined ? `bad-txns-inputs-missingorspent: input ${k} already spent by ${by}` : `bad-txns-inputs-missingorspent: input ${k} does not exist`);
        }
        const seq = inp.sequence ?? 0xffffffff;
        // BIP-68 relative locks: block-based ones are checked; the demo's parameters use no time-based ones.
        if (tx.version >= 2 && (seq & (1 << 31)) === 0 && (seq & (1 << 22)) === 0) {
          const need = seq & 0xffff;
          // BIP-68: spendable in block h + need, so the next block takes it once it has `need` confirmations.
          const conf = u.height === 0 ? 0 : this.height + 1 - u.height;
          if (conf < need) throw refuse(`non-BIP68-final: input ${k} needs ${need} confirmations, would have ${conf}`);
        }
        spentHere.set(k, txid);
        inputs.push(prev);
        inSum += u.amount;
      }
      if (tx.lockTime > 0 && tx.lockTime < 500_000_000 && tx.lockTime > this.height) throw refuse(`non-final: locktime ${tx.lockTime} is above the tip ${this.height}`);
      const outputs: LedgerOutput[] = [];
      let outSum = 0n;
      for (let i = 0; i < tx.outputsLength; i++) {
        const o = tx.getOutput(i);
        outputs.push({ amount: o.amount!, pkScript: o.script! });
        outSum += o.amount!;
      }
      if (outSum > inSum) throw refuse(`bad-txns-in-belowout: outputs (${outSum}) exceed inputs (${inSum})`);
      outputs.forEach((o, vout) => staged.set(op(txid, vout), { ...o, txid, vout, height: 0 }));
      plan.push({ txid, txHex, inputs, outputs });
    }
    for (const p of plan) if (!this.txs.has(p.txid)) this.record(p.txid, p.txHex, p.inputs, p.outputs);
    return plan.map((p) => p.txid);
  }

  async broadcastPackage(txHexes: string[]): Promise<void> {
    for (const t of txHexes) await this.broadcast(t);
  }

  async blockTxids(height: number): Promise<string[] | undefined> {
    return this.blocks[height - 1]?.txids;
  }

  async confirmations(txid: string): Promise<number | undefined> {
    const t = this.txs.get(txid);
    return t ? this.confs(t.height) : undefined;
  }

  async blockHeightOf(txid: string): Promise<number | undefined> {
    const t = this.txs.get(txid);
    return t && t.height > 0 ? t.height : undefined;
  }

  async feeRate(): Promise<number> {
    return 1;
  }

  // ---- for the ledger's Esplora (src/api/esplora/ledger-esplora.ts) ----

  tx(txid: string): LedgerTx | undefined {
    return this.txs.get(txid);
  }

  /** The output a transaction input spends (undefined for a faucet input). */
  prevout(txid: string, vout: number): LedgerOutput | undefined {
    return this.txs.get(txid)?.outputs[vout];
  }

  spender(txid: string, vout: number): string | undefined {
    return this.spentBy.get(op(txid, vout));
  }

  mempoolTxids(): string[] {
    return [...this.mempool];
  }

  /** Transactions paying or spending this script, in the order the ledger took them. */
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

  block(height: number): LedgerBlock | undefined {
    return height >= 0 ? this.blocks[height] : undefined;
  }

  blockByHash(hash: string): LedgerBlock | undefined {
    return this.byHash.get(hash);
  }

  /** Median time of the 11 blocks up to `height` (BIP-113). */
  medianTime(height: number): number {
    const times = this.blocks.slice(Math.max(0, height - 10), height + 1).map((b) => b.time).sort((a, b) => a - b);
    return times[Math.floor(times.length / 2)]!;
  }
}
