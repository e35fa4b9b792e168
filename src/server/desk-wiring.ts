/**
 * The block-delta desk as `serve` runs it: over the Ark operator's store, indexer and liquidity wallet,
 * contracts at the operator's exit delay, the lifetime window of its batch expiry (the engine horizon's).
 */
import { walletTimelock } from '../operator/ark/intent.js';
import type { ContractTermsRecord } from '../operator/block-delta/contract-guard.js';
import type { NetworkName } from '../bitcoin/networks.js';
import { bdcSettlementWindow } from '../engine/products/bdc/horizon.js';
import { ContractDesk } from '../operator/block-delta/desk.js';
import { SwapDesk } from '../operator/block-delta/swap-desk.js';
import { TakeDesk } from '../operator/block-delta/take-desk.js';
import { checkpointTapscript } from '../operator/ark/offchain.js';
import type { ServerArk } from './ark-wiring.js';
import type { EngineCore } from './engine-host.js';

export function openDesk(ark: ServerArk, engine: EngineCore, network: NetworkName, log: (msg: string) => void): ContractDesk {
  const exitDelay = walletTimelock(ark.params.unilateralExitDelay);
  const checkpoint = checkpointTapscript(ark.keys.signerXOnly, ark.params.checkpointExitDelay);
  let desk: ContractDesk | undefined;
  // What the swap and take desks share: the operator, its store, the contract terms and the engine.
  const common = {
    store: ark.store,
    ark: ark.operator,
    registerContract: (t: ContractTermsRecord) => ark.operator.registerContract(t),
    contractKey: (a: string) => desk!.contractKey(a),
    operatorXOnly: ark.keys.signerXOnly,
    exitDelay,
    checkpointTapscript: checkpoint,
    dust: ark.params.dust,
    engine,
    now: Date.now,
  };
  const swaps = new SwapDesk(common);
  const takes = new TakeDesk({ ...common, liquidity: ark.liquidity.wallet, window: bdcSettlementWindow(ark.params) });
  desk = new ContractDesk({
    store: ark.store,
    indexer: ark.indexer,
    liquidity: ark.liquidity.wallet,
    liquidityAddress: ark.liquidity.address,
    checkpointTapscript: checkpoint,
    ...(ark.chainKind === 'embedded' ? {} : { swaps, takes }),
    registerContract: (t) => ark.operator.registerContract(t),
    operatorXOnly: ark.keys.signerXOnly,
    exitDelay,
    window: bdcSettlementWindow(ark.params),
    network: ark.chainKind === 'embedded' ? 'regtest' : network,
    engine,
    now: Date.now,
    log,
    ...(ark.chainKind === 'embedded'
      ? { fundingDisabled: 'embedded demo: the engine replays mainnet headers while the demo Ark ledger is a chain of its own, so a contract locked to H and T of one cannot live on the other; contract VTXOs need --chain bitcoind' }
      : {}),
  });
  return desk;
}
