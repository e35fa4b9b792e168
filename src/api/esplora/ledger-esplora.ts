/**
 * Esplora's answers from the embedded demo's EmbeddedLedger: the same JSON as `BitcoindEsplora`
 * gives (each tx decoded from its raw bytes with btc-signer into Core's verbose shape, then through
 * format.ts), so the stock SDK's EsploraProvider reads the ledger as it reads a node. Nothing here is
 * on any network: the ledger does not check scripts or signatures (see embedded-ledger.ts).
 *
 * Differences from bitcoind that a client can see: blocks have no coinbase (a faucet payment shows as
 * a coinbase-like tx instead), fee estimates are a flat 1 sat/vB, there is no merkleblock proof, and a
 * zero-fee transaction is taken alone (no relay fee policy).
 */
import { Address, OutScript, Transaction } from '@scure/btc-signer';
import { bech32m, hex } from '@scure/base';
import type { BtcNetwork } from '../../bitcoin/networks.js';
import type { EmbeddedLedger, LedgerBlock, LedgerTx } from '../../operator/ark/embedded-ledger.js';
import { ArkRequestError } from '../../operator/ark/ports.js';
import { HashPerpError } from '../../units/errors.js';
import type { EsploraBackend } from './backend.js';
import {
  confirmedStatus,
  isUnspendable,
  toEsploraBlock,
  toEsploraTx,
  type CoreScriptPubKey,
  type CoreTx,
  type CoreVin,
  type EsploraBlock,
  type EsploraOutspend,
  type EsploraStatus,
  type EsploraTx,
  type EsploraUtxo,
} from './format.js';
import { addressScript, parsePackage, parseTxHex } from './params.js';

const BLOCKS_PER_PAGE = 10;
const TXS_PER_PAGE = 25;
const MEMPOOL_TXS_PER_PAGE = 50;
const FEE_TARGETS = [...Array.from({ length: 25 }, (_, i) => i + 1), 144, 504, 1008];
const TX_OPTS = { allowUnknownInputs: true, allowUnknownOutputs: true, allowUnknownOutputScripts: true, disableScriptCheck: true } as const;
/** bitcoind's code for a refused transaction (RPC_VERIFY_REJECTED), which electrs' wording carries. */
const RPC_VERIFY_REJECTED = -26;

const notFound = (message: string): HashPerpError => new HashPerpError('not_found', message);
const invalid = (field: string, message: string): HashPerpError => new HashPerpError('invalid_argument', message, { field });
const btc = (sats: bigint): number => Number(sats) / 1e8;

export class LedgerEsplora implements EsploraBackend {
  constructor(
    private readonly ledger: EmbeddedLedger,
    readonly network: BtcNetwork,
  ) {}

  // ---- blocks ----

  async tipHeight(): Promise<number> {
    return this.ledger.tip().height;
  }

  async tipHash(): Promise<string> {
    return this.ledger.tip().hash;
  }

  async blocks(start?: number): Promise<EsploraBlock[]> {
    const tip = this.ledger.tip().height;
    const top = start ?? tip;
    if (top > tip) throw notFound(`Block not found: height ${top} is above the tip ${tip}`);
    return Array.from({ length: Math.min(BLOCKS_PER_PAGE, top + 1) }, (_, i) => this.esploraBlock(this.ledger.block(top - i)!));
  }

  async blockHashAt(height: number): Promise<string> {
    const b = this.ledger.block(height);
    if (!b) throw notFound(`Block not found: no block at height ${height}`);
    return b.hash;
  }

  async block(hash: string): Promise<EsploraBlock> {
    return this.esploraBlock(this.blockOf(hash));
  }

  async blockHex(hash: string): Promise<string> {
    const b = this.blockOf(hash);
    return b.header + varint(b.txids.length) + b.txids.map((id) => this.ledger.tx(id)!.hex).join('');
  }

  async headerHex(hash: string): Promise<string> {
    return this.blockOf(hash).header;
  }

  async blockStatus(hash: string): Promise<{ in_best_chain: boolean; height?: number; next_best?: string | null }> {
    const b = this.blockOf(hash);
    return { in_best_chain: true, height: b.height, next_best: this.ledger.block(b.height + 1)?.hash ?? null };
  }

  async blockTxids(hash: string): Promise<string[]> {
    return [...this.blockOf(hash).txids];
  }

  async blockTxs(hash: string, start: number): Promise<EsploraTx[]> {
    if (start % TXS_PER_PAGE !== 0) throw invalid('start_index', `Invalid start_index: must be a multiple of ${TXS_PER_PAGE}, got ${start}`);
    const b = this.blockOf(hash);
    if (start >= b.txids.length) throw notFound(`start index out of range: block ${hash} has ${b.txids.length} transactions`);
    return b.txids.slice(start, start + TXS_PER_PAGE).map((id) => this.esploraTx(this.ledger.tx(id)!));
  }

