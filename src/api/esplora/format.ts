/**
 * Bitcoin Core's verbose JSON → Esplora's JSON (Blockstream's API.md, as electrs and mempool serve it).
 * Pure: no I/O. The service fills in what Core leaves out (a mempool tx's prevouts, a block's height
 * for a status) before calling these.
 *
 * The `*_asm` fields are rust-bitcoin's asm (what electrs prints: `OP_0 OP_PUSHBYTES_20 …`), not Core's.
 * Not produced: `sigops`.
 */
import { hex } from '@scure/base';

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
  scriptpubkey_asm: string;
  scriptpubkey_type: string;
  scriptpubkey_address?: string;
  value: number;
}

export interface EsploraVin {
  txid: string;
  vout: number;
  prevout: EsploraOutput | null;
  scriptsig: string;
  scriptsig_asm: string;
  witness?: string[];
  is_coinbase: boolean;
  sequence: number;
  inner_redeemscript_asm?: string;
  inner_witnessscript_asm?: string;
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
  const out: EsploraOutput = { scriptpubkey: spk.hex, scriptpubkey_asm: scriptAsm(spk.hex), scriptpubkey_type: esploraScriptType(spk), value: btcToSats(value) };
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
      const v: EsploraVin = { txid: COINBASE_PREV, vout: COINBASE_VOUT, prevout: null, scriptsig: i.coinbase, scriptsig_asm: scriptAsm(i.coinbase), is_coinbase: true, sequence: i.sequence };
      if (i.txinwitness) v.witness = i.txinwitness;
      return v;
    }
    if (i.prevout === undefined || i.txid === undefined || i.vout === undefined) throw new Error(`toEsploraTx ${tx.txid}: input without prevout`);
    inSats += btcToSats(i.prevout.value);
    const scriptsig = i.scriptSig?.hex ?? '';
    const prevout = toEsploraOutput(i.prevout.value, i.prevout.scriptPubKey);
    const v: EsploraVin = { txid: i.txid, vout: i.vout, prevout, scriptsig, scriptsig_asm: scriptAsm(scriptsig), is_coinbase: false, sequence: i.sequence };
    if (i.txinwitness) v.witness = i.txinwitness;
    Object.assign(v, innerScripts(prevout.scriptpubkey_type, scriptsig, i.txinwitness ?? []));
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

// ---- asm, as rust-bitcoin prints it (electrs' `*_asm`) ----

const OP_NAMES: Record<number, string> = {
  0x4c: 'OP_PUSHDATA1', 0x4d: 'OP_PUSHDATA2', 0x4e: 'OP_PUSHDATA4', 0x4f: 'OP_PUSHNUM_NEG1', 0x50: 'OP_RESERVED',
  0x61: 'OP_NOP', 0x62: 'OP_VER', 0x63: 'OP_IF', 0x64: 'OP_NOTIF', 0x65: 'OP_VERIF', 0x66: 'OP_VERNOTIF', 0x67: 'OP_ELSE',
  0x68: 'OP_ENDIF', 0x69: 'OP_VERIFY', 0x6a: 'OP_RETURN', 0x6b: 'OP_TOALTSTACK', 0x6c: 'OP_FROMALTSTACK', 0x6d: 'OP_2DROP',
  0x6e: 'OP_2DUP', 0x6f: 'OP_3DUP', 0x70: 'OP_2OVER', 0x71: 'OP_2ROT', 0x72: 'OP_2SWAP', 0x73: 'OP_IFDUP', 0x74: 'OP_DEPTH',
  0x75: 'OP_DROP', 0x76: 'OP_DUP', 0x77: 'OP_NIP', 0x78: 'OP_OVER', 0x79: 'OP_PICK', 0x7a: 'OP_ROLL', 0x7b: 'OP_ROT',
  0x7c: 'OP_SWAP', 0x7d: 'OP_TUCK', 0x7e: 'OP_CAT', 0x7f: 'OP_SUBSTR', 0x80: 'OP_LEFT', 0x81: 'OP_RIGHT', 0x82: 'OP_SIZE',
  0x83: 'OP_INVERT', 0x84: 'OP_AND', 0x85: 'OP_OR', 0x86: 'OP_XOR', 0x87: 'OP_EQUAL', 0x88: 'OP_EQUALVERIFY',
  0x89: 'OP_RESERVED1', 0x8a: 'OP_RESERVED2', 0x8b: 'OP_1ADD', 0x8c: 'OP_1SUB', 0x8d: 'OP_2MUL', 0x8e: 'OP_2DIV',
  0x8f: 'OP_NEGATE', 0x90: 'OP_ABS', 0x91: 'OP_NOT', 0x92: 'OP_0NOTEQUAL', 0x93: 'OP_ADD', 0x94: 'OP_SUB', 0x95: 'OP_MUL',
  0x96: 'OP_DIV', 0x97: 'OP_MOD', 0x98: 'OP_LSHIFT', 0x99: 'OP_RSHIFT', 0x9a: 'OP_BOOLAND', 0x9b: 'OP_BOOLOR',
  0x9c: 'OP_NUMEQUAL', 0x9d: 'OP_NUMEQUALVERIFY', 0x9e: 'OP_NUMNOTEQUAL', 0x9f: 'OP_LESSTHAN', 0xa0: 'OP_GREATERTHAN',
  0xa1: 'OP_LESSTHANOREQUAL', 0xa2: 'OP_GREATERTHANOREQUAL', 0xa3: 'OP_MIN', 0xa4: 'OP_MAX', 0xa5: 'OP_WITHIN',
  0xa6: 'OP_RIPEMD160', 0xa7: 'OP_SHA1', 0xa8: 'OP_SHA256', 0xa9: 'OP_HASH160', 0xaa: 'OP_HASH256', 0xab: 'OP_CODESEPARATOR',
  0xac: 'OP_CHECKSIG', 0xad: 'OP_CHECKSIGVERIFY', 0xae: 'OP_CHECKMULTISIG', 0xaf: 'OP_CHECKMULTISIGVERIFY', 0xb0: 'OP_NOP1',
  0xb1: 'OP_CLTV', 0xb2: 'OP_CSV', 0xba: 'OP_CHECKSIGADD', 0xff: 'OP_INVALIDOPCODE',
};

