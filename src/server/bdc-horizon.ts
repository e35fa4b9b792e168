/**
 * The lifetime rule's horizon as the server sets it: every block-delta series must be decided inside the
 * batch life of its contract VTXOs (src/engine/products/bdc/horizon.ts). Journaled (BdcSetHorizon) rather
 * than passed to the engine at start, so `engine replay` of the journal reaches the same state unconfigured.
 */
import { bdcHorizonOf, bdcModuleOf } from '../engine/products/bdc/index.js';
import { DEFAULT_ARK_PARAMS, type ArkParams } from '../operator/ark/ark-params.js';
import type { NetworkName } from '../bitcoin/networks.js';
import { arkParamsFor } from './ark-wiring.js';
import type { ServeConfig } from './config.js';
import type { EngineCore } from './engine-host.js';

/**
 * The batch life the horizon is derived from. In the embedded demo the engine follows the replayed mainnet
 * chain, not the demo ledger's 10-second blocks, so it takes the mainnet-like parameters; with --chain
 * esplora (no operator) too.
 */
export function engineArkParams(cfg: Pick<ServeConfig, 'chain'>, network: NetworkName): ArkParams {
  return cfg.chain === 'bitcoind' ? arkParamsFor(cfg, network) : DEFAULT_ARK_PARAMS;
}

/** Journals the horizon for `params` when the engine's differs (a new journal, or changed parameters). */
export async function setBdcHorizon(engine: Pick<EngineCore, 'exchange' | 'submit'>, params: ArkParams): Promise<void> {
  const want = bdcHorizonOf(params);
  const now = bdcModuleOf(engine.exchange).horizon;
  if (now?.blocks === want.blocks && now.seconds === want.seconds) return;
  await engine.submit({ type: 'BdcSetHorizon', blocks: want.blocks, seconds: want.seconds });
}
