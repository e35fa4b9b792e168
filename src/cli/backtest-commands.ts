/**
 * CLI for the backtest lab (src/backtest/):
 *   hashperp backtest [--from DATE|HEIGHT] [--to DATE|HEIGHT] [--resolution epoch|block] --hashrate TH/s [--cost SAT/DAY]
 *                     [--forward TENOR:DISCOUNT_BPS:RATIO_PCT] [--perp HORIZON_DAYS:RATIO_PCT] [--puts TENOR:OTM_BPS:RATIO_PCT]
 *                     [--roll-days N] [--option-window DAYS] [--json]
 *   hashperp backtest vault-window [--windows 28,56,112,224,365] [--from ..] [--to ..] [--tenor 30] [--every 7] [--json] [--out FILE]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { loadEmbeddedChain } from '../chain/embedded.js';
import { backtestSteps, firstEngineHeight, runBacktest, vaultWindowStudy, type BacktestReport, type HedgeSpec, type VaultWindowResult } from '../backtest/index.js';
import { parseHistoryBound, resolveBound } from '../index/hashprice-history.js';
import { InvalidArgumentError } from '../units/errors.js';
import { formatUtc } from '../units/time.js';
import { nonNegativeInteger } from './args.js';
import { toJson, type CliIO } from './output.js';

function parts(field: string, v: string, n: number): number[] {
  const p = v.split(':');
  if (p.length !== n) throw new InvalidArgumentError(field, `expected ${n} numbers separated by ':', got ${JSON.stringify(v)}`);
  return p.map((x, i) => {
    const t = x.trim();
    if (!/^-?\d+(\.\d+)?$/.test(t)) throw new InvalidArgumentError(field, `part ${i + 1} is not a number: ${JSON.stringify(x)}`);
    return Number(t);
  });
}

export function parseHedge(o: { forward?: string; perp?: string; puts?: string }): HedgeSpec {
  const h: HedgeSpec = {};
  if (o.forward !== undefined) {
    const [tenorDays, discountBps, ratioPct] = parts('forward', o.forward, 3);
    h.forward = { tenorDays: tenorDays as 30 | 90 | 180 | 365, discountBps, ratioPct };
  }
  if (o.perp !== undefined) {
    const [horizonDays, ratioPct] = parts('perp', o.perp, 2);
    h.perp = { horizonDays, ratioPct };
  }
  if (o.puts !== undefined) {
    const [tenorDays, otmBps, ratioPct] = parts('puts', o.puts, 3);
    h.puts = { tenorDays, otmBps, ratioPct };
  }
  return h;
}

const btc = (sat: number): string => `${(sat / 1e8).toFixed(4)} BTC`;

function printReport(io: CliIO, r: BacktestReport): void {
  const s = r.summary;
  io.out(`Backtest ${r.request.resolution}, heights ${r.fromHeight}..${r.toHeight} (${r.steps} steps), ${r.request.profile.hashrateThs} TH/s, costs ${r.request.profile.costSatPerDay} sat/day`);
  io.out(`  unhedged: ${btc(s.unhedged.totalSat)}, max drawdown ${btc(s.unhedged.maxDrawdownSat)}, per ${r.request.rollDays} days p10 ${btc(s.unhedged.periods.p10)} median ${btc(s.unhedged.periods.median)} p90 ${btc(s.unhedged.periods.p90)}`);
  io.out(`  hedged:   ${btc(s.hedged.totalSat)}, max drawdown ${btc(s.hedged.maxDrawdownSat)}, per ${r.request.rollDays} days p10 ${btc(s.hedged.periods.p10)} median ${btc(s.hedged.periods.median)} p90 ${btc(s.hedged.periods.p90)}`);
  io.out(`  hedge result ${btc(s.hedgeResultSat)}; ${r.engine.forwardContracts} forward contracts, ${r.engine.optionsBought} puts (premium ${btc(r.engine.optionPremiumSat)}, payoff ${btc(r.engine.optionPayoffSat)}), perp ${btc(r.engine.fundingAndPerpPnlSat)}; ${r.engine.rejections.count} commands refused`);
  io.out(`  basis: ${r.basis}`);
}

/** The window-choice table as Markdown (docs/option-window.md). */
export function renderVaultWindowMarkdown(r: VaultWindowResult, from: { height: number; time: number }, to: { height: number; time: number }, command: string): string {
  const row = (w: VaultWindowResult['windows'][number]): string =>
    `| ${w.windowDays} | ${w.calls.options} | ${btc(w.calls.vaultPnlSat)} | ${w.calls.pnlPctOfPremium} % | ${w.puts.options} | ${btc(w.puts.vaultPnlSat)} | ${w.puts.pnlPctOfPremium} % | ${btc(w.total.vaultPnlSat)} | ${w.total.pnlPctOfPremium} % |`;
  return [
    `Trading heights ${r.fromHeight}..${r.toHeight} (${formatUtc(from.time)} .. ${formatUtc(to.time)}); every ${r.everyDays} days a buyer takes the vault's own price for a call and a put at each of ${r.moneyness.map((m) => `${m}×`).join(', ')} the index, ${r.lots} lots, ${r.tenorDays}-day expiry. Vault result = premium − payoff (fees excluded).`,
    '',
    '| window (days) | calls | calls: vault result | of premium | puts | puts: vault result | of premium | total | of premium |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...r.windows.map(row),
    '',
    `Reproduce: \`${command}\``,
    '',
  ].join('\n');
}

