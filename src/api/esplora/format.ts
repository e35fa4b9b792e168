/**
 * Bitcoin Core's verbose JSON → Esplora's JSON (Blockstream's API.md, as electrs and mempool serve it).
 * Pure: no I/O. The service fills in what Core leaves out (a mempool tx's prevouts, a block's height
 * for a status) before calling these.
 *
 * Not produced: the `*_asm` fields (Esplora prints rust-bitcoin's asm, which Core's asm is not; no
 * client of this server reads them) and `sigops`.
 */

export interface CoreScriptPubKey {
  hex: string;
  type: string;
  address?: string;
}

export interface CorePrevout {
  value: number;
  scriptPubKey: CoreScriptPubKey;
}

export interface CoreVin {
  txid?: string;
  vout?: number;
  coinbase?: string;
  scriptSig?: { hex: string };
  txinwitness?: string[];
  sequence: number;
  /** Core adds it at verbosity 2 for confirmed txs; the service adds it for mempool ones. */
  prevout?: CorePrevout;
}

export interface CoreVout {
  value: number;
  n: number;
  scriptPubKey: CoreScriptPubKey;
}

export interface CoreTx {
  txid: string;
  version: number;
  size: number;
  weight: number;
  locktime: number;
  vin: CoreVin[];
  vout: CoreVout[];
  /** BTC; Core gives it at verbosity 2 when it has the undo data. */
  fee?: number;
  hex?: string;
  blockhash?: string;
  confirmations?: number;
}

/** getblock verbosity 1 (or getblockheader verbose plus size/weight). */
export interface CoreBlock {
  hash: string;
  height: number;
  version: number;
  merkleroot: string;
  time: number;
  mediantime: number;
  nonce: number;
  bits: string;
  difficulty: number;
  nTx: number;
  size: number;
  weight: number;
  previousblockhash?: string;
  nextblockhash?: string;
  confirmations: number;
}

export type EsploraStatus =
  | { confirmed: false }
  | { confirmed: true; block_height: number; block_hash: string; block_time: number };

export interface EsploraOutput {
  scriptpubkey: string;
  scriptpubkey_type: string;
  scriptpubkey_address?: string;
  value: number;
}

export interface EsploraVin {
  txid: string;
  vout: number;
  prevout: EsploraOutput | null;
  scriptsig: string;
  witness?: string[];
  is_coinbase: boolean;
  sequence: number;
}

export interface EsploraTx {
  txid: string;
  version: number;
  locktime: number;
  vin: EsploraVin[];
  vout: EsploraOutput[];
  size: number;
  weight: number;
  fee: number;
  status: EsploraStatus;
}

export interface EsploraBlock {
  id: string;
  height: number;
  version: number;
  timestamp: number;
  tx_count: number;
  size: number;
  weight: number;
  merkle_root: string;
  previousblockhash: string | null;
  mediantime: number;
  nonce: number;
  bits: number;
  difficulty: number;
}

export interface EsploraUtxo {
  txid: string;
  vout: number;
  value: number;
  status: EsploraStatus;
}

export type EsploraOutspend = { spent: false } | { spent: true; txid?: string; vin?: number; status?: EsploraStatus };

/** Core prints BTC with 8 decimals; rounding the float product recovers the exact satoshis (< 2^53). */
export function btcToSats(btc: number): number {
  return Math.round(btc * 1e8);
}

// Core's script type names → Esplora's (electrs `script_type`, mempool's `anchor`).
const SCRIPT_TYPES: Record<string, string> = {
  pubkey: 'p2pk',
  pubkeyhash: 'p2pkh',
  scripthash: 'p2sh',
  witness_v0_keyhash: 'v0_p2wpkh',
  witness_v0_scripthash: 'v0_p2wsh',
  witness_v1_taproot: 'v1_p2tr',
  nulldata: 'op_return',
  anchor: 'anchor',
  multisig: 'multisig',
};

export function esploraScriptType(spk: CoreScriptPubKey): string {
  if (spk.hex === '') return 'empty';
  return SCRIPT_TYPES[spk.type] ?? 'unknown';
}

export function toEsploraOutput(value: number, spk: CoreScriptPubKey): EsploraOutput {
  const out: EsploraOutput = { scriptpubkey: spk.hex, scriptpubkey_type: esploraScriptType(spk), value: btcToSats(value) };
  if (spk.address !== undefined) out.scriptpubkey_address = spk.address;
  return out;
}

/** An OP_RETURN output never enters the UTXO set; Esplora reports it as unspent. */
export function isUnspendable(scriptHex: string): boolean {
  return scriptHex.startsWith('6a');
}

const COINBASE_PREV = '0'.repeat(64);
const COINBASE_VOUT = 0xffffffff;

/**
 * Every non-coinbase input must carry its prevout (the fee is computed from them when Core did not
 * give it); the caller resolves missing ones first.
 */
export function toEsploraTx(tx: CoreTx, status: EsploraStatus): EsploraTx {
  let inSats = 0;
  let coinbase = false;
  const vin: EsploraVin[] = tx.vin.map((i) => {
    if (i.coinbase !== undefined) {
      coinbase = true;
      const v: EsploraVin = { txid: COINBASE_PREV, vout: COINBASE_VOUT, prevout: null, scriptsig: i.coinbase, is_coinbase: true, sequence: i.sequence };
      if (i.txinwitness) v.witness = i.txinwitness;
      return v;
    }
    if (i.prevout === undefined || i.txid === undefined || i.vout === undefined) throw new Error(`toEsploraTx ${tx.txid}: input without prevout`);
    inSats += btcToSats(i.prevout.value);
    const v: EsploraVin = {
      txid: i.txid,
      vout: i.vout,
      prevout: toEsploraOutput(i.prevout.value, i.prevout.scriptPubKey),
      scriptsig: i.scriptSig?.hex ?? '',
      is_coinbase: false,
      sequence: i.sequence,
    };
    if (i.txinwitness) v.witness = i.txinwitness;
    return v;
  });
  const vout = tx.vout.map((o) => toEsploraOutput(o.value, o.scriptPubKey));
  const outSats = vout.reduce((s, o) => s + o.value, 0);
  const fee = coinbase ? 0 : tx.fee !== undefined ? btcToSats(tx.fee) : inSats - outSats;
  return { txid: tx.txid, version: tx.version, locktime: tx.locktime, vin, vout, size: tx.size, weight: tx.weight, fee, status };
}

export function toEsploraBlock(b: CoreBlock): EsploraBlock {
  return {
    id: b.hash,
    height: b.height,
    version: b.version,
    timestamp: b.time,
    tx_count: b.nTx,
    size: b.size,
    weight: b.weight,
    merkle_root: b.merkleroot,
    previousblockhash: b.previousblockhash ?? null,
    mediantime: b.mediantime,
    nonce: b.nonce,
    bits: parseInt(b.bits, 16),
    difficulty: b.difficulty,
  };
}

export function confirmedStatus(height: number, hash: string, time: number): EsploraStatus {
  return { confirmed: true, block_height: height, block_hash: hash, block_time: time };
}

/** Core's estimatesmartfee feerate (BTC/kvB) → Esplora's sat/vB. */
export function btcPerKvbToSatPerVb(feerate: number): number {
  return (feerate * 1e8) / 1000;
}
