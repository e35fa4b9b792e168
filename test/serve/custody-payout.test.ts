/**
 * A withdrawal's payout against a stub bitcoind (JSON-RPC over HTTP): the debit is reversed only when
 * the node does not have the payout tx. A node that accepts the tx and then drops the connection (a
 * timeout after acceptance) keeps the debit and records the txid of the tx it received; a node that
 * refuses it reverses the debit; a node that cannot be asked afterwards keeps the debit, in doubt.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { p2tr, Transaction } from '@scure/btc-signer';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { BitcoindCustody } from '../../src/server/custody.js';
import { EngineCore } from '../../src/server/engine-host.js';
import { EngineExchange } from '../../src/server/exchange-port.js';
import { tempDb } from './helpers.js';

const OPERATOR_SK = new Uint8Array(32).fill(7);
const OPERATOR_SCRIPT = bytesToHex(p2tr(schnorr.getPublicKey(OPERATOR_SK), undefined, NETWORKS.regtest).script);
const ACCOUNT = bytesToHex(schnorr.getPublicKey(new Uint8Array(32).fill(8)));
const SINK = p2tr(schnorr.getPublicKey(new Uint8Array(32).fill(99)), undefined, NETWORKS.regtest).address!;
const COIN = { txid: 'ab'.repeat(32), vout: 0, sat: 1_000_000 };

type Mode = 'accept-then-drop' | 'refuse' | 'accept-then-gone';

/** Just enough of bitcoind for a payout: one confirmed operator coin, a mempool, and the chosen failure. */
async function stubNode(mode: Mode): Promise<{ url: string; received: string[]; close(): Promise<void> }> {
  const mempool = new Map<string, Transaction>();
  const received: string[] = [];
  let gone = false;
  const answer = (method: string, params: unknown[]): { result?: unknown; error?: { code: number; message: string } } => {
    switch (method) {
      case 'getblockcount':
        return { result: 200 };
      case 'scantxoutset':
        return { result: { height: 200, unspents: [{ txid: COIN.txid, vout: COIN.vout, amount: COIN.sat / 1e8, height: 150, scriptPubKey: OPERATOR_SCRIPT, coinbase: false }] } };
      case 'gettxout': {
        const [txid, vout] = params as [string, number];
        if (txid === COIN.txid) return { result: { value: COIN.sat / 1e8 } };
        const tx = params[2] === true ? mempool.get(txid) : undefined; // nothing of ours gets mined here
        return { result: tx !== undefined && vout < tx.outputsLength ? { value: 0 } : null };
      }
      case 'getmempoolentry':
        return mempool.has(params[0] as string) ? { result: { vsize: 150 } } : { error: { code: -5, message: 'Transaction not in mempool' } };
      case 'sendrawtransaction': {
        received.push(params[0] as string);
        if (mode === 'refuse') return { error: { code: -26, message: 'bad-txns-inputs-missingorspent' } };
        const tx = Transaction.fromRaw(hexToBytes(params[0] as string));
        mempool.set(tx.id, tx);
        return { result: tx.id };
      }
      default:
        return { error: { code: -32601, message: `Method not found: ${method}` } };
    }
  };
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (gone) return void res.socket?.destroy();
      const q = JSON.parse(body) as { id: number; method: string; params: unknown[] } | { id: number; method: string; params: unknown[] }[];
      const one = (r: { id: number; method: string; params: unknown[] }) => ({ id: r.id, error: null, ...answer(r.method, r.params) });
      const reply = Array.isArray(q) ? q.map(one) : one(q);
      // Accepted, and then the connection drops before the reply: the caller sees a transport error.
      if (!Array.isArray(q) && q.method === 'sendrawtransaction' && mode !== 'refuse') {
        if (mode === 'accept-then-gone') gone = true;
        return void res.socket?.destroy();
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://u:p@127.0.0.1:${port}`, received, close: () => new Promise((r) => server.close(() => r())) };
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function setup(mode: Mode) {
  const node = await stubNode(mode);
  closers.push(node.close);
  const { dir, db } = tempDb();
  dirs.push(dir);
  const custody = new BitcoindCustody({ rpc: node.url, sqlitePath: db, network: 'regtest', confirmations: 1, operatorSecret: OPERATOR_SK });
  closers.push(() => custody.stop());
  const engine = await EngineCore.open({ sqlitePath: ':memory:' });
  await engine.submit({ type: 'Deposit', account: ACCOUNT, amountSat: 100_000 });
  const exchange = new EngineExchange(engine, { payout: custody, network: () => 'regtest' });
  const balanceSat = () => Number(BigInt(exchange.account(ACCOUNT).balanceMsat) / 1000n);
  const row = () => {
    const side = new Database(db, { readonly: true });
    try {
      return side.prepare('SELECT txid, error FROM api_withdrawals').get() as { txid: string | null; error: string | null };
    } finally {
      side.close();
    }
  };
  return { node, exchange, balanceSat, row };
}

describe('withdrawal payout: the debit is reversed only when the node lacks the payout tx', () => {
  it('the node accepts the tx and the reply is lost: the debit stands and the txid of the tx it got is recorded', async () => {
    const { node, exchange, balanceSat, row } = await setup('accept-then-drop');
    const ack = await exchange.withdraw({ account: ACCOUNT, amountSat: 40_000, address: SINK });
    expect(node.received).toHaveLength(1);
    const sent = Transaction.fromRaw(hexToBytes(node.received[0]));
    expect(ack.txid).toBe(sent.id);
    expect(sent.getInput(0).txid && bytesToHex(sent.getInput(0).txid!)).toBe(COIN.txid);
    expect(balanceSat()).toBe(60_000);
    expect(row()).toEqual({ txid: sent.id, error: null });
  });

  it('the node refuses the tx: the debit is reversed and no txid is recorded', async () => {
    const { node, exchange, balanceSat, row } = await setup('refuse');
    await expect(exchange.withdraw({ account: ACCOUNT, amountSat: 40_000, address: SINK })).rejects.toMatchObject({ code: 'payout_failed' });
    expect(node.received).toHaveLength(1);
    expect(balanceSat()).toBe(100_000);
    expect(row()).toMatchObject({ txid: null, error: expect.stringContaining('bad-txns-inputs-missingorspent') });
  });

  it('the node cannot be asked after the broadcast: the debit stands, in doubt, with the txid of the signed tx', async () => {
    const { node, exchange, balanceSat, row } = await setup('accept-then-gone');
    const ack = await exchange.withdraw({ account: ACCOUNT, amountSat: 40_000, address: SINK });
    const sent = Transaction.fromRaw(hexToBytes(node.received[0]));
    expect(ack).toMatchObject({ txid: sent.id, note: expect.stringContaining('debit stands') });
    expect(balanceSat()).toBe(60_000);
    expect(row()).toMatchObject({ txid: sent.id, error: expect.stringMatching(/^in doubt: /) });
  });
});
