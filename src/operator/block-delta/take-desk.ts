/**
 * Taking a block-delta position straight from the Ark wallet: one Ark tx the taker signs spends its
 * stake VTXO(s) and the operator's liquidity L into the contract VTXO (the whole payout), in the same
 * step as the engine fills the order.
 *
 * 1. prepare (taker): the desk reads the book (the levels a fill-or-kill order at the limit would reach),
 *    prices the stake and the taker fee, and builds the tx: the contract VTXO (output 0), L's output (its
 *    change plus what the taker pays beyond its stake: the fee and a rounding margin, which stay on the
 *    taker's exchange balance), the taker's change. L signs its inputs; the contract goes to the guard.
 * 2. sign (taker): its inputs and their checkpoints, each signature verified.
 * 3. the engine first (BdcTakeWithArk: the stake booked from this tx, the order filled in full or refused,
 *    the taker's positions funded by output 0); only if it fills, the tx is submitted and finalized.
 *
 * A book that moved (not fillable at the limit any more) refuses in step 3 and nothing is submitted. One
 * window remains: the engine filled but the operator then refused the tx (its inputs spent meanwhile);
 * the reconciliation names the position whose VTXO does not exist, for the operator to settle by hand.
 *
 * Resting (maker) orders cannot work this way, since they fill while their owner is offline: their stake
 * comes in by the owner's deposit and the desk funds their contract from L (desk.ts).
 */
import { base64, hex } from '@scure/base';
import { Transaction, type RelativeTimelock } from '@arkade-os/sdk';
import type { Command } from '../../engine/commands.js';
import type { Exchange } from '../../engine/exchange.js';
import { bdcModuleOf, userOwner } from '../../engine/products/bdc/index.js';
import { bookSide, stakeMsat, takerFeeMsat } from '../../engine/products/bdc/terms.js';
import { buildBlockDeltaVtxo, type BdcSide } from '../../bitcoin/vtxo-scripts.js';
import { ownerVtxoScript, payTx } from '../../bitcoin/block-delta-tx.js';
import { HashPerpError, InvalidArgumentError } from '../../units/errors.js';
import type { ArkServicePort } from '../ark/ports.js';
import type { ArkStore } from '../ark/ark-store.js';
import type { LiquidityWallet } from '../liquidity.js';
import { outlives, type ContractTermsRecord } from './contract-guard.js';
import { merge, walletCoin } from './swap-desk.js';
import { parsePsbt, psbtOf, submitPreSigned } from '../../wallet/cosign.js';
import { Serial } from '../serial.js';

export interface TakeDeskDeps {
  store: ArkStore;
  ark: Pick<ArkServicePort, 'submitTx' | 'finalizeTx'>;
  liquidity: LiquidityWallet;
  registerContract(t: ContractTermsRecord): void;
  contractKey(account: string): string | undefined;
  operatorXOnly: Uint8Array;
  exitDelay: RelativeTimelock;
  checkpointTapscript: Uint8Array;
  dust: bigint;
  window: { blocks: number; seconds: number };
  engine: { submit(c: Command): Promise<{ events: { type: string }[] }>; readonly exchange: Exchange };
  now(): number;
}

export interface TakeRequest {
  series: string;
  side: BdcSide;
  /** Limit, FAST bps. */
  price: number;
  qty: number;
  inputs: { txid: string; vout: number; tapTree: string }[];
}

export interface PendingTake {
  takeId: string;
  account: string;
  series: string;
  side: BdcSide;
  price: number;
  qty: number;
  userKey: string;
  /** What the taker's inputs pay in (its stake, the fee and the rounding margin), sat. */
  depositSat: number;
  stakeSat: number;
  arkTx: string;
  checkpoints: string[];
  unsignedCheckpoints: string[];
  userInputs: number[];
  status: 'signing' | 'recorded' | 'refused' | 'filled-unpaid';
  reason?: string;
  positions?: string[];
  createdAt: number;
  /** L's coins in the tx, reserved until it is finalized or refused. */
  liquidityInputs: string[];
}

/** How long L's coins stay reserved for a take that is not signed. */
const RESERVE_MS = 5 * 60_000;

const KIND = 'bdc-take';
const psbt = psbtOf;
const parse = parsePsbt;

export class TakeDesk {
  private readonly queue = new Serial();

  constructor(private readonly d: TakeDeskDeps) {}

  private serial<T>(job: () => Promise<T>): Promise<T> {
    return this.queue.run(job);
  }

