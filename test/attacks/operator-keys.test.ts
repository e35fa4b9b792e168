/**
 * Attacks on the operator's keys at rest (src/server/operator-keys.ts): the contract key S and the
 * custody key live in the server's SQLite file only sealed (scrypt + AES-256-GCM, AAD = the entry name).
 * Whoever copies the database file (and its -wal) learns neither key; a wrong or missing passphrase
 * refuses the start and changes nothing; a sealed entry moved to another name does not open; a
 * database from before the store is sealed in place with the same keys.
 */
import { chmodSync, existsSync, readFileSync, rmSync, unlinkSync, writeFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { openEntry, OperatorKeyStore } from '../../src/server/operator-keys.js';
import { startServe } from '../../src/server/start.js';
import { resolveServeConfig, type ServeConfig } from '../../src/server/config.js';
import { HashPerpError } from '../../src/units/errors.js';
import { runCli } from '../run-cli.js';
import { serveConfig, tempDb } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function fresh(): { dir: string; db: string } {
  const t = tempDb();
  dirs.push(t.dir);
  return t;
}

/** The database file and its WAL/SHM side files, whole, as one buffer. */
function fileBytes(db: string): Buffer {
  return Buffer.concat([db, `${db}-wal`, `${db}-shm`].filter((p) => existsSync(p)).map((p) => readFileSync(p)));
}

/** Neither the hex (either case) nor the raw 32 bytes of `secret` occur anywhere in the database's files. */
function expectAbsent(db: string, secret: Uint8Array): void {
  const bytes = fileBytes(db);
  const hex = bytesToHex(secret);
  expect(bytes.indexOf(Buffer.from(secret))).toBe(-1);
  expect(bytes.indexOf(Buffer.from(hex))).toBe(-1);
  expect(bytes.indexOf(Buffer.from(hex.toUpperCase()))).toBe(-1);
}

async function operatorOnHealth(cfg: ServeConfig): Promise<{ operator: string; operatorKeys: unknown }> {
  const s = await startServe(cfg);
  try {
    const h = (await (await fetch(`${s.url}/health`)).json()) as { ark: { signerPubkey: string }; operatorKeys: unknown };
    // S as its x-only key (the compressed key less its parity byte).
    return { operator: h.ark.signerPubkey.slice(2), operatorKeys: h.operatorKeys };
  } finally {
    await s.close();
  }
}

function storeSecrets(db: string, given: { passphrase?: string; keyFile?: string }): { contract: Uint8Array; custody: Uint8Array; forfeit: Uint8Array; wallet: Uint8Array; liquidity: Uint8Array } {
  const store = OperatorKeyStore.open(db, given);
  try {
    return { contract: store.secret('contract'), custody: store.secret('custody'), forfeit: store.secret('forfeit'), wallet: store.secret('wallet'), liquidity: store.secret('liquidity') };
  } finally {
    store.close();
  }
}

async function refused(p: Promise<unknown>): Promise<HashPerpError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(HashPerpError);
  expect((e as HashPerpError).code).toBe('operator_key_locked');
  return e as HashPerpError;
}

