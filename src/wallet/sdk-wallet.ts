/**
 * Opens the stock `@arkade-os/sdk` Wallet for a key file: providers at `<server>/ark` (arkd's v1
 * REST API) and an Esplora the user chooses (default `<server>/esplora`), the SDK's SQLite
 * repositories beside the key file, and full exit-data capture so a unilateral exit needs neither
 * the operator's indexer nor its API. The key is turned into an SDK identity here and never leaves
 * the process: the server only ever sees public keys and signatures.
 */
import { EventSource } from 'eventsource';
import { registerBdcContractHandler } from '../bitcoin/bdc-contract-handler.js';
import {
  Address,
} from '@scure/btc-signer';
import {
  ArkAddress,
  EsploraProvider,
  isRetryableProviderError,
  MnemonicIdentity,
  networks,
  RestArkProvider,
  RestIndexerProvider,
  SingleKey,
  Wallet,
  type Identity,
  type Network,
  type NetworkName,
} from '@arkade-os/sdk';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';
import type { WalletSecret } from './wallet-file.js';
import { openWalletStore, type WalletStore } from './wallet-store.js';

// The SDK streams settlement events over SSE; Node has no global EventSource (the SDK's own Node examples do this).
const g = globalThis as { EventSource?: unknown };
if (g.EventSource === undefined) g.EventSource = EventSource;
// The block-delta contract type, so the SDK's contract machinery (paths, discovery) knows a contract VTXO.
registerBdcContractHandler();

export const NETWORK_NAMES: readonly NetworkName[] = ['bitcoin', 'testnet', 'signet', 'mutinynet', 'regtest'];

export function parseNetwork(s: string): NetworkName {
  if (!(NETWORK_NAMES as readonly string[]).includes(s)) throw new InvalidArgumentError('network', `expected one of ${NETWORK_NAMES.join(', ')}, got ${JSON.stringify(s)}`);
  return s as NetworkName;
}

export function identityFor(secret: WalletSecret): Identity {
  return secret.kind === 'mnemonic' ? MnemonicIdentity.fromMnemonic(secret.mnemonic, { isMainnet: secret.isMainnet }) : SingleKey.fromHex(secret.secretHex);
}

export function arkUrl(server: string): string {
  return server.replace(/\/+$/, '') + '/ark';
}
export function esploraUrlFor(server: string): string {
  return server.replace(/\/+$/, '') + '/esplora';
}

/** The network the Ark server runs on (needed before a mnemonic's BIP-86 coin type can be fixed). */
export async function serverNetwork(server: string): Promise<NetworkName> {
  try {
    return parseNetwork((await new RestArkProvider(arkUrl(server)).getInfo()).network);
  } catch (e) {
    if (e instanceof HashPerpError) throw e;
    throw unreachable(arkUrl(server), e, '; pass --network to create a wallet offline');
  }
}

function unreachable(url: string, e: unknown, hint = ''): HashPerpError {
  return new HashPerpError('ark_server_unreachable', `server: cannot reach the Ark server at ${url} (${e instanceof Error ? e.message : String(e)})${hint}`, { field: 'server' });
}

/** The SDK network name for a Network object (testnet, signet and mutinynet share addresses). */
export function networkNameOf(n: Network): NetworkName {
  for (const name of NETWORK_NAMES) if (networks[name].bech32 === n.bech32 && networks[name].hrp === n.hrp) return name;
  throw new Error(`unknown network (bech32 ${n.bech32})`);
}

export type AddressKind = 'ark' | 'bitcoin';

/** What a destination is, without a server: an Ark address (offchain) or a Bitcoin address (exit). */
export function classifyAddress(addr: string): AddressKind {
  const a = addr.trim();
  try {
    ArkAddress.decode(a);
    return 'ark';
  } catch {
    /* not Ark */
  }
  for (const name of NETWORK_NAMES) {
    try {
      Address(networks[name]).decode(a);
      return 'bitcoin';
    } catch {
      /* try the next network */
    }
  }
  throw new InvalidArgumentError('to', `unknown address format: ${JSON.stringify(addr)} is neither an Ark address nor a Bitcoin address`);
}

/** Throws unless `addr` belongs to the wallet's network (an Ark address on the right HRP, a Bitcoin address that decodes there). */
export function assertAddressOnNetwork(addr: string, kind: AddressKind, net: Network): void {
  if (kind === 'ark') {
    const hrp = ArkAddress.decode(addr).hrp;
    if (hrp !== net.hrp) throw new InvalidArgumentError('to', `the Ark address is for another network (${hrp}, the server uses ${net.hrp})`);
    return;
  }
  try {
    Address(net).decode(addr);
  } catch {
    throw new InvalidArgumentError('to', `the Bitcoin address is not for the server's network (${networkNameOf(net)})`);
  }
}

export interface OpenWalletOptions {
  secret: WalletSecret;
  server: string;
  esplora: string;
  dataPath: string;
}

export interface OpenedWallet {
  readonly wallet: Wallet;
  readonly store: WalletStore;
  readonly networkName: NetworkName;
  /** 'live' when the operator answered; 'cache' when the wallet opened from its stored snapshot. */
  readonly serverInfoSource: string;
  close(): Promise<void>;
}

export async function openWallet(o: OpenWalletOptions): Promise<OpenedWallet> {
  const identity = identityFor(o.secret);
  const store = openWalletStore(o.dataPath);
  let wallet: Wallet;
  try {
    wallet = await Wallet.create({
      identity,
      arkProvider: new RestArkProvider(arkUrl(o.server)),
      indexerProvider: new RestIndexerProvider(arkUrl(o.server)),
      // Polling, not a websocket: the operator's Esplora subset (and a user's own) may have no ws endpoint.
      onchainProvider: new EsploraProvider(o.esplora, { forcePolling: true, pollingInterval: 2_000 }),
      storage: {
        walletRepository: store.walletRepository,
        contractRepository: store.contractRepository,
        virtualTxRepository: store.virtualTxRepository,
        exitDataCapture: { mode: 'full' },
      },
      // A CLI acts only when asked: no background settling or renewal.
      settlementConfig: false,
    });
  } catch (e) {
    store.close();
    if (isRetryableProviderError(e)) throw unreachable(arkUrl(o.server), e);
    throw e;
  }
  return {
    wallet,
    store,
    networkName: networkNameOf(wallet.network),
    serverInfoSource: String((wallet as unknown as { serverInfoSource?: string }).serverInfoSource ?? 'live'),
    close: async () => {
      try {
        await wallet.dispose();
      } finally {
        // The SDK's contract watcher may still finish a sync it started before dispose(); closing the
        // file under it made it log "database connection is not open". The file closes at exit instead.
        closeAtExit(store);
      }
    },
  };
}

const openStores = new Set<{ close(): void }>();
let exitHook = false;

function closeAtExit(store: { close(): void }): void {
  openStores.add(store);
  if (exitHook) return;
  exitHook = true;
  process.once('exit', () => {
    for (const s of openStores) {
      try {
        s.close();
      } catch {
        // already closed
      }
    }
  });
}
