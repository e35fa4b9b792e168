/**
 * Keeps the operator's liquidity L in VTXOs with the stock SDK wallet of L, against the server's own
 * /ark and /esplora: every `periodMs` it settles L's confirmed boarding outputs (the operator tops L up by
 * paying L's boarding address, shown in /health) and renews L's VTXOs once half their batch life is gone,
 * so fresh coins can fund contracts under the lifetime rule. In the embedded demo it first pays L's
 * boarding address from the demo ledger.
 *
 * One settle at a time; a failure is logged and retried next period.
 */
import { EsploraProvider, InMemoryContractRepository, InMemoryWalletRepository, Wallet, type Identity } from '@arkade-os/sdk';
import { arkUrl, esploraUrlFor } from '../wallet/sdk-wallet.js';
import type { ArkStore } from '../operator/ark/ark-store.js';

export interface LiquidityKeeperDeps {
  identity: Identity;
  /** L's VTXO script, hex: its coins in the operator's store. */
  script: string;
  store: ArkStore;
  /** The batch life, blocks (BIP-68 below 512) or seconds. */
  vtxoTreeExpiry: bigint;
  tipHeight(): Promise<number>;
  /** Embedded demo: pays `amountSat` to L's boarding address on the ledger and confirms it. */
  fundBoarding?: (address: string) => Promise<void>;
  periodMs: number;
  log(msg: string): void;
}

export interface LiquidityKeeper {
  boardingAddress(): string | undefined;
  stop(): Promise<void>;
}

export async function startLiquidityKeeper(serverUrl: string, d: LiquidityKeeperDeps): Promise<LiquidityKeeper> {
  const wallet = await Wallet.create({
    identity: d.identity,
    arkServerUrl: arkUrl(serverUrl),
    onchainProvider: new EsploraProvider(esploraUrlFor(serverUrl), { forcePolling: true, pollingInterval: 2_000 }),
    storage: { walletRepository: new InMemoryWalletRepository(), contractRepository: new InMemoryContractRepository() },
    settlementConfig: false,
  });
  const boarding = await wallet.getBoardingAddress();
  if (d.fundBoarding) await d.fundBoarding(boarding);
  let running: Promise<void> | undefined;
  let stopped = false;

  const due = async (): Promise<boolean> => {
    if ((await wallet.getBoardingUtxos()).length > 0) return true;
    const life = Number(d.vtxoTreeExpiry);
    if (life >= 512) return false; // time-based expiries are renewed by the operator's own sweeps policy (not yet)
    const tip = await d.tipHeight();
    return d.store.vtxosByScript(d.script).some((v) => v.spentBy === '' && !v.swept && !v.unrolled && v.expiresAt > 0 && v.expiresAt - tip < life / 2);
  };
  const pass = async (): Promise<void> => {
    if (stopped || running) return;
    running = (async () => {
      try {
        if (await due()) {
          const txid = await wallet.settle();
          d.log(`liquidity: settled into batch ${txid}`);
        }
      } catch (e) {
        d.log(`liquidity: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        running = undefined;
      }
    })();
    await running;
  };
  const timer = setInterval(() => void pass(), d.periodMs);
  timer.unref();
  void pass();
  return {
    boardingAddress: () => boarding,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      await wallet.dispose();
    },
  };
}
