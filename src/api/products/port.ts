/**
 * The one port between the product routes (forwards, options, vault, block-delta, swaps, portfolio)
 * and the live system. Writes are engine commands through `submit` (the Sequencer: journaled, then
 * applied); reads are synchronous views of the live Exchange (never mutated here). The history
 * projection is fed by the wiring with every applied (seq, events).
 */
import type { Command, EngineEvent, Exchange } from '../../engine/index.js';
import type { IndexChain } from '../../index/chain-view.js';
import type { ContractService } from '../../operator/contract-service.js';
import type { Principal } from '../auth/authenticate.js';
import type { AccountHistory } from '../../server/projections/history.js';

export interface ProductsPort {
  /** Journals and applies one command (the Sequencer / EngineCore.submit). */
  submit(cmd: Command): Promise<{ seq: number; events: EngineEvent[] }>;
  /** The live engine state, read-only: the read helpers of src/engine/products take it. */
  exchange(): Exchange;
  /** Chain data for the models (option μ/σ, block-delta odds, forward curve). */
  chain: IndexChain;
  /** Block-delta contract documents and exit packages; absent = those routes answer 503. */
  contracts?: ContractService;
  history: AccountHistory;
  /** May this principal list block-delta series (operator: an 'admin' API key or a configured account)? */
  isOperator(principal: Principal): boolean;
  /** Wall clock (ms) for edge-side checks such as a rollover consent's age; the engine never reads it. */
  nowMs(): number;
  /** Model options for block-delta fair values (Monte Carlo paths when a series crosses a retarget). */
  bdcModel?: { paths?: number; seed?: number };
}
