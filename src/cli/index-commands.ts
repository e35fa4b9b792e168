/**
 * CLI for the hashprice index, the forward curve, block-delta odds and the model calibration:
 *   hashperp index [--height N | --at ISO-DATE] [--json]
 *   hashperp index history [--from DATE|HEIGHT] [--to DATE|HEIGHT] [--resolution epoch|day|block] [--json]
 *   hashperp curve [--height N] [--fit-epochs N] [--json]
 *   hashperp price bdc --blocks K --seconds S (--interval SEC | --hashrate HPS --difficulty D) [--json]
 *   hashperp model calibrate [--json] [--out docs/calibration.md] [--stride N]
 */
import { nonNegativeInteger } from './args.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { loadEmbeddedChain } from '../chain/embedded.js';
import { forwardCurve } from '../index/forward-curve.js';
import { HISTORY_POINT_CAP, HISTORY_RESOLUTIONS, hashpriceSeries, parseHistoryBound, type HistoryResolution } from '../index/hashprice-history.js';
import { indexAt } from '../index/index-at.js';
import { heightAtTime, type HeightAtTime } from '../index/time-map.js';
import { bdcOdds, simulateAcrossRetarget } from '../pricing/block-arrival.js';
import { difficultyOfBits } from '../chain/target.js';
import { calibrate } from '../pricing/calibration.js';
import { renderCalibrationMarkdown } from '../pricing/calibration-report.js';
import { InvalidArgumentError } from '../units/errors.js';
import { formatHashrate } from '../units/hashrate.js';
import { formatBtc } from '../units/money.js';
import { formatDuration, formatUtc, parseIsoDate } from '../units/time.js';
import { toJson, type CliIO } from './output.js';

function parseInteger(field: string, s: string | undefined): number | undefined {
  return s === undefined ? undefined : nonNegativeInteger(field, s);
}

function parsePositive(field: string, s: string | undefined, allowZero = false): number | undefined {
  if (s === undefined) return undefined;
  const v = Number(s.trim());
  if (s.trim() === '' || !Number.isFinite(v)) throw new InvalidArgumentError(field, `expected a number, got ${JSON.stringify(s)}`);
  if (v < 0 || (v === 0 && !allowZero)) throw new InvalidArgumentError(field, `must be ${allowZero ? 'non-negative' : 'positive'}, got ${s}`);
  return v;
}

function registerIndex(program: Command, io: CliIO): void {
  const index = program
    .command('index')
    .description('hashprice index (HPI) at a height or date, from the embedded mainnet data')
    .option('--height <n>', 'block height (default: the newest covered height)')
    .option('--at <iso-date>', 'date (ISO 8601, UTC if no zone): the height in force then')
    .option('--json', 'machine-readable output')
    .action((opts: { height?: string; at?: string; json?: boolean }) => {
      if (opts.height !== undefined && opts.at !== undefined) throw new InvalidArgumentError('height', 'give either --height or --at, not both');
      const chain = loadEmbeddedChain();
      let dateMap: (HeightAtTime & { at: string }) | undefined;
      let height = parseInteger('height', opts.height) ?? chain.maxHeight;
      if (opts.at !== undefined) {
        const t = parseIsoDate('at', opts.at);
        dateMap = { at: new Date(t * 1000).toISOString(), ...heightAtTime(chain, t) };
        height = dateMap.height;
      }
      if (height > chain.maxHeight) throw new InvalidArgumentError('height', `${height} is past the newest covered height ${chain.maxHeight}`);
      const v = indexAt(chain, height);
      if (opts.json) {
        io.out(toJson(dateMap ? { ...v, heightFromDate: dateMap } : v));
        return;
      }
      const lines = [
        `height             ${v.height}${dateMap ? `  (${dateMap.exact ? 'in force at' : 'estimated for'} ${dateMap.at}: ${dateMap.basis})` : ''}`,
        `block hash         ${v.blockHash ?? `unknown (${v.basis.hash})`}`,
        ...(v.time !== null ? [`block time         ${formatUtc(v.time)}`] : []),
        `difficulty         ${v.difficulty.toExponential(6)}  (bits ${v.bits}, epoch ${v.epoch})`,
        `subsidy            ${v.subsidySat} sat`,
        `fees (144-block)   ${v.feesIncluded ? `${v.fee144Sat} sat` : 'not included (no fee data for these blocks)'}`,
        `hashprice          ${v.hashpriceBtcPerPHDay} BTC/PH/day = ${v.hashpriceSatPerPHDay} sat/PH/day = ${v.hashpriceSatPerTHDay} sat/TH/day`,
        `hashrate (implied) ${formatHashrate(v.hashrate.impliedHps)}  (D × 2^32 / 600 s)`,
        `hashrate 144       ${'hashrateHps' in v.hashrate.h144 ? formatHashrate(v.hashrate.h144.hashrateHps) : v.hashrate.h144.unavailable}`,
        `hashrate 2016      ${'hashrateHps' in v.hashrate.h2016 ? formatHashrate(v.hashrate.h2016.hashrateHps) : v.hashrate.h2016.unavailable}`,
        'nextBits' in v.retarget
          ? `next retarget      height ${v.retarget.retargetHeight}, ${v.retarget.changePct >= 0 ? '+' : ''}${v.retarget.changePct.toFixed(2)} % ` +
            `(${v.retarget.final ? 'exact' : 'projected'}), in ${v.retarget.blocksRemaining} blocks ≈ ${formatDuration(v.retarget.expectedSecondsToRetarget)}, ≈ ${formatUtc(v.retarget.expectedRetargetTime)}`
          : `next retarget      ${v.retarget.unavailable}`,
      ];
      for (const l of lines) io.out(l);
    });
  registerIndexHistory(index, io);
}