export function registerBacktestCommands(program: Command, io: CliIO): void {
  const bt = program
    .command('backtest')
    .description('how a hedge would have done: the miner\'s BTC income, hedged and unhedged, replayed through the exchange engine over real history')
    .option('--from <date|height>', 'start (default: the first height the engine admits, plus the options window)')
    .option('--to <date|height>', 'end (default: the newest covered height)')
    .option('--resolution <epoch|block>', "'epoch': one block a day from the bits of every retarget; 'block': every shipped header", 'epoch')
    .option('--hashrate <ths>', 'the miner\'s hashrate, TH/s', '1000')
    .option('--cost <sat-per-day>', 'running costs paid in BTC, sat per day', '0')
    .option('--forward <tenor:discountBps:ratioPct>', 'every period sell a forward of this tenor (30, 90, 180, 365) at index × (1 − discount)')
    .option('--perp <horizonDays:ratioPct>', 'hold a perp short of ratio × hashrate × horizon lots, re-sized every period')
    .option('--puts <tenor:otmBps:ratioPct>', 'every period buy puts from the vault at index × (1 − otm), ratio × hashrate × tenor lots')
    .option('--roll-days <n>', 'days between hedge decisions', '30')
    .option('--option-window <days>', 'the options product\'s estimation window')
    .option('--json', 'machine-readable output')
    .action((o: { from?: string; to?: string; resolution: string; hashrate: string; cost: string; forward?: string; perp?: string; puts?: string; rollDays: string; optionWindow?: string; json?: boolean }) => {
      const chain = loadEmbeddedChain();
      const r = runBacktest(chain, {
        ...(o.from !== undefined ? { from: o.from } : {}),
        ...(o.to !== undefined ? { to: o.to } : {}),
        resolution: o.resolution as 'epoch' | 'block',
        profile: { hashrateThs: nonNegativeInteger('hashrate', o.hashrate), costSatPerDay: nonNegativeInteger('cost', o.cost) },
        hedge: parseHedge(o),
        rollDays: nonNegativeInteger('roll-days', o.rollDays),
        ...(o.optionWindow !== undefined ? { optionWindowDays: nonNegativeInteger('option-window', o.optionWindow) } : {}),
      });
      if (o.json) io.out(toJson(r));
      else printReport(io, r);
    });

  bt.command('vault-window')
    .description('the vault selling calls and puts at its own quotes over history, for each estimation window (chooses the options product\'s default window)')
    .option('--windows <days,...>', 'windows to compare', '28,56,112,224,365')
    .option('--from <date|height>', 'start of the history (default: the first height the engine admits)')
    .option('--to <date|height>', 'end (default: the newest covered height)')
    .option('--tenor <days>', 'option expiry, days', '30')
    .option('--every <days>', 'days between trades', '7')
    .option('--json', 'machine-readable output')
    .option('--out <file>', 'also write the Markdown table here')
    .action((own: { windows: string; from?: string; to?: string; tenor: string; every: string; json?: boolean; out?: string }, cmd: Command) => {
      // The parent `backtest` has --from/--to/--json too, and commander gives them to it: take them from there.
      const parent = (cmd.parent?.opts() ?? {}) as { from?: string; to?: string; json?: boolean };
      const o = { ...own, from: own.from ?? parent.from, to: own.to ?? parent.to, json: own.json ?? parent.json };
      const chain = loadEmbeddedChain();
      const bound = (field: 'from' | 'to', v: string | undefined, d: number): number => (v === undefined ? d : resolveBound(chain, field, parseHistoryBound(field, v)));
      const from = Math.max(firstEngineHeight(chain), bound('from', o.from, firstEngineHeight(chain)));
      const to = bound('to', o.to, chain.maxHeight);
      const windows = o.windows.split(',').map((w) => nonNegativeInteger('windows', w));
      const steps = backtestSteps(chain, { fromHeight: from, toHeight: to, resolution: 'epoch' });
      const r = vaultWindowStudy(steps, { windows, tenorDays: nonNegativeInteger('tenor', o.tenor), everyDays: nonNegativeInteger('every', o.every) });
      const a = steps.find((s) => s.height === r.fromHeight) ?? steps[0];
      const b = steps[steps.length - 1];
      const repro = `hashperp backtest vault-window --windows ${windows.join(',')} --from ${from} --to ${to} --tenor ${r.tenorDays} --every ${r.everyDays}`;
      const md = renderVaultWindowMarkdown(r, a, b, repro);
      if (o.out !== undefined) {
        mkdirSync(dirname(o.out), { recursive: true });
        writeFileSync(o.out, md);
      }
      io.out(o.json ? toJson(r) : md);
    });
}