function opName(op: number): string {
  if (op === 0) return 'OP_0';
  if (op <= 0x4b) return `OP_PUSHBYTES_${op}`;
  if (op >= 0x51 && op <= 0x60) return `OP_PUSHNUM_${op - 0x50}`;
  if (op >= 0xb3 && op <= 0xb9) return `OP_NOP${op - 0xb0 + 1}`;
  return OP_NAMES[op] ?? `OP_RETURN_${op}`;
}

/** A script's asm: opcodes by name, each push followed by its bytes in hex. */
export function scriptAsm(scriptHex: string): string {
  const b = hex.decode(scriptHex);
  const parts: string[] = [];
  for (let i = 0; i < b.length; ) {
    const op = b[i++]!;
    let len = 0;
    if (op >= 0x01 && op <= 0x4b) len = op;
    else if (op >= 0x4c && op <= 0x4e) {
      const size = op === 0x4c ? 1 : op === 0x4d ? 2 : 4;
      if (i + size > b.length) {
        parts.push(`${opName(op)} <unexpected end>`);
        break;
      }
      for (let k = size - 1; k >= 0; k--) len = len * 256 + b[i + k]!;
      i += size;
    }
    if (len === 0) {
      parts.push(opName(op));
      continue;
    }
    if (i + len > b.length) {
      parts.push(`${opName(op)} <push past end>`);
      break;
    }
    parts.push(`${opName(op)} ${hex.encode(b.subarray(i, i + len))}`);
    i += len;
  }
  return parts.join(' ');
}

/** The last push of a script (a P2SH scriptSig's redeem script), if the script is only pushes. */
function lastPush(scriptHex: string): string | undefined {
  const asm = scriptAsm(scriptHex).split(' ');
  const last = asm.at(-1);
  return last !== undefined && /^[0-9a-f]+$/.test(last) && asm.length >= 2 ? last : undefined;
}

/** electrs' inner_redeemscript_asm (P2SH) and inner_witnessscript_asm (P2WSH, P2SH-P2WSH, taproot script path). */
function innerScripts(type: string, scriptsig: string, witness: string[]): { inner_redeemscript_asm?: string; inner_witnessscript_asm?: string } {
  const out: { inner_redeemscript_asm?: string; inner_witnessscript_asm?: string } = {};
  let kind = type;
  if (type === 'p2sh') {
    const redeem = lastPush(scriptsig);
    if (redeem === undefined) return out;
    out.inner_redeemscript_asm = scriptAsm(redeem);
    if (/^0020[0-9a-f]{64}$/.test(redeem)) kind = 'v0_p2wsh';
  }
  if (kind === 'v0_p2wsh' && witness.length > 0) out.inner_witnessscript_asm = scriptAsm(witness.at(-1)!);
  if (kind === 'v1_p2tr') {
    // BIP-341: an annex (first byte 0x50) comes last; the script path leaves script and control block.
    const stack = witness.length >= 2 && witness.at(-1)!.startsWith('50') ? witness.slice(0, -1) : witness;
    if (stack.length >= 2) out.inner_witnessscript_asm = scriptAsm(stack.at(-2)!);
  }
  return out;
}
