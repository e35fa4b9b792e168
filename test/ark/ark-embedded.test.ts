/**
 * The Ark operator in the embedded demo (`serve --chain embedded`, no node): the same flow as
 * ark-sdk-regtest.test.ts with the stock @arkade-os/sdk wallets as the only clients, over the demo
 * ledger: the boarding faucet pays their boarding addresses, both settle into a batch whose
 * commitment tx is in the ledger, an offchain send, a renewal with forfeits, a collaborative exit,
 * and the operator's sweep of an expired batch.
 * Blocks are mined on demand (embeddedBlockSeconds 0) so nothing depends on a timer but the
 * operator's 2 s session clock. /health and the startup notes say that nothing reaches a network.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Ramps } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { Address, OutScript, SigHash, Transaction } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { makeWiring } from '../../src/server/compose.js';
import { EMBEDDED_ARK_PARAMS, EMBEDDED_LEDGER_NOTE } from '../../src/server/ark-wiring.js';
import { startServe } from '../../src/server/start.js';
import { batchSweepInput, buildSweepTx } from '../../src/operator/ark/sweep.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';
import { sdkWallet } from './sdk-wallet.js';

vi.setConfig({ testTimeout: 60_000, hookTimeout: 30_000 });

const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const post = async (url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
};

describe('Ark operator on the embedded demo ledger with stock SDK wallets', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  const ark = () => s.wiring.parts!.ark!;
  const ledger = () => ark().ledger!;

  beforeAll(async () => {
    s = await startServe(serveConfig(db, { chain: 'embedded', demo: false, embeddedBlockSeconds: 0 }), makeWiring({ pollMs: 200 }));
  });
  afterAll(async () => {
    await s?.close();
  });

  it('says, in /health and the startup notes, that commitments reach no network', async () => {
    expect(ark().chainKind).toBe('embedded');
    expect(s.wiring.notes.some((n) => n.includes(EMBEDDED_LEDGER_NOTE))).toBe(true);
    const health = (await (await fetch(`${s.url}/health`)).json()) as { ark?: { chain: string; network: string; onChain: string } };
    expect(health.ark).toMatchObject({ chain: 'embedded', network: 'regtest' });
    expect(health.ark!.onChain).toMatch(/not broadcast to any network; coins here are not bitcoin/);
    // arkd's GetInfo keeps arkd's shape and the regtest network the demo's addresses use.
    const info = (await (await fetch(`${s.url}/ark/v1/info`)).json()) as { network: string; signerPubkey: string };
    expect(info.network).toBe('regtest');
    // The operator's prefunded liquidity is on the ledger, confirmed, at its wallet address.
    const utxos = (await (await fetch(`${s.url}/esplora/address/${ark().walletAddress}/utxo`)).json()) as { value: number; status: { confirmed: boolean } }[];
    expect(utxos).toEqual([expect.objectContaining({ value: 1_000_000_000, status: expect.objectContaining({ confirmed: true }) })]);
  });

  it('the boarding faucet refuses bad input with JSON 4xx', async () => {
    const mainnet = 'bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr';
    for (const [body, field] of [
      [{ address: mainnet, amountSat: 100_000 }, 'body.address'],
      [{ address: 'notanaddress', amountSat: 100_000 }, 'body.address'],
      [{ address: ark().walletAddress, amountSat: 100 }, 'body.amountSat'],
      [{ address: ark().walletAddress, amountSat: 10_000_001 }, 'body.amountSat'],
    ] as const) {
      const r = await post(`${s.url}/v1/faucet/boarding`, body);
      expect(r.status, JSON.stringify(r.json)).toBe(400);
      expect(JSON.stringify(r.json)).toContain(field);
    }
    const r = await post(`${s.url}/v1/faucet/boarding`, { address: ark().walletAddress });
    expect(r.status).toBe(400);
  });

  it('boards two wallets into a batch, sends offchain, renews with forfeits, exits collaboratively', async () => {
    const alice = await sdkWallet(s.url);
    const bob = await sdkWallet(s.url);
    try {
      // (1) boarding: the faucet pays each boarding address and mines it
      for (const w of [alice, bob]) {
        const r = await post(`${s.url}/v1/faucet/boarding`, { address: await w.getBoardingAddress(), amountSat: 100_000 });
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        expect(r.json.note).toBe(EMBEDDED_LEDGER_NOTE);
        expect(ledger().tx(r.json.txid as string)!.height).toBe(r.json.height);
      }
      for (const w of [alice, bob]) await until('boarding utxo', async () => ((await w.getBoardingUtxos()).length > 0 ? true : undefined), 10_000);
      const [ca, cb] = await Promise.all([alice.settle(), bob.settle()]);
      for (const txid of new Set([ca, cb])) {
        // The commitment tx is in the ledger (its mempool), signed, spending the boarding coins and the operator's.
        const t = ledger().tx(txid)!;
        expect(t.height).toBe(0);
        const tx = Transaction.fromRaw(hex.decode(t.hex), { allowUnknownOutputs: true });
        expect(tx.id).toBe(txid);
        expect(tx.isFinal).toBe(true);
      }
      ledger().mine();
      for (const txid of new Set([ca, cb])) expect(await ledger().confirmations(txid)).toBe(1);
      expect((await alice.getBalance()).settled).toBe(100_000);
      expect((await bob.getBalance()).settled).toBe(100_000);

      // (2) offchain: alice pays bob 20 000 sat (checkpoint + Ark tx), nothing on the ledger
      const before = ledger().mempoolTxids().length;
      const arkTxid = await alice.sendBitcoin({ address: await bob.getAddress(), amount: 20_000 });
      expect(arkTxid).toMatch(/^[0-9a-f]{64}$/);
      expect(ledger().tx(arkTxid)).toBeUndefined();
      expect(ledger().mempoolTxids().length).toBe(before);
      await until('bob sees the payment', async () => ((await bob.getBalance()).preconfirmed === 20_000 ? true : undefined), 10_000);
      const ab = await alice.getBalance();
      expect(ab.preconfirmed + ab.settled).toBe(80_000);

      // (3) both renew into a new batch: every VTXO they held is forfeited against a connector
      const oldBob = (await bob.getVtxos()).map((v) => `${v.txid}:${v.vout}`);
      expect(oldBob).toHaveLength(2);
      const [ra, rb] = await Promise.all([alice.settle(), bob.settle()]);
      ledger().mine();
      for (const txid of new Set([ra, rb])) {
        expect(await ledger().confirmations(txid)).toBe(1);
        const batch = ark().store.batch(txid)!;
        expect(batch.connectorTxids.length).toBeGreaterThan(0);
        expect(ledger().tx(txid)!.outputs.length).toBeGreaterThanOrEqual(2);
      }
      const forfeited = new Set([ra, rb].flatMap((t) => Object.keys(ark().store.batch(t)!.forfeitByVtxo)));
      for (const o of oldBob) expect(forfeited.has(o)).toBe(true);
      await until('renewed balances', async () => ((await bob.getBalance()).settled === 120_000 ? true : undefined), 10_000);
      expect((await alice.getBalance()).settled).toBe(80_000);

      // (4) alice leaves collaboratively: 30 000 sat to a regtest address in the next commitment tx
      const l1 = Address(NETWORKS.regtest).encode({ type: 'wpkh', hash: new Uint8Array(20).fill(7) });
      const info = await alice.arkProvider.getInfo();
      const exitTxid = await new Ramps(alice).offboard(l1, info.fees, 30_000n);
      const exit = ledger().tx(exitTxid)!;
      const l1Script = hex.encode(OutScript.encode(Address(NETWORKS.regtest).decode(l1)));
      expect(exit.outputs.some((o) => hex.encode(o.pkScript) === l1Script && o.amount === 30_000n)).toBe(true);
      ledger().mine();
      // The exit is visible through the ledger's Esplora as on bitcoind's.
      const l1Utxos = (await (await fetch(`${s.url}/esplora/address/${l1}/utxo`)).json()) as { txid: string; value: number; status: { confirmed: boolean } }[];
      expect(l1Utxos).toEqual([expect.objectContaining({ txid: exitTxid, value: 30_000, status: expect.objectContaining({ confirmed: true }) })]);
      await until('alice change', async () => ((await alice.getBalance()).settled === 50_000 ? true : undefined), 10_000);

      // (5) the batches expire on the ledger's clock and the operator sweeps them (CSV checked by the ledger)
      const first = ark().store.batch(ca)!;
      const expiry = Number(EMBEDDED_ARK_PARAMS.vtxoTreeExpiry);
      while ((await ledger().tipHeight()) < first.confirmedHeight + expiry - 2) ledger().mine();
      // Cheater: the operator's sweep two blocks early (expiry - 1 confirmations) is refused by the ledger (BIP-68).
      const batchCoin = (await ledger().unspent(ca, 0))!;
      const early = buildSweepTx([batchSweepInput(ark().store.virtualTx(first.vtxoTreeTxids[0]!)!.psbt, ark().keys.forfeitXOnly, batchCoin.amount)], ark().keys.forfeitSecret, ark().keys.walletScript, 1);
      await expect(ledger().broadcast(hex.encode(early.extract()))).rejects.toThrow(/non-BIP68-final/);
      ledger().mine();
      await ark().operator.maintain();
      expect(ark().store.batch(ca)!.sweptBy).toEqual([]);
      ledger().mine();
      await ark().operator.maintain();
      const [sweepTxid] = ark().store.batch(ca)!.sweptBy;
      expect(ledger().tx(sweepTxid!)!.inputs).toContainEqual({ txid: ca, vout: 0 });
      // The ledger checks no signatures: check the sweep's here. Witness = [sig, CSV leaf, control block];
      // the leaf is <expiry> CSV DROP <forfeit key> CHECKSIG and the BIP-341 script-path sighash verifies.
      const sweep = Transaction.fromRaw(hex.decode(ledger().tx(sweepTxid!)!.hex), { allowUnknownInputs: true });
      const batchOut = ledger().tx(ca)!.outputs[0]!;
      const [sig, leaf, control] = sweep.getInput(0).finalScriptWitness!;
      expect(sweep.getInput(0).sequence).toBe(expiry);
      expect(hex.encode(leaf!)).toContain(hex.encode(schnorr.getPublicKey(ark().keys.forfeitSecret)));
      const sighash = sweep.preimageWitnessV1(0, [batchOut.pkScript], SigHash.DEFAULT, [batchOut.amount], -1, leaf!, control![0]! & 0xfe);
      expect(schnorr.verify(sig!, sighash, schnorr.getPublicKey(ark().keys.forfeitSecret))).toBe(true);
      const outspends = (await (await fetch(`${s.url}/esplora/tx/${ca}/outspends`)).json()) as { spent: boolean; txid?: string }[];
      expect(outspends[0]).toMatchObject({ spent: true, txid: sweepTxid });
    } finally {
      await alice.dispose();
      await bob.dispose();
    }
  });
});