  // ---- transactions ----

  async tx(txid: string): Promise<EsploraTx> {
    return this.esploraTx(this.known(txid));
  }

  async txStatus(txid: string): Promise<EsploraStatus> {
    return this.statusOf(this.known(txid));
  }

  async txHex(txid: string): Promise<string> {
    return this.known(txid).hex;
  }

  async merkleblockProof(txid: string): Promise<string> {
    this.known(txid);
    throw notFound(`merkleblock proofs are not served by the embedded demo ledger (no proof of work backs its blocks): ${txid}`);
  }

  async outspends(txid: string): Promise<EsploraOutspend[]> {
    const t = this.known(txid);
    return t.outputs.map((o, vout) => {
      if (isUnspendable(hex.encode(o.pkScript))) return { spent: false };
      const by = this.ledger.spender(txid, vout);
      if (by === undefined) return { spent: false };
      const s = this.ledger.tx(by)!;
      const vin = s.inputs.findIndex((i) => i.txid === txid && i.vout === vout);
      return { spent: true, txid: by, vin, status: this.statusOf(s) };
    });
  }

  async broadcast(body: unknown): Promise<string> {
    const txHex = parseTxHex(body);
    try {
      return await this.ledger.broadcast(txHex);
    } catch (e) {
      throw refused('sendrawtransaction', e);
    }
  }

  /** Answers in submitpackage's shape (the SDK reads only the status; HashPerp's tests read package_msg). */
  async submitPackage(body: unknown): Promise<unknown> {
    const txs = parsePackage(body);
    let ids: string[];
    try {
      ids = await this.ledger.submitPackage(txs);
    } catch (e) {
      throw refused('submitpackage', e);
    }
    return { package_msg: 'success', 'tx-results': Object.fromEntries(ids.map((txid) => [txid, { txid }])), 'replaced-transactions': [] };
  }

  async mempoolTxids(): Promise<string[]> {
    return this.ledger.mempoolTxids();
  }

  /** The ledger has no fee market: 1 sat/vB (the relay minimum) for every target. */
  async feeEstimates(): Promise<Record<string, number>> {
    return Object.fromEntries(FEE_TARGETS.map((t) => [String(t), 1]));
  }

  // ---- addresses ----

  async addressUtxos(address: string): Promise<EsploraUtxo[]> {
    const script = hex.decode(addressScript(this.network, address));
    return this.ledger.utxosOf(script).map((u) => ({ txid: u.txid, vout: u.vout, value: Number(u.amount), status: this.statusOf(this.ledger.tx(u.txid)!) }));
  }

  async addressTxs(address: string): Promise<EsploraTx[]> {
    return [...(await this.addressTxsMempool(address)), ...(await this.addressTxsChain(address))];
  }

  async addressTxsMempool(address: string): Promise<EsploraTx[]> {
    const all = this.history(address).filter((t) => t.height === 0);
    return all.slice(0, MEMPOOL_TXS_PER_PAGE).map((t) => this.esploraTx(t));
  }

  async addressTxsChain(address: string, lastSeen?: string): Promise<EsploraTx[]> {
    let chain = this.history(address).filter((t) => t.height > 0);
    if (lastSeen !== undefined) {
      const at = chain.findIndex((t) => t.txid === lastSeen);
      if (at < 0) throw notFound(`Transaction not found in this address's history: ${lastSeen}`);
      chain = chain.slice(at + 1);
    }
    return chain.slice(0, TXS_PER_PAGE).map((t) => this.esploraTx(t));
  }

  // ---- helpers ----

  /** Newest first: mempool txs by arrival, confirmed ones by height, then by position in their block. */
  private history(address: string): LedgerTx[] {
    const script = hex.decode(addressScript(this.network, address));
    const txs = this.ledger.txsTouching(script).map((t, order) => ({ t, order }));
    txs.sort((a, b) => {
      const ha = a.t.height === 0 ? Infinity : a.t.height;
      const hb = b.t.height === 0 ? Infinity : b.t.height;
      return ha !== hb ? hb - ha : b.order - a.order;
    });
    return txs.map((x) => x.t);
  }

  private known(txid: string): LedgerTx {
    const t = this.ledger.tx(txid);
    if (!t) throw notFound(`Transaction not found: ${txid}`);
    return t;
  }

  private blockOf(hash: string): LedgerBlock {
    const b = this.ledger.blockByHash(hash);
    if (!b) throw notFound(`Block not found: ${hash}`);
    return b;
  }

  private statusOf(t: LedgerTx): EsploraStatus {
    if (t.height === 0) return { confirmed: false };
    return confirmedStatus(t.height, this.ledger.block(t.height)!.hash, t.time);
  }

