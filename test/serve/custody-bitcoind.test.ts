/**
 * On-chain custody on a real regtest bitcoind (BITCOIND_RPC_URL; skipped without it): per-account
 * taproot deposit addresses (checked against Bitcoin Core's own descriptor derivation), deposits
 * credited only at the confirmation depth and only once, withdrawals journaled first and paid by a
 * transaction the node accepts, refusals that change nothing; the credited deposit swept to the operator's
 * key once the coinbase matures. Custodial, so only with --custodial-deposits:
 * without it neither the deposit addresses nor on-chain withdrawals exist.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { schnorr } from '@noble/curves/secp256k1.js';
import { p2tr } from '@scure/btc-signer';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { HashPerpClient } from '../../src/client/client.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { serveConfig, tempDb, until } from './helpers.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 60_000 });
const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A throwaway regtest address nobody here spends from.
const SINK = p2tr(schnorr.getPublicKey(new Uint8Array(32).fill(99)), undefined, NETWORKS.regtest).address!;

describe.skipIf(URL_ === undefined)('serve --chain bitcoind: deposits and withdrawals on regtest', () => {
  it('credits a deposit at 2 confirmations once, pays a withdrawal on chain, refuses what is not free', async () => {
    const rpc = new BitcoindRpc(URL_!);
    const s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 2, custodialDeposits: true }), makeWiring({ pollMs: 100 }));
    try {
      const a = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: new Uint8Array(32).fill(31) } });
      const b = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: new Uint8Array(32).fill(32) } });
      await a.syncClock();
      await b.syncClock();
      const da = await a.depositAddress();
      const dbb = await b.depositAddress();
      expect(da.address).toMatch(/^bcrt1p/);
      expect(dbb.address).not.toBe(da.address);
      // Independent derivation by Bitcoin Core from the descriptor the design states.
      const desc = `tr(${da.operatorKey},and_v(v:pk(${a.accountId}),older(${da.refundAfterBlocks})))`;
      const { checksum } = await rpc.call<{ checksum: string }>('getdescriptorinfo', [desc]);
      expect(await rpc.call<string[]>('deriveaddresses', [`${desc}#${checksum}`])).toEqual([da.address]);

      // A coinbase to A's deposit address: 1 confirmation is not enough at depth 2.
      const [blk] = await rpc.call<string[]>('generatetoaddress', [1, da.address]);
      const cb = await rpc.call<{ tx: { vout: { value: number }[] }[] }>('getblock', [blk, 2]);
      const paid = Math.round(cb.tx[0].vout[0].value * 1e8);
      await new Promise((r) => setTimeout(r, 400));
      expect((await a.account()).balanceMsat).toBe('0');
      await rpc.call('generatetoaddress', [1, SINK]);
      await until('credit', async () => ((await a.account()).balanceMsat !== '0' ? true : undefined));
      expect((await a.account()).balanceMsat).toBe(String(BigInt(paid) * 1000n));
      await rpc.call('generatetoaddress', [3, SINK]);
      await new Promise((r) => setTimeout(r, 400));
      expect((await a.account()).balanceMsat).toBe(String(BigInt(paid) * 1000n)); // credited once

      // A crash after the credit and before the server's api_deposits row: the row is gone, the
      // journal has the credit. The next scan credits the outpoint again; the engine refuses it (the
      // outpoint is its state) and the row is written back, so the deposit still counts once.
      const side = new Database(db);
      const row = side.prepare('SELECT txid, vout, seq FROM api_deposits').get() as { txid: string; vout: number; seq: number };
      expect(row.seq).toBeGreaterThan(0);
      side.prepare('DELETE FROM api_deposits').run();
      await until('row written back', () => ((side.prepare('SELECT seq FROM api_deposits WHERE txid = ? AND vout = ?').get(row.txid, row.vout) as { seq: number | null } | undefined) ? true : undefined));
      expect(side.prepare('SELECT seq FROM api_deposits').get()).toEqual({ seq: null });
      side.close();
      await new Promise((r) => setTimeout(r, 300));
      expect((await a.account()).balanceMsat).toBe(String(BigInt(paid) * 1000n));
      const dup = await s.wiring.parts!.engine.submit({ type: 'ChainDeposit', account: a.accountId!, amountSat: paid, outpoint: `${row.txid}:${row.vout}` });
      expect(dup.events).toEqual([expect.objectContaining({ type: 'CommandRejected', reason: 'duplicate_deposit', field: 'outpoint' })]);

      // Refusals: B has nothing; A cannot take more than it has; neither changes the engine.
      const engine = s.wiring.parts!.engine;
      await engine.flush();
      const before = engine.stateHash();
      await expect(b.withdraw(1000, SINK)).rejects.toMatchObject({ status: 422 });
      await expect(a.withdraw(paid + 1, SINK)).rejects.toMatchObject({ status: 422 });
      await expect(a.withdraw(1000, 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080')).rejects.toMatchObject({ status: 400, field: 'body.address' });
      expect(engine.stateHash()).toBe(before);

      // Coinbase maturity (100): the credited deposit is swept to the operator's key before its refund
      // leaf could open (Bitcoin Core shows the outpoint spent by the sweep whose txid custody recorded).
      await rpc.call('generatetoaddress', [100, SINK]);
      const sweepTxid = await until('sweep', () => {
        const side2 = new Database(db, { readonly: true });
        try {
          return (side2.prepare('SELECT sweep_txid FROM api_deposits WHERE txid = ? AND vout = ?').get(row.txid, row.vout) as { sweep_txid: string | null }).sweep_txid ?? undefined;
        } finally {
          side2.close();
        }
      });
      const [spent] = await rpc.call<{ spendingtxid?: string }[]>('gettxspendingprevout', [[{ txid: row.txid, vout: row.vout }]]);
      expect(spent.spendingtxid).toBe(sweepTxid);
      await rpc.call('generatetoaddress', [1, SINK]);
      expect(await rpc.call('gettxout', [row.txid, row.vout, true])).toBeNull();
      // Then a withdrawal from the swept coin: journaled, then paid by a transaction in the mempool.
      const amount = Math.floor(paid / 3);
      const w = await a.withdraw(amount, SINK);
      expect(w.txid).toMatch(/^[0-9a-f]{64}$/);
      const tx = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [w.txid, true]);
      const out = tx.vout.find((o) => o.scriptPubKey.address === SINK)!;
      expect(Math.round(out.value * 1e8)).toBe(amount);
      expect(BigInt((await a.account()).balanceMsat)).toBe(BigInt(paid - amount) * 1000n);
      await rpc.call('generatetoaddress', [1, SINK]);
    } finally {
      await s.close();
    }
  });
});
