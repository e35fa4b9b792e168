/**
 * The one port between the product routes (forwards, options, vault, block-delta, swaps, portfolio)
 * and the live system. Writes are engine commands through `submit` (the Sequencer: journaled, then
 * applied); reads go through `views` (views.ts), functions returning exactly what a route shows, so
 * no route holds the live Exchange. The server implements it (src/server/products-port.ts).
 */
import type { Command, EngineEvent } from '../../engine/index.js';
import type { IndexChain } from '../../index/chain-view.js';
import type { ContractDesk } from '../../operator/block-delta/desk.js';
import type { Principal } from '../auth/authenticate.js';
import type { ProductViews } from './views.js';

export type HistoryKind = 'transfer' | 'fill' | 'funding' | 'delivery' | 'settlement' | 'order' | 'swap' | 'vault' | 'option' | 'position';

export interface HistoryEntry {
  /** Increasing over the whole projection; the `before` cursor. */
  id: number;
  seq: number;
  kind: HistoryKind;
  /** The engine event type, e.g. LedgerTransfer, ForwardDayDelivered. */
  event: string;
  /** The event's fields on the wire (bigint as decimal strings); for transfers `amountMsat` is signed: + in, − out. */
  data: Record<string, unknown>;
}

/** The account history projection, as the routes read it. */
export interface HistoryView {
  /** Newest first; `before` is an entry id (the page cursor). */
  list(account: string, q?: { limit?: number; before?: number }): HistoryEntry[];
  /** Net funding, msat (+ received, − paid), over the whole journal. */
  fundingOf(account: string): bigint;
}

/** The contract documents, exit data and contract keys the routes serve (the operator's block-delta desk). */
export type ContractDocs = Pick<ContractDesk, 'contract' | 'contractsOf' | 'exitPackage' | 'record' | 'setContractKey' | 'contractKey' | 'swaps' | 'takes'>;

export interface ProductsPort {
  /** Journals and applies one command (the Sequencer / EngineCore.submit). */
  submit(cmd: Command): Promise<{ seq: number; events: EngineEvent[] }>;
  views: ProductViews;
  /** Chain data for the models made at the edge (option μ/σ, the forward curve). */
  chain: IndexChain;
  /** Block-delta contract documents and exit packages; absent = those routes answer 503. */
  contracts?: ContractDocs;
  history: HistoryView;
  /** May this principal list block-delta series (operator: an 'admin' API key or a configured account)? */
  isOperator(principal: Principal): boolean;
  /** Wall clock (ms) for edge-side checks such as a rollover consent's age; the engine never reads it. */
  nowMs(): number;
}
