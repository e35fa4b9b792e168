/**
 * bench:backtest — the backtest lab's cost: ten years of epochs (one block a day through the exchange engine)
 * and the whole shipped 2014 header segment (150,001..340,000) block by block (its index runs above MAX_PRICE
 * until mid-2014, so the engine sees it ÷ 10^5: hedge-run.ts priceScale), each with a forward, a perp short
 * and puts. Prints {"runs":[{name, blocks, steps, seconds, cpuSeconds, stepsPerSecond}]}.
 *
 *   npm run bench:backtest -- [--json]
 */
import { loadEmbeddedChain } from '../src/chain/embedded.js';
import { runBacktest, type BacktestRequest } from '../src/backtest/index.js';

const json = process.argv.includes('--json');
const chain = loadEmbeddedChain();
const hedge: BacktestRequest['hedge'] = {
  forward: { tenorDays: 90, discountBps: 300, ratioPct: 50 },
  perp: { horizonDays: 30, ratioPct: 50 },
  puts: { tenorDays: 30, otmBps: 1000, ratioPct: 50 },
};
const profile = { hashrateThs: 1000, costSatPerDay: 0 };
const tenYears = 144 * 3653;

const cases: { name: string; req: BacktestRequest }[] = [
  { name: 'ten years of epochs', req: { from: String(chain.maxHeight - tenYears), to: String(chain.maxHeight), resolution: 'epoch', profile, hedge } },
  { name: 'the shipped 2014 segment, per block', req: { from: '150001', to: '340000', resolution: 'block', profile: { hashrateThs: 10, costSatPerDay: 0 }, hedge } },
];

const runs = [];
for (const c of cases) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const r = runBacktest(chain, c.req);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  runs.push({
    name: c.name, fromHeight: r.fromHeight, toHeight: r.toHeight, blocks: r.toHeight - r.fromHeight + 1, steps: r.steps,
    seconds: Number(seconds.toFixed(3)), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(3)), stepsPerSecond: Math.round(r.steps / seconds),
    engineCommands: r.engine.commands, rejections: r.engine.rejections.count, priceScale: r.engine.priceScale,
  });
}
if (json) console.log(JSON.stringify({ runs }, null, 2));
else for (const r of runs) console.log(`${r.name}: heights ${r.fromHeight}..${r.toHeight} (${r.steps} steps, ${r.engineCommands} engine commands) in ${r.seconds} s (cpu ${r.cpuSeconds} s, ${r.stepsPerSecond} steps/s, ${r.rejections} refused)`);
