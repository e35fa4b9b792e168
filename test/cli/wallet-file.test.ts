import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HDKey } from '@scure/bip32';
import { mnemonicToSeedSync } from '@scure/bip39';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { MnemonicIdentity, SingleKey } from '@arkade-os/sdk';
import { describe, expect, it, vi } from 'vitest';
import { runCli } from '../run-cli.js';
import { parseMnemonic, parseSecretHex, readWalletFile, writeWalletFile } from '../../src/wallet/wallet-file.js';

vi.setConfig({ testTimeout: 60_000 });

const dir = () => mkdtempSync(join(tmpdir(), 'hp-wallet-'));
// BIP-86's own test vector (github.com/bitcoin/bips/blob/master/bip-0086.mediawiki): this mnemonic's
// m/86'/0'/0'/0/0 internal key.
const ABANDON = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const BIP86_MAINNET_INTERNAL_KEY = 'cc8a4bc64d897bddc5fbc2f670f7a8ba0b386779106cf1223c6fc5d7cd6fc115';

function bip86XOnly(mnemonic: string, coinType: 0 | 1): string {
  const k = HDKey.fromMasterSeed(mnemonicToSeedSync(mnemonic)).derive(`m/86'/${coinType}'/0'/0/0`);
  return hex.encode(k.publicKey!.slice(1));
}

describe('wallet key file', () => {
  it('create writes mode 0600 and never overwrites (O_EXCL): the first secret survives a second create', async () => {
    const path = join(dir(), 'sub', 'w.json');
    const first = await runCli('wallet', 'create', '--network', 'regtest', '--wallet-file', path, '--json');
    expect([first.code, first.err]).toEqual([0, '']);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const before = readFileSync(path, 'utf8');
    const again = await runCli('wallet', 'create', '--network', 'regtest', '--wallet-file', path);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists; it is never overwritten/);
    const imp = await runCli('wallet', 'import', '--secret', '11'.repeat(32), '--wallet-file', path);
    expect(imp.code).toBe(1);
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('create prints the mnemonic once; it round-trips to the same key as the SDK identity and BIP-86 (coin type 1 off mainnet)', async () => {
    const path = join(dir(), 'w.json');
    const out = JSON.parse((await runCli('wallet', 'create', '--network', 'regtest', '--wallet-file', path, '--json')).out);
    expect(out).toMatchObject({ walletFile: path, kind: 'mnemonic', mainnet: false });
    expect(out.mnemonic.split(' ')).toHaveLength(12);
    const file = readWalletFile(path);
    expect(file.secret).toEqual({ kind: 'mnemonic', mnemonic: out.mnemonic, isMainnet: false });
    const sdk = hex.encode(await MnemonicIdentity.fromMnemonic(out.mnemonic, { isMainnet: false }).xOnlyPublicKey());
    expect(out.publicKey).toBe(sdk);
    expect(out.publicKey).toBe(bip86XOnly(out.mnemonic, 1));
    expect(out.publicKey).not.toBe(bip86XOnly(out.mnemonic, 0));
  });

  it('import --mnemonic on mainnet gives BIP-86 test vector key; the human output never repeats the secret', async () => {
    const path = join(dir(), 'w.json');
    const r = await runCli('wallet', 'import', '--mnemonic', `  ${ABANDON.toUpperCase()} `, '--network', 'bitcoin', '--wallet-file', path);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`public key ${BIP86_MAINNET_INTERNAL_KEY}`);
    expect(r.out).not.toContain('abandon');
    expect(readWalletFile(path).secret).toEqual({ kind: 'mnemonic', mnemonic: ABANDON, isMainnet: true });
  });

  it('import --secret: the public key is the BIP-340 key of that secret, same as the SDK SingleKey', async () => {
    const path = join(dir(), 'w.json');
    const sk = '0000000000000000000000000000000000000000000000000000000000000003';
    const out = JSON.parse((await runCli('wallet', 'import', '--secret', sk, '--wallet-file', path, '--json')).out);
    expect(out).toMatchObject({ kind: 'secret', publicKey: hex.encode(schnorr.getPublicKey(hex.decode(sk))) });
    expect(out.publicKey).toBe(hex.encode(await SingleKey.fromHex(sk).xOnlyPublicKey()));
    expect(out.secretKey).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('import validates: bad checksum, unknown word, word count, non-key secrets, both or neither', async () => {
    const p = join(dir(), 'w.json');
    const cases: [string[], RegExp][] = [
      [['--mnemonic', ABANDON.replace(/about$/, 'abandon'), '--network', 'regtest'], /mnemonic: not a valid BIP-39 .*checksum/],
      [['--mnemonic', ABANDON.replace(/^abandon/, 'abandonx'), '--network', 'regtest'], /mnemonic: not a valid BIP-39/],
      [['--mnemonic', 'abandon about', '--network', 'regtest'], /mnemonic: expected 12 or 24 words, got 2/],
      [['--secret', '00'.repeat(32)], /secret: not a valid secp256k1 secret key/],
      [['--secret', 'ff'.repeat(32)], /secret: not a valid secp256k1 secret key/],
      [['--secret', 'xyz'], /secret: expected 64 hex digits/],
      [['--secret', '11'.repeat(32), '--mnemonic', ABANDON], /give exactly one of --mnemonic or --secret/],
      [[], /give exactly one of --mnemonic or --secret/],
      [['--mnemonic', ABANDON, '--network', 'moon'], /network: expected one of bitcoin, testnet/],
    ];
    for (const [args, msg] of cases) {
      const r = await runCli('wallet', 'import', ...args, '--wallet-file', p);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err, args.join(' ')).toMatch(msg);
    }
    expect(() => statSync(p)).toThrow(); // nothing written
  });

  it('reading refuses a missing, non-JSON or tampered file with the path in the message', () => {
    const d = dir();
    expect(() => readWalletFile(join(d, 'none.json'))).toThrow(/no wallet at .*none\.json; run `hashperp wallet create`/);
    writeFileSync(join(d, 'a.json'), 'not json');
    expect(() => readWalletFile(join(d, 'a.json'))).toThrow(/a\.json is not JSON/);
    const good = writeWalletFile(join(d, 'b.json'), { kind: 'mnemonic', mnemonic: ABANDON, isMainnet: false });
    const tampered = { ...good, secret: { ...good.secret, mnemonic: ABANDON.replace(/about$/, 'zoo') } };
    writeFileSync(join(d, 'c.json'), JSON.stringify(tampered));
    expect(() => readWalletFile(join(d, 'c.json'))).toThrow(/c\.json holds a malformed key/);
    writeFileSync(join(d, 'e.json'), JSON.stringify({ version: 2, secret: good.secret }));
    expect(() => readWalletFile(join(d, 'e.json'))).toThrow(/not a version-1 HashPerp wallet file/);
    expect(readWalletFile(join(d, 'b.json')).secret).toEqual(good.secret);
  });

  it('parsers normalise but do not guess', () => {
    expect(parseMnemonic(`\t${ABANDON.replace(/ /g, '   ')}\n`)).toBe(ABANDON);
    expect(parseSecretHex('AB'.repeat(32))).toBe('ab'.repeat(32));
    expect(() => parseSecretHex('ab'.repeat(31))).toThrow(/64 hex digits/);
  });

  it('the command help says the key stays local and is not the API key', async () => {
    const r = await runCli('wallet', '--help');
    expect(r.out).toMatch(/never sees it/);
    expect(r.out).toMatch(/NOT the API-auth key of `hashperp account keygen`/);
  });
});
