import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { ArkAddress, ChainTxType, DefaultVtxo, networks, type ChainTx } from '@arkade-os/sdk';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../run-cli.js';
import { leafFirst, parseOutpoint } from '../../src/wallet/exit.js';
import { classifyAddress, parseNetwork } from '../../src/wallet/sdk-wallet.js';
import { walletDataPath } from '../../src/wallet/wallet-file.js';
import { startStub, type Stub } from './wallet-stub.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SK = '0000000000000000000000000000000000000000000000000000000000000007';
const PK = schnorr.getPublicKey(hex.decode(SK));
// A regtest P2TR and a mainnet P2WPKH (BIP-173's example), for network checks.
const REGTEST_ADDR = 'bcrt1pa40y3fcdy50j5pg5cqcup56eqmp79qauwyw3mk9rytjn2gyllf7qtwvj7r';
const MAINNET_ADDR = 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4';

let stub: Stub;
let file: string;
const w = (...args: string[]) => runCli('wallet', ...args, '--server', stub.url, '--wallet-file', file);

beforeAll(async () => {
  stub = await startStub();
  file = join(mkdtempSync(join(tmpdir(), 'hp-wcli-')), 'w.json');
  expect((await runCli('wallet', 'import', '--secret', SK, '--wallet-file', file)).code).toBe(0);
});
afterAll(async () => {
  await stub.close();
});

describe('hashperp wallet: argument validation (before any file or server is touched)', () => {
  const none = join(tmpdir(), 'hp-no-such-dir', 'w.json');
  const cases: [string[], RegExp][] = [
    [['send', '--to', REGTEST_ADDR, '--amount', '0'], /^error: amount: must be between 1 and/],
    [['send', '--to', REGTEST_ADDR, '--amount', '-5'], /^error: amount: expected an integer, got "-5"/],
    [['send', '--to', REGTEST_ADDR, '--amount', '1.5'], /^error: amount: expected an integer/],
    [['send', '--to', REGTEST_ADDR, '--amount', '2100000000000001'], /^error: amount: must be between/],
    [['send', '--to', 'lnbc1xyz', '--amount', '1000'], /^error: to: unknown address format: "lnbc1xyz" is neither an Ark address nor a Bitcoin address/],
    [['send', '--to', REGTEST_ADDR.slice(0, -1) + 'q', '--amount', '1000'], /^error: to: unknown address format/],
    [['exit', '--vtxo', 'abc:0'], /^error: vtxo: expected TXID:VOUT/],
    [['exit', '--complete'], /^error: to: --complete needs --to/],
    [['renew', '--threshold', 'soon'], /^error: threshold: expected an integer/],
  ];
  for (const [args, msg] of cases) {
    it(args.join(' '), async () => {
      const r = await runCli('wallet', ...args, '--wallet-file', none, '--server', 'http://127.0.0.1:1');
      expect(r.code).toBe(1);
      expect(r.err).toMatch(msg);
    });
  }

  it('a missing wallet file, a non-URL server and a missing required option are named', async () => {
    const missing = await runCli('wallet', 'balance', '--wallet-file', none, '--server', stub.url);
    expect([missing.code, missing.err]).toEqual([1, `error: wallet-file: no wallet at ${none}; run \`hashperp wallet create\` or \`hashperp wallet import\` first`]);
    const url = await runCli('wallet', 'balance', '--wallet-file', file, '--server', 'ftp://x');
    expect([url.code, url.err]).toEqual([1, 'error: server: expected an http(s) URL, got "ftp://x"']);
    const req = await runCli('wallet', 'send', '--to', REGTEST_ADDR);
    expect(req.code).toBe(2);
    expect(req.err).toMatch(/required option '--amount <sat>' not specified/);
  });

  it('an unreachable server is named by URL (create without --network, and any command with no cached server info)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'hp-wcli-'));
    const c = await runCli('wallet', 'create', '--server', 'http://127.0.0.1:1', '--wallet-file', join(d, 'w.json'));
    expect(c.code).toBe(1);
    expect(c.err).toMatch(/^error: server: cannot reach the Ark server at http:\/\/127\.0\.0\.1:1\/ark .*pass --network/);
    expect(existsSync(join(d, 'w.json'))).toBe(false);
    expect((await runCli('wallet', 'import', '--secret', SK, '--wallet-file', join(d, 'w.json'))).code).toBe(0);
    const b = await runCli('wallet', 'balance', '--server', 'http://127.0.0.1:1/', '--wallet-file', join(d, 'w.json'));
    expect(b.code).toBe(1);
    expect(b.err).toMatch(/^error: server: cannot reach the Ark server at http:\/\/127\.0\.0\.1:1\/ark \(/);
  });

  it('address classification and outpoints', () => {
    expect(classifyAddress(REGTEST_ADDR)).toBe('bitcoin');
    expect(classifyAddress(MAINNET_ADDR)).toBe('bitcoin');
    const ark = new ArkAddress(stub.serverKey, PK, networks.regtest.hrp).encode();
    expect(classifyAddress(ark)).toBe('ark');
    expect(() => parseNetwork('liquid')).toThrow(/network/);
    expect(parseOutpoint(`${'AB'.repeat(32)}:3`)).toEqual({ txid: 'ab'.repeat(32), vout: 3 });
  });
});