describe('operator keys at rest', () => {
  it('the passphrase is configured by HASHPERP_OPERATOR_PASSPHRASE, --operator-key-file or HASHPERP_OPERATOR_KEY_FILE (the flag wins)', () => {
    expect(resolveServeConfig({}, {})).not.toHaveProperty('operatorPassphrase');
    expect(resolveServeConfig({}, {})).not.toHaveProperty('operatorKeyFile');
    expect(resolveServeConfig({}, { HASHPERP_OPERATOR_PASSPHRASE: 'pw' }).operatorPassphrase).toBe('pw');
    expect(resolveServeConfig({}, { HASHPERP_OPERATOR_KEY_FILE: '/e' }).operatorKeyFile).toBe('/e');
    expect(resolveServeConfig({ operatorKeyFile: '/f' }, { HASHPERP_OPERATOR_KEY_FILE: '/e' }).operatorKeyFile).toBe('/f');
  });

  it('after a real start (generated key file), the database files hold none of S, the custody, forfeit and wallet keys, in hex or raw', async () => {
    const { dir, db } = fresh();
    const first = await operatorOnHealth(serveConfig(db, { demo: false }));
    expect(first.operatorKeys).toEqual({ sealed: true, source: 'generated-file' });
    const keyFile = OperatorKeyStore.defaultKeyFile(db);
    expect(keyFile).toBe(`${dir}/operator.passphrase`);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    // The custody key exists only with bitcoind; make it here through the store, as custody would.
    const { contract, custody, forfeit, wallet, liquidity } = storeSecrets(db, { keyFile });
    expect(bytesToHex(schnorr.getPublicKey(contract))).toBe(first.operator);
    // S, the custody key and the Ark operator's forfeit and wallet keys (made at start by the embedded operator).
    for (const k of [contract, custody, forfeit, wallet, liquidity]) expectAbsent(db, k);
    const raw = new Database(db, { readonly: true });
    expect(raw.prepare('SELECT name FROM op_sealed_keys ORDER BY name').all()).toEqual([{ name: 'contract' }, { name: 'custody' }, { name: 'forfeit' }, { name: 'liquidity' }, { name: 'wallet' }]);
    raw.close();
  });

  it('a restart with the right passphrase keeps the operator key S (on /health) and the custody key', async () => {
    const { db } = fresh();
    const cfg = serveConfig(db, { demo: false, operatorPassphrase: 'correct horse battery staple' });
    const first = await operatorOnHealth(cfg);
    expect(first.operatorKeys).toEqual({ sealed: true, source: 'env' });
    const before = storeSecrets(db, { passphrase: 'correct horse battery staple' });
    const second = await operatorOnHealth(cfg);
    expect(second.operator).toBe(first.operator);
    const after = storeSecrets(db, { passphrase: 'correct horse battery staple' });
    expect(bytesToHex(after.contract)).toBe(bytesToHex(before.contract));
    expect(bytesToHex(after.custody)).toBe(bytesToHex(before.custody));
    expect(existsSync(OperatorKeyStore.defaultKeyFile(db))).toBe(false);
    // The same passphrase from a key file (trailing newline ignored) opens them too.
    const keyFile = `${db}.pass`;
    writeFileSync(keyFile, 'correct horse battery staple\n', { mode: 0o600 });
    const viaFile = await operatorOnHealth(serveConfig(db, { demo: false, operatorKeyFile: keyFile }));
    expect(viaFile).toEqual({ operator: first.operator, operatorKeys: { sealed: true, source: 'file' } });
    const tight = OperatorKeyStore.open(db, { keyFile });
    expect(tight.warning).toBeUndefined();
    tight.close();
    chmodSync(keyFile, 0o644);
    const loose = OperatorKeyStore.open(db, { keyFile });
    expect(loose.warning).toMatch(/can be read by other users/);
    loose.close();
  });

  it('a wrong passphrase, or a missing key file, refuses the start (operator_key_locked, CLI exit 1) and leaves the database byte-identical', async () => {
    const { db } = fresh();
    await operatorOnHealth(serveConfig(db, { demo: false }));
    const bytes = fileBytes(db);
    const e = await refused(startServe(serveConfig(db, { demo: false, operatorPassphrase: 'not the passphrase' })));
    expect(e.message).toMatch(/does not open the sealed operator key/);
    expect(fileBytes(db).equals(bytes)).toBe(true);
    await refused(startServe(serveConfig(db, { demo: false, operatorKeyFile: `${db}.nowhere` })));
    expect(fileBytes(db).equals(bytes)).toBe(true);
    // The generated key file lost: refused, never a fresh key (and no new key file is written).
    const keyFile = OperatorKeyStore.defaultKeyFile(db);
    const pass = readFileSync(keyFile);
    unlinkSync(keyFile);
    await refused(startServe(serveConfig(db, { demo: false })));
    expect(existsSync(keyFile)).toBe(false);
    expect(fileBytes(db).equals(bytes)).toBe(true);
    // From the CLI: exit code 1 and the reason on stderr.
    const cli = await runCli('serve', '--db', db, '--port', '0', '--no-demo', '--log-level', 'silent');
    expect(cli.code).toBe(1);
    expect(cli.err).toMatch(/holds sealed operator keys/);
    expect(fileBytes(db).equals(bytes)).toBe(true);
    writeFileSync(keyFile, pass, { mode: 0o600 });
    expect((await operatorOnHealth(serveConfig(db, { demo: false }))).operatorKeys).toEqual({ sealed: true, source: 'generated-file' });
  });

  it('a sealed entry copied under another name does not open (AAD binds the name)', () => {
    const { db } = fresh();
    const { custody } = storeSecrets(db, { passphrase: 'p' });
    const raw = new Database(db);
    const row = raw.prepare("SELECT kdf, salt, nonce, sealed FROM op_sealed_keys WHERE name = 'custody'").get() as { kdf: string; salt: Buffer; nonce: Buffer; sealed: Buffer };
    expect(bytesToHex(openEntry('custody', row, 'p')!)).toBe(bytesToHex(custody));
    expect(openEntry('contract', row, 'p')).toBeUndefined();
    expect(openEntry('forfeit', row, 'p')).toBeUndefined();
    expect(openEntry('custody', row, 'q')).toBeUndefined();
    // A flipped ciphertext bit does not open either.
    const flipped = Buffer.from(row.sealed);
    flipped[0] ^= 1;
    expect(openEntry('custody', { ...row, sealed: flipped }, 'p')).toBeUndefined();
    // Moved in the file: the store refuses to open rather than hand out the custody key as S.
    raw.prepare("UPDATE op_sealed_keys SET kdf = ?, salt = ?, nonce = ?, sealed = ? WHERE name = 'contract'").run(row.kdf, row.salt, row.nonce, row.sealed);
    raw.close();
    expect(() => OperatorKeyStore.open(db, { passphrase: 'p' })).toThrow(/does not open the sealed operator key 'contract'/);
  });

  it('a database with the old plaintext S (op_meta) and custody key (api_operator_key) is sealed on first start: same keys, no plaintext left', async () => {
    const { db } = fresh();
    const S = schnorr.utils.randomSecretKey();
    const custodyKey = schnorr.utils.randomSecretKey();
    // What the old code wrote: OperatorMetaStore.operatorSecret() and BitcoindCustody's constructor.
    const old = new Database(db);
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE IF NOT EXISTS op_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    old.prepare("INSERT INTO op_meta (key, value) VALUES ('operator_secret', ?)").run(bytesToHex(S));
    old.exec('CREATE TABLE IF NOT EXISTS api_operator_key (id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL)');
    old.prepare('INSERT INTO api_operator_key (id, secret) VALUES (1, ?)').run(bytesToHex(custodyKey));
    old.close();
    expect(fileBytes(db).indexOf(Buffer.from(bytesToHex(S)))).toBeGreaterThan(-1);

    const cfg = serveConfig(db, { demo: false, operatorPassphrase: 'migrate me' });
    const first = await operatorOnHealth(cfg);
    expect(first.operator).toBe(bytesToHex(schnorr.getPublicKey(S)));
    expectAbsent(db, S);
    expectAbsent(db, custodyKey);
    const raw = new Database(db, { readonly: true });
    // op_meta keeps the contract store's own facts (last_seq); only the plaintext key row must be gone.
    expect(raw.prepare("SELECT COUNT(*) AS n FROM op_meta WHERE key = 'operator_secret'").get()).toEqual({ n: 0 });
    expect(raw.prepare('SELECT COUNT(*) AS n FROM api_operator_key').get()).toEqual({ n: 0 });
    raw.close();
    const sealed = storeSecrets(db, { passphrase: 'migrate me' });
    expect(bytesToHex(sealed.contract)).toBe(bytesToHex(S));
    expect(bytesToHex(sealed.custody)).toBe(bytesToHex(custodyKey));
    expect((await operatorOnHealth(cfg)).operator).toBe(first.operator);
  });
});
