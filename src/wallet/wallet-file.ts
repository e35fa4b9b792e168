/**
 * The user's Ark wallet key file (issue 13, "keys stay with users"). It holds the wallet's secret (a
 * BIP-39 mnemonic or a raw 32-byte key) and nothing the server ever sees. It is separate from the
 * API-auth key of `hashperp account keygen`: losing one does not expose the other.
 *
 * The file is created with O_EXCL and mode 0600 and is never overwritten: a second `create` or
 * `import` to the same path refuses, so a typo cannot destroy the only copy of a seed.
 */
import { closeSync, constants, openSync, readFileSync, writeSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { generateMnemonic, validateMnemonic } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';

export type WalletSecret =
  | { kind: 'mnemonic'; mnemonic: string; /** BIP-86 coin type: 0 on mainnet, 1 elsewhere (the SDK refuses a mismatch with the server). */ isMainnet: boolean }
  | { kind: 'secret'; secretHex: string };

export interface WalletFile {
  version: 1;
  secret: WalletSecret;
  createdAt: string;
}

export function defaultWalletPath(home: string = homedir()): string {
  return join(home, '.hashperp', 'wallet.json');
}

/** Where the SDK's repositories (wallet state, contracts, captured exit data) live: beside the key file. */
export function walletDataPath(walletFile: string): string {
  return walletFile.replace(/\.json$/i, '') + '.sqlite';
}

/** Normalises and validates a BIP-39 English mnemonic (12 or 24 words). */
export function parseMnemonic(raw: string): string {
  const words = raw.trim().toLowerCase().split(/\s+/);
  const m = words.join(' ');
  if (words.length !== 12 && words.length !== 24) throw new InvalidArgumentError('mnemonic', `expected 12 or 24 words, got ${words.length}`);
  if (!validateMnemonic(m, wordlist)) throw new InvalidArgumentError('mnemonic', 'not a valid BIP-39 English mnemonic (a word is not in the list or the checksum fails)');
  return m;
}

/** A 32-byte secp256k1 secret key in hex (64 digits, in range). */
export function parseSecretHex(raw: string): string {
  const h = raw.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(h)) throw new InvalidArgumentError('secret', 'expected 64 hex digits (a 32-byte secret key)');
  if (!secp256k1.utils.isValidSecretKey(Uint8Array.from(Buffer.from(h, 'hex')))) throw new InvalidArgumentError('secret', 'not a valid secp256k1 secret key (zero or not below the curve order)');
  return h;
}

export function newMnemonic(): string {
  return generateMnemonic(wordlist, 128);
}

export function newSecretHex(): string {
  return bytesToHex(secp256k1.utils.randomSecretKey());
}

/** Writes a new key file; refuses if anything exists at `path` (O_EXCL), file mode 0600. */
export function writeWalletFile(path: string, secret: WalletSecret, now: Date = new Date()): WalletFile {
  const file: WalletFile = { version: 1, secret, createdAt: now.toISOString() };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new HashPerpError('wallet_exists', `wallet-file: ${path} already exists; it is never overwritten (move it away or pass --wallet-file)`, { field: 'wallet-file' });
    throw new HashPerpError('file_unreadable', `wallet-file: cannot create ${path}: ${(e as Error).message}`, { field: 'wallet-file' });
  }
  try {
    writeSync(fd, JSON.stringify(file, null, 2) + '\n');
  } finally {
    closeSync(fd);
  }
  return file;
}

export function readWalletFile(path: string): WalletFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new HashPerpError('file_not_found', `wallet-file: no wallet at ${path}; run \`hashperp wallet create\` or \`hashperp wallet import\` first`, { field: 'wallet-file' });
    throw new HashPerpError('file_unreadable', `wallet-file: cannot read ${path}: ${(e as Error).message}`, { field: 'wallet-file' });
  }
  const bad = (why: string): never => {
    throw new HashPerpError('wallet_file_invalid', `wallet-file: ${path} ${why}`, { field: 'wallet-file' });
  };
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return bad('is not JSON');
  }
  const o = j as Partial<WalletFile> & { secret?: Record<string, unknown> };
  if (o === null || typeof o !== 'object' || o.version !== 1 || typeof o.secret !== 'object' || o.secret === null) return bad('is not a version-1 HashPerp wallet file');
  const s = o.secret;
  try {
    if (s.kind === 'mnemonic' && typeof s.mnemonic === 'string' && typeof s.isMainnet === 'boolean') {
      return { version: 1, secret: { kind: 'mnemonic', mnemonic: parseMnemonic(s.mnemonic), isMainnet: s.isMainnet }, createdAt: String(o.createdAt ?? '') };
    }
    if (s.kind === 'secret' && typeof s.secretHex === 'string') {
      return { version: 1, secret: { kind: 'secret', secretHex: parseSecretHex(s.secretHex) }, createdAt: String(o.createdAt ?? '') };
    }
  } catch (e) {
    return bad(`holds a malformed key (${(e as Error).message})`);
  }
  return bad('has an unknown secret kind');
}
