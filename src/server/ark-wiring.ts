/**
 * The Ark operator as `serve` runs it: its keys from the sealed store (S = the `contract` key,
 * `forfeit`, `wallet`), its store beside the journal, the chain it settles on, and the routes:
 * arkd's API at /ark and the Esplora subset at /esplora that the SDK's on-chain provider reads.
 *
 * With --chain bitcoind commitment transactions are broadcast to the node. In the embedded demo
 * (the default) the same operator runs over an in-memory ledger: commitment transactions are built
 * and signed as on Bitcoin but not broadcast to any network, and the ledger's coins are not bitcoin.
 * The ledger's operator wallet is prefunded, a block is mined every `embeddedBlockSeconds` (wall
 * time: the ledger's I/O edge), and POST /v1/faucet/boarding pays users' boarding addresses.
 * With --chain esplora the operator is not started (no wallet or broadcast path there).
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { OutScript, Address } from '@scure/btc-signer';
import type { RouteModule } from '../api/app-types.js';
import { registerArkApi } from '../api/ark/index.js';
import { LedgerEsplora } from '../api/esplora/ledger-esplora.js';
import { registerEsplora } from '../api/esplora/routes.js';
import { registerBoardingFaucet } from '../api/routes/boarding-faucet.js';
import { BitcoindRpc } from '../chain/rpc-client.js';
import { BitcoindArkChain, type ArkChain } from '../operator/ark/ark-chain.js';
import { ArkIndexer } from '../operator/ark/ark-indexer.js';
import { ArkOperator } from '../operator/ark/ark-operator.js';
import { DEFAULT_ARK_PARAMS, REGTEST_ARK_PARAMS, type ArkParams } from '../operator/ark/ark-params.js';
import { ArkStore } from '../operator/ark/ark-store.js';
import { EmbeddedLedger } from '../operator/ark/embedded-ledger.js';
import { operatorKeys, type OperatorKeys } from '../operator/ark/operator-keys.js';
import { NETWORKS, type NetworkName } from '../bitcoin/networks.js';
import { DefaultVtxo, SingleKey } from '@arkade-os/sdk';
import { walletTimelock } from '../operator/ark/intent.js';
import { LiquidityWallet } from '../operator/liquidity.js';
import { startLiquidityKeeper, type LiquidityKeeper } from './liquidity-keeper.js';
import { bdcSettlementWindow } from '../engine/products/bdc/horizon.js';
import { checkpointTapscript } from '../operator/ark/offchain.js';
import { hex } from '@scure/base';
import type { BdcSide } from '../bitcoin/vtxo-scripts.js';
import type { ServeConfig } from './config.js';
import type { OperatorKeyStore } from './operator-keys.js';

/** Said wherever a user can see the embedded Ark operator (/health, startup notes, faucet answers). */
export const EMBEDDED_LEDGER_NOTE = 'embedded demo ledger: commitment transactions are built and signed as on Bitcoin but not broadcast to any network; coins here are not bitcoin';

/** The demo operator's starting liquidity on the ledger: 10 (demo) BTC. */
export const EMBEDDED_OPERATOR_FUNDS = 1_000_000_000n;
/** What the demo boards into L's VTXOs at start (funds S's side of contracts): 2 (demo) BTC. */
export const EMBEDDED_LIQUIDITY = 200_000_000n;
const DEFAULT_BLOCK_SECONDS = 10;

/**
 * Regtest's parameters with block delays stretched for a ledger that mines every 10 s (block counts
 * stay below 512, so BIP-68 reads them as blocks and the operator sweeps expired batches): a boarding
 * coin may wait an hour to settle, a batch lives 80 minutes, a unilateral exit takes 20.
 */
export const EMBEDDED_ARK_PARAMS: ArkParams = {
  ...REGTEST_ARK_PARAMS,
  unilateralExitDelay: 120n,
  boardingExitDelay: 360n,
  checkpointExitDelay: 10n,
  vtxoTreeExpiry: 480n,
};

