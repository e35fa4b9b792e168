// Does the vault expect to lose selling at its own quotes? For each estimation window, a fresh engine with that
// window replays the history (one block a day, steps.ts) and a buyer takes the vault's own price for calls and
// puts at fixed moneyness every `everyDays`; the engine prices each BuyOption from the history it recorded and
// settles it on the expiry day's mean. The vault's result per window is Σ premium − Σ payoff (fees excluded),
// read from the engine's OptionBought and OptionSettled events. Every window trades on the same days (the
// first trade waits for the longest window to fill), so the windows are compared on the same options.
import { createExchange, type EngineEvent } from '../engine/index.js';
import { checkOptionWindowDays } from '../engine/products/options/index.js';
import { InvalidArgumentError, assertSafeInteger } from '../units/errors.js';
import { BLOCKS_PER_DAY } from '../units/time.js';
import type { Step } from './steps.js';

export interface VaultWindowOptions {
  windows: number[];
  /** Option tenor (days to expiry); default 30. */
  tenorDays?: number;
  /** Days between trades; default 7. */
  everyDays?: number;
  /** Strikes as a fraction of the index (1 = at the money); default [0.9, 1, 1.1]. */
  moneyness?: number[];
  /** Lots per option; default 1000. */
  lots?: number;
  /** Steps before this one only fill the engines' history; trading starts here. Default: the longest window. */
  startAt?: number;
}

export interface SideResult { options: number; premiumSat: number; payoffSat: number; vaultPnlSat: number; pnlPctOfPremium: number }
export interface WindowResult { windowDays: number; calls: SideResult; puts: SideResult; total: SideResult; rejected: number }
export interface VaultWindowResult {
  fromHeight: number;
  toHeight: number;
  tenorDays: number;
  everyDays: number;
  moneyness: number[];
  lots: number;
  windows: WindowResult[];
  /** The shortest window whose total vault result is not negative, or null when all lose. */
  shortestNotLosing: number | null;
}

const hashOf = (h: number): string => h.toString(16).padStart(64, '0');

function side(premium: bigint, payoff: bigint, n: number): SideResult {
  const p = Number(premium / 1000n), q = Number(payoff / 1000n);
  return { options: n, premiumSat: p, payoffSat: q, vaultPnlSat: p - q, pnlPctOfPremium: p === 0 ? 0 : Math.round(((p - q) / p) * 10_000) / 100 };
}

/** One window over the steps. */
export function vaultWindowRun(steps: readonly Step[], windowDays: number, o: VaultWindowOptions): WindowResult {
  checkOptionWindowDays(windowDays);
  const tenor = o.tenorDays ?? 30;
  const every = (o.everyDays ?? 7) * BLOCKS_PER_DAY;
  const moneyness = o.moneyness ?? [0.9, 1, 1.1];
  const lots = o.lots ?? 1000;
  const startAt = o.startAt ?? 0;
  const ex = createExchange({ products: { optionWindowDays: windowDays } });
  let seq = 0;
  const BIG = 1_000_000_000_000_000;
  ex.apply({ type: 'FundSystem', account: 'vault', amountSat: BIG }, ++seq);
  ex.apply({ type: 'Deposit', account: 'bt-buyer', amountSat: BIG }, ++seq);
  const last = steps[steps.length - 1].height;
  const acc = { call: { premium: 0n, payoff: 0n, n: 0 }, put: { premium: 0n, payoff: 0n, n: 0 } };
  const types = new Map<string, 'call' | 'put'>();
  let rejected = 0;
  const take = (events: EngineEvent[]): void => {
    for (const e of events) {
      if (e.type === 'OptionBought') {
        types.set(e.optionId, e.optionType);
        acc[e.optionType].premium += e.premiumMsat;
        acc[e.optionType].n++;
      } else if (e.type === 'OptionSettled') acc[types.get(e.optionId) as 'call' | 'put'].payoff += e.payoffMsat;
      else if (e.type === 'CommandRejected') rejected++;
    }
  };
  let next = -1;
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    take(ex.apply({ type: 'BlockConnected', height: s.height, hash: hashOf(s.height), time: s.time, mtp: s.mtp, indexPrice: s.index }, ++seq));
    if (i < startAt) continue;
    if (next < 0) next = s.height;
    const expiryHeight = s.height + tenor * BLOCKS_PER_DAY;
    if (s.height < next || expiryHeight > last) continue;
    next = s.height + every;
    for (const optionType of ['call', 'put'] as const)
      for (const m of moneyness) {
        const strike = Math.max(1, Math.round(s.index * m));
        take(ex.apply({
          type: 'BuyOption', account: 'bt-buyer', optionType, strike, lots, expiryHeight,
          quote: { premiumMsat: '1000000000000000000000', indexAtQuote: s.index, quotedAtHeight: s.height, quotedAtMtp: s.mtp },
        }, ++seq));
      }
  }
  const c = side(acc.call.premium, acc.call.payoff, acc.call.n);
  const p = side(acc.put.premium, acc.put.payoff, acc.put.n);
  return { windowDays, calls: c, puts: p, total: side(acc.call.premium + acc.put.premium, acc.call.payoff + acc.put.payoff, c.options + p.options), rejected };
}

/** Every window over the same steps and trading days. */
export function vaultWindowStudy(steps: readonly Step[], o: VaultWindowOptions): VaultWindowResult {
  if (!Array.isArray(o.windows) || o.windows.length === 0) throw new InvalidArgumentError('windows', 'at least one window (days) is needed');
  const windows = o.windows.map((w) => checkOptionWindowDays(w, 'windows'));
  const tenor = assertSafeInteger('tenorDays', o.tenorDays ?? 30, 3, 365);
  const everyDays = assertSafeInteger('everyDays', o.everyDays ?? 7, 1, 365);
  const startAt = o.startAt ?? Math.max(...windows) + 1;
  if (startAt >= steps.length - tenor) throw new InvalidArgumentError('fromHeight', `the range is too short: ${steps.length} days, the longest window needs ${startAt} before the first trade and ${tenor} after it`);
  const results = windows.map((w) => vaultWindowRun(steps, w, { ...o, startAt }));
  const ok = results.filter((r) => r.total.vaultPnlSat >= 0).map((r) => r.windowDays);
  return {
    fromHeight: steps[startAt].height, toHeight: steps[steps.length - 1].height, tenorDays: tenor, everyDays,
    moneyness: o.moneyness ?? [0.9, 1, 1.1], lots: o.lots ?? 1000, windows: results,
    shortestNotLosing: ok.length === 0 ? null : Math.min(...ok),
  };
}
