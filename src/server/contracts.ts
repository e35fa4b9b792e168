/**
 * The operator's block-delta ContractService as the server runs it: the network its addresses use,
 * the key S (HASHPERP_OPERATOR_KEY, else sealed in the operator key store), and its store beside the journal.
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { NetworkName } from '../bitcoin/networks.js';
import type { ChainParams } from '../chain/params.js';
import { ContractService } from '../operator/contract-service.js';
import { MemoryContractStore, SqliteContractStore } from '../operator/contract-store.js';
import { InvalidArgumentError } from '../units/errors.js';
import type { ServeConfig } from './config.js';
import { OperatorMetaStore } from './operator-meta-store.js';
import type { OperatorKeyStore } from './operator-keys.js';

/** Contract VTXOs' CSVs: unilateral exits wait a day of blocks; batches expire after four weeks. */
const EXIT_DELAY = { type: 'blocks' as const, value: 144n };
const BATCH_EXPIRY = { type: 'blocks' as const, value: 4032n };

/** The network contract addresses are encoded for: the node's with bitcoind, regtest where no chain holds them. */
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

export interface ServerContracts {
  service: ContractService;
  /** Why batches are unfunded in this mode (logged, and shown in /health). */
  fundingNote: string;
  close(): void;
}

/** `notes` receives what this mode lacks (no SQLite file: S per run, records in memory). `keys`: the sealed key store (with the SQLite file). */
export function openContracts(cfg: ServeConfig, network: NetworkName, notes: string[], keys?: OperatorKeyStore): ServerContracts {
  let meta: OperatorMetaStore | undefined;
  let operatorSecret = cfg.operatorKey;
  if (keys !== undefined) {
    meta = OperatorMetaStore.open(cfg.db);
    operatorSecret ??= keys.secretHex('contract', () => schnorr.utils.randomSecretKey());
  } else if (operatorSecret === undefined) {
    operatorSecret = bytesToHex(schnorr.utils.randomSecretKey());
    notes.push('block-delta contracts: no SQLite file, so the operator key S is generated per run (set HASHPERP_OPERATOR_KEY) and contract records live in memory');
  }
  const service = new ContractService({
    operatorSecret,
    network,
    exitDelay: EXIT_DELAY,
    batchExpiry: BATCH_EXPIRY,
    store: meta !== undefined ? new SqliteContractStore(meta.db) : new MemoryContractStore(),
  });
  const fundingNote =
    cfg.chain === 'bitcoind'
      ? 'unfunded: the custody wallet does not expose operator-keyed UTXOs to the contract service yet, so batches spend a placeholder (funded:false)'
      : 'unfunded by design: this mode replays or follows headers but no chain holds the contracts; every batch and document says funded:false';
  notes.push(`block-delta contracts (${network}): ${fundingNote}`);
  return {
    service,
    fundingNote,
    close: () => {
      service.close();
      meta?.close();
    },
  };
}
