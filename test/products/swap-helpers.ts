// Builders for the swap tests: offer / accept / cancel commands and a refusal check that the state did not move.
import { expect } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { CommandRejected } from '../../src/engine/events.js';
import type { Exchange } from '../../src/engine/exchange.js';
import type { OfferPositionCommand } from '../../src/engine/products/swap/commands.js';
import { Harness, MKT, block, deposit, limit } from '../engine/helpers.js';

export function offerPerp(account: string, qty: number, priceMsat: string, extra: Partial<OfferPositionCommand> = {}): Command {
  return { type: 'OfferPosition', account, product: 'perp', positionId: MKT, qty, priceMsat, ...extra };
}
export function offer(account: string, product: string, positionId: string, priceMsat: string, extra: Partial<OfferPositionCommand> = {}): Command {
  return { type: 'OfferPosition', account, product, positionId, priceMsat, ...extra };
}
export const accept = (account: string, offerId: number): Command => ({ type: 'AcceptOffer', account, offerId });
export const cancel = (account: string, offerId: number): Command => ({ type: 'CancelOffer', account, offerId });

/** Applies `cmd`, expects exactly one CommandRejected with `reason`, and an unchanged state hash. */
export function refused(h: Harness, cmd: Command, reason: CommandRejected['reason'], field?: string): CommandRejected {
  const before = h.ex.stateHash();
  const evs = h.run(cmd);
  expect(evs).toHaveLength(1);
  const ev = evs[0] as CommandRejected;
  expect(ev.type).toBe('CommandRejected');
  expect(ev.reason).toBe(reason);
  if (field !== undefined) expect(ev.field).toBe(field);
  expect(h.ex.stateHash()).toBe(before);
  return ev;
}

/** The offer id the last OfferPosition got (its seq). */
export function lastOfferId(h: Harness): number {
  const ev = [...h.events].reverse().find((e) => e.type === 'SwapOfferCreated');
  if (ev === undefined || ev.type !== 'SwapOfferCreated') throw new Error('no offer created');
  return ev.offerId;
}

export function perpPos(ex: Exchange, account: string): { qty: number; cost: bigint } | undefined {
  const p = ex.market(MKT)?.positions.get(`user:${account}`);
  return p === undefined ? undefined : { qty: p.qty, cost: p.cost };
}

/**
 * Alice long 10 lots, Bob short 10, both settled at mark 110 000 (block 2).
 * Alice: 1 000 000 deposit − 2 000 taker fee (0.2 % of 10 × 100 000) + 100 000 PnL (10 × 10 000) = 1 098 000 msat,
 * cost 10 × 110 000 = 1 100 000. Bob: 1 000 000 − 100 000 = 900 000 msat, cost −1 100 000.
 */
export function perpSetup(): Harness {
  const h = new Harness();
  h.run(block(1, 100_000), deposit('alice', 1000), deposit('bob', 1000),
    limit('bob', 'sell', 100_000, 10), limit('alice', 'buy', 100_000, 10), block(2, 110_000));
  return h;
}
