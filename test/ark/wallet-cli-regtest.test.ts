/**
 * `hashperp wallet` end to end on a real regtest bitcoind (BITCOIND_RPC_URL; skipped without it):
 * the HashPerp server as the Ark operator (arkd's v1 API at /ark, Esplora at /esplora), two users'
 * CLI wallets (the stock SDK inside), boarding from a Bitcoin Core wallet, a batch, an offchain
 * payment, a unilateral exit. Bitcoin Core is the independent truth for every on-chain claim.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex } from '@scure/base';
import { p2tr } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { runCli } from '../run-cli.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';
import { fundedWallet } from './regtest-funds.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 180_000 });
const URL_ = process.env.BITCOIND_RPC_URL;
if (URL_ === undefined) console.log('wallet-cli-regtest: skipped, set BITCOIND_RPC_URL=http://user:pass@127.0.0.1:PORT to a regtest bitcoind to run it');

const SINK = p2tr(schnorr.getPublicKey(new Uint8Array(32).fill(98)), undefined, NETWORKS.regtest).address!;
const sats = (btc: number) => Math.round(btc * 1e8);

describe.skipIf(URL_ === undefined)('hashperp wallet on regtest: board, settle, pay offchain, exit', () => {
  const { dir, db } = tempDb();
  const home = mkdtempSync(join(tmpdir(), 'hp-wallets-'));
  const alice = join(home, 'alice.json');
  const bob = join(home, 'bob.json');
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let s: Awaited<ReturnType<typeof startServe>>;
  let bobKey = '';
  const mine = (n = 1) => rpc.call('generatetoaddress', [n, SINK]);
  const cli = async (file: string, ...args: string[]) => {
    const r = await runCli('wallet', ...args, '--server', s.url, '--wallet-file', file);
    if (r.code !== 0) throw new Error(`wallet ${args.join(' ')} exited ${r.code}: ${r.err}`);
    return r.out;
  };
  const json = async (file: string, ...args: string[]) => JSON.parse(await cli(file, ...args, '--json'));

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    funder = (await fundedWallet(URL_!, 'hp-wallet-cli', 0.5)).wallet;
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1 }), makeWiring({ pollMs: 200 }));
    // The operator funds commitment transactions from its own wallet (the lead adds parts.ark).
    await funder.call('sendtoaddress', [s.wiring.parts!.ark!.walletAddress, 0.2]);
    await mine(1);
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });

  it('two wallets: board from Bitcoin Core, settle into a batch, pay offchain; balances move as Bitcoin Core and the SDK agree', async () => {
    // create asks the server for its network (regtest: BIP-86 coin type 1).
    const a = await json(alice, 'create');
    expect(a).toMatchObject({ kind: 'mnemonic', mainnet: false });
    bobKey = (await json(bob, 'create')).publicKey;

    const boarding = (await json(alice, 'boarding-address')).address as string;
    expect(boarding).toMatch(/^bcrt1p/);
    const fundTxid = await funder.call<string>('sendtoaddress', [boarding, 0.001]);
    await mine(1);
    await until('boarding confirmed', async () => ((await json(alice, 'balance')).boarding.confirmed === 100_000 ? true : undefined), 60_000);

    const settled = await json(alice, 'settle');
    expect(settled.txid).toMatch(/^[0-9a-f]{64}$/);
    // Bitcoin Core: the commitment transaction exists and spends the boarding output Alice was paid.
    const commitment = await rpc.call<{ vin: { txid: string }[] }>('getrawtransaction', [settled.txid, true]);
    expect(commitment.vin.map((i) => i.txid)).toContain(fundTxid);
    await mine(1);
    const afterSettle = await until('settled', async () => {
      const b = await json(alice, 'balance');
      return b.boarding.total === 0 && b.settled > 0 ? b : undefined;
    }, 60_000);
    expect(afterSettle.settled).toBeLessThanOrEqual(100_000);
    expect(afterSettle.total).toBe(afterSettle.settled);

    const bobAddr = (await json(bob, 'address')).address as string;
    const sent = await json(alice, 'send', '--to', bobAddr, '--amount', '20000');
    expect(sent).toMatchObject({ kind: 'offchain', to: bobAddr, amount: 20000 });
    expect(sent.txid).toMatch(/^[0-9a-f]{64}$/);
    const bobBal = await until('bob received', async () => {
      const b = await json(bob, 'balance');
      return b.preconfirmed === 20_000 ? b : undefined;
    }, 60_000);
    expect(bobBal.total).toBe(20_000);
    const aliceBal = await json(alice, 'balance');
    expect(aliceBal.available).toBe(afterSettle.settled - 20_000);

    // Overspending is refused by the SDK before anything is signed; balances unchanged.
    const over = await runCli('wallet', 'send', '--to', bobAddr, '--amount', String(afterSettle.settled), '--server', s.url, '--wallet-file', alice);
    expect(over.code).toBe(1);
    expect((await json(alice, 'balance')).available).toBe(afterSettle.settled - 20_000);

    // Bob holds his exit data: the branch down to the commitment, every non-commitment tx with its PSBT.
    const exitData = await json(bob, 'exit-data');
    expect(exitData.missing).toEqual([]);
    expect(exitData.vtxos).toHaveLength(1);
    expect(exitData.vtxos[0].value).toBe(20_000);
    const chain = exitData.vtxos[0].chain as { type: string; psbt: string | null }[];
    expect(chain.at(-1)!.type).toBe('INDEXER_CHAINED_TX_TYPE_COMMITMENT');
    expect(chain.slice(0, -1).every((c) => c.psbt !== null)).toBe(true);
  });

  it("Bob exits unilaterally: each branch tx lands in Bitcoin Core's chain, then the sweep after the exit delay", async () => {
    // The fee wallet is the key-path taproot address of Bob's own key; unfunded, exit refuses and names it.
    const feeAddr = p2tr(hex.decode(bobKey), undefined, NETWORKS.regtest).address!;
    const unfunded = await runCli('wallet', 'exit', '--no-wait', '--server', s.url, '--wallet-file', bob);
    expect([unfunded.code, unfunded.err]).toEqual([1, expect.stringContaining(`fee address ${feeAddr}`)]);
    await funder.call('sendtoaddress', [feeAddr, 0.0005]);
    await mine(1);
    let done = false;
    for (let i = 0; i < 30 && !done; i++) {
      const r = await json(bob, 'exit', '--no-wait');
      for (const v of r.vtxos) for (const step of v.steps) if (step.type === 'broadcast') expect(await rpc.call('getrawtransaction', [step.txid])).toMatch(/^[0-9a-f]+$/);
      done = r.vtxos.every((v: { status: string }) => v.status === 'done');
      await mine(1);
    }
    expect(done).toBe(true);
    // Before the delay the sweep is refused; after it, the sweep pays SINK.
    const early = await runCli('wallet', 'exit', '--complete', '--to', SINK, '--server', s.url, '--wallet-file', bob);
    expect(early.code).toBe(1);
    await mine(25); // past the VTXO's 20-block exit delay
    // The operator's indexer marks the VTXO unrolled once it sees the Ark tx in a block (its next tick).
    const swept = await until('exit completion', async () => {
      const r = await runCli('wallet', 'exit', '--complete', '--to', SINK, '--json', '--server', s.url, '--wallet-file', bob);
      return r.code === 0 ? JSON.parse(r.out) : undefined;
    }, 30_000);
    const tx = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [swept.txid, true]);
    const paid = tx.vout.find((o) => o.scriptPubKey.address === SINK);
    expect(paid).toBeDefined();
    expect(sats(paid!.value)).toBeLessThan(20_000);
    expect(sats(paid!.value)).toBeGreaterThan(15_000);
    expect(hex.decode(swept.txid)).toHaveLength(32);
  });
});
