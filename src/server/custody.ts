/**
 * On-chain deposits and withdrawals for `serve --chain bitcoind` (the node needs no wallet).
 *
 * CUSTODIAL, and off unless `--custodial-deposits` (HASHPERP_CUSTODIAL_DEPOSITS=1) is given: the
 * operator's key spends every deposit by key path, so users trust the operator with these coins.
 * The default way in and out is through the user's own Ark wallet (ark-funding.ts). Known defects
 * (issue 15), not fixed here: after the refund timeout a depositor can spend the refund leaf of a
 * deposit already credited (and withdrawn); a pay() error reverses the debit even when the node
 * already accepted the transaction.
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
 * Withdrawals: the Withdraw command is journaled and applied first (the engine refuses anything
 * over the free balance); then the operator spends credited deposit UTXOs and its own change
 * (key path), pays the address, and broadcasts; the txid is recorded in `api_withdrawals`. If the
 * payout cannot be built or broadcast, the debit is reversed with a Deposit command.
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
import { BitcoindRpc } from '../chain/rpc-client.js';
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
}

/** Credits `outpoint` to `account` once; seq null: the engine had already credited it. */
export type ChainCredit = (account: string, amountSat: number, outpoint: string) => Promise<{ seq: number | null }>;

const FEE_RATE_SAT_VB = 2;
const DUST = 330;

export interface CustodyOptions {
  rpc: string;
  /** SQLite file for the api_ tables (the server's db). */
  sqlitePath: string;
  network: 'mainnet' | 'regtest';
  confirmations: number;
  refundAfterBlocks?: number;
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
  private scanning: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  credited = 0;
  lastError: string | undefined;

