/**
 * The chain side of `serve`: a ChainSource (the paced mainnet replay, bitcoind or Esplora), the
 * ChainFollower over it, and the glue: buried blocks (confirmed-block records) become BlockConnected
 * commands (block-connected.ts) through the engine's sequencer, every tip moves the published index,
 * reorgs and halts are logged and shown in /health. The follower resumes after the engine's last processed block (from the replayed
 * journal), so a restart continues where it stopped.
 *
 * Index price rule on regtest: regtest's trivial difficulty gives a hashprice near 1e29 sat/PH/day,
 * far beyond the engine's MAX_PRICE (4e9). There the engine is fed the REAL mainnet index at the
 * same offset into the shipped header segment: regtest height h -> mainnet height
 * REGTEST_INDEX_BASE + (h mod its length). Prices stay realistic and still move block by block,
 * and /health names the rule.
 */
import { ChainFollower, type FollowerEvent } from '../chain/follower.js';
import { loadEmbeddedChain, type EmbeddedChain } from '../chain/embedded.js';
import { PacedReplaySource } from '../chain/paced-source.js';
import { MAINNET, REGTEST, type ChainParams } from '../chain/params.js';
import { BitcoindRpc } from '../chain/rpc-client.js';
import type { ChainSource } from '../chain/source.js';
import { BitcoindSource } from '../chain/bitcoind-source.js';
import { EsploraSource } from '../chain/esplora-source.js';
import type { IndexInput } from '../index/block-index.js';
import { indexAt } from '../index/index-at.js';
import { InvalidArgumentError } from '../units/errors.js';
import { blockConnected } from './block-connected.js';
import type { ChainIndexPort } from './index-port.js';
import type { EngineCore } from './engine-host.js';

export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface ChainRuntimeOptions {
  chain: 'embedded' | 'bitcoind' | 'esplora';
  rpc?: string;
  esplora?: string;
  /** Embedded replay: milliseconds per block. */
  paceMs: number;
  engine: EngineCore;
  index: ChainIndexPort;
  log: Log;
  /** Injected source (tests: a stub chain that reorgs); its params must be given with it. */
  source?: ChainSource;
  params?: ChainParams;
  confirmations?: number;
  pollMs?: number;
  now?: () => number;
  embedded?: EmbeddedChain;
}

export const EMBEDDED_RULE = 'mainnet hashprice from the replayed header: bits + subsidy + mean fees of the last 144 blocks (sat/PH/day)';

/** The mainnet height whose index a regtest height is priced with. */
export function regtestIndexHeight(chain: EmbeddedChain, height: number): number {
  const seg = chain.segments[chain.segments.length - 1];
  const base = seg.firstHeight + 144;
  return base + (height % (seg.lastHeight - base + 1));
}

export function regtestIndexRule(chain: EmbeddedChain): { describe: string; price: (i: IndexInput) => bigint } {
  const seg = chain.segments[chain.segments.length - 1];
  return {
    describe: `regtest: the real mainnet index at height ${seg.firstHeight + 144} + (regtest height mod ${seg.lastHeight - seg.firstHeight - 143}) (regtest's own hashprice, ~1e29, exceeds the engine's MAX_PRICE 4e9)`,
    price: (i) => BigInt(indexAt(chain, regtestIndexHeight(chain, i.height)).hashpriceSatPerPHDay),
  };
}

async function networkOf(rpcUrl: string): Promise<ChainParams> {
  const info = await new BitcoindRpc(rpcUrl).call<{ chain: string }>('getblockchaininfo');
  if (info.chain === 'main') return MAINNET;
  if (info.chain === 'regtest') return REGTEST;
  throw new InvalidArgumentError('rpc', `bitcoind is on ${info.chain}; serve follows main or regtest`);
}

export class ChainRuntime {
  readonly follower: ChainFollower;
  readonly indexPriceRule: string;
  private reorgs = 0;
  private lastReorg: string | undefined;
  private commandsSent = 0;
  private submitErrors = 0;