/** `hashperp index history`: the hashprice series of the shipped data (src/index/hashprice-history.ts). */
function registerIndexHistory(index: Command, io: CliIO): void {
  index
    .command('history')
    .description('where hashprice has been: the index from the shipped bits of every retarget since 2009 (per day / per block where headers are shipped)')
    .option('--from <date|height>', 'start: a block height or an ISO date (default: genesis)')
    .option('--to <date|height>', 'end: a block height or an ISO date (default: the newest covered height)')
    .option('--resolution <r>', `${HISTORY_RESOLUTIONS.join(' | ')}: points at every retarget and halving, plus every whole shipped day or every shipped block`, 'epoch')
    .option('--json', 'machine-readable output')
    .action((_opts: unknown, cmd: Command) => {
      // optsWithGlobals: `index` has --json too, and commander gives a shared option to the parent.
      const opts = cmd.optsWithGlobals<{ from?: string; to?: string; resolution: string; json?: boolean }>();
      if (!(HISTORY_RESOLUTIONS as readonly string[]).includes(opts.resolution))
        throw new InvalidArgumentError('resolution', `expected one of ${HISTORY_RESOLUTIONS.join(', ')}, got ${JSON.stringify(opts.resolution)}`);
      const s = hashpriceSeries(loadEmbeddedChain(), {
        from: opts.from === undefined ? undefined : parseHistoryBound('from', opts.from),
        to: opts.to === undefined ? undefined : parseHistoryBound('to', opts.to),
        resolution: opts.resolution as HistoryResolution,
      });
      if (opts.json) {
        io.out(toJson({ ...s, pointCap: HISTORY_POINT_CAP }));
        return;
      }
      io.out(`hashprice history, heights ${s.fromHeight}..${s.toHeight}, ${s.points.length} points (${s.resolution})`);
      io.out(`basis: ${s.basis}`);
      io.out('date (UTC)          height     kind      BTC/PH/day            sat/PH/day');
      for (const p of s.points)
        io.out(
          `${formatUtc(p.time).replace(' UTC', '')}${p.timeEstimated ? '~' : ' '}  ${String(p.height).padStart(7)}  ${p.kind.padEnd(8)}  ${formatBtc(p.hashpriceSatPerPHDay).padStart(20)}  ${String(p.hashpriceSatPerPHDay).padStart(20)}`,
        );
      for (const h of s.halvings) io.out(`halving ${h.halving} at height ${h.height} (${formatUtc(h.time)}${h.timeEstimated ? ', estimated' : ''}): subsidy ${formatBtc(h.subsidySatBefore)} → ${formatBtc(h.subsidySatAfter)} BTC`);
      if (s.points.some((p) => p.timeEstimated)) io.out('~ time estimated: no header shipped for that block (interpolated between known block times)');
    });
}