  constructor(opts: CustodyOptions) {
    this.rpc = new BitcoindRpc(opts.rpc);
    this.net = NETWORKS[opts.network];
    this.confirmations = Math.max(1, opts.confirmations);
    this.refundAfterBlocks = opts.refundAfterBlocks ?? 1008;
    this.db = openSideConnection(opts.sqlitePath);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS api_deposit_addresses (account TEXT PRIMARY KEY, address TEXT NOT NULL UNIQUE);
      CREATE TABLE IF NOT EXISTS api_deposits (txid TEXT NOT NULL, vout INTEGER NOT NULL, account TEXT NOT NULL, amount_sat INTEGER NOT NULL, height INTEGER NOT NULL, seq INTEGER, PRIMARY KEY (txid, vout));
      CREATE TABLE IF NOT EXISTS api_withdrawals (seq INTEGER PRIMARY KEY, account TEXT NOT NULL, amount_sat INTEGER NOT NULL, address TEXT NOT NULL, txid TEXT, error TEXT);`);
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
      this.rpc.call<{ height: number; unspents: { txid: string; vout: number; amount: number; height: number; scriptPubKey: string }[] }>('scantxoutset', [
        'start',
        addresses.map((a) => ({ desc: `addr(${a})` })),
      ]),
    );
    // The node answers with the output script (its descriptor form is inferred, not the addr() we sent).
    const byScript = new Map(addresses.map((a) => [bytesToHex(OutScript.encode(Address(this.net).decode(a))), a]));
    return {
      height: r.height,
      utxos: r.unspents.map((u) => ({ txid: u.txid, vout: u.vout, sat: Math.round(u.amount * 1e8), height: u.height, address: byScript.get(u.scriptPubKey) ?? '' })),
    };
  }

  /** One scan: credits every deposit with enough confirmations that was not credited before. */
  scan(credit: ChainCredit): Promise<void> {
    // scantxoutset runs one at a time per node; so do we.
    this.scanning ??= this.doScan(credit).finally(() => (this.scanning = undefined));
    return this.scanning;
  }

  private async doScan(credit: ChainCredit): Promise<void> {
    const rows = this.db.prepare('SELECT account, address FROM api_deposit_addresses').all() as { account: string; address: string }[];
    const byAddress = new Map(rows.map((r) => [r.address, r.account]));
    const { height, utxos } = await this.utxos(rows.map((r) => r.address));
    const seen = this.db.prepare('SELECT 1 FROM api_deposits WHERE txid = ? AND vout = ?');
    const record = this.db.prepare('INSERT INTO api_deposits (txid, vout, account, amount_sat, height, seq) VALUES (?, ?, ?, ?, ?, ?)');
    for (const u of utxos) {
      const account = byAddress.get(u.address);
      if (account === undefined || u.height <= 0 || height - u.height + 1 < this.confirmations) continue;
      if (seen.get(u.txid, u.vout) !== undefined) continue;
      const { seq } = await credit(account, u.sat, `${u.txid}:${u.vout}`);
      record.run(u.txid, u.vout, account, u.sat, u.height, seq);
      if (seq !== null) this.credited++;
    }
  }

  /** Polls every `ms` (and after each block, when the caller calls scan itself). */
  start(ms: number, credit: ChainCredit): void {
    const loop = (): void => {
      this.scan(credit)
        .then(() => (this.lastError = undefined))
        .catch((e: unknown) => (this.lastError = e instanceof Error ? e.message : String(e)))
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(loop, ms);
        });
    };
    this.timer = setTimeout(loop, 0);
  }

  /** Builds, signs and broadcasts the payout of an applied Withdraw command; returns the txid. */
  async pay(w: { account: string; amountSat: number; address: string; seq: number }): Promise<string> {
    const credited = this.db.prepare('SELECT txid, vout FROM api_deposits').all() as { txid: string; vout: number }[];
    const ok = new Set(credited.map((c) => `${c.txid}:${c.vout}`));
    const change = this.changePayment();
    const addrs = (this.db.prepare('SELECT address FROM api_deposit_addresses').all() as { address: string }[]).map((r) => r.address);
    const { height, utxos } = await this.utxos([...addrs, change.address]);
    // Spendable: credited deposits and the operator's own change; coinbase maturity is the node's to enforce.
    const pool = utxos.filter((u) => u.height > 0 && height - u.height + 1 >= 1 && (u.address === change.address || ok.has(`${u.txid}:${u.vout}`))).sort((a, b) => b.sat - a.sat);
    const accounts = new Map((this.db.prepare('SELECT account, address FROM api_deposit_addresses').all() as { account: string; address: string }[]).map((r) => [r.address, r.account]));
    const chosen: Utxo[] = [];
    let total = 0;
    const feeFor = (nIn: number, nOut: number): number => Math.ceil(11 + 58 * nIn + 43 * nOut) * FEE_RATE_SAT_VB;
    for (const u of pool) {
      if (total >= w.amountSat + feeFor(chosen.length, 2)) break;
      chosen.push(u);
      total += u.sat;
    }
    const fee = feeFor(chosen.length, 2);
    if (total < w.amountSat + fee) throw new HashPerpError('custody_insufficient', `the operator holds ${total} sat in confirmed deposits; ${w.amountSat + fee} needed`);
    const tx = new Transaction();
    for (const u of chosen) {
      const pay = u.address === change.address ? change : this.payment(accounts.get(u.address)!);
      tx.addInput({
        txid: u.txid,
        index: u.vout,
        witnessUtxo: { script: pay.script, amount: BigInt(u.sat) },
        tapInternalKey: pay.tapInternalKey,
        ...('tapMerkleRoot' in pay ? { tapMerkleRoot: (pay as { tapMerkleRoot: Uint8Array }).tapMerkleRoot } : {}),
      });
    }
    tx.addOutputAddress(w.address, BigInt(w.amountSat), this.net);
    const rest = total - w.amountSat - fee;
    if (rest >= DUST) tx.addOutput({ script: change.script, amount: BigInt(rest) });
    tx.sign(this.operatorSk);
    tx.finalize();
    const txid = await this.rpc.call<string>('sendrawtransaction', [tx.hex]);
    this.db.prepare('INSERT OR REPLACE INTO api_withdrawals (seq, account, amount_sat, address, txid) VALUES (?, ?, ?, ?, ?)').run(w.seq, w.account, w.amountSat, w.address, txid);
    return txid;
  }

  recordFailure(w: { account: string; amountSat: number; address: string; seq: number }, error: string): void {
    this.db.prepare('INSERT OR REPLACE INTO api_withdrawals (seq, account, amount_sat, address, txid, error) VALUES (?, ?, ?, ?, NULL, ?)').run(w.seq, w.account, w.amountSat, w.address, error);
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.scanning?.catch(() => {});
    this.db.close();
  }
}
