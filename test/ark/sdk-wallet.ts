/**
 * A stock @arkade-os/sdk wallet against a HashPerp server, as the acceptance and attack suites use it:
 * arkd's API at `<server>/ark`, the server's Esplora at `<server>/esplora` (polling), in-memory
 * storage, no background settling. Installs the `eventsource` polyfill the SDK's streams need in Node.
 */
import { EventSource } from 'eventsource';
import { EsploraProvider, InMemoryContractRepository, InMemoryWalletRepository, SingleKey, Wallet } from '@arkade-os/sdk';

(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

export async function sdkWallet(serverUrl: string, identity: SingleKey = SingleKey.fromRandomBytes()): Promise<Wallet> {
  return Wallet.create({
    identity,
    arkServerUrl: `${serverUrl}/ark`,
    onchainProvider: new EsploraProvider(`${serverUrl}/esplora`, { forcePolling: true, pollingInterval: 300 }),
    storage: { walletRepository: new InMemoryWalletRepository(), contractRepository: new InMemoryContractRepository() },
    settlementConfig: false,
  });
}