function registerCurve(program: Command, io: CliIO): void {
  program
    .command('curve')
    .description('forward hashprice curve (30/90/180/365 days) from a difficulty growth model fitted to history')
    .option('--height <n>', 'curve as of this height (default: the newest covered height)')
    .option('--fit-epochs <n>', 'epochs in the growth fit', '26')
    .option('--json', 'machine-readable output')
    .action((opts: { height?: string; fitEpochs: string; json?: boolean }) => {
      const chain = loadEmbeddedChain();
      const height = parseInteger('height', opts.height) ?? chain.maxHeight;
      if (height > chain.maxHeight) throw new InvalidArgumentError('height', `${height} is past the newest covered height ${chain.maxHeight}`);
      const c = forwardCurve(chain, height, { fitEpochs: parseInteger('fit-epochs', opts.fitEpochs) });
      if (opts.json) {
        io.out(toJson(c));
        return;
      }
      io.out(`forward hashprice curve at height ${c.atHeight}; spot ${c.spot.hashpriceBtcPerPHDay} BTC/PH/day (${c.spot.hashpriceSatPerPHDay} sat/PH/day)`);
      io.out('tenor   mean BTC/PH/day   sat/PH/day   vs spot');
      for (const p of c.points)
        io.out(`${String(p.tenorDays).padStart(4)} d   ${p.hashpriceBtcPerPHDay.padStart(15)}   ${String(p.hashpriceSatPerPHDay).padStart(10)}   ${p.vsSpotPct >= 0 ? '+' : ''}${p.vsSpotPct.toFixed(2)} %`);
      io.out(`model: ${c.model.name}; ${c.assumptions.fitWindow}`);
      for (const k of ['growth', 'blockTiming', 'subsidy', 'fees', 'averaging'] as const) io.out(`  ${k}: ${c.assumptions[k]}`);
    });
}

function registerPrice(program: Command, io: CliIO): void {
  const price = program.command('price').description('model prices');
  price
    .command('bdc')
    .description('block-delta contract: probability that K more blocks arrive within S seconds (FAST)')
    .option('--blocks <k>', 'number of further blocks (K)')
    .option('--seconds <s>', 'time window in seconds (S)')
    .option('--interval <sec>', 'mean block interval in seconds')
    .option('--hashrate <hps>', 'network hashrate in H/s (with --difficulty)')
    .option('--difficulty <d>', 'difficulty (with --hashrate)')
    .option('--from-height <n>', 'simulate from this embedded-chain height, applying the retarget rule inside the window')
    .option('--paths <n>', 'simulation paths (with --from-height)', '20000')
    .option('--seed <n>', 'simulation seed (with --from-height)', '1')
    .option('--json', 'machine-readable output')
    .action((opts: BdcOpts) => {
      if (opts.blocks === undefined) throw new InvalidArgumentError('blocks', 'missing: --blocks K is required');
      if (opts.seconds === undefined) throw new InvalidArgumentError('seconds', 'missing: --seconds S is required');
      const blocks = parseInteger('blocks', opts.blocks)!;
      const seconds = parsePositive('seconds', opts.seconds, true)!;
      if (opts.fromHeight !== undefined) return simulateBdc(io, opts, blocks, seconds);
      if (opts.interval === undefined && opts.hashrate === undefined && opts.difficulty === undefined)
        throw new InvalidArgumentError('interval', 'missing: give --interval SEC, or --hashrate HPS and --difficulty D');
      const odds = bdcOdds({
        blocks,
        seconds,
        intervalS: parsePositive('interval', opts.interval),
        hashrateHps: parsePositive('hashrate', opts.hashrate),
        difficulty: parsePositive('difficulty', opts.difficulty),
      });
      if (opts.json) {
        io.out(toJson(odds));
        return;
      }
      io.out(`P(FAST: ${odds.blocks} blocks within ${formatDuration(odds.seconds)}) = ${(odds.pFast * 100).toFixed(4)} %  (fair ${odds.fairBps} bps)`);
      io.out(`expected blocks ${odds.expectedBlocks.toFixed(4)} at a mean interval of ${odds.meanIntervalS.toFixed(2)} s`);
      io.out(`model: ${odds.method}`);
    });
}

interface BdcOpts {
  blocks?: string;
  seconds?: string;
  interval?: string;
  hashrate?: string;
  difficulty?: string;
  fromHeight?: string;
  paths: string;
  seed: string;
  json?: boolean;
}

