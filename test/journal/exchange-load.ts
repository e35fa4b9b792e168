import { createHash } from 'node:crypto';
import type { Command, EngineEvent } from '../../src/engine/index.js';
import { exchangeFactory, HPI_PERP } from '../../src/engine/index.js';
import type { StateMachineFactory } from '../../src/engine/state-machine.js';
import { mulberry32 } from './counter-machine.js';

/**
 * A seeded, index-addressed command stream for the real engine: command i depends only on
 * (seed, i), so a process restarted at any point continues the same stream. It deposits into
 * ACCOUNTS accounts, connects a block every BLOCK_EVERY commands (index on a bounded walk), and
 * otherwise places limit / IOC / market orders around the index, cancels earlier orders by
 * clientOrderId, amends, cancels all and withdraws; many of them trade, some are rejected.
 */
export const ACCOUNTS = 64;
const BLOCK_EVERY = 250;
const BASE_HEIGHT = 900_000;
const MARKET = HPI_PERP.id;

const accountOf = (seed: number, i: number) => `u${mulberry32(seed ^ Math.imul(i, 0x85ebca6b))() % ACCOUNTS}`;

/** Index (sat/PH/day) at block k: a deterministic walk around 50 000 within ±20 %. */
function indexAt(k: number): number {
  return 50_000 + Math.round(10_000 * Math.sin(k / 37) * Math.cos(k / 11));
}

export function exchangeCommand(seed: number, i: number): Command {
  if (i < ACCOUNTS) return { type: 'Deposit', account: `u${i}`, amountSat: 50_000_000 + i * 1_000 };
  if (i === ACCOUNTS) return { type: 'FundSystem', account: 'insurance', amountSat: 100_000_000 };
  const k = Math.floor((i - ACCOUNTS - 1) / BLOCK_EVERY);
  if ((i - ACCOUNTS - 1) % BLOCK_EVERY === 0) {
    const height = BASE_HEIGHT + k;
    return {
      type: 'BlockConnected', height, hash: createHash('sha256').update(`${seed}:${height}`).digest('hex'),
      time: 1_760_000_000 + k * 600, mtp: 1_760_000_000 + k * 600 - 3_000, indexPrice: indexAt(k),
    };
  }
  const r = mulberry32(seed ^ Math.imul(i, 0x9e3779b1));
  const account = accountOf(seed, i);
  const roll = r() % 100;
  const mid = indexAt(k);
  if (roll < 62) {
    const side = r() % 2 === 0 ? 'buy' : 'sell';
    const offset = Math.round((mid * ((r() % 400) - 150)) / 10_000); // -1.5 % .. +2.5 % from the index, side-adjusted
    const price = side === 'buy' ? mid - offset : mid + offset;
    const qty = 1 + (r() % 200);
    const kind = r() % 20;
    if (kind === 0) return { type: 'PlaceOrder', account, market: MARKET, side, orderType: 'market', qty, tif: 'IOC', postOnly: false, reduceOnly: false };
    return {
      type: 'PlaceOrder', account, market: MARKET, side, orderType: 'limit', price, qty,
      tif: kind === 1 ? 'IOC' : kind === 2 ? 'FOK' : 'GTC', postOnly: kind === 3, reduceOnly: kind === 4, clientOrderId: `c${i}`,
    };
  }
  // Refer back to a recent command's order (it may have filled, been cancelled or never existed: then rejected).
  const j = Math.max(ACCOUNTS + 1, i - 1 - (r() % 400));
  if (roll < 92) return { type: 'CancelOrder', account: accountOf(seed, j), market: MARKET, clientOrderId: `c${j}` };
  if (roll < 96) return { type: 'AmendOrder', account: accountOf(seed, j), market: MARKET, clientOrderId: `c${j}`, qty: 1 + (r() % 50) };
  if (roll < 98) return { type: 'CancelAll', account, market: MARKET };
  return { type: 'Withdraw', account, amountSat: 1 + (r() % 100_000) };
}

export const exchangeLoadFactory: StateMachineFactory<Command, EngineEvent> = exchangeFactory;