  prepare(account: string, r: TakeRequest): Promise<PendingTake> {
    return this.serial(async () => {
      const key = this.d.contractKey(account);
      if (key === undefined) throw new HashPerpError('not_allowed', 'register your contract key first (POST /v1/bdc/contract-key)', { field: 'key' });
      const owner = userOwner(account);
      if (owner === undefined) throw new InvalidArgumentError('account', 'not an account id');
      const bdc = bdcModuleOf(this.d.engine.exchange);
      const s = bdc.getSeries(r.series);
      if (s === undefined || s.status !== 'open') throw new HashPerpError('unknown_series', `no open series ${r.series}`, { field: 'series' });
      const levels = s.book.reachable(bookSide(r.side), r.price, r.qty, owner);
      const reach = levels.reduce((t, l) => t + l.qty, 0);
      if (reach < r.qty) throw new HashPerpError('fok_not_fillable', `only ${reach} of ${r.qty} contracts reachable at ${r.price} bps`, { field: 'qty' });
      // Stake and fee at the prices the fill will reach (price-time priority fills level by level).
      let left = r.qty;
      let stake = 0n;
      let fee = 0n;
      for (const l of levels) {
        const q = Math.min(left, l.qty);
        const st = stakeMsat(r.side, l.price, s.payoutSat, q);
        stake += st;
        fee += takerFeeMsat(st);
        left -= q;
        if (left === 0) break;
      }
      const stakeSat = stake / 1000n;
      // Per-fill fee rounding can differ from per-level: a sat of margin per level; the rest stays on the balance.
      const depositSat = stakeSat + (fee + 999n) / 1000n + BigInt(levels.length);
      const amount = BigInt(r.qty * s.payoutSat);
      const contract = buildBlockDeltaVtxo({ user: hex.decode(key), operator: this.d.operatorXOnly, userSide: r.side, targetHeight: s.height, deadline: s.deadline, exitDelay: this.d.exitDelay });
      const terms: ContractTermsRecord = {
        script: hex.encode(contract.vtxoScript.pkScript), user: key, operator: hex.encode(this.d.operatorXOnly), side: r.side, height: s.height, deadline: s.deadline,
        exitDelay: Number(this.d.exitDelay.value), payoutSat: BigInt(s.payoutSat), series: s.id, account, registeredAt: Math.floor(this.d.now() / 1000),
      };
      const userInputs = r.inputs.map((i, k) => walletCoin(this.d.store, this.d.operatorXOnly, i, key, `inputs[${k}]`));
      const userIn = userInputs.reduce((t, c) => t + BigInt(c.value), 0n);
      if (userIn < depositSat) throw new HashPerpError('insufficient_balance', `your inputs hold ${userIn} sat; the stake, fee and margin are ${depositSat} sat`, { field: 'inputs' });
      // L covers the rest of the payout from coins that outlive the series (the lifetime rule).
      const tip = this.d.engine.exchange.chainTip();
      const need = amount - stakeSat;
      const lCoins = [];
      let lIn = 0n;
      for (const c of this.d.liquidity.coins(tip.height)) {
        if (!outlives(c.expiresAt, terms, this.d.window, tip)) continue;
        lCoins.push(this.d.liquidity.spendable(c));
        lIn += c.amount;
        if (lIn >= need) break;
      }
      if (lIn < need) throw new HashPerpError('liquidity_short', `the operator's liquidity cannot fund ${need} sat of this contract now`, { field: 'qty' });
      // Held for this take while the taker signs (other payments from L must not spend them meanwhile).
      this.d.liquidity.reserve(lCoins.map((c) => `${c.txid}:${c.vout}`), RESERVE_MS, this.d.now());
      const inputs = [...userInputs, ...lCoins];
      const tx = payTx(
        inputs,
        [
          { script: contract.vtxoScript.pkScript, amount },
          { script: this.d.liquidity.script, amount: lIn - need + (depositSat - stakeSat) },
        ],
        ownerVtxoScript(hex.decode(key), this.d.operatorXOnly, this.d.exitDelay),
        this.d.dust,
        this.d.checkpointTapscript,
      );
      this.d.registerContract(terms);
      // L signs its own inputs and their checkpoints now; the taker signs its own next.
      const lIdx = lCoins.map((_, k) => userInputs.length + k);
      const arkTx = await this.d.liquidity.sign(tx.arkTx, lIdx);
      const cps = await Promise.all(tx.checkpoints.map(async (c, i) => (lIdx.includes(i) ? this.d.liquidity.sign(c, [0]) : c)));
      const rec: PendingTake = {
        takeId: tx.arkTx.id, account, series: s.id, side: r.side, price: r.price, qty: r.qty, userKey: key, depositSat: Number(depositSat), stakeSat: Number(stakeSat),
        arkTx: psbt(arkTx), checkpoints: cps.map(psbt), unsignedCheckpoints: tx.checkpoints.map(psbt), userInputs: userInputs.map((_, k) => k),
        status: 'signing', createdAt: Math.floor(this.d.now() / 1000), liquidityInputs: lCoins.map((c) => `${c.txid}:${c.vout}`),
      };
      this.d.store.commit({ meta: [{ kind: KIND, id: rec.takeId, value: rec }] });
      return rec;
    });
  }