/** `price bdc --from-height N`: the tip state (bits, header time, epoch progress) comes from the embedded chain. */
function simulateBdc(io: CliIO, opts: BdcOpts, blocks: number, seconds: number): void {
  if (opts.interval !== undefined || opts.difficulty !== undefined)
    throw new InvalidArgumentError('from-height', 'takes the difficulty from the chain: do not combine it with --interval or --difficulty');
  const chain = loadEmbeddedChain();
  const tip = parseInteger('from-height', opts.fromHeight)!;
  if (tip >= chain.maxHeight) throw new InvalidArgumentError('from-height', `must be below the newest covered height ${chain.maxHeight}`);
  const tipTime = chain.timeAt(tip);
  const epochStart = Math.floor(tip / 2016) * 2016;
  const epochStartTime = chain.timeAt(epochStart);
  if (tipTime === undefined || epochStartTime === undefined)
    throw new InvalidArgumentError('from-height', `needs header times at heights ${epochStart} and ${tip}; pick a height inside a shipped header segment`);
  let hashrateHps = parsePositive('hashrate', opts.hashrate);
  let hashrateBasis = 'given (--hashrate)';
  if (hashrateHps === undefined) {
    const est = indexAt(chain, tip).hashrate.h2016;
    if (!('hashrateHps' in est)) throw new InvalidArgumentError('hashrate', `missing and not estimable at height ${tip}: ${est.unavailable}`);
    hashrateHps = est.hashrateHps;
    hashrateBasis = `trailing 2016-block estimate at height ${tip}`;
  }
  const bits = chain.bitsAt(tip + 1);
  const sim = simulateAcrossRetarget({
    blocks,
    seconds,
    hashrateHps,
    tipHeight: tip,
    bits,
    tipTime,
    epochStartTime,
    paths: parseInteger('paths', opts.paths),
    seed: parseInteger('seed', opts.seed),
  });
  const closedForm = bdcOdds({ blocks, seconds, hashrateHps, difficulty: difficultyOfBits(bits) });
  const result = { blocks, seconds, fromHeight: tip, hashrateHps, hashrateBasis, ...sim, closedForm: { pFast: closedForm.pFast, expectedBlocks: closedForm.expectedBlocks } };
  if (opts.json) {
    io.out(toJson(result));
    return;
  }
  io.out(`P(FAST: ${blocks} blocks within ${formatDuration(seconds)} from height ${tip}) = ${(sim.pFast * 100).toFixed(2)} % ± ${(sim.stdError * 100).toFixed(2)} (simulated, ${sim.paths} paths, seed ${sim.seed})`);
  io.out(`expected blocks ${sim.expectedBlocks.toFixed(2)}; retargets crossed on average ${sim.retargetsCrossedMean.toFixed(2)}; hashrate ${formatHashrate(hashrateHps)} (${hashrateBasis})`);
  io.out(`constant-rate formula for comparison: ${(closedForm.pFast * 100).toFixed(2)} %, expected blocks ${closedForm.expectedBlocks.toFixed(2)}`);
}

function registerModel(program: Command, io: CliIO): void {
  const model = program.command('model').description('block-arrival model tools');
  model
    .command('calibrate')
    .description('calibrate the block-arrival model on the shipped header segment 150,001-340,000')
    .option('--out <file>', 'write the markdown report here (e.g. docs/calibration.md)')
    .option('--stride <n>', 'one back-test origin every N blocks', '12')
    .option('--json', 'machine-readable output')
    .action((opts: { out?: string; stride: string; json?: boolean }) => {
      const stride = parseInteger('stride', opts.stride)!;
      const report = calibrate(loadEmbeddedChain(), { stride });
      const command = `hashperp model calibrate${stride !== 12 ? ` --stride ${stride}` : ''} --out ${opts.out ?? 'docs/calibration.md'}`;
      const md = renderCalibrationMarkdown(report, command);
      if (opts.out !== undefined) {
        mkdirSync(dirname(opts.out), { recursive: true });
        writeFileSync(opts.out, md);
      }
      if (opts.json) io.out(toJson(report));
      else if (opts.out === undefined) io.out(md);
      else io.out(`wrote ${opts.out}`);
    });
}

export function registerIndexCommands(program: Command, io: CliIO): void {
  registerIndex(program, io);
  registerCurve(program, io);
  registerPrice(program, io);
  registerModel(program, io);
}
