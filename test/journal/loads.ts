import type { StateMachineFactory } from '../../src/engine/state-machine.js';
import { counterCommand, counterFactory } from './counter-machine.js';
import { exchangeCommand, exchangeLoadFactory } from './exchange-load.js';

/** A state machine plus a seeded, index-addressed command stream: command i is the same in every run. */
export interface Load<C, E> {
  name: string;
  factory: StateMachineFactory<C, E>;
  command(seed: number, i: number): C;
}

export const counterLoad: Load<unknown, unknown> = {
  name: 'counter',
  factory: counterFactory as StateMachineFactory<unknown, unknown>,
  command: counterCommand,
};

/** The real engine under a seeded stream of deposits, orders, cancels, amends, withdrawals and blocks. */
export const exchangeLoad: Load<unknown, unknown> = {
  name: 'exchange',
  factory: exchangeLoadFactory as StateMachineFactory<unknown, unknown>,
  command: exchangeCommand,
};

export async function loadByName(name: string): Promise<Load<unknown, unknown>> {
  if (name === 'counter') return counterLoad;
  if (name === 'exchange') return exchangeLoad;
  throw new Error(`unknown load ${name}`);
}