describe('hashperp wallet against a stand-in Ark server: what the stock SDK derives', () => {
  // Keys and delays the stub advertises: unilateral exit 20 blocks, boarding exit 40 blocks.
  const offchain = () => new DefaultVtxo.Script({ pubKey: PK, serverPubKey: stub.serverKey, csvTimelock: { type: 'blocks', value: 20n } });
  const boarding = () => new DefaultVtxo.Script({ pubKey: PK, serverPubKey: stub.serverKey, csvTimelock: { type: 'blocks', value: 40n } });

  it('address --json: the Ark address commits to the server key and the wallet key with the exit delay', async () => {
    const r = await w('address', '--json');
    expect([r.code, r.err]).toEqual([0, '']);
    const out = JSON.parse(r.out);
    expect(Object.keys(out)).toEqual(['address']);
    expect(out.address).toBe(offchain().address(networks.regtest.hrp, stub.serverKey).encode());
    expect(hex.encode(ArkAddress.decode(out.address).serverPubKey)).toBe(hex.encode(stub.serverKey));
    expect(existsSync(walletDataPath(file))).toBe(true);
    expect((await w('address')).out).toBe(out.address);
  });

  it('boarding-address --json: the on-chain taproot address of the boarding script', async () => {
    const out = JSON.parse((await w('boarding-address', '--json')).out);
    expect(out).toEqual({ address: boarding().onchainAddress(networks.regtest) });
  });

  it('balance --json has the SDK getBalance shape; the human form lists each bucket', async () => {
    const out = JSON.parse((await w('balance', '--json')).out);
    expect(out).toEqual({
      boarding: { confirmed: 0, unconfirmed: 0, total: 0 },
      settled: 0,
      preconfirmed: 0,
      available: 0,
      recoverable: 0,
      pendingRecovery: 0,
      total: 0,
      assets: [],
    });
    const human = (await w('balance')).out.split('\n').map((l) => l.split(/\s+/)[0]);
    expect(human).toEqual(['boarding', 'preconfirmed', 'settled', 'available', 'recoverable', 'total']);
  });

  it('send refuses an address of another network once the server network is known', async () => {
    const r = await w('send', '--to', MAINNET_ADDR, '--amount', '1000');
    expect(r.code).toBe(1);
    expect(r.err).toBe("error: to: the Bitcoin address is not for the server's network (regtest)");
    const mainArk = new ArkAddress(stub.serverKey, PK, networks.bitcoin.hrp).encode();
    const a = await w('send', '--to', mainArk, '--amount', '1000');
    expect(a.err).toBe('error: to: the Ark address is for another network (ark, the server uses tark)');
  });

  it('send offchain with nothing to spend fails with the SDK reason (non-zero exit)', async () => {
    const me = offchain().address(networks.regtest.hrp, stub.serverKey).encode();
    const r = await w('send', '--to', me, '--amount', '1000');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: /);
  });

  it('exit-data --json with no VTXOs: the server key and network, nothing missing; --out writes 0600 and never overwrites', async () => {
    const out = JSON.parse((await w('exit-data', '--json')).out);
    expect(out).toEqual({ version: 1, network: 'regtest', serverPubkey: hex.encode(stub.serverKey), vtxos: [], missing: [] });
    const path = join(mkdtempSync(join(tmpdir(), 'hp-wcli-')), 'exit.json');
    const r = await w('exit-data', '--out', path, '--json');
    expect(JSON.parse(r.out)).toEqual({ out: path, vtxos: 0, missing: [] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8')).serverPubkey).toBe(hex.encode(stub.serverKey));
    expect((await w('exit-data', '--out', path)).code).toBe(1);
  });

  it('exit with no VTXO says so', async () => {
    const r = await w('exit', '--no-wait');
    expect([r.code, r.err]).toEqual([1, 'error: exit: the wallet holds no VTXO to exit']);
    const c = await w('exit', '--complete', '--to', REGTEST_ADDR);
    expect(c.err).toMatch(/no fully unrolled VTXO to complete/);
  });

  it('create/import of a mnemonic without --network take the coin type from the server (regtest: not mainnet)', async () => {
    const d = mkdtempSync(join(tmpdir(), 'hp-wcli-'));
    const c = JSON.parse((await runCli('wallet', 'create', '--server', stub.url, '--wallet-file', join(d, 'a.json'), '--json')).out);
    expect(c).toMatchObject({ kind: 'mnemonic', mainnet: false });
    const i = JSON.parse((await runCli('wallet', 'import', '--mnemonic', c.mnemonic, '--server', stub.url, '--wallet-file', join(d, 'b.json'), '--json')).out);
    expect(i).toMatchObject({ kind: 'mnemonic', mainnet: false, publicKey: c.publicKey });
  });

  it('with the operator down the wallet still opens from its stored snapshot (same address)', async () => {
    const before = JSON.parse((await w('address', '--json')).out).address;
    await stub.close();
    const r = await w('address', '--json');
    expect([r.code, JSON.parse(r.out).address]).toEqual([0, before]);
  });
});

describe('exit chain order', () => {
  it('leafFirst turns the stored root-first branch into the indexer order Unroll walks from the end', () => {
    const t = (id: string, type: ChainTxType, spends: string[]): ChainTx => ({ txid: id.repeat(64).slice(0, 64), type, spends: spends.map((s) => s.repeat(64).slice(0, 64)), expiresAt: '' });
    const rootFirst = [t('c', ChainTxType.COMMITMENT, []), t('r', ChainTxType.TREE, ['c']), t('l', ChainTxType.TREE, ['r']), t('k', ChainTxType.CHECKPOINT, ['l']), t('a', ChainTxType.ARK, ['k'])];
    const ids = (c: ChainTx[]) => c.map((x) => x.txid[0]).join('');
    expect(ids(leafFirst(rootFirst))).toBe('aklrc');
    expect(ids(leafFirst([...rootFirst].reverse()))).toBe('aklrc');
    expect(ids(leafFirst([rootFirst[2]!, rootFirst[4]!, rootFirst[0]!, rootFirst[3]!, rootFirst[1]!]))).toBe('aklrc');
  });
});
