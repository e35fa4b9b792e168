/**
 * When a block-delta position's holder must start a unilateral exit to be sure of a win
 * (src/bitcoin/bdc-exit-window.ts), with where d and k came from: the contract document when the operator's
 * ContractService holds the position (its VTXO's exit delay; k = the exit package's steps once batched),
 * else stated assumptions (the default Ark exit delay; the deepest tree the horizon assumes).
 */
import { bdcExitWindow, exitDelayBlocks, type BdcExitDeadline } from '../../bitcoin/bdc-exit-window.js';
import { ASSUMED_UNROLL_TXS } from '../../engine/products/bdc/horizon.js';
import type { BdcPositionDescription } from '../../engine/products/bdc/index.js';
import { DEFAULT_ARK_PARAMS } from '../../operator/ark/ark-params.js';
import type { ContractDocs } from './port.js';

export interface BdcExitView {
  /** d, blocks. */
  exitDelayBlocks: number;
  exitDelaySource: 'contract' | 'assumed: the default Ark unilateral exit delay';
  /** k: transactions to broadcast to unroll the VTXO. */
  unrollTxs: number;
  unrollTxsSource: 'exit package' | 'assumed: the deepest VTXO tree + checkpoint + Ark tx';
  latestStart: BdcExitDeadline;
  metastability: string;
}

type Doc = { terms?: { exitDelay?: { type?: unknown; value?: unknown } }; exitPackage?: { steps?: unknown[] } };

export function bdcExitView(p: Pick<BdcPositionDescription, 'positionId' | 'side' | 'height' | 'deadline'>, docs: ContractDocs | undefined): BdcExitView {
  let doc: Doc | undefined;
  try {
    doc = docs?.contract(p.positionId) as Doc | undefined;
  } catch {
    doc = undefined; // no record (yet): the assumptions below
  }
  const delay = doc?.terms?.exitDelay;
  const fromDoc = (delay?.type === 'blocks' || delay?.type === 'seconds') && typeof delay.value === 'string';
  const d = fromDoc ? exitDelayBlocks({ type: delay.type as 'blocks' | 'seconds', value: BigInt(delay.value as string) }) : exitDelayBlocks(DEFAULT_ARK_PARAMS.unilateralExitDelay);
  const steps = doc?.exitPackage?.steps;
  const k = Array.isArray(steps) && steps.length > 0 ? steps.length : ASSUMED_UNROLL_TXS;
  const w = bdcExitWindow({ side: p.side, height: p.height, deadline: p.deadline, exitDelayBlocks: d, unrollTxs: k });
  return {
    exitDelayBlocks: d,
    exitDelaySource: fromDoc ? 'contract' : 'assumed: the default Ark unilateral exit delay',
    unrollTxs: k,
    unrollTxsSource: Array.isArray(steps) && steps.length > 0 ? 'exit package' : 'assumed: the deepest VTXO tree + checkpoint + Ark tx',
    latestStart: w.latestStart,
    metastability: w.metastability,
  };
}