  private esploraBlock(b: LedgerBlock): EsploraBlock {
    const txs = b.txids.map((id) => Transaction.fromRaw(hex.decode(this.ledger.tx(id)!.hex), TX_OPTS));
    const txBytes = b.txids.reduce((s, id) => s + this.ledger.tx(id)!.hex.length / 2, 0);
    const size = 80 + varint(b.txids.length).length / 2 + txBytes;
    const weight = (80 + varint(b.txids.length).length / 2) * 4 + txs.reduce((s, t, i) => s + weightOf(t, this.ledger.tx(b.txids[i]!)!.hex), 0);
    const prev = b.height > 0 ? b.prevHash : undefined;
    return toEsploraBlock({
      hash: b.hash,
      height: b.height,
      version: 0x20000000,
      merkleroot: b.merkleRoot,
      time: b.time,
      mediantime: this.ledger.medianTime(b.height),
      nonce: b.height,
      bits: '207fffff',
      difficulty: 4.656542373906925e-10,
      nTx: b.txids.length,
      size,
      weight,
      ...(prev !== undefined ? { previousblockhash: prev } : {}),
      confirmations: this.ledger.tip().height - b.height + 1,
    });
  }

  /** The ledger's raw tx in Core's verbose shape (prevouts from the ledger), then Esplora's. */
  private esploraTx(t: LedgerTx): EsploraTx {
    const tx = Transaction.fromRaw(hex.decode(t.hex), TX_OPTS);
    const vin: CoreVin[] = [];
    for (let i = 0; i < tx.inputsLength; i++) {
      const inp = tx.getInput(i);
      const sequence = inp.sequence ?? 0xffffffff;
      if (t.minted) {
        vin.push({ coinbase: '', sequence });
        continue;
      }
      const prevTxid = hex.encode(inp.txid!);
      const prev = this.ledger.prevout(prevTxid, inp.index!);
      if (!prev) throw new HashPerpError('internal_error', `ledger tx ${t.txid} spends an output the ledger does not hold`);
      const v: CoreVin = { txid: prevTxid, vout: inp.index!, scriptSig: { hex: inp.finalScriptSig ? hex.encode(inp.finalScriptSig) : '' }, sequence, prevout: { value: btc(prev.amount), scriptPubKey: this.spk(prev.pkScript) } };
      if (inp.finalScriptWitness && inp.finalScriptWitness.length > 0) v.txinwitness = inp.finalScriptWitness.map((w) => hex.encode(w));
      vin.push(v);
    }
    const core: CoreTx = {
      txid: t.txid,
      version: tx.version,
      size: t.hex.length / 2,
      weight: weightOf(tx, t.hex),
      locktime: tx.lockTime,
      vin,
      vout: t.outputs.map((o, n) => ({ value: btc(o.amount), n, scriptPubKey: this.spk(o.pkScript) })),
    };
    return toEsploraTx(core, this.statusOf(t));
  }

  /** Core's scriptPubKey object: its type name and, where one exists, the address. */
  private spk(script: Uint8Array): CoreScriptPubKey {
    const h = hex.encode(script);
    if (h.startsWith('6a')) return { hex: h, type: 'nulldata' };
    if (h === '51024e73') return { hex: h, type: 'anchor', address: bech32m.encode(this.network.bech32, [1, ...bech32m.toWords(hex.decode('4e73'))]) };
    try {
      const d = OutScript.decode(script);
      const type = CORE_TYPES[d.type];
      if (type === undefined) return { hex: h, type: 'nonstandard' };
      if (d.type === 'pk' || d.type === 'ms') return { hex: h, type };
      return { hex: h, type, address: Address(this.network).encode(d) };
    } catch {
      return { hex: h, type: 'nonstandard' };
    }
  }
}

const CORE_TYPES: Record<string, string> = {
  pk: 'pubkey',
  pkh: 'pubkeyhash',
  sh: 'scripthash',
  wpkh: 'witness_v0_keyhash',
  wsh: 'witness_v0_scripthash',
  tr: 'witness_v1_taproot',
  ms: 'multisig',
};

/** BIP-141 weight from the bytes (btc-signer's `weight` wants a finalized tx; a faucet payment has no signature). */
function weightOf(tx: Transaction, rawHex: string): number {
  return tx.toBytes(true, false).length * 3 + rawHex.length / 2;
}

function varint(n: number): string {
  if (n < 0xfd) return n.toString(16).padStart(2, '0');
  if (n <= 0xffff) return 'fd' + hex.encode(new Uint8Array([n & 0xff, n >>> 8]));
  return 'fe' + hex.encode(new Uint8Array([n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff]));
}

/** The ledger's refusal worded as electrs words bitcoind's (clients match on the reason). */
function refused(method: string, e: unknown): unknown {
  if (!(e instanceof ArkRequestError)) return e;
  return new HashPerpError('tx_refused', `${method} RPC error: ${JSON.stringify({ code: RPC_VERIFY_REJECTED, message: e.message })}`);
}
