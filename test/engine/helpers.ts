// Shared builders for the engine tests: commands with defaults, and a block generator.
import type { Command, PlaceOrderCommand } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange } from '../../src/engine/exchange.js';

export const MKT = 'HPI-PERP';

export function hashOf(height: number): string {
  return height.toString(16).padStart(64, '0');
}

export function block(height: number, indexPrice: number): Command {
  return { type: 'BlockConnected', height, hash: hashOf(height), time: 1_700_000_000 + height * 600, mtp: 1_700_000_000 + height * 600 - 3600, indexPrice };
}

export function deposit(account: string, amountSat: number): Command {
  return { type: 'Deposit', account, amountSat };
}

export function limit(account: string, side: 'buy' | 'sell', price: number, qty: number, extra: Partial<PlaceOrderCommand> = {}): PlaceOrderCommand {
  return { type: 'PlaceOrder', account, market: MKT, side, orderType: 'limit', price, qty, tif: 'GTC', postOnly: false, reduceOnly: false, ...extra };
}

export function market(account: string, side: 'buy' | 'sell', qty: number, extra: Partial<PlaceOrderCommand> = {}): PlaceOrderCommand {
  return { type: 'PlaceOrder', account, market: MKT, side, orderType: 'market', qty, tif: 'IOC', postOnly: false, reduceOnly: false, ...extra };
}

/** An exchange with a sequencer: `run` applies commands with increasing seq and returns all events. */
export class Harness {
  seq = 0;
  readonly events: EngineEvent[] = [];
  constructor(readonly ex: Exchange = new Exchange()) {}
  run(...cmds: Command[]): EngineEvent[] {
    const out: EngineEvent[] = [];
    for (const c of cmds) out.push(...this.ex.apply(c, ++this.seq));
    this.events.push(...out);
    return out;
  }
  bal(name: string): bigint {
    return this.ex.ledger.balance(name.includes(':') || ['world', 'insurance', 'vault', 'fees'].includes(name) ? name : `user:${name}`);
  }
}

export function ofType<T extends EngineEvent['type']>(evs: EngineEvent[], t: T): Extract<EngineEvent, { type: T }>[] {
  return evs.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === t);
}

export const jsonb = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x));
