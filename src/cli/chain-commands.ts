/** `hashperp chain verify|import`: verify header files, fetch headers from bitcoind or Esplora. */
import { Command, Option } from 'commander';
import { InvalidArgumentError } from '../units/errors.js';
import { BitcoindSource } from '../chain/bitcoind-source.js';
import { embeddedContext, loadEmbeddedChain } from '../chain/embedded.js';
import { EsploraSource } from '../chain/esplora-source.js';
import { hashHeadersParallel } from '../chain/hash-all.js';
import { readHeaderFile, writeHeaderFile } from '../chain/header-file.js';
import { chainParams, type ChainParams } from '../chain/params.js';
import type { ChainSource } from '../chain/source.js';
import { RULE_NAMES, verifyHeaders, type HeaderContext, type VerificationReport } from '../chain/validate.js';
import { nonNegativeInteger } from './args.js';
import { CliExit, toJson, type CliIO } from './output.js';


/**
 * Mainnet runs take their context from the embedded data, which knows the bits of every height up to
 * its last epoch; a start beyond that cannot be placed in the chain, so it is refused unless asked for.
 */
function contextFor(params: ChainParams, startHeight: number, allowUnknown: boolean): HeaderContext | undefined {
  if (params.name !== 'mainnet') return undefined;
  const chain = loadEmbeddedChain();
  if (startHeight > chain.maxHeight + 1 && !allowUnknown)
    throw new InvalidArgumentError(
      'start-height',
      `unknown height ${startHeight}: the embedded mainnet data covers heights 0..${chain.maxHeight}; pass --allow-unknown-context to verify without context`,
    );
  return embeddedContext(chain);
}

async function verify(bytes: Uint8Array, startHeight: number, params: ChainParams, context: HeaderContext | undefined): Promise<VerificationReport> {
  const hashes = await hashHeadersParallel(bytes);
  return verifyHeaders(bytes, startHeight, { params, context, hashes });
}

function summary(r: VerificationReport): string[] {
  const lines = [
    `${r.valid ? 'valid' : 'INVALID'}: ${r.network} headers ${r.startHeight}..${r.endHeight} (${r.headers} headers, ${r.verified} verified)`,
    `  first ${r.firstHash}`,
    `  last  ${r.lastHash}`,
    `  checked: ${Object.entries(r.checked)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  ];
  for (const u of r.unchecked)
    lines.push(`  not checked: ${RULE_NAMES[u.rule]} at ${u.count} header(s) (${u.firstHeight}${u.lastHeight !== u.firstHeight ? `..${u.lastHeight}` : ''}): ${u.reason}`);
  lines.push(`  chainwork added 0x${r.chainworkAdded.toString(16)}${r.chainworkAtEnd !== undefined ? `, chainwork at end 0x${r.chainworkAtEnd.toString(16)}` : ''}`);
  return lines;
}

function report(io: CliIO, r: VerificationReport, json: boolean, extra: Record<string, unknown> = {}): void {
  if (json) io.out(toJson({ ...r, ...extra }));
  else for (const l of summary(r)) io.out(l);
  if (!r.valid) throw new CliExit(1, r.failure ? `error: ${r.failure.message}` : 'error: invalid');
}

function makeSource(kind: string, opts: { rpc?: string; esplora?: string }): ChainSource {
  if (kind === 'bitcoind') {
    if (!opts.rpc) throw new InvalidArgumentError('rpc', '--source bitcoind needs --rpc URL (http://user:pass@host:port)');
    return new BitcoindSource(opts.rpc);
  }
  if (kind === 'esplora') {
    if (!opts.esplora) throw new InvalidArgumentError('esplora', '--source esplora needs --esplora URL (e.g. https://blockstream.info/api)');
    return new EsploraSource(opts.esplora);
  }
  throw new InvalidArgumentError('source', `expected bitcoind or esplora, got ${JSON.stringify(kind)}`);
}

export function registerChainCommands(program: Command, io: CliIO): void {
  const chain = program.command('chain').description('verify and import block headers');
  const network = () => new Option('--network <name>', 'mainnet or regtest').default('mainnet');

  chain
    .command('verify')
    .description("verify a file of 80-byte headers with Bitcoin Core's header rules")
    .argument('<file>', 'file of consecutive 80-byte wire headers')
    .requiredOption('--start-height <n>', 'height of the first header in the file')
    .addOption(network())
    .option('--allow-unknown-context', 'allow a start height beyond the embedded data (context rules reported unchecked)')
    .option('--json', 'print the report as JSON')
    .action(async (file: string, o: { startHeight: string; network: string; allowUnknownContext?: boolean; json?: boolean }) => {
      const params = chainParams(o.network);
      const start = nonNegativeInteger('start-height', o.startHeight);
      const bytes = readHeaderFile(file);
      const r = await verify(bytes, start, params, contextFor(params, start, o.allowUnknownContext === true));
      report(io, r, o.json === true, { file });
    });

  chain
    .command('import')
    .description('fetch headers from bitcoind or Esplora, verify them and write a .bin file')
    .requiredOption('--source <kind>', 'bitcoind or esplora')
    .option('--rpc <url>', 'bitcoind JSON-RPC URL with credentials')
    .option('--esplora <url>', 'Esplora base URL')
    .requiredOption('--from <height>', 'first height')
    .requiredOption('--to <height>', 'last height (inclusive)')
    .requiredOption('--out <file>', 'where to write the headers')
    .addOption(network())
    .option('--allow-unknown-context', 'allow heights beyond the embedded data (context rules reported unchecked)')
    .option('--json', 'print the report as JSON')
    .action(
      async (o: { source: string; rpc?: string; esplora?: string; from: string; to: string; out: string; network: string; allowUnknownContext?: boolean; json?: boolean }) => {
        const params = chainParams(o.network);
        const from = nonNegativeInteger('from', o.from);
        const to = nonNegativeInteger('to', o.to);
        if (to < from) throw new InvalidArgumentError('to', `must be >= --from (${from}), got ${to}`);
        const context = contextFor(params, from, o.allowUnknownContext === true);
        const source = makeSource(o.source, o);
        const headers = await source.rawHeaders(from, to - from + 1);
        const r = await verify(Buffer.concat(headers), from, params, context);
        // Only verified headers are written: a failed import leaves no file behind.
        if (r.valid) writeHeaderFile(o.out, headers);
        report(io, r, o.json === true, { source: source.name, out: r.valid ? o.out : null });
        if (!o.json) io.out(`  wrote ${headers.length} headers to ${o.out}`);
      },
    );
}
