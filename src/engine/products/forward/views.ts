// Forward positions as swap offers and the portfolio see them (`c<contractId>:miner|investor`), and the
// move of one side to another account: the collateral and day history belong to the contract and stay.
import type { EngineEvent } from '../../events.js';
import { Rejection } from '../../rejection.js';
import { bad, bareAccount, checkAccount } from './checks.js';
import { endHeightOf, type ForwardContract } from './contract.js';
import type { ForwardState } from './state.js';

/** A forward position as swap offers and the portfolio show it. */
export interface ForwardPositionView {
  product: 'forward';
  positionId: string;
  contractId: number;
  side: 'miner' | 'investor';
  holder: string;
  counterparty: string;
  market: string;
  qtyLots: number;
  price: number;
  days: number;
  startHeight: number;
  endHeight: number;
  daysSettled: number;
  daysAwaitingReport: number;
  valueMsat: bigint;
  collateralMsat: bigint;
  collateralRemainingMsat: bigint;
  deliveredMsat: bigint;
  status: 'open' | 'closed';
}

export function positionView(k: ForwardContract, side: 'miner' | 'investor'): ForwardPositionView {
  return {
    product: 'forward', positionId: `c${k.id}:${side}`, contractId: k.id, side,
    holder: side === 'miner' ? k.miner : k.investor, counterparty: side === 'miner' ? k.investor : k.miner,
    market: k.market, qtyLots: k.qtyLots, price: k.price, days: k.days, startHeight: k.startHeight, endHeight: endHeightOf(k),
    daysSettled: k.history.filter((d) => d.status !== 'awaiting').length,
    daysAwaitingReport: k.history.filter((d) => d.status === 'awaiting').length,
    valueMsat: k.valueMsat, collateralMsat: k.collateralMsat, collateralRemainingMsat: k.collateralMsat - k.releasedMsat,
    deliveredMsat: k.history.reduce((s, d) => s + d.deliveredMsat, 0n), status: k.status,
  };
}

export function parsePositionId(id: unknown): { contractId: number; side: 'miner' | 'investor' } | undefined {
  if (typeof id !== 'string') return undefined;
  const m = /^c([1-9][0-9]{0,14}):(miner|investor)$/.exec(id);
  return m === null ? undefined : { contractId: Number(m[1]), side: m[2] as 'miner' | 'investor' };
}

export function transferPosition(s: ForwardState, positionId: string, from: string, to: string, out: EngineEvent[]): Rejection | undefined {
  const p = parsePositionId(positionId);
  if (p === undefined) return new Rejection('unknown_position', `not a forward position: ${String(positionId)}`, 'positionId');
  const k = s.contracts.get(p.contractId);
  if (k === undefined) return new Rejection('unknown_position', `no forward contract ${p.contractId}`, 'positionId');
  if (typeof from !== 'string' || typeof to !== 'string') return bad('to', 'from and to must be accounts');
  const src = bareAccount(from);
  const dst = bareAccount(to);
  const r = checkAccount(dst);
  if (r) return new Rejection('invalid_argument', r.message, 'to');
  if (k.status === 'closed') return new Rejection('already_settled', `contract ${k.id} is closed`, 'positionId');
  const holder = p.side === 'miner' ? k.miner : k.investor;
  if (holder !== src) return new Rejection('not_owner', `${src} does not hold ${positionId}`, 'positionId');
  if (dst === src) return bad('to', 'the position already belongs to that account');
  const other = p.side === 'miner' ? k.investor : k.miner;
  if (dst === other) return new Rejection('not_allowed', 'an account cannot hold both sides of a contract', 'to');
  if (p.side === 'miner') k.miner = dst;
  else k.investor = dst;
  out.push({ type: 'ForwardPositionTransferred', contractId: k.id, side: p.side, from: src, to: dst });
  return undefined;
}

export function describePosition(s: ForwardState, positionId: string, owner: string): ForwardPositionView | undefined {
  const p = parsePositionId(positionId);
  const k = p === undefined ? undefined : s.contracts.get(p.contractId);
  if (p === undefined || k === undefined || typeof owner !== 'string') return undefined;
  if ((p.side === 'miner' ? k.miner : k.investor) !== bareAccount(owner)) return undefined;
  return positionView(k, p.side);
}
