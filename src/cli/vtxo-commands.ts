import type { Command } from 'commander';
import { nonNegativeInteger } from './args.js';
import { toJson, type CliIO } from './output.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo, type BdcSide } from '../bitcoin/vtxo-scripts.js';
import { networkByName } from '../bitcoin/networks.js';
import { parseXOnly } from '../bitcoin/keys.js';
import { InvalidArgumentError } from '../units/errors.js';

/** `hashperp vtxo block-delta`: the auditable contract VTXO of a position, as the operator builds it. */
export function registerVtxoCommands(program: Command, io: CliIO): void {
  const vtxo = program.command('vtxo').description('contract VTXO scripts');
  vtxo
    .command('block-delta')
    .description('build the three-leaf block-delta VTXO (U + S; CSV + CLTV(H) + FAST; CSV + CLTV(T - 1) + SLOW) and print its address, leaves and control blocks')
    .requiredOption('--user <xonly>', 'user key U (32-byte hex)')
    .requiredOption('--operator <xonly>', 'operator key S (32-byte hex)')
    .requiredOption('--side <FAST|SLOW>', 'the side U takes')
    .requiredOption('--height <H>', 'target height H')
    .requiredOption('--deadline <T>', 'the series deadline T, UNIX seconds: SLOW wins once MTP >= T, so its leaf locks at T - 1')
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
        deadline: nonNegativeInteger('deadline', o.deadline),
        exitDelay: { type: 'blocks', value: BigInt(nonNegativeInteger('exit-delay', o.exitDelay)) },
      });
      const ex = exportBlockDeltaVtxo(v, networkByName(o.network));
      if (o.json) return io.out(toJson(ex));
      io.out(`address ${ex.address}`);
      io.out(`FAST leaf locks at height ${v.fastLockTime}; SLOW leaf locks at ${v.slowLockTime} (deadline − 1: final once MTP >= deadline)`);
      io.out(`output key ${ex.outputKey} (internal ${ex.internalKey}, unspendable)`);
      for (const l of ex.leaves) io.out(`leaf ${l.leaf} ${l.name}: ${l.asm}\n  control block ${l.controlBlock}`);
    });
}
