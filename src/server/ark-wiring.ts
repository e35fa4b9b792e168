/**
 * The Ark operator as `serve` runs it: its keys from the sealed store (S = the `contract` key,
 * `forfeit`, `wallet`), its store beside the journal, the chain it settles on, and the routes:
 * arkd's API at /ark and, with bitcoind, the Esplora subset at /esplora that the SDK's on-chain
 * provider reads.
 *
 * With --chain bitcoind commitment transactions are broadcast to the node. The embedded demo has
 * no chain to broadcast to: there the Ark operator is not started (see the README's table of what is
 * on chain in each mode).
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import type { RouteModule } from '../api/app-types.js';
import { registerArkApi } from '../api/ark/index.js';
import { registerEsplora } from '../api/esplora/routes.js';
import { BitcoindRpc } from '../chain/rpc-client.js';
import { BitcoindArkChain } from '../operator/ark/ark-chain.js';
import { ArkIndexer } from '../operator/ark/ark-indexer.js';
import { ArkOperator } from '../operator/ark/ark-operator.js';
import { DEFAULT_ARK_PARAMS, REGTEST_ARK_PARAMS, type ArkParams } from '../operator/ark/ark-params.js';
import { ArkStore } from '../operator/ark/ark-store.js';
import { operatorKeys, type OperatorKeys } from '../operator/ark/operator-keys.js';
import type { NetworkName } from '../bitcoin/networks.js';
import type { ServeConfig } from './config.js';
import type { OperatorKeyStore } from './operator-keys.js';

export interface ServerArk {
  operator: ArkOperator;
  store: ArkStore;
  indexer: ArkIndexer;
  keys: OperatorKeys;
  /** Where the operator's liquidity is paid (the wallet key's P2TR address). */
  walletAddress: string;
  routes: RouteModule;
  /** For /health: where to fund the operator, what it has done, what went wrong last. */
  status(): { chain: string; walletAddress: string; [k: string]: unknown };
  start(): void;
  stop(): Promise<void>;
}

const VERSION = 'hashperp-ark/0.1.0';

export function openArk(cfg: ServeConfig, network: NetworkName, notes: string[], keys: OperatorKeyStore | undefined, log: (msg: string) => void = () => {}): ServerArk | undefined {
  if (cfg.chain !== 'bitcoind' || cfg.rpc === undefined) {
    notes.push('Ark operator: not started (it needs --chain bitcoind: commitment transactions are broadcast to that node)');
    return undefined;
  }
  const arkNetwork = network === 'mainnet' ? 'bitcoin' : network;
  const secret = (name: 'contract' | 'forfeit' | 'wallet'): Uint8Array => keys?.secret(name, () => schnorr.utils.randomSecretKey()) ?? schnorr.utils.randomSecretKey();
  if (keys === undefined) notes.push('Ark operator: no SQLite file, so its keys and VTXO records live in memory for this run only');
  const k = operatorKeys({ signer: secret('contract'), forfeit: secret('forfeit'), wallet: secret('wallet') }, arkNetwork);
  const params: ArkParams = network === 'regtest' ? REGTEST_ARK_PARAMS : { ...DEFAULT_ARK_PARAMS, network: arkNetwork };
  const store = keys !== undefined ? ArkStore.open(cfg.db) : ArkStore.memory();
  const rpc = new BitcoindRpc(cfg.rpc);
  const chain = new BitcoindArkChain(rpc);
  const operator = new ArkOperator({ params, keys: k, chain, store, version: VERSION, log });
  const indexer = new ArkIndexer(store, operator);
  notes.push(`Ark operator (${network}): fund its liquidity by paying ${k.walletAddress}`);
  return {
    operator,
    store,
    indexer,
    keys: k,
    walletAddress: k.walletAddress,
    routes: (app) => {
      void registerArkApi(app, { service: operator, indexer });
      void registerEsplora(app, { rpc, network });
    },
    status: () => ({ chain: chain.kind, network, signerPubkey: k.signerCompressedHex, walletAddress: k.walletAddress, ...operator.status() }),
    start: () => operator.start(),
    stop: async () => {
      await operator.stop();
      store.close();
    },
  };
}
