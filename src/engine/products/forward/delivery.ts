// Daily delivery. At the last block of a contract day the day's mean index sets the obligation; the miner
// delivers in cash at once (auto-delivery) or the investor reports what arrived off-exchange within the
// grace period. The day's collateral tranche then follows LOKA's rule (reference 002, "Partial Delivery"):
// a full delivery returns the whole 1/n tranche to the miner; any shortfall (partial or none) releases the
// whole tranche to the investor and lets the miner keep the rewards of the hashrate it did deliver. The last
// day closes the contract.
import type { EngineEvent } from '../../events.js';
import { FEES, userAccount } from '../../ledger/ledger.js';
import { minBig } from '../../math.js';
import { Rejection } from '../../rejection.js';
import type { ProductContext } from '../product.js';
import { collateralTranche, dailyRewardsMsat, deliveryFeeOf } from './calculator.js';
import { bad, checkAccount, isSafeInt } from './checks.js';
import type { ForwardDeliveryReportCommand, ForwardSetAutoDeliveryCommand } from './commands.js';
import { DAY_BLOCKS, REPORT_GRACE_BLOCKS, contractCollateral, type DayRecord, type DayStatus, type ForwardContract } from './contract.js';
import type { ForwardState } from './state.js';

const MSAT_RE = /^(0|[1-9][0-9]{0,29})$/;

export function forwardOnBlock(s: ForwardState, ctx: ProductContext, out: EngineEvent[]): void {
  const h = ctx.chain.height;
  const index = ctx.chain.index;
  if (index === undefined) return;
  for (const id of s.open) {
    const k = s.contracts.get(id) as ForwardContract;
    if (h >= k.startHeight) {
      // Heights that jumped past a day's end: end that day on what was seen.
      while (k.nextDay < k.days && h >= k.startHeight + DAY_BLOCKS * (k.nextDay + 1)) endDay(s, k, index, ctx, out);
      if (k.nextDay < k.days) {
        k.daySum += BigInt(index);
        k.dayBlocks++;
        if (h === k.startHeight + DAY_BLOCKS * (k.nextDay + 1) - 1) endDay(s, k, index, ctx, out);
      }
    }
    while (k.awaiting.length > 0 && h >= k.history[k.awaiting[0]].endHeight + REPORT_GRACE_BLOCKS) {
      settleDay(k, k.history[k.awaiting[0]], 0n, 'deadline', ctx, out);
    }
    maybeClose(s, k, out);
  }
}

function endDay(s: ForwardState, k: ForwardContract, fallbackIndex: number, ctx: ProductContext, out: EngineEvent[]): void {
  const mean = k.dayBlocks > 0 ? Number(k.daySum / BigInt(k.dayBlocks)) : fallbackIndex;
  const day = k.nextDay;
  const rec: DayRecord = {
    day, endHeight: k.startHeight + DAY_BLOCKS * (day + 1) - 1, meanIndex: mean, obligationMsat: dailyRewardsMsat(k.qtyLots, mean),
    deliveredMsat: 0n, feeMsat: 0n, toMinerMsat: 0n, toInvestorMsat: 0n, status: 'awaiting', via: null,
  };
  k.history.push(rec);
  k.nextDay++;
  k.daySum = 0n;
  k.dayBlocks = 0;
  if (s.autoDelivery.has(k.miner)) {
    const delivered = minBig(rec.obligationMsat, ctx.available(userAccount(k.miner)));
    settleDay(k, rec, delivered, 'cash', ctx, out);
  } else {
    k.awaiting.push(day);
    out.push({
      type: 'ForwardDayAwaitingReport', contractId: k.id, day, meanIndex: mean, obligationMsat: rec.obligationMsat,
      deadlineHeight: rec.endHeight + REPORT_GRACE_BLOCKS,
    });
  }
}

