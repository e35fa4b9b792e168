// Rollover (one command, atomic): the miner of an expiring contract sells the next tenor starting exactly
// where the old one ends, against resting bids (`book`, fill-or-kill) or with the same investor
// (`counterparty`, both signed). The old contract still settles its remaining days on its own terms.
import type { OrderBook } from '../../book/order-book.js';
import type { EngineEvent } from '../../events.js';
import { FEES, userAccount } from '../../ledger/ledger.js';
import { Rejection } from '../../rejection.js';
import type { ProductContext } from '../product.js';
import { collateralOfValue, contractValueMsat, takerFeeOfValue } from './calculator.js';
import { bad, checkAccount, checkMarket, checkPrice, checkQty, isSafeInt } from './checks.js';
import type { ForwardRolloverCommand } from './commands.js';
import { DAY_BLOCKS, FORWARD_MARKETS, contractCollateral, endHeightOf } from './contract.js';
import { executeOrder, openContract, planFills, takerNeed } from './orders.js';
import type { ForwardState } from './state.js';

export function rollover(s: ForwardState, c: ForwardRolloverCommand, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
  const r = checkAccount(c.account) ?? checkMarket(s, c.market) ?? checkPrice(c.price);
  if (r) return r;
  if (!isSafeInt(c.contractId)) return bad('contractId', 'contractId must be an integer');
  if (c.with !== 'book' && c.with !== 'counterparty') return bad('with', 'with must be "book" or "counterparty"');
  const old = s.contracts.get(c.contractId);
  if (old === undefined) return new Rejection('unknown_contract', `no forward contract ${c.contractId}`, 'contractId');
  if (old.miner !== c.account) return new Rejection('not_owner', 'only the contract\'s miner rolls it', 'account');
  if (old.status === 'closed') return new Rejection('already_settled', 'the contract is closed', 'contractId');
  if (old.rolledInto.length > 0) return new Rejection('not_allowed', 'the contract was already rolled', 'contractId');
  const finalDayStart = old.startHeight + DAY_BLOCKS * (old.days - 1);
  if (ctx.chain.height < finalDayStart) return new Rejection('too_early', `a contract can be rolled from its final day (height ${finalDayStart})`, 'contractId');
  const qty = c.qty ?? old.qtyLots;
  const q = checkQty(qty);
  if (q) return q;
  const days = FORWARD_MARKETS[c.market];
  const start = Math.max(endHeightOf(old), ctx.chain.height + 1);
  const free = ctx.available(userAccount(c.account));
  let opened: number[];
  if (c.with === 'book') {
    const book = s.books.get(c.market) as OrderBook;
    const plan = planFills(book, c.account, 'sell', c.price, qty);
    if (plan.reduce((sum, f) => sum + f.qty, 0) < qty) return new Rejection('fok_not_fillable', 'resting bids cannot fill the whole rollover', 'qty');
    const need = takerNeed('sell', plan, days);
    if (need > free) return new Rejection('insufficient_balance', `collateral needs ${need} msat, ${free} msat free`, 'qty');
    const done = executeOrder(s, c.account, c.market, 'sell', c.price, qty, 'FOK', false, start, old.id, ctx, out);
    if (done instanceof Rejection) return done;
    opened = done;
  } else {
    if (c.investorSigned !== true) return new Rejection('not_allowed', 'a rollover with the same counterparty needs the investor\'s signature', 'investorSigned');
    const value = contractValueMsat({ qtyLots: qty, priceSatPerPHDay: c.price, days });
    const collateral = collateralOfValue(value);
    const fee = takerFeeOfValue(value);
    if (collateral > free) return new Rejection('insufficient_balance', `collateral needs ${collateral} msat, ${free} msat free`, 'qty');
    const invFree = ctx.available(userAccount(old.investor));
    if (value > invFree) return new Rejection('insufficient_balance', `the investor needs ${value} msat free, has ${invFree}`, 'price');
    const cid = s.nextContractId++;
    ctx.ledger.transfer(userAccount(old.miner), contractCollateral(cid), collateral, 'fwd_collateral_lock', out);
    ctx.ledger.transfer(userAccount(old.investor), userAccount(old.miner), value, 'fwd_upfront', out);
    ctx.ledger.transfer(userAccount(old.miner), FEES, fee, 'taker_fee', out);
    openContract(s, cid, c.market, days, old.miner, old.investor, qty, c.price, value, collateral, start, old.id, out);
    opened = [cid];
  }
  for (const id of opened) {
    old.rolledInto.push(id);
    out.push({ type: 'ForwardRolledOver', account: c.account, fromContractId: old.id, toContractId: id, with: c.with });
  }
  return undefined;
}
