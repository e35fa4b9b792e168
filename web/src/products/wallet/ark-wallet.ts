import {
  EsploraProvider,
  IndexedDBContractRepository,
  IndexedDBVirtualTxRepository,
  IndexedDBWalletRepository,
  MnemonicIdentity,
  Wallet,
} from '@arkade-os/sdk';
import { demoLedgerOf, faucetOutcome, type DemoLedger, type FaucetPaid } from '../../lib/wallet-demo.js';

/** The SDK's own wallet/contract state (public data only) lives in this IndexedDB database; the seed does not. */
export const WALLET_DB = 'hashperp-ark-wallet';
/**
 * The captured exit branches, in a database of their own: in SDK 0.4.56 the virtual-tx repository opens its database
 * at a newer schema version than the wallet repository, and one database name shared by both fails to open.
 */
export const EXIT_DB = 'hashperp-ark-exit';

/** This page's server: the Ark API and the Esplora subset are mounted on the same origin the app came from. */
export function arkUrls(origin: string): { ark: string; esplora: string } {
  return { ark: `${origin}/ark`, esplora: `${origin}/esplora` };
}

/** `demo`: the server's operator settles on the embedded demo ledger (coins that are not bitcoin), per its /health. */
export type ArkProbe = { ok: true; network: string; demo?: DemoLedger } | { ok: false; reason: string };

/** GET /health's `ark` section; a server that cannot say is treated as not the demo (no faucet button). */
async function probeDemo(origin: string): Promise<DemoLedger | undefined> {
  try {
    const res = await fetch(`${origin}/health`);
    return res.ok ? demoLedgerOf(await res.json()) : undefined;
  } catch {
    return undefined;
  }
}

/** GET /ark/v1/info: a server started without the Ark operator (--chain esplora) answers 404. */
export async function probeArk(origin: string): Promise<ArkProbe> {
  try {
    const [res, demo] = await Promise.all([fetch(`${arkUrls(origin).ark}/v1/info`), probeDemo(origin)]);
    if (!res.ok) return { ok: false, reason: `GET /ark/v1/info answered ${res.status}` };
    const info = (await res.json()) as { network?: unknown };
    return { ok: true, network: typeof info.network === 'string' ? info.network : 'unknown', ...(demo ? { demo } : {}) };
  } catch (e) {
    return { ok: false, reason: (e as Error).message };
  }
}

/** The embedded demo's boarding faucet: pays demo-ledger coins to `address` and mines them into a block. */
export async function requestDemoCoins(origin: string, address: string, amountSat: number): Promise<FaucetPaid> {
  const res = await fetch(`${origin}/v1/faucet/boarding`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address, amountSat }) });
  const body: unknown = await res.json().catch(() => null);
  return faucetOutcome(res.status, body);
}

/** BIP-86 keys from the phrase (m/86'/0'/0' on mainnet, m/86'/1'/0' elsewhere), so other BIP-86 wallets restore it. */
export function identityFor(mnemonic: string, network: string): MnemonicIdentity {
  return MnemonicIdentity.fromMnemonic(mnemonic, { isMainnet: network === 'bitcoin' });
}

/**
 * The stock SDK wallet over this origin. BIP-86 keys from the phrase (coin type 1 off mainnet), one static
 * address (no HD rotation), automatic settlement off: the page's "Settle" button boards and renews.
 */
export async function openArkWallet(origin: string, mnemonic: string, network: string): Promise<Wallet> {
  const urls = arkUrls(origin);
  return Wallet.create({
    identity: identityFor(mnemonic, network),
    arkServerUrl: urls.ark,
    onchainProvider: new EsploraProvider(urls.esplora, { forcePolling: true, pollingInterval: 1000 }),
    storage: {
      walletRepository: new IndexedDBWalletRepository(WALLET_DB),
      contractRepository: new IndexedDBContractRepository(WALLET_DB),
      // The SDK's exit-data capture: each received VTXO's branch, PSBTs included ("full"), kept in this browser as it
      // arrives, so a unilateral exit needs no indexer later. Best-effort in the SDK; the page's download is the backup.
      virtualTxRepository: new IndexedDBVirtualTxRepository(EXIT_DB),
      exitDataCapture: { mode: 'full' },
    },
    walletMode: 'static',
    settlementConfig: false,
  });
}
