import type { Command } from 'commander';
import { slowLockTime } from '../operator/contract-service.js';
import { nonNegativeInteger } from './args.js';
import { CliExit, toJson, type CliIO } from './output.js';
import { runRegtestLifecycle, type LifecycleStep } from '../operator/regtest-lifecycle.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo, type BdcSide } from '../bitcoin/vtxo-scripts.js';
import { networkByName } from '../bitcoin/networks.js';
import { parseXOnly } from '../bitcoin/keys.js';
import { InvalidArgumentError } from '../units/errors.js';


const line = (s: LifecycleStep): string =>
  `${s.ok ? 'ok  ' : 'FAIL'} step ${s.step} ${s.name}: ${s.accepted ? 'accepted' : 'refused'} (expected ${s.expected ? 'accepted' : 'refused'}) txid ${s.txid} ${s.detail}`;

/** `hashperp regtest lifecycle` (operator's node check) and `hashperp vtxo block-delta` (auditable contract VTXO). */
export function registerRegtestCommands(program: Command, io: CliIO): void {
  const regtest = program.command('regtest').description('checks against a bitcoind -regtest node');
  regtest
    .command('lifecycle')
    .description('fund a batch, create block-delta VTXOs, prove every exit path and timelock on the node')
    .requiredOption('--rpc <url>', 'bitcoind RPC URL with credentials, e.g. http://u:p@127.0.0.1:18443')
    .option('--json', 'print the report as JSON')
    .action(async (opts: { rpc: string; json?: boolean }) => {
      const report = await runRegtestLifecycle(opts.rpc, opts.json ? undefined : (s) => io.out(line(s)));
      if (opts.json) io.out(toJson(report));
      else io.out(report.ok ? `all ${report.steps.length} checks behaved as expected` : `${report.steps.filter((s) => !s.ok).length} checks did not behave as expected`);
      if (!report.ok) throw new CliExit(1, '');
    });

  const vtxo = program.command('vtxo').description('contract VTXO scripts');
  vtxo
    .command('block-delta')
    .description('build the six-leaf block-delta VTXO and print its address, leaves and control blocks')
    .requiredOption('--user <xonly>', 'user key U (32-byte hex)')
    .requiredOption('--operator <xonly>', 'operator key S (32-byte hex)')
    .requiredOption('--side <FAST|SLOW>', 'the side U takes')
    .requiredOption('--height <H>', 'target height H')
    .requiredOption('--deadline <T>', 'the series deadline T, UNIX seconds: SLOW wins once MTP >= T, so its leaves lock at T - 1 (as the operator builds them)')
    .option('--exit-delay <blocks>', 'CSV exit delay in blocks', '144')
    .option('--network <name>', 'mainnet, signet or regtest', 'mainnet')
    .option('--json', 'print JSON (default prints address and leaves)')
    .action((o: { user: string; operator: string; side: string; height: string; deadline: string; exitDelay: string; network: string; json?: boolean }) => {
      const side = o.side.toUpperCase();
      if (side !== 'FAST' && side !== 'SLOW') throw new InvalidArgumentError('side', 'expected FAST or SLOW');
      const v = buildBlockDeltaVtxo({
        user: parseXOnly('user', o.user),
        operator: parseXOnly('operator', o.operator),
        userSide: side as BdcSide,
        targetHeight: nonNegativeInteger('height', o.height),
        // CLTV by time opens when MTP > locktime: T − 1 makes the SLOW leaves open exactly when the engine settles SLOW.
        deadline: slowLockTime(nonNegativeInteger('deadline', o.deadline)),
        exitDelay: { type: 'blocks', value: BigInt(nonNegativeInteger('exit-delay', o.exitDelay)) },
      });
      const ex = exportBlockDeltaVtxo(v, networkByName(o.network));
      if (o.json) return io.out(toJson(ex));
      io.out(`address ${ex.address}`);
      io.out(`SLOW leaves lock at ${slowLockTime(nonNegativeInteger('deadline', o.deadline))} (deadline − 1)`);
      io.out(`output key ${ex.outputKey} (internal ${ex.internalKey}, unspendable)`);
      for (const l of ex.leaves) io.out(`leaf ${l.leaf} ${l.name}: ${l.asm}\n  control block ${l.controlBlock}`);
    });
}
