/** The server's part of /health: chain follower, engine and its contracts, demo, custody, the Ark operator's chain. */
import { bytesToHex } from '@noble/hashes/utils.js';
import type { HealthExtras } from '../api/app-types.js';
import type { DemoMarketMaker } from '../demo/market-maker.js';
import type { DeskStatus } from '../operator/block-delta/desk.js';
import type { ChainRuntime } from './chain-runtime.js';
import type { BitcoindCustody } from './custody.js';
import type { EngineCore } from './engine-host.js';
import type { ServerArk } from './ark-wiring.js';

export interface HealthParts {
  engine: EngineCore;
  /** The block-delta desk: positions, how many have their contract VTXO, what waits and why, reconciliation. */
  contracts: DeskStatus | undefined;
  /** Absent until the server has started them (or when the mode runs none). */
  chain?: ChainRuntime | undefined;
  demo?: DemoMarketMaker | undefined;
  custody?: BitcoindCustody | undefined;
  /** Where the operator keys' passphrase came from; `sealed: false` when no SQLite file holds them (keys per run). */
  operatorKeys: { sealed: boolean; source: string };
  /** The Ark operator's chain and whether its transactions reach a network (embedded: they do not). */
  ark?: { chain: string; network: string; onChain: string; [k: string]: unknown } | undefined;
  /** The latest liabilities root and whether the reserves read after it fall short. */
  proofs?: HealthExtras['proofs'];
  /** Ark deposits and withdrawals set against the operator's Ark txs. */
  reconciliation?: HealthExtras['reconciliation'];
}

export function healthOf({ engine, contracts, chain, demo, custody, operatorKeys, ark, proofs, reconciliation }: HealthParts): HealthExtras {
  const tip = engine.chainTip();
  return {
    ...(chain ? { chain: chain.status() } : {}),
    engine: {
      seq: engine.lastSeq, height: tip.height, blockHash: tip.hash, stateHash: engine.stateHash(), journal: engine.journalKind, halted: engine.halted?.message ?? null,
      contracts: contracts ?? { note: 'no Ark operator in this mode: block-delta positions stay in the ledger' },
    },
    demo: demo ? { enabled: true, account: demo.account, requotes: demo.requotes, lastQuoteHeight: demo.lastQuoteHeight, quoters: demo.quoterNames, takers: { accounts: demo.takers.accounts, orders: demo.takers.orders, fills: demo.takers.fills, refused: demo.takers.refused } } : { enabled: false },
    operatorKeys,
    ...(ark ? { ark } : {}),
    ...(proofs ? { proofs } : {}),
    ...(reconciliation ? { reconciliation } : {}),
    ...(custody ? { custody: { operatorKey: bytesToHex(custody.operatorKey), confirmations: custody.confirmations, depositsCredited: custody.credited, lastError: custody.lastError ?? null } } : {}),
  };
}