export interface ServerArk {
  operator: ArkOperator;
  params: ArkParams;
  store: ArkStore;
  indexer: ArkIndexer;
  keys: OperatorKeys;
  /** Where the operator's liquidity is paid (the wallet key's P2TR address). */
  walletAddress: string;
  /** 'embedded': the demo ledger, nothing broadcast to any network. */
  chainKind: ArkChain['kind'];
  /** The chain the operator settles on (read by the proof of reserves). */
  chain: ArkChain;
  /** 'regtest', 'mainnet'...: the network its addresses are on. */
  network: NetworkName;
  /** In plain words, whether its transactions reach a network. */
  onChain: string;
  /**
   * The operator's own side of block-delta contracts: a key L (sealed as 'liquidity') whose plain
   * VTXOs (L + S; L alone after the exit delay) fund S's share of each position and receive S's wins.
   */
  liquidity: { identity: SingleKey; xOnly: Uint8Array; script: Uint8Array; address: string; wallet: LiquidityWallet };
  /** The demo ledger (embedded mode): tests mine on demand with `ledger.mine()`. */
  ledger?: EmbeddedLedger;
  routes: RouteModule;
  /** The /health part: which chain, in plain words whether anything reaches a network, where to fund it, its batches. */
  status(): { chain: string; network: string; onChain: string; walletAddress: string; [k: string]: unknown };
  start(): void;
  /** Starts the liquidity keeper (L's SDK wallet against this server's own URL); no-op when configured off. */
  startLiquidity(serverUrl: string): Promise<void>;
  stop(): Promise<void>;
}

const VERSION = 'hashperp-ark/0.1.0';

/** What the engine knows that the contract guard needs: who won a series (src/operator/block-delta/contract-guard.ts). */
export interface ArkContractSource {
  outcome(series: string): BdcSide | undefined;
  /** The engine's chain tip (height and MTP). */
  tip(): { height: number; mtp: number };
}

/** The parameters the Ark operator runs with: the demo ledger's, regtest's, or mainnet-like ones on `network`. */
export function arkParamsFor(cfg: Pick<ServeConfig, 'chain'>, network: NetworkName): ArkParams {
  if (cfg.chain === 'embedded') return EMBEDDED_ARK_PARAMS;
  return network === 'regtest' ? REGTEST_ARK_PARAMS : { ...DEFAULT_ARK_PARAMS, network: network === 'mainnet' ? 'bitcoin' : network };
}

