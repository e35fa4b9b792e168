import type { BdcSide } from '../bitcoin/vtxo-scripts.js';
import type { ContractSettlement, SettlementPath } from './contract-store.js';

/** The header rule as the engine applies it (engine/products/bdc/header-rule.ts), stated for the auditor. */
export const HEADER_RULE =
  'FAST wins if block H is mined while the MTP of its parent is still below T; SLOW wins if the MTP reaches T before block H exists (whichever comes first)';

/**
 * Which leaves settle a decided position (leaf numbers of DESIGN.md's block-delta table). The
 * cooperative path is leaf 1 (U + S) as an Ark tx paying the winner; if S stops answering, the winner
 * uses its offchain claim (leaf 2 or 3, still with S) or, alone, exits the tree and claims through
 * leaf 5 or 6 after the exit delay; leaf 4 is the joint unilateral exit.
 */
export function settlementPaths(userSide: BdcSide, won: boolean): Pick<ContractSettlement, 'winner' | 'winnerParty' | 'cooperative' | 'fallbacks' | 'rule'> {
  const winner: BdcSide = won ? userSide : userSide === 'FAST' ? 'SLOW' : 'FAST';
  const winnerParty = won ? 'user' : 'operator';
  const who = winnerParty === 'user' ? 'U' : 'S';
  const cooperative: SettlementPath = { leaf: 1, name: 'cooperative', requires: `U and S sign an Ark tx paying ${who} (no timelock)` };
  const fallbacks: SettlementPath[] =
    winner === 'FAST'
      ? [
          { leaf: 2, name: 'offchain-claim-fast', requires: `FAST party (${who}) + S, nLockTime >= H` },
          { leaf: 5, name: 'unilateral-claim-fast', requires: `FAST party (${who}) alone after the exit package is on chain: nLockTime >= H and CSV(exit delay)` },
          { leaf: 4, name: 'cooperative-exit', requires: 'U + S after CSV(exit delay)' },
        ]
      : [
          { leaf: 3, name: 'offchain-claim-slow', requires: `SLOW party (${who}) + S, nLockTime >= T (MTP past T)` },
          { leaf: 6, name: 'unilateral-claim-slow', requires: `SLOW party (${who}) alone after the exit package is on chain: nLockTime >= T and CSV(exit delay)` },
          { leaf: 4, name: 'cooperative-exit', requires: 'U + S after CSV(exit delay)' },
        ];
  return { winner, winnerParty, cooperative, fallbacks, rule: HEADER_RULE };
}
