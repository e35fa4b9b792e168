/** The demo market maker as `serve` runs it: perp quotes, the vault seed, the product quoters, and the demo takers. */
import type { EmbeddedChain } from '../chain/embedded.js';
import { DemoMarketMaker, type Quoter } from '../demo/market-maker.js';
import { DEFAULT_TAKER_PARAMS } from '../demo/takers.js';
import { bdcQuoter, DEFAULT_BDC_PARAMS, forwardQuoter, vaultSeeder } from '../demo/product-quoters.js';
import type { Log } from './chain-runtime.js';
import type { ServeConfig } from './config.js';
import type { EngineCore } from './engine-host.js';

/** The maker with its quoters, not started. */
export function createDemo(engine: EngineCore, o: { cfg: ServeConfig; chainData: EmbeddedChain; bdcModel: { paths: number; seed: number }; quoters: readonly Quoter[]; log: Log }): DemoMarketMaker {
  const { cfg, chainData, bdcModel, log } = o;
  // Taker refusals (margin, band, an empty side) are part of the simulation: counted in /health, not logged.
  const demo = new DemoMarketMaker(engine, {
    onError: (e) => log.warn(`demo market maker: ${e instanceof Error ? e.message : String(e)}`),
    takers: cfg.demoTakers === true ? DEFAULT_TAKER_PARAMS : false,
  });
  demo.addQuoter(vaultSeeder());
  // The product models read the shipped mainnet data at the engine's heights: only the replay's heights are mainnet's.
  if (cfg.chain === 'embedded') {
    demo.addQuoter(forwardQuoter(chainData));
    demo.addQuoter(bdcQuoter(chainData, { ...DEFAULT_BDC_PARAMS, paths: bdcModel.paths, seed: bdcModel.seed }));
  } else log.warn('demo: forward and block-delta quotes run in embedded mode only (their models read the shipped mainnet data at the engine height)');
  for (const q of o.quoters) demo.addQuoter(q);
  return demo;
}
