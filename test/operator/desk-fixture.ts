/**
 * A real ContractDesk over an in-memory Ark store whose operator never answers: for route and projection
 * tests that read contract documents (terms, leaves, holder-only access) without a chain. Funding fails
 * with a stated reason; the regtest suites fund contracts for real.
 */
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { SingleKey } from '@arkade-os/sdk';
import type { Command, EngineEvent, Exchange } from '../../src/engine/index.js';
import { ArkStore } from '../../src/operator/ark/ark-store.js';
import { checkpointTapscript } from '../../src/operator/ark/offchain.js';
import { ContractDesk } from '../../src/operator/block-delta/desk.js';
import { LiquidityWallet } from '../../src/operator/liquidity.js';

export const DESK_EXIT_DELAY = { type: 'blocks' as const, value: 144n };

export function memoryDesk(o: { exchange: () => Exchange; submit?: (c: Command) => Promise<unknown>; operatorSecret: string; now?: () => number }): ContractDesk {
  const store = ArkStore.memory();
  const S = schnorr.getPublicKey(hex.decode(o.operatorSecret));
  const unreachable = async (): Promise<never> => {
    throw new Error('no Ark operator in this fixture');
  };
  const liquidity = new LiquidityWallet({
    store, ark: { submitTx: unreachable, finalizeTx: unreachable }, identity: SingleKey.fromRandomBytes(), xOnly: schnorr.getPublicKey(schnorr.utils.randomSecretKey()),
    operatorXOnly: S, exitDelay: DESK_EXIT_DELAY, checkpointTapscript: checkpointTapscript(S, 10n), dust: 330n, isLocked: () => false, tipHeight: async () => 0,
  });
  return new ContractDesk({
    store, indexer: { getVtxoChain: unreachable }, liquidity, liquidityAddress: 'tark1-fixture', checkpointTapscript: checkpointTapscript(S, 10n), registerContract: (t) => store.commit({ contracts: [t] }), operatorXOnly: S, exitDelay: DESK_EXIT_DELAY,
    window: { blocks: 157, seconds: 94_200 }, network: 'regtest',
    engine: { submit: o.submit ?? unreachable, on: (_l: (seq: number, c: Command, e: EngineEvent[]) => void) => () => {}, get exchange() { return o.exchange(); } },
    now: o.now ?? Date.now, log: () => {},
  });
}
