/**
 * Moving sats between the user's own Ark wallet and the exchange account, the parts that are not I/O:
 * reading the amount against what the source holds, when a deposit shows up in the trading balance,
 * and what to tell the user when the server refuses. The page does the fetching and signing.
 */
import { InvalidArgumentError } from '../../../src/units/errors.js';
import { explain, type ErrorLike } from './api-errors.js';

export type Direction = 'to-exchange' | 'to-wallet';

/** Whole sats the account may withdraw: the exchange counts in msat and pays out whole sats only (rounded down). */
export function withdrawableSat(availableMsat: string | bigint): number {
  const v = BigInt(availableMsat);
  return v <= 0n ? 0 : Number(v / 1000n);
}

/**
 * The amount typed in, checked against what the side it leaves holds: the wallet's spendable VTXOs
 * (settled + preconfirmed; boarding coins must be settled first) or the account's free balance.
 */
export function parseTransferAmount(text: string, direction: Direction, holdsSat: number): number {
  const t = text.trim().replace(/[_,\s]/g, '');
  if (!/^\d+$/.test(t)) throw new InvalidArgumentError('amount', 'enter a whole number of sats');
  const n = Number(t);
  if (n <= 0) throw new InvalidArgumentError('amount', 'must be at least 1 sat');
  if (!Number.isSafeInteger(n) || n > holdsSat)
    throw new InvalidArgumentError(
      'amount',
      direction === 'to-exchange'
        ? `insufficient funds: your wallet holds ${holdsSat.toLocaleString('en-US')} sat spendable offchain (settle boarding coins first)`
        : `insufficient funds: the exchange account has ${holdsSat.toLocaleString('en-US')} sat free to withdraw (margin in use stays)`,
    );
  return n;
}

/** Whether the trading balance has taken in a deposit of `amountSat` since it stood at `beforeMsat`. */
export function credited(beforeMsat: string | bigint, nowMsat: string | bigint, amountSat: number): boolean {
  return BigInt(nowMsat) - BigInt(beforeMsat) >= BigInt(amountSat) * 1000n;
}

/**
 * Polls `balanceMsat` until `done` says so, or gives up after `timeoutMs` (resolving false: the deposit
 * is sent and will be credited when the server sees it finalized; the page says so rather than failing).
 */
export async function waitUntil(
  balanceMsat: () => Promise<string>,
  done: (nowMsat: string) => boolean,
  opts: { timeoutMs: number; intervalMs: number; sleep?: (ms: number) => Promise<void> },
): Promise<boolean> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (let waited = 0; ; waited += opts.intervalMs) {
    if (done(await balanceMsat())) return true;
    if (waited >= opts.timeoutMs) return false;
    await sleep(opts.intervalMs);
  }
}

/** A refusal in words the user can act on; the operator's liquidity being short is said to be temporary. */
export function transferError(e: unknown): string {
  const x = e as ErrorLike | null;
  if (typeof x === 'object' && x !== null && x.status === 503 && x.code === 'liquidity_short')
    return `The operator's liquidity cannot pay this withdrawal right now, so your exchange balance is as it was. This is temporary: try again later or move a smaller amount. (${x.message})`;
  // The amount field's own checks (here and in fundExchange): the sentence without the field prefix, beside the field.
  if (e instanceof InvalidArgumentError) return e.message.replace(/^(amount|amountSat): /, '');
  return explain(e, 'moves between your wallet and the exchange');
}
