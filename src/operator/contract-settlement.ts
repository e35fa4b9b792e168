import type { BdcSide } from '../bitcoin/vtxo-scripts.js';
import type { ContractSettlement, SettlementPath } from './contract-store.js';

/** The header rule as the engine applies it (engine/products/bdc/header-rule.ts), stated for the auditor. */
export const HEADER_RULE =
  'FAST wins if block H is mined while the MTP of its parent is still below T; SLOW wins if the MTP reaches T before block H exists (whichever comes first)';

/** Both claim leaves open eventually (height H is reached, MTP passes T): after that, whoever confirms first takes the VTXO. */
const RACE =
  'once both locks have opened (block H exists and MTP >= T) the loser can use its own claim leaf too: it is a race, so the winner should start the exit as soon as its lock opens';

/**
 * Which leaves settle a decided position (leaf numbers of DESIGN.md's block-delta table). The
 * cooperative path is leaf 1 (U + S) as an Ark tx paying the winner; if the other side is gone, the
 * winner unrolls the VTXO on chain (exit package) and claims alone through its own claim leaf, 2 for
 * FAST (CLTV H) or 3 for SLOW (CLTV T − 1), after the exit delay d.
 */
export function settlementPaths(userSide: BdcSide, won: boolean): Pick<ContractSettlement, 'winner' | 'winnerParty' | 'cooperative' | 'fallbacks' | 'rule'> {
  const winner: BdcSide = won ? userSide : userSide === 'FAST' ? 'SLOW' : 'FAST';
  const winnerParty = won ? 'user' : 'operator';
  const who = winnerParty === 'user' ? 'U' : 'S';
  const cooperative: SettlementPath = { leaf: 1, name: 'cooperative', requires: `U and S sign an Ark tx paying ${who} (no timelock)` };
  const fallback: SettlementPath =
    winner === 'FAST'
      ? { leaf: 2, name: 'unilateral-claim-fast', requires: `FAST party (${who}) alone after the exit package is on chain: nLockTime >= H and CSV(exit delay); ${RACE}` }
      : { leaf: 3, name: 'unilateral-claim-slow', requires: `SLOW party (${who}) alone after the exit package is on chain: nLockTime >= T − 1 (final once MTP >= T) and CSV(exit delay); ${RACE}` };
  return { winner, winnerParty, cooperative, fallbacks: [fallback], rule: HEADER_RULE };
}