  private constructor(
    readonly source: ChainSource,
    readonly params: ChainParams,
    private readonly opts: ChainRuntimeOptions,
    private readonly chain: EmbeddedChain,
  ) {
    const tip = opts.engine.chainTip();
    const rule = params.name === 'regtest' ? regtestIndexRule(chain) : undefined;
    this.indexPriceRule = rule?.describe ?? EMBEDDED_RULE;
    const replay = source instanceof PacedReplaySource;
    this.follower = new ChainFollower({
      source,
      params,
      ...(opts.confirmations !== undefined ? { confirmations: opts.confirmations } : {}),
      ...(tip.height >= 0 ? { resume: { height: tip.height, hash: tip.hash } } : {}),
      pollMs: opts.pollMs ?? (replay ? Math.max(1, Math.min(1000, Math.floor(opts.paceMs / 2))) : 1000),
      ...(rule ? { indexPrice: rule.price } : {}),
    });
    this.follower.on((e) => this.onEvent(e));
  }

  static async start(opts: ChainRuntimeOptions): Promise<ChainRuntime> {
    const chain = opts.embedded ?? loadEmbeddedChain();
    let source = opts.source;
    let params = opts.params ?? MAINNET;
    if (source === undefined) {
      if (opts.chain === 'embedded') {
        const tip = opts.engine.chainTip().height;
        source = new PacedReplaySource({ now: opts.now ?? Date.now, paceMs: opts.paceMs, chain, ...(tip >= 0 ? { resumeFrom: tip } : {}) });
      } else if (opts.chain === 'bitcoind') {
        if (opts.rpc === undefined) throw new InvalidArgumentError('rpc', '--chain bitcoind needs --rpc');
        params = await networkOf(opts.rpc);
        source = new BitcoindSource(opts.rpc);
      } else {
        if (opts.esplora === undefined) throw new InvalidArgumentError('esplora', '--chain esplora needs --esplora');
        source = new EsploraSource(opts.esplora);
      }
    }
    const rt = new ChainRuntime(source, params, opts, chain);
    rt.follower.start();
    return rt;
  }

  /** The index the API publishes for a followed height (regtest heights map to the mainnet index they are priced with). */
  indexHeight(height: number): number {
    return this.params.name === 'regtest' ? regtestIndexHeight(this.chain, height) : height;
  }

  private onEvent(e: FollowerEvent): void {
    const log = this.opts.log;
    switch (e.kind) {
      case 'tip': {
        // Beyond the shipped epoch data (a live mainnet tip) the published index stays at its last value.
        const h = this.indexHeight(e.height);
        if (h <= this.chain.maxHeight) this.opts.index.publishTip(h);
        break;
      }
      case 'command':
        this.commandsSent++;
        this.opts.engine.submit(blockConnected(e.command)).then(
          ({ events }) => {
            const rej = events.find((x) => x.type === 'CommandRejected');
            if (rej && rej.type === 'CommandRejected') log.warn(`engine refused block ${e.command.height}: ${rej.reason} ${rej.message}`);
          },
          (err: unknown) => {
            this.submitErrors++;
            log.error(`journal refused block ${e.command.height}: ${err instanceof Error ? err.message : String(err)}`);
          },
        );
        break;
      case 'reorg':
        this.reorgs++;
        this.lastReorg = `fork at ${e.fork.height}: ${e.disconnected.length} block(s) disconnected, none settled`;
        log.warn(`reorg: ${this.lastReorg}`);
        break;
      case 'retry':
        log.warn(`chain source: ${e.error.message} (retrying)`);
        break;
      case 'halted':
        log.error(`chain follower halted: ${e.error.code}: ${e.error.message}`);
        break;
    }
  }

  status(): { source: string; network: string; indexPriceRule: string; [k: string]: unknown } {
    const s = this.follower.status();
    const replay = this.source instanceof PacedReplaySource ? this.source.status() : undefined;
    return {
      source: this.source.name,
      network: this.params.name,
      indexPriceRule: this.indexPriceRule,
      follower: s.state,
      confirmations: s.confirmations,
      tip: s.tip,
      confirmed: s.confirmed,
      blocksSent: this.commandsSent,
      reorgs: this.reorgs,
      ...(this.lastReorg ? { lastReorg: this.lastReorg } : {}),
      ...(s.error ? { error: s.error } : {}),
      ...(this.submitErrors > 0 ? { submitErrors: this.submitErrors } : {}),
      ...(replay ? { replay: { state: replay.state, paceMs: replay.paceMs, segment: replay.segment, ...(replay.reason ? { reason: replay.reason } : {}) } } : {}),
    };
  }

  async stop(): Promise<void> {
    await this.follower.stop();
  }
}
