/**
 * On-chain deposits and withdrawals for `serve --chain bitcoind` (the node needs no wallet).
 *
 * CUSTODIAL, and off unless `--custodial-deposits` (HASHPERP_CUSTODIAL_DEPOSITS=1) is given: the
 * operator's key spends every deposit by key path, so users trust the operator with these coins.
 * The default way in and out is through the user's own Ark wallet (ark-funding.ts). The two custody
 * defects of issue 15 are fixed here: (1) a credited deposit could be taken back by its refund leaf
 * after the timeout: now every credited deposit is swept to the operator's own key well before the
 * leaf opens, and a deposit found too late to sweep in time is not credited; (2) a pay() error
 * reversed the debit even when the node had accepted the payout: now the payout is signed first (its
 * txid known), and after a failed broadcast the node is asked whether it has that tx before the
 * debit is reversed (exchange-port.ts).
 *
 * Deposit address per account: a taproot output whose internal key is the operator's key (the
 * operator spends it by key path, for withdrawals) with one script leaf
 * `<account key> OP_CHECKSIGVERIFY <refundAfterBlocks> OP_CSV` (miniscript and_v(v:pk(K),older(N)),
 * so Core's `tr(OP,{and_v(v:pk(K),older(N))})` descriptor derives the same address): if the operator disappears, the
 * user takes the coins back after the timeout. The account id is the BIP-340 key, so no extra
 * registration is needed.
 *
 * Watching: `scantxoutset` over every issued address (no wallet, no index). A UTXO is credited
 * (a ChainDeposit command through the sequencer, naming the outpoint) once it has >= `confirmations`.
 * The engine credits an outpoint once, so the credit and the record that it was made are one journal
 * entry; `api_deposits` is the server's copy, written after (a rescan after a crash between the two
 * is refused by the engine and then writes the row).
 *
 * Sweeps: the refund leaf opens when a deposit has `refundAfterBlocks` confirmations, so a credited
 * deposit must be spent by the operator before then. Every scan batches the credited deposits still
 * unspent (chain and mempool) into one key-path transaction to the operator's own address, records
 * its txid on their `api_deposits` rows in one SQLite transaction, then broadcasts; a deposit whose
 * sweep is not in the mempool or chain is swept again at the next scan, until it confirms. A deposit
 * is credited only while the sweep can still confirm with `sweepMarginBlocks` to spare (a coinbase
 * cannot be spent before depth 100); one found later is left to its owner's refund leaf, and
 * `lastError` (in /health) names it.
 *
 * Withdrawals: the Withdraw command is journaled and applied first (the engine refuses anything
 * over the free balance); then the operator spends its swept coins and credited deposits not yet
 * swept (key path, never one already spent in the mempool), pays the address and signs: the txid is
 * recorded in `api_withdrawals` (with the signed tx) before the broadcast. If the broadcast fails,
 * the node is asked whether it has that txid (mempool or chain): only if it has not is the debit
 * reversed; if the node cannot answer, the debit stands and the signed tx is broadcast again at each
 * scan.
 *
 * State lives in the server's SQLite file (tables prefixed api_), beside the journal; the operator's key
 * is sealed there by operator-keys.ts (entry `custody`) and handed in.
 */
import type Database from 'better-sqlite3';
import { openSideConnection } from '../journal/sqlite-side-connection.js';
import { Address, OutScript, p2tr, Script, Transaction } from '@scure/btc-signer';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { NETWORKS, type BtcNetwork } from '../bitcoin/networks.js';
import { BitcoindRpc, RpcError } from '../chain/rpc-client.js';
import { retryScan } from '../chain/scan-retry.js';
import { isAccountId } from '../units/checks.js';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';

export interface DepositAddress {
  account: string;
  address: string;
  /** Blocks after which the account key alone can spend (refund leaf). */
  refundAfterBlocks: number;
  operatorKey: string;
  confirmations: number;
}

interface Utxo {
  txid: string;
  vout: number;
  sat: number;
  height: number;
  address: string;
  coinbase: boolean;
}

/** The withdrawal an applied Withdraw command asks custody to pay. */
export interface PayoutRequest {
  account: string;
  amountSat: number;
  address: string;
  seq: number;
}

