/**
 * The network the server's addresses (Ark, contract VTXOs, withdrawals) are encoded for: the node's with
 * bitcoind, regtest where no chain holds them (the embedded demo and replays).
 */
import type { NetworkName } from '../bitcoin/networks.js';
import type { ChainParams } from '../chain/params.js';
import { InvalidArgumentError } from '../units/errors.js';
import type { ServeConfig } from './config.js';

export async function contractNetwork(cfg: ServeConfig, params?: ChainParams): Promise<NetworkName> {
  if (cfg.chain !== 'bitcoind') return 'regtest';
  if (params !== undefined) return params.name;
  const { BitcoindRpc } = await import('../chain/rpc-client.js');
  const info = await new BitcoindRpc(cfg.rpc!).call<{ chain: string }>('getblockchaininfo');
  if (info.chain === 'main') return 'mainnet';
  if (info.chain === 'regtest') return 'regtest';
  if (info.chain === 'signet') return 'signet';
  throw new InvalidArgumentError('rpc', `bitcoind is on ${info.chain}; serve follows main, signet or regtest`);
}
