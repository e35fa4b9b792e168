/**
 * The block-delta desk as `serve` runs it: over the Ark operator's store, indexer and liquidity wallet,
 * contracts at the operator's exit delay, the lifetime window of its batch expiry (the engine horizon's).
 */
import type { RelativeTimelock } from '@arkade-os/sdk';
import type { NetworkName } from '../bitcoin/networks.js';
import { bdcSettlementWindow } from '../engine/products/bdc/horizon.js';
import { ContractDesk } from '../operator/block-delta/desk.js';
import { SwapDesk } from '../operator/block-delta/swap-desk.js';
import { TakeDesk } from '../operator/block-delta/take-desk.js';
import { checkpointTapscript } from '../operator/ark/offchain.js';
import type { ServerArk } from './ark-wiring.js';
import type { EngineCore } from './engine-host.js';

export function openDesk(ark: ServerArk, engine: EngineCore, network: NetworkName, log: (msg: string) => void): ContractDesk {
  const d = ark.params.unilateralExitDelay;
  const exitDelay: RelativeTimelock = { type: d < 512n ? 'blocks' : 'seconds', value: d };
  const checkpoint = checkpointTapscript(ark.keys.signerXOnly, ark.params.checkpointExitDelay);
  let desk: ContractDesk | undefined;
  const swaps = new SwapDesk({
    store: ark.store,
    ark: ark.operator,
    registerContract: (t) => ark.operator.registerContract(t),
    contractKey: (a) => desk!.contractKey(a),
    operatorXOnly: ark.keys.signerXOnly,
    exitDelay,
    checkpointTapscript: checkpoint,
    dust: ark.params.dust,
    engine,
    now: Date.now,
  });
  const takes = new TakeDesk({
    store: ark.store,
    ark: ark.operator,
    liquidity: ark.liquidity.wallet,
    registerContract: (t) => ark.operator.registerContract(t),
    contractKey: (a) => desk!.contractKey(a),
    operatorXOnly: ark.keys.signerXOnly,
    exitDelay,
    checkpointTapscript: checkpoint,
    dust: ark.params.dust,
    window: bdcSettlementWindow(ark.params),
    engine,
    now: Date.now,
  });
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