  takesOf(account: string): PendingTake[] {
    return (this.d.store.metaAll(KIND) as PendingTake[]).filter((t) => t.account === account).sort((a, b) => b.createdAt - a.createdAt);
  }

  sign(account: string, takeId: string, arkTx: string, checkpoints: string[]): Promise<PendingTake> {
    return this.serial(async () => {
      const rec = this.d.store.meta(KIND, takeId) as PendingTake | undefined;
      if (rec === undefined || rec.account !== account) throw new HashPerpError('unknown_offer', `no take ${takeId} of this account`, { field: 'takeId' });
      if (rec.status !== 'signing') throw new HashPerpError('not_allowed', `take ${takeId} is ${rec.status}`, { field: 'takeId' });
      const pending = parse(rec.arkTx, 'arkTx');
      const theirs = parse(arkTx, 'arkTx');
      if (theirs.id !== pending.id) throw new InvalidArgumentError('arkTx', 'not the take’s Ark tx');
      if (checkpoints.length !== rec.checkpoints.length) throw new InvalidArgumentError('checkpoints', `expected ${rec.checkpoints.length} checkpoints`);
      const cps = rec.checkpoints.map((c, i) => parse(c, `checkpoints[${i}]`));
      for (const i of rec.userInputs) {
        merge(pending, theirs, i, rec.userKey, `arkTx.inputs[${i}]`);
        const cp = parse(checkpoints[i]!, `checkpoints[${i}]`);
        if (cp.id !== cps[i]!.id) throw new InvalidArgumentError(`checkpoints[${i}]`, 'not the take’s checkpoint');
        merge(cps[i]!, cp, 0, rec.userKey, `checkpoints[${i}]`);
      }
      // The engine first: the order fills in full at the limit, or nothing is submitted.
      const ack = await this.d.engine.submit({
        type: 'BdcTakeWithArk', account, series: rec.series, side: rec.side, price: rec.price, qty: rec.qty, arkTxid: rec.takeId, vtxo: `${rec.takeId}:0`, depositSat: rec.depositSat,
      } as Command);
      const refused = ack.events.find((e) => e.type === 'CommandRejected') as { message?: string } | undefined;
      if (refused) return this.save({ ...rec, status: 'refused', reason: refused.message ?? 'refused by the engine' });
      const positions = (ack.events as { type: string; positionId?: string; account?: string }[]).filter((e) => e.type === 'BdcPositionFunded' && e.account === account).map((e) => e.positionId!);
      try {
        await submitPreSigned(this.d.ark, psbt(pending), rec.unsignedCheckpoints, cps);
      } catch (e) {
        return this.save({ ...rec, status: 'filled-unpaid', positions, reason: `the engine filled the order but the operator refused the tx: ${e instanceof Error ? e.message : String(e)}` });
      }
      const done: PendingTake = { ...rec, status: 'recorded', positions };
      this.d.liquidity.release(rec.liquidityInputs);
      this.d.store.commit({
        meta: [
          { kind: KIND, id: rec.takeId, value: done },
          // The desk's documents of decided contracts rest on these records.
          ...positions.map((positionId) => ({ kind: 'bdc-funding', id: positionId, value: { positionId, account, script: hex.encode(pending.getOutput(0).script!), amount: pending.getOutput(0).amount!, arkTxid: rec.takeId } })),
        ],
      });
      return done;
    });
  }

  private save(t: PendingTake): PendingTake {
    this.d.store.commit({ meta: [{ kind: KIND, id: t.takeId, value: t }] });
    if (t.status !== 'signing') this.d.liquidity.release(t.liquidityInputs);
    return t;
  }
}