export function openArk(cfg: ServeConfig, network: NetworkName, notes: string[], keys: OperatorKeyStore | undefined, log: (msg: string) => void = () => {}, contracts?: ArkContractSource): ServerArk | undefined {
  const embedded = cfg.chain === 'embedded';
  if (!embedded && (cfg.chain !== 'bitcoind' || cfg.rpc === undefined)) {
    notes.push('Ark operator: not started with --chain esplora (it needs a wallet and a broadcast path: --chain bitcoind, or the embedded demo ledger)');
    return undefined;
  }
  // The embedded demo's addresses are regtest's, as its block-delta contracts' are.
  const net: NetworkName = embedded ? 'regtest' : network;
  const arkNetwork = net === 'mainnet' ? 'bitcoin' : net;
  const secret = (name: 'contract' | 'forfeit' | 'wallet' | 'liquidity'): Uint8Array => keys?.secret(name, () => schnorr.utils.randomSecretKey()) ?? schnorr.utils.randomSecretKey();
  if (keys === undefined) notes.push('Ark operator: no SQLite file, so its keys and VTXO records live in memory for this run only');
  const k = operatorKeys({ signer: secret('contract'), forfeit: secret('forfeit'), wallet: secret('wallet') }, arkNetwork);
  const params = arkParamsFor(cfg, net);
  // The ledger lives in memory: VTXO records of an earlier run point at commitments it never held.
  const store = keys !== undefined && !embedded ? ArkStore.open(cfg.db) : ArkStore.memory();
  if (embedded && keys !== undefined) notes.push('Ark operator (embedded): its VTXO records live in memory with the demo ledger, for this run only');

  let ledger: EmbeddedLedger | undefined;
  let chain: ArkChain;
  let rpc: BitcoindRpc | undefined;
  if (embedded) {
    ledger = new EmbeddedLedger();
    ledger.fund(k.walletScript, EMBEDDED_OPERATOR_FUNDS);
    ledger.mine();
    chain = ledger;
    notes.push(`Ark operator (${EMBEDDED_LEDGER_NOTE}): arkd's API at /ark, the ledger's Esplora at /esplora, POST /v1/faucet/boarding pays boarding addresses`);
  } else {
    rpc = new BitcoindRpc(cfg.rpc!);
    chain = new BitcoindArkChain(rpc);
    notes.push(`Ark operator (${net}): fund its liquidity by paying ${k.walletAddress}`);
  }
  const liquidity = liquidityOf(secret('liquidity'), k, params, arkNetwork);
  const liquidityScript = hex.encode(liquidity.script);
  const operator = new ArkOperator({
    params,
    keys: k,
    chain,
    store,
    version: VERSION,
    log,
    contracts: {
      outcome: (series) => contracts?.outcome(series),
      isOperatorScript: (script) => script === liquidityScript,
      window: bdcSettlementWindow(params),
      tip: () => contracts?.tip() ?? { height: 0, mtp: 0 },
    },
  });
  liquidity.wallet = new LiquidityWallet({
    store,
    ark: operator,
    identity: liquidity.identity,
    xOnly: liquidity.xOnly,
    operatorXOnly: k.signerXOnly,
    exitDelay: walletTimelock(params.unilateralExitDelay),
    checkpointTapscript: checkpointTapscript(k.signerXOnly, params.checkpointExitDelay),
    dust: params.dust,
    isLocked: (o) => operator.isLocked(o),
    tipHeight: () => chain.tipHeight(),
  });
  const indexer = new ArkIndexer(store, operator);
  const blockSeconds = cfg.embeddedBlockSeconds ?? DEFAULT_BLOCK_SECONDS;
  let miner: NodeJS.Timeout | undefined;
  let keeper: LiquidityKeeper | undefined;
  const onChain = embedded ? EMBEDDED_LEDGER_NOTE : `commitment transactions, boarding, exits and sweeps are broadcast to the ${net} bitcoind node`;
  return {
    operator,
    store,
    indexer,
    keys: k,
    params,
    liquidity: { ...liquidity, wallet: liquidity.wallet! },
    walletAddress: k.walletAddress,
    chainKind: chain.kind,
    chain,
    network: net,
    onChain,
    ...(ledger ? { ledger } : {}),
    routes: (app, ctx) => {
      void registerArkApi(app, { service: operator, indexer });
      if (ledger) {
        const l = ledger;
        void registerEsplora(app, { backend: new LedgerEsplora(l, NETWORKS.regtest) });
        registerBoardingFaucet(app, ctx, {
          network: NETWORKS.regtest,
          minSat: Number(params.utxoMinAmount),
          note: EMBEDDED_LEDGER_NOTE,
          pay: async (address, amount) => {
            const { txid, vout } = l.fund(OutScript.encode(Address(NETWORKS.regtest).decode(address)), amount);
            return { txid, vout, height: l.mine() };
          },
        });
      } else void registerEsplora(app, { rpc: rpc!, network: net });
    },
    status: () => ({
      chain: chain.kind, network: net, onChain, ...(ledger ? { tipHeight: ledger.tip().height } : {}), walletAddress: k.walletAddress, signerPubkey: k.signerCompressedHex,
      liquidity: { address: liquidity.address, boardingAddress: keeper?.boardingAddress() ?? null, keeper: keeper !== undefined },
      ...operator.status(),
    }),
    startLiquidity: async (serverUrl) => {
      // Default: on against bitcoind; in the embedded demo only when asked (nothing there needs L's VTXOs yet).
      if (cfg.liquidityKeeper === false || (embedded && cfg.liquidityKeeper !== true)) return;
      keeper = await startLiquidityKeeper(serverUrl, {
        identity: liquidity.identity,
        script: liquidityScript,
        store,
        vtxoTreeExpiry: params.vtxoTreeExpiry,
        tipHeight: () => chain.tipHeight(),
        ...(ledger
          ? {
              fundBoarding: async (address: string) => {
                ledger!.fund(OutScript.encode(Address(NETWORKS.regtest).decode(address)), EMBEDDED_LIQUIDITY);
                ledger!.mine();
              },
            }
          : {}),
        periodMs: Math.max(2_000, params.timing.sessionSeconds * 1000),
        log,
      }).catch((e: unknown) => {
        log(`liquidity keeper not started: ${e instanceof Error ? e.message : String(e)}`);
        return undefined;
      });
    },
    start: () => {
      operator.start();
      if (ledger && blockSeconds > 0) {
        const l = ledger;
        miner = setInterval(() => l.mine(), blockSeconds * 1000);
        miner.unref();
      }
    },
    stop: async () => {
      await keeper?.stop();
      if (miner) clearInterval(miner);
      await operator.stop();
      store.close();
    },
  };
}

/** The liquidity key's Ark address: the SDK's default VTXO script for L against S, the operator's exit delay. */
function liquidityOf(secret: Uint8Array, k: OperatorKeys, params: ArkParams, arkNetwork: ArkParams['network']): Omit<ServerArk['liquidity'], 'wallet'> & { wallet?: LiquidityWallet } {
  const identity = SingleKey.fromPrivateKey(secret);
  const xOnly = schnorr.getPublicKey(secret);
  const script = new DefaultVtxo.Script({ pubKey: xOnly, serverPubKey: k.signerXOnly, csvTimelock: walletTimelock(params.unilateralExitDelay) });
  const hrp = arkNetwork === 'bitcoin' ? 'ark' : 'tark';
  return { identity, xOnly, script: script.pkScript, address: script.address(hrp, k.signerXOnly).encode() };
}

