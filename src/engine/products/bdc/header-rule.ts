// The header rule that settles a series cooperatively: whichever of "block H" and "MTP ≥ T" came first.
//
// Bitcoin judges a block's time locks against the MTP of its PARENT (BIP113), and a height lock H opens
// with block H. So when block h connects:
//   - h ≥ H: FAST wins. Block H was mined while MTP(H − 1) < T: had an earlier block's MTP reached T,
//     the series would already be settled for SLOW (MTP never decreases: every header time exceeds the
//     MTP of its parent, so the median of the sliding 11 cannot fall).
//   - h < H and MTP(h) ≥ T: SLOW wins: the deadline passed before height H.
// The tie, block H itself being the first block with MTP ≥ T, goes to FAST: the "MTP ≥ T" event happens
// at block H, not before it, and MTP(H − 1) < T is what a block-H spend is judged against. This is the
// metastable window Powswap warns about (both claim leaves can be spent in block H + 1 on chain); the
// cooperative path settles it by this rule and the on-chain race is only the fallback.
// Boundary: MTP exactly T counts as reached (SLOW), as DESIGN states "MTP ≥ T". On chain, a CLTV time lock
// T opens when MTP > T (nLockTime < MTP), so a SLOW claim leaf meant to open exactly at MTP ≥ T locks to T − 1.
import type { BdcSide } from './commands.js';

export function headerRule(series: { height: number; deadline: number }, blockHeight: number, blockMtp: number): BdcSide | undefined {
  if (blockHeight >= series.height) return 'FAST';
  if (blockMtp >= series.deadline) return 'SLOW';
  return undefined;
}
