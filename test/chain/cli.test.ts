/** `hashperp chain verify|import`, run in-process on real headers and loopback bitcoind/Esplora stubs. */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { startBitcoindStub, startEsploraStub, type StubServer } from './stub-servers.js';

const chain = loadEmbeddedChain();
const seg = (name: string) => join(chain.dataDir, 'headers', name);
let dir: string;

const run = runCli;

function shipped(from: number, to: number): Buffer {
  return Buffer.concat(Array.from({ length: to - from + 1 }, (_, i) => chain.rawHeader(from + i)!));
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hashperp-chain-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('hashperp chain verify', () => {
  it('exits 0 with a summary for a shipped segment', async () => {
    const r = await run('chain', 'verify', seg('mainnet_030000-039999.bin'), '--start-height', '30000');
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid: mainnet headers 30000..39999 (10000 headers, 10000 verified)');
    expect(r.out).toContain('not checked: prev-hash link at 1 header(s) (30000): hash of height 29999 unknown');
    expect(r.out).toContain(`last  ${chain.hash(39999)}`);
  });

  it('prints the report as JSON with --json', async () => {
    const r = await run('chain', 'verify', seg('mainnet_822527-830592.bin'), '--start-height', '822527', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ valid: true, startHeight: 822527, endHeight: 830592, headers: 8066, verified: 8066 });
    expect(j.checked.retarget).toBe(5);
    expect(BigInt(j.chainworkAtEnd)).toBe(chain.chainworkAt(830592));
  });

  it('exits 1 naming the height and rule of a mutated header', async () => {
    const bytes = readFileSync(seg('mainnet_822527-830592.bin'));
    bytes[(827000 - 822527) * 80 + 50] ^= 0x80;
    const file = join(dir, 'mutated.bin');
    writeFileSync(file, bytes);
    const r = await run('chain', 'verify', file, '--start-height', '822527');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^error: height 827000: proof of work: hash [0-9a-f]{64} > target [0-9a-f]{64}$/);
    expect(r.out).toContain('INVALID');
    const j = await run('chain', 'verify', file, '--start-height', '822527', '--json');
    expect(j.code).toBe(1);
    expect(JSON.parse(j.out).failure).toMatchObject({ height: 827000, rule: 'pow' });
  });

  it('exits 1 when the start height does not match the file', async () => {
    const r = await run('chain', 'verify', seg('mainnet_000000-009999.bin'), '--start-height', '1');
    expect(r.code).toBe(1);
    expect(r.err).toContain('height 1: prev-hash link');
  });

  it('exits 1 with a clear error for truncated, empty and missing files', async () => {
    const short = join(dir, 'short.bin');
    writeFileSync(short, shipped(0, 0).subarray(0, 79));
    let r = await run('chain', 'verify', short, '--start-height', '0');
    expect(r.code).toBe(1);
    expect(r.err).toBe(`error: ${short}: 79 bytes is not a multiple of 80 (0 whole headers and 79 bytes of a truncated one)`);
    const odd = join(dir, 'odd.bin');
    writeFileSync(odd, Buffer.concat([shipped(0, 1), Buffer.from([1])]));
    r = await run('chain', 'verify', odd, '--start-height', '0');
    expect(r.code).toBe(1);
    expect(r.err).toContain('161 bytes is not a multiple of 80');
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    expect((await run('chain', 'verify', empty, '--start-height', '0')).err).toContain('empty file');
    r = await run('chain', 'verify', join(dir, 'nope.bin'), '--start-height', '0');
    expect(r.code).toBe(1);
    expect(r.err).toContain('no such file');
  });

  it('exits 1 for an unknown or malformed start height', async () => {
    let r = await run('chain', 'verify', seg('mainnet_000000-009999.bin'), '--start-height', '999999');
    expect(r.code).toBe(1);
    expect(r.err).toContain('unknown height 999999');
    r = await run('chain', 'verify', seg('mainnet_000000-009999.bin'), '--start-height', '-5');
    expect(r.code).toBe(1);
    expect(r.err).toContain('start-height');
    r = await run('chain', 'verify', seg('mainnet_000000-009999.bin'), '--start-height', 'ten');
    expect(r.code).toBe(1);
    expect(r.err).toContain('start-height: expected a non-negative integer, got "ten"');
  });
});

describe('hashperp chain import', () => {
  let esplora: StubServer;
  let bitcoind: StubServer;
  beforeAll(async () => {
    [esplora, bitcoind] = await Promise.all([startEsploraStub(), startBitcoindStub()]);
  });
  afterAll(async () => {
    await Promise.all([esplora.close(), bitcoind.close()]);
  });

  it('imports from Esplora, verifies and writes the real headers', async () => {
    const out = join(dir, 'esplora.bin');
    const r = await run('chain', 'import', '--source', 'esplora', '--esplora', esplora.url, '--from', '32000', '--to', '32500', '--out', out);
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid: mainnet headers 32000..32500');
    expect(readFileSync(out).equals(shipped(32000, 32500))).toBe(true);
    expect((await run('chain', 'verify', out, '--start-height', '32000')).code).toBe(0);
  });

  it('imports from bitcoind with --json', async () => {
    const out = join(dir, 'bitcoind.bin');
    const r = await run('chain', 'import', '--source', 'bitcoind', '--rpc', bitcoind.url, '--from', '822527', '--to', '823600', '--out', out, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, source: 'bitcoind', out, headers: 1074 });
    expect(readFileSync(out).equals(shipped(822527, 823600))).toBe(true);
  });

  it('exits 1 and writes nothing for heights the source does not have', async () => {
    const out = join(dir, 'beyond.bin');
    const r = await run('chain', 'import', '--source', 'esplora', '--esplora', esplora.url, '--from', '830590', '--to', '830600', '--out', out);
    expect(r.code).toBe(1);
    expect(r.err).toContain('height 830593 unknown');
    expect(existsSync(out)).toBe(false);
  });

  it('exits 1 for a missing URL or an unknown source', async () => {
    let r = await run('chain', 'import', '--source', 'bitcoind', '--from', '0', '--to', '1', '--out', join(dir, 'x.bin'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('--rpc');
    r = await run('chain', 'import', '--source', 'electrum', '--from', '0', '--to', '1', '--out', join(dir, 'x.bin'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('source: expected bitcoind or esplora');
    r = await run('chain', 'import', '--source', 'esplora', '--esplora', esplora.url, '--from', '10', '--to', '5', '--out', join(dir, 'x.bin'));
    expect(r.code).toBe(1);
    expect(r.err).toContain('to: must be >= --from');
  });
});