/** Credits `outpoint` to `account` once; seq null: the engine had already credited it. */
export type ChainCredit = (account: string, amountSat: number, outpoint: string) => Promise<{ seq: number | null }>;

const FEE_RATE_SAT_VB = 2;
const feeFor = (nIn: number, nOut: number): number => Math.ceil(11 + 58 * nIn + 43 * nOut) * FEE_RATE_SAT_VB;
const DUST = 330;
/** A coinbase output can be spent in the block at this depth (consensus), not before. */
const COINBASE_MATURITY = 100;
/** bitcoind's "no such mempool or blockchain transaction" / "not in mempool". */
const RPC_INVALID_ADDRESS_OR_KEY = -5;

export interface CustodyOptions {
  rpc: string;
  /** SQLite file for the api_ tables (the server's db). */
  sqlitePath: string;
  network: 'mainnet' | 'regtest';
  confirmations: number;
  refundAfterBlocks?: number;
  /**
   * Blocks of margin between the latest depth at which a credited deposit's sweep can be broadcast
   * and the opening of its refund leaf (default min(144, refundAfterBlocks / 2)).
   */
  sweepMarginBlocks?: number;
  /** The operator's custody key (sealed in the operator key store as `custody`). */
  operatorSecret: Uint8Array;
}

export class BitcoindCustody {
  private readonly rpc: BitcoindRpc;
  private readonly db: Database.Database;
  private readonly net: BtcNetwork;
  private readonly operatorSk: Uint8Array;
  readonly operatorKey: Uint8Array;
  readonly refundAfterBlocks: number;
  readonly confirmations: number;
  readonly sweepMarginBlocks: number;
  private scanning: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  credited = 0;
  /** Credited deposits moved to the operator's own key (counted when their sweep is broadcast). */
  swept = 0;
  lastError: string | undefined;
  /** What the last scan left undone that is not an RPC error (deposits found too late to credit, stuck payouts); in lastError. */
  notices: readonly string[] = [];

