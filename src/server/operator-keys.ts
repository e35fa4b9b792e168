/**
 * The operator's sealed key store: named 32-byte secrets (`contract` = the key S, `custody`; later
 * `forfeit`, `wallet`) kept in the `op_sealed_keys` table of the server's SQLite file ONLY as
 * AES-256-GCM ciphertext. Each entry has its own random salt and nonce; its key is scrypt(passphrase,
 * salt) with the parameters stored beside it (so they can be raised later); the associated data is
 * the entry's name, so a ciphertext moved to another name does not open.
 *
 * The passphrase: HASHPERP_OPERATOR_PASSPHRASE, else the file named by --operator-key-file /
 * HASHPERP_OPERATOR_KEY_FILE, else `<db dir>/operator.passphrase`, generated (0600, O_EXCL) when the
 * database holds no sealed key yet. A passphrase that does not open the stored entries, or a missing
 * key file once entries exist, refuses to start (`operator_key_locked`): a new key would orphan every
 * contract and deposit address.
 *
 * Databases written before this store kept S in `op_meta` and the custody key in `api_operator_key`
 * in plaintext: both are sealed at open, the plaintext row deleted in the same transaction.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { openSideConnection } from '../journal/sqlite-side-connection.js';
import { HashPerpError } from '../units/errors.js';

export type OperatorKeyName = 'contract' | 'custody' | 'forfeit' | 'wallet' | 'liquidity';
export type PassphraseSource = 'env' | 'file' | 'generated-file';

export interface Passphrase {
  value: string;
  source: PassphraseSource;
  /** The key file read or created (source file / generated-file). */
  path?: string;
}

/** scrypt's cost, stored with each entry: N = 2^15, r = 8, p = 1 (32 MiB, ~0.1 s). */
export const SCRYPT_PARAMS = { N: 32768, r: 8, p: 1 } as const;
type ScryptParams = { N: number; r: number; p: number };

/** Where the old code kept each secret in plaintext (hex): read once, sealed, deleted. */
const LEGACY: Partial<Record<OperatorKeyName, { table: string; select: string; remove: string }>> = {
  contract: { table: 'op_meta', select: "SELECT value AS hex FROM op_meta WHERE key = 'operator_secret'", remove: "DELETE FROM op_meta WHERE key = 'operator_secret'" },
  custody: { table: 'api_operator_key', select: 'SELECT secret AS hex FROM api_operator_key WHERE id = 1', remove: 'DELETE FROM api_operator_key WHERE id = 1' },
};

interface Row {
  name: string;
  kdf: string;
  salt: Buffer;
  nonce: Buffer;
  sealed: Buffer;
}

function deriveKey(passphrase: string, salt: Uint8Array, p: ScryptParams): Buffer {
  return scryptSync(passphrase, salt, 32, { N: p.N, r: p.r, p: p.p, maxmem: 256 * p.N * p.r });
}

/** The associated data: the entry's name, so a ciphertext moved to another name fails to open. */
const aad = (name: string): Buffer => Buffer.from(`hashperp-operator-key:${name}`);

/** One entry sealed under `passphrase` (fresh salt and nonce; AAD = the name). */
export function sealEntry(name: string, secret: Uint8Array, passphrase: string, params: ScryptParams = SCRYPT_PARAMS): Row {
  const salt = randomBytes(16);
  const nonce = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, params), nonce);
  c.setAAD(aad(name));
  const sealed = Buffer.concat([c.update(secret), c.final(), c.getAuthTag()]);
  return { name, kdf: JSON.stringify({ alg: 'scrypt', ...params }), salt, nonce, sealed };
}

/** The secret of `row` read as entry `name`; undefined when the passphrase, the name or the bytes are wrong. */
export function openEntry(name: string, row: Omit<Row, 'name'>, passphrase: string): Uint8Array | undefined {
  const p = JSON.parse(row.kdf) as ScryptParams & { alg: string };
  if (p.alg !== 'scrypt' || row.sealed.length < 16) return undefined;
  try {
    const d = createDecipheriv('aes-256-gcm', deriveKey(passphrase, row.salt, p), row.nonce);
    d.setAAD(aad(name));
    d.setAuthTag(row.sealed.subarray(row.sealed.length - 16));
    return new Uint8Array(Buffer.concat([d.update(row.sealed.subarray(0, row.sealed.length - 16)), d.final()]));
  } catch {
    return undefined;
  }
}

function locked(message: string): HashPerpError {
  return new HashPerpError('operator_key_locked', message);
}

export class OperatorKeyStore {
  private readonly cache = new Map<OperatorKeyName, Uint8Array>();

  private constructor(
    private readonly db: Database.Database,
    private readonly passphrase: string,
    readonly source: PassphraseSource,
    /** Set when the key file can be read by other users (mode & 0o077): logged at startup. */
    readonly warning?: string,
  ) {}

  /** The key file used when neither HASHPERP_OPERATOR_PASSPHRASE nor a key file is given. */
  static defaultKeyFile(dbPath: string): string {
    return join(dirname(resolve(dbPath)), 'operator.passphrase');
  }