function settleDay(k: ForwardContract, rec: DayRecord, delivered: bigint, via: 'cash' | 'report' | 'deadline', ctx: ProductContext, out: EngineEvent[]): void {
  const L = ctx.ledger;
  const miner = userAccount(k.miner);
  const investor = userAccount(k.investor);
  const tranche = collateralTranche(k.collateralMsat, k.days, rec.day);
  const full = delivered >= rec.obligationMsat;
  let fee = 0n;
  let toMiner = 0n;
  if (full) {
    // Delivered: the rewards reach the investor (less 0.5 %), the day's tranche returns to the miner.
    fee = deliveryFeeOf(delivered);
    if (via === 'cash') {
      L.transfer(miner, investor, delivered - fee, 'fwd_delivery', out);
      L.transfer(miner, FEES, fee, 'fwd_delivery_fee', out);
    } else {
      fee = minBig(fee, ctx.available(investor));
      L.transfer(investor, FEES, fee, 'fwd_delivery_fee', out);
    }
    toMiner = tranche;
  } else if (delivered > 0n && via === 'report') {
    // LOKA: short of the required hashrate, the investor takes the whole tranche and the miner keeps the
    // rewards of the hashrate it did deliver. Those arrived at the investor off-exchange, so they go back to
    // the miner from the investor's balance (as far as it is free). On the cash path nothing is taken from
    // the miner in the first place. No delivery fee: nothing was delivered to the investor.
    L.transfer(investor, miner, minBig(delivered, ctx.available(investor)), 'fwd_delivery', out);
  }
  const toInvestor = tranche - toMiner;
  L.transfer(contractCollateral(k.id), miner, toMiner, 'fwd_collateral_release', out);
  L.transfer(contractCollateral(k.id), investor, toInvestor, 'fwd_collateral_release', out);
  k.releasedMsat += tranche;
  rec.deliveredMsat = delivered;
  rec.feeMsat = fee;
  rec.toMinerMsat = toMiner;
  rec.toInvestorMsat = toInvestor;
  rec.via = via;
  if (k.awaiting.includes(rec.day)) k.awaiting = k.awaiting.filter((d) => d !== rec.day);
  rec.status = full ? 'delivered' : delivered > 0n ? 'partial' : 'missed';
  if (rec.status === 'missed') {
    out.push({ type: 'ForwardDayMissed', contractId: k.id, day: rec.day, meanIndex: rec.meanIndex, obligationMsat: rec.obligationMsat, via });
  } else {
    out.push({
      type: 'ForwardDayDelivered', contractId: k.id, day: rec.day, meanIndex: rec.meanIndex, obligationMsat: rec.obligationMsat,
      deliveredMsat: delivered, feeMsat: fee, via: via === 'cash' ? 'cash' : 'report',
    });
  }
  out.push({
    type: 'ForwardCollateralReleased', contractId: k.id, day: rec.day, toMinerMsat: toMiner, toInvestorMsat: toInvestor,
    remainingMsat: k.collateralMsat - k.releasedMsat,
  });
}

/** Closes a contract whose every day ended and was settled. */
function maybeClose(s: ForwardState, k: ForwardContract, out: EngineEvent[]): void {
  if (k.status !== 'open' || k.nextDay < k.days || k.awaiting.length > 0) return;
  k.status = 'closed';
  s.open.delete(k.id);
  const count = (st: DayStatus): number => k.history.filter((d) => d.status === st).length;
  const ev: EngineEvent = {
    type: 'ForwardContractClosed', contractId: k.id, deliveredDays: count('delivered'), partialDays: count('partial'),
    missedDays: count('missed'), deliveredMsat: k.history.reduce((sum, d) => (d.status === 'delivered' ? sum + d.deliveredMsat : sum), 0n),
  };
  if (k.rolledInto.length > 0) ev.rolledInto = k.rolledInto[0];
  out.push(ev);
}

export function setAutoDelivery(s: ForwardState, c: ForwardSetAutoDeliveryCommand, out: EngineEvent[]): Rejection | undefined {
  const r = checkAccount(c.account);
  if (r) return r;
  if (typeof c.enabled !== 'boolean') return bad('enabled', 'enabled must be a boolean');
  if (c.enabled) s.autoDelivery.add(c.account);
  else s.autoDelivery.delete(c.account);
  out.push({ type: 'ForwardAutoDeliverySet', account: c.account, enabled: c.enabled });
  return undefined;
}

export function deliveryReport(s: ForwardState, c: ForwardDeliveryReportCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
  const r = checkAccount(c.account);
  if (r) return r;
  if (!isSafeInt(c.contractId)) return bad('contractId', 'contractId must be an integer');
  if (typeof c.receivedMsat !== 'string' || !MSAT_RE.test(c.receivedMsat)) return bad('receivedMsat', 'receivedMsat must be a decimal string of msat');
  const k = s.contracts.get(c.contractId);
  if (k === undefined) return new Rejection('unknown_contract', `no forward contract ${c.contractId}`, 'contractId');
  if (k.investor !== c.account) return new Rejection('not_owner', 'only the contract\'s investor reports deliveries', 'account');
  if (!isSafeInt(c.day) || c.day < 0 || c.day >= k.days) return bad('day', `day must be an integer in [0, ${k.days})`);
  const rec = k.history[c.day];
  if (rec === undefined) return new Rejection('too_early', `day ${c.day} has not ended`, 'day');
  if (rec.status !== 'awaiting') return new Rejection('already_settled', `day ${c.day} is already settled`, 'day');
  const delivered = minBig(BigInt(c.receivedMsat), rec.obligationMsat);
  settleDay(k, rec, delivered, 'report', ctx, out);
  maybeClose(s, k, out);
  return undefined;
}