  constructor(opts: CustodyOptions) {
    this.rpc = new BitcoindRpc(opts.rpc);
    this.net = NETWORKS[opts.network];
    this.confirmations = Math.max(1, opts.confirmations);
    this.refundAfterBlocks = opts.refundAfterBlocks ?? 1008;
    this.sweepMarginBlocks = opts.sweepMarginBlocks ?? Math.min(144, Math.floor(this.refundAfterBlocks / 2));
    if (!Number.isInteger(this.refundAfterBlocks) || this.refundAfterBlocks < 1 || this.refundAfterBlocks > 0xffff)
      throw new InvalidArgumentError('refundAfterBlocks', 'a relative block count for OP_CSV, 1..65535');
    if (!Number.isInteger(this.sweepMarginBlocks) || this.sweepMarginBlocks < 1 || this.refundAfterBlocks - this.sweepMarginBlocks < this.confirmations)
      throw new InvalidArgumentError('sweepMarginBlocks', `at least 1 and leaving room for ${this.confirmations} confirmations before the refund leaf opens after ${this.refundAfterBlocks} blocks`);
    this.db = openSideConnection(opts.sqlitePath);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS api_deposit_addresses (account TEXT PRIMARY KEY, address TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS api_deposits (txid TEXT NOT NULL, vout INTEGER NOT NULL, account TEXT NOT NULL, amount_sat INTEGER NOT NULL, height INTEGER NOT NULL, seq INTEGER, PRIMARY KEY (txid, vout));
      CREATE TABLE IF NOT EXISTS api_withdrawals (seq INTEGER PRIMARY KEY, account TEXT NOT NULL, amount_sat INTEGER NOT NULL, address TEXT NOT NULL, txid TEXT, error TEXT);`);
    // Columns added with the sweeps and the signed-before-broadcast payouts (older files lack them).
    const columns = (table: string) => new Set((this.db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
    if (!columns('api_deposits').has('sweep_txid')) this.db.exec('ALTER TABLE api_deposits ADD COLUMN sweep_txid TEXT');
    if (!columns('api_withdrawals').has('tx_hex')) this.db.exec('ALTER TABLE api_withdrawals ADD COLUMN tx_hex TEXT');
    this.operatorSk = opts.operatorSecret;
    this.operatorKey = schnorr.getPublicKey(this.operatorSk);
  }

  private payment(account: string) {
    const user = hexToBytes(account);
    const leaf = Script.encode([user, 'CHECKSIGVERIFY', this.refundAfterBlocks, 'CHECKSEQUENCEVERIFY']);
    return p2tr(this.operatorKey, { script: leaf }, this.net, true);
  }

  private changePayment() {
    return p2tr(this.operatorKey, undefined, this.net);
  }

  depositAddress(account: string): DepositAddress {
    if (!isAccountId(account)) throw new InvalidArgumentError('account', 'deposit addresses are for BIP-340 account keys');
    const address = this.payment(account).address;
    this.db.prepare('INSERT OR IGNORE INTO api_deposit_addresses (account, address) VALUES (?, ?)').run(account, address);
    return { account, address, refundAfterBlocks: this.refundAfterBlocks, operatorKey: bytesToHex(this.operatorKey), confirmations: this.confirmations };
  }

  private async utxos(addresses: string[]): Promise<{ height: number; utxos: Utxo[] }> {
    if (addresses.length === 0) return { height: await this.rpc.call<number>('getblockcount'), utxos: [] };
    const r = await retryScan(() =>
      this.rpc.call<{ height: number; unspents: { txid: string; vout: number; amount: number; height: number; scriptPubKey: string; coinbase?: boolean }[] }>('scantxoutset', [
        'start',
        addresses.map((a) => ({ desc: `addr(${a})` })),
      ]),
    );
    // The node answers with the output script (its descriptor form is inferred, not the addr() we sent).
    const byScript = new Map(addresses.map((a) => [bytesToHex(OutScript.encode(Address(this.net).decode(a))), a]));
    return {
      height: r.height,
      utxos: r.unspents.map((u) => ({ txid: u.txid, vout: u.vout, sat: Math.round(u.amount * 1e8), height: u.height, address: byScript.get(u.scriptPubKey) ?? '', coinbase: u.coinbase === true })),
    };
  }

  /** One scan: credits every deposit with enough confirmations that was not credited before. */
  scan(credit: ChainCredit): Promise<void> {
    // scantxoutset runs one at a time per node; so do we.
    this.scanning ??= this.doScan(credit).finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async doScan(credit: ChainCredit): Promise<void> {
    const notices: string[] = [];
    const rows = this.db.prepare('SELECT account, address FROM api_deposit_addresses').all() as { account: string; address: string }[];
    const byAddress = new Map(rows.map((r) => [r.address, r.account]));
    const { height, utxos } = await this.utxos(rows.map((r) => r.address));
    const seen = this.db.prepare('SELECT 1 FROM api_deposits WHERE txid = ? AND vout = ?');
    const record = this.db.prepare('INSERT INTO api_deposits (txid, vout, account, amount_sat, height, seq) VALUES (?, ?, ?, ?, ?, ?)');
    // The latest depth at which a sweep may still be broadcast and confirm before the refund leaf opens.
    const lastSafeDepth = this.refundAfterBlocks - this.sweepMarginBlocks;
    for (const u of utxos) {
      const account = byAddress.get(u.address);
      const depth = height - u.height + 1;
      if (account === undefined || u.height <= 0 || depth < this.confirmations) continue;
      if (seen.get(u.txid, u.vout) !== undefined) continue;
      const sweepDepth = Math.max(depth, u.coinbase ? COINBASE_MATURITY : 0);
      if (sweepDepth > lastSafeDepth) {
        // Crediting it now would let its owner take it back by the refund leaf before the sweep confirms.
        notices.push(`deposit ${u.txid}:${u.vout} not credited: ${u.coinbase ? 'a coinbase (spendable at depth 100) ' : ''}at ${depth} confirmations it cannot be swept with ${this.sweepMarginBlocks} blocks to spare before its refund leaf opens after ${this.refundAfterBlocks}; it is its owner's to refund`);
        continue;
      }
      const { seq } = await credit(account, u.sat, `${u.txid}:${u.vout}`);
      record.run(u.txid, u.vout, account, u.sat, u.height, seq);
      if (seq !== null) this.credited++;
    }
    await this.sweep(height, utxos);
    await this.rebroadcastInDoubt(notices);
    this.notices = notices;
  }

  /** Outpoints of `utxos` (unspent in the chain) that no mempool transaction spends yet. */
  private async unspentInMempool(utxos: Utxo[]): Promise<Utxo[]> {
    const outs = await this.rpc.batch<unknown>(utxos.map((u) => ({ method: 'gettxout', params: [u.txid, u.vout, true] })));
    return utxos.filter((_, i) => outs[i] !== null);
  }

  private input(tx: Transaction, u: Utxo, accountOf: (address: string) => string | undefined): void {
    const change = this.changePayment();
    const pay = u.address === change.address ? change : this.payment(accountOf(u.address)!);
    tx.addInput({
      txid: u.txid,
      index: u.vout,
      witnessUtxo: { script: pay.script, amount: BigInt(u.sat) },
      tapInternalKey: pay.tapInternalKey,
      ...('tapMerkleRoot' in pay ? { tapMerkleRoot: (pay as { tapMerkleRoot: Uint8Array }).tapMerkleRoot } : {}),
    });
  }

  /**
   * Moves every credited deposit still unspent (chain and mempool) to the operator's own key in one
   * transaction, so its refund leaf can never spend it. The txid is on the rows before the broadcast;
   * a sweep the node refused or dropped leaves the outpoint unspent, and the next scan sweeps it again.
   */
  private async sweep(height: number, utxos: Utxo[]): Promise<void> {
    const credited = this.db.prepare('SELECT txid, vout, account FROM api_deposits').all() as { txid: string; vout: number; account: string }[];
    const accountOf = new Map(credited.map((c) => [`${c.txid}:${c.vout}`, c.account]));
    const due = utxos.filter((u) => accountOf.has(`${u.txid}:${u.vout}`) && u.height > 0 && (!u.coinbase || height - u.height + 1 >= COINBASE_MATURITY));
    if (due.length === 0) return;
    const chosen = await this.unspentInMempool(due);
    if (chosen.length === 0) return;
    const total = chosen.reduce((t, u) => t + u.sat, 0);
    const fee = feeFor(chosen.length, 1);
    if (total - fee < DUST) return;
    const tx = new Transaction();
    const accountByAddress = new Map(chosen.map((u) => [u.address, accountOf.get(`${u.txid}:${u.vout}`)]));
    for (const u of chosen) this.input(tx, u, (a) => accountByAddress.get(a));
    tx.addOutput({ script: this.changePayment().script, amount: BigInt(total - fee) });
    tx.sign(this.operatorSk);
    tx.finalize();
    const mark = this.db.prepare('UPDATE api_deposits SET sweep_txid = ? WHERE txid = ? AND vout = ?');
    this.db.transaction(() => chosen.forEach((u) => mark.run(tx.id, u.txid, u.vout)))();
    await this.rpc.call<string>('sendrawtransaction', [tx.hex]);
    this.swept += chosen.length;
  }

  /** Payouts whose broadcast outcome was unknown: the debit stood, so the signed tx goes out again. */
  private async rebroadcastInDoubt(notices: string[]): Promise<void> {
    const rows = this.db.prepare("SELECT seq, txid, tx_hex FROM api_withdrawals WHERE error LIKE 'in doubt%' AND tx_hex IS NOT NULL").all() as { seq: number; txid: string; tx_hex: string }[];
    for (const r of rows) {
      try {
        if (!(await this.isKnown(r.txid))) await this.rpc.call<string>('sendrawtransaction', [r.tx_hex]);
        this.db.prepare('UPDATE api_withdrawals SET error = NULL WHERE seq = ?').run(r.seq);
      } catch (e) {
        notices.push(`withdrawal ${r.seq} (txid ${r.txid}) is debited and its payout not yet accepted: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  /** Polls every `ms` (and after each block, when the caller calls scan itself). */
  start(ms: number, credit: ChainCredit): void {
    const loop = (): void => {
      this.scan(credit)
        .then(() => (this.lastError = this.notices.length > 0 ? this.notices.join('; ') : undefined))
        .catch((e: unknown) => (this.lastError = e instanceof Error ? e.message : String(e)))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, ms);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  /**
   * Builds and signs the payout of an applied Withdraw command, and records its txid and the signed tx
   * before anything is sent: after a failed broadcast, the caller asks isKnown(txid) before reversing.
   */
  async prepare(w: PayoutRequest): Promise<{ txid: string; broadcast(): Promise<void> }> {
    const credited = this.db.prepare('SELECT txid, vout FROM api_deposits').all() as { txid: string; vout: number }[];
    const ok = new Set(credited.map((c) => `${c.txid}:${c.vout}`));
    const change = this.changePayment();
    const addrRows = this.db.prepare('SELECT account, address FROM api_deposit_addresses').all() as { account: string; address: string }[];
    const { utxos } = await this.utxos([...addrRows.map((r) => r.address), change.address]);
    // Spendable: the operator's own coins (sweeps, change) and credited deposits not yet swept, none
    // already spent by a mempool tx; coinbase maturity is the node's to enforce.
    const confirmed = utxos.filter((u) => u.height > 0 && (u.address === change.address || ok.has(`${u.txid}:${u.vout}`)));
    const pool = (confirmed.length > 0 ? await this.unspentInMempool(confirmed) : []).sort((a, b) => b.sat - a.sat);
    const accounts = new Map(addrRows.map((r) => [r.address, r.account]));
    const chosen: Utxo[] = [];
    let total = 0;
    for (const u of pool) {
      if (total >= w.amountSat + feeFor(chosen.length, 2)) break;
      chosen.push(u);
      total += u.sat;
    }
    const fee = feeFor(chosen.length, 2);
    if (total < w.amountSat + fee) throw new HashPerpError('custody_insufficient', `the operator holds ${total} sat in confirmed deposits; ${w.amountSat + fee} needed`);
    const tx = new Transaction();
    for (const u of chosen) this.input(tx, u, (a) => accounts.get(a));
    tx.addOutputAddress(w.address, BigInt(w.amountSat), this.net);
    const rest = total - w.amountSat - fee;
    if (rest >= DUST) tx.addOutput({ script: change.script, amount: BigInt(rest) });
    tx.sign(this.operatorSk);
    tx.finalize();
    const txid = tx.id;
    const hex = tx.hex;
    this.db
      .prepare('INSERT OR REPLACE INTO api_withdrawals (seq, account, amount_sat, address, txid, error, tx_hex) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(w.seq, w.account, w.amountSat, w.address, txid, 'signed, not yet broadcast', hex);
    return {
      txid,
      broadcast: async () => {
        await this.rpc.call<string>('sendrawtransaction', [hex]);
      },
    };
  }

  /** Whether the node has `txid` in its mempool or in the chain (an output of it unspent). */
  async isKnown(txid: string): Promise<boolean> {
    try {
      await this.rpc.call('getmempoolentry', [txid]);
      return true;
    } catch (e) {
      if (!(e instanceof RpcError && e.rpcCode === RPC_INVALID_ADDRESS_OR_KEY)) throw e;
    }
    // Not in the mempool: mined? (getrawtransaction would need -txindex; a fresh payout's outputs are unspent.)
    const row = this.db.prepare('SELECT tx_hex FROM api_withdrawals WHERE txid = ?').get(txid) as { tx_hex: string | null } | undefined;
    const outputs = row?.tx_hex ? Transaction.fromRaw(hexToBytes(row.tx_hex)).outputsLength : 2;
    const outs = await this.rpc.batch<unknown>(Array.from({ length: outputs }, (_, i) => ({ method: 'gettxout', params: [txid, i, false] })));
    return outs.some((o) => o !== null);
  }

  recordPaid(w: PayoutRequest, txid: string): void {
    this.db.prepare('UPDATE api_withdrawals SET txid = ?, error = NULL WHERE seq = ?').run(txid, w.seq);
  }

  /** The broadcast failed and the node could not say whether it has the tx: the debit stands, the scan rebroadcasts. */
  recordInDoubt(w: PayoutRequest, txid: string, why: string): void {
    this.db.prepare('UPDATE api_withdrawals SET txid = ?, error = ? WHERE seq = ?').run(txid, `in doubt: ${why}`, w.seq);
  }

  recordFailure(w: PayoutRequest, error: string): void {
    this.db.prepare('INSERT OR REPLACE INTO api_withdrawals (seq, account, amount_sat, address, txid, error, tx_hex) VALUES (?, ?, ?, ?, NULL, ?, NULL)').run(w.seq, w.account, w.amountSat, w.address, error);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.scanning?.catch(() => {});
    this.db.close();
  }
}
