/**
 * Pending contract VTXOs go into a batch after every processed block. The batch runs on the next turn
 * of the event loop, after the contract service has seen the block's events, and at most once per turn
 * however many blocks a catch-up applies in it.
 */
import type { ContractService } from '../operator/contract-service.js';
import type { EngineCore } from './engine-host.js';

export interface BatchingStatus {
  batches: number;
  positions: number;
  lastBatchHeight: number;
  lastError: string | undefined;
}

export interface ContractBatching {
  status(): BatchingStatus;
  stop(): void;
}

export function batchAfterBlocks(engine: EngineCore, contracts: ContractService, onError: (message: string) => void): ContractBatching {
  const status: BatchingStatus = { batches: 0, positions: 0, lastBatchHeight: -1, lastError: undefined };
  let scheduled = false;
  let stopped = false;
  const off = engine.on((_seq, _c, events) => {
    if (scheduled || !events.some((e) => e.type === 'BlockProcessed')) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (stopped) return;
      try {
        const b = contracts.batch();
        if (b !== undefined) {
          status.batches++;
          status.positions += b.positionIds.length;
          status.lastBatchHeight = engine.chainTip().height;
        }
      } catch (e) {
        status.lastError = e instanceof Error ? e.message : String(e);
        onError(`contract batch: ${status.lastError}`);
      }
    });
  });
  return {
    status: () => ({ ...status }),
    stop() {
      off();
      stopped = true;
    },
  };
}