  /**
   * Opens the store in the SQLite file at `dbPath`, checks that the passphrase opens every stored entry,
   * then seals any plaintext key the old code left. Throws `operator_key_locked` (and changes nothing)
   * when the passphrase is wrong or missing.
   */
  static open(dbPath: string, given: { passphrase?: string | undefined; keyFile?: string | undefined }): OperatorKeyStore {
    const db = openSideConnection(dbPath);
    // Deleted plaintext (a migrated row) is overwritten, not left in a free page of the file.
    db.pragma('secure_delete = ON');
    try {
      const hasEntries = tableExists(db, 'op_sealed_keys') && db.prepare('SELECT 1 FROM op_sealed_keys LIMIT 1').get() !== undefined;
      const pass = resolvePassphrase(dbPath, given, hasEntries);
      const rows = hasEntries ? (db.prepare('SELECT name, kdf, salt, nonce, sealed FROM op_sealed_keys').all() as Row[]) : [];
      const loose = pass.path !== undefined && (statSync(pass.path).mode & 0o077) !== 0;
      const store = new OperatorKeyStore(db, pass.value, pass.source, loose ? `operator keys: the key file ${pass.path} can be read by other users; chmod 600 it` : undefined);
      for (const row of rows) {
        const secret = openEntry(row.name, row, pass.value);
        if (secret === undefined) throw locked(`the operator passphrase (${describe(pass)}) does not open the sealed operator key '${row.name}' in ${dbPath}; refusing to start (a new key would orphan every contract and deposit address)`);
        store.cache.set(row.name as OperatorKeyName, secret);
      }
      db.exec('CREATE TABLE IF NOT EXISTS op_sealed_keys (name TEXT PRIMARY KEY, kdf TEXT NOT NULL, salt BLOB NOT NULL, nonce BLOB NOT NULL, sealed BLOB NOT NULL)');
      for (const name of Object.keys(LEGACY) as OperatorKeyName[]) store.migrate(name);
      return store;
    } catch (e) {
      db.close();
      throw e;
    }
  }

  /** Seals the plaintext key the old code kept for `name`, deleting it in the same transaction. */
  private migrate(name: OperatorKeyName): void {
    const legacy = LEGACY[name]!;
    if (!tableExists(this.db, legacy.table)) return;
    this.db.transaction(() => {
      const row = this.db.prepare(legacy.select).get() as { hex: string } | undefined;
      if (row === undefined) return;
      const sealed = this.cache.get(name);
      if (sealed === undefined) this.insert(name, hexToBytes(row.hex.toLowerCase()));
      else if (bytesToHex(sealed) !== row.hex.toLowerCase()) throw locked(`the plaintext ${legacy.table} key differs from the sealed operator key '${name}'; refusing to delete either`);
      this.db.prepare(legacy.remove).run();
    })();
  }

  private insert(name: OperatorKeyName, secret: Uint8Array): void {
    const r = sealEntry(name, secret, this.passphrase);
    this.db.prepare('INSERT INTO op_sealed_keys (name, kdf, salt, nonce, sealed) VALUES (?, ?, ?, ?, ?)').run(r.name, r.kdf, r.salt, r.nonce, r.sealed);
    this.cache.set(name, secret);
  }

  /** The secret named `name`: opened from its sealed entry, else made by `generate` and sealed once. */
  secret(name: OperatorKeyName, generate: () => Uint8Array = () => randomBytes(32)): Uint8Array {
    const known = this.cache.get(name);
    if (known !== undefined) return known;
    this.insert(name, generate());
    return this.cache.get(name)!;
  }

  secretHex(name: OperatorKeyName, generate?: () => Uint8Array): string {
    return bytesToHex(this.secret(name, generate));
  }

  close(): void {
    this.db.close();
  }
}

function tableExists(db: Database.Database, table: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
}

function describe(p: Passphrase): string {
  return p.source === 'env' ? 'HASHPERP_OPERATOR_PASSPHRASE' : `key file ${p.path}`;
}

function readKeyFile(path: string, source: PassphraseSource): Passphrase {
  const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
  if (value === '') throw locked(`the operator key file ${path} is empty`);
  return { value, source, path };
}

/** The passphrase: env, else the given key file, else the generated file beside the database (created only while no sealed key exists). */
function resolvePassphrase(dbPath: string, given: { passphrase?: string | undefined; keyFile?: string | undefined }, hasEntries: boolean): Passphrase {
  if (given.passphrase !== undefined && given.passphrase !== '') return { value: given.passphrase, source: 'env' };
  if (given.keyFile !== undefined) {
    if (!existsSync(given.keyFile)) throw locked(`the operator key file ${given.keyFile} does not exist; refusing to start`);
    return readKeyFile(given.keyFile, 'file');
  }
  const path = OperatorKeyStore.defaultKeyFile(dbPath);
  if (existsSync(path)) return readKeyFile(path, 'generated-file');
  if (hasEntries) throw locked(`${dbPath} holds sealed operator keys but neither HASHPERP_OPERATOR_PASSPHRASE, --operator-key-file nor ${path} is there to open them; refusing to start`);
  const value = randomBytes(32).toString('hex');
  const fd = openSync(path, 'wx', 0o600);
  try {
    writeSync(fd, `${value}\n`);
  } finally {
    closeSync(fd);
  }
  return { value, source: 'generated-file', path };
}
