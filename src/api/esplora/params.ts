/**
 * The arguments of the Esplora routes, parsed: every bad input is a 400 (invalid_argument) that names it
 * and says what was expected, in Esplora's words ("Invalid Bitcoin address", "Invalid hex string").
 */
import { Address, OutScript } from '@scure/btc-signer';
import { bech32, bech32m, hex } from '@scure/base';
import type { BtcNetwork } from '../../bitcoin/networks.js';
import { HashPerpError } from '../../units/errors.js';

const invalid = (field: string, message: string): HashPerpError => new HashPerpError('invalid_argument', message, { field });
const shown = (s: string): string => JSON.stringify(s.length > 100 ? s.slice(0, 100) + '…' : s);

export function parseTxid(s: string, field = 'txid'): string {
  if (!/^[0-9a-fA-F]{64}$/.test(s)) throw invalid(field, `Invalid hex string: ${field} must be 64 hex characters, got ${shown(s)}`);
  return s.toLowerCase();
}

export function parseBlockHash(s: string): string {
  return parseTxid(s, 'hash');
}

export function parseHeight(s: string, field = 'height'): number {
  const n = /^\d{1,10}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n > 0x7fffffff) throw invalid(field, `Invalid ${field}: expected a block height (a non-negative integer), got ${shown(s)}`);
  return n;
}

export function parseIndex(s: string, field: string): number {
  const n = /^\d{1,10}$/.test(s) ? Number(s) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw invalid(field, `Invalid ${field}: expected a non-negative integer, got ${shown(s)}`);
  return n;
}

/** The output script an address pays, as hex; an address of another network is refused. */
export function addressScript(net: BtcNetwork, address: string): string {
  try {
    return hex.encode(OutScript.encode(Address(net).decode(address)));
  } catch {
    // btc-signer decodes only the witness programs it can spend; Esplora accepts any valid one (P2A).
    const script = witnessScript(net, address);
    if (script) return script;
    throw invalid('address', `Invalid Bitcoin address: ${shown(address)} is not a valid address on this network (${net.bech32})`);
  }
}

function witnessScript(net: BtcNetwork, address: string): string | undefined {
  for (const codec of [bech32, bech32m]) {
    try {
      const { prefix, words } = codec.decode(address as `${string}1${string}`);
      if (prefix !== net.bech32 || words.length === 0) continue;
      const version = words[0]!;
      const program = codec.fromWords(words.slice(1));
      if (version > 16 || program.length < 2 || program.length > 40) continue;
      // BIP-350: version 0 is bech32, every later version bech32m.
      if ((version === 0) !== (codec === bech32)) continue;
      if (version === 0 && program.length !== 20 && program.length !== 32) continue;
      const op = version === 0 ? 0 : 0x50 + version;
      return hex.encode(new Uint8Array([op, program.length, ...program]));
    } catch {
      continue;
    }
  }
  return undefined;
}

/** A raw transaction in hex (whitespace around it ignored). */
export function parseTxHex(body: unknown, field = 'body'): string {
  const s = typeof body === 'string' ? body.trim() : undefined;
  if (s === undefined || s.length === 0 || s.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(s))
    throw invalid(field, `Invalid hex string: ${field} must be a raw transaction in hex, got ${shown(typeof body === 'string' ? body : JSON.stringify(body) ?? String(body))}`);
  return s.toLowerCase();
}

/** POST /txs/package's body: a JSON array of 1 to 25 raw transactions in hex. */
export function parsePackage(body: unknown): string[] {
  let list: unknown = body;
  if (typeof body === 'string') {
    try {
      list = JSON.parse(body);
    } catch {
      throw invalid('body', 'Invalid package: body must be a JSON array of raw transactions in hex');
    }
  }
  if (!Array.isArray(list) || list.length === 0 || list.length > 25) throw invalid('body', 'Invalid package: body must be a JSON array of 1 to 25 raw transactions in hex');
  return list.map((t, i) => parseTxHex(t, `body[${i}]`));
}
