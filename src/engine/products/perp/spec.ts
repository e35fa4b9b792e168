// HPI-PERP contract parameters (DESIGN.md "Hashprice perpetual"). All rates are integer parts per million
// so the engine never touches floats.

export interface PerpSpec {
  /** Market id, e.g. 'HPI-PERP'. */
  id: string;
  /** Price tick in sat/PH/day; prices must be multiples of it. */
  tick: number;
  /** Largest order size in lots (keeps lots × price far below 2^53 and bounds a fat finger). */
  maxQty: number;
  initialMarginPpm: number;      // 10 %  -> max 10x
  maintenanceMarginPpm: number;  // 5 %
  takerFeePpm: number;           // 0.2 %
  makerFeePpm: number;           // 0 %
  liquidationFeePpm: number;     // 1 % of the notional closed in the book, to the insurance fund
  /** Market orders never trade further than this from mark (protection band); a limit order's aggressive side neither. */
  marketBandPpm: number;
  /** Liquidation orders close in the book only within this band around mark. */
  liquidationBandPpm: number;
  /** Premium averaging window and funding payments per 8-hour rate (48 blocks ≈ 8 h). */
  fundingBlocks: number;
  /** BitMEX's clamp on −P (zero interest): ±0.05 %. */
  fundingClampPpm: number;
  /** Cap on the 8-hour rate: ±3.75 %. */
  fundingCapPpm: number;
  /** EMA length (blocks) of the basis used in the fair price. */
  basisEmaBlocks: number;
  /**
   * Impact notional (sat): the mark's and the premium's impact bid/ask are the average fills of this much on
   * each side; a side that cannot fill it counts for nothing. dYdX v4's rule (impact margin / initial margin):
   * 500 sat of margin at 10 % = 5 000 sat, 100 lots at 50 000 sat/PH/day.
   */
  impactNotionalSat: number;
  /** The mark never leaves index × (1 ± this). Below (maintenance − one block's capped funding) / 2. */
  markBandPpm: number;
  /** Each block's premium sample (and the basis EMA's input) is clamped to ± this; 3.8 % lets F reach its cap. */
  premiumBandPpm: number;
  /** Limit orders on either side must lie within index × (1 ± this): a sanity band (a fat finger by 10×). */
  indexBandPpm: number;
}

export const HPI_PERP: PerpSpec = {
  id: 'HPI-PERP',
  tick: 1,
  maxQty: 1_000_000_000,
  initialMarginPpm: 100_000,
  maintenanceMarginPpm: 50_000,
  takerFeePpm: 2_000,
  makerFeePpm: 0,
  liquidationFeePpm: 10_000,
  marketBandPpm: 50_000,
  liquidationBandPpm: 50_000,
  fundingBlocks: 48,
  fundingClampPpm: 500,
  fundingCapPpm: 37_500,
  basisEmaBlocks: 48,
  impactNotionalSat: 5_000,
  markBandPpm: 20_000,
  premiumBandPpm: 38_000,
  indexBandPpm: 900_000,
};

/** A spec with every field present, in canonical key order (snapshots must not depend on how config was written). */
export function normalizeSpec(s: Partial<PerpSpec> & { id: string }): PerpSpec {
  const d = { ...HPI_PERP, ...s };
  return {
    id: d.id, tick: d.tick, maxQty: d.maxQty, initialMarginPpm: d.initialMarginPpm, maintenanceMarginPpm: d.maintenanceMarginPpm,
    takerFeePpm: d.takerFeePpm, makerFeePpm: d.makerFeePpm, liquidationFeePpm: d.liquidationFeePpm, marketBandPpm: d.marketBandPpm,
    liquidationBandPpm: d.liquidationBandPpm, fundingBlocks: d.fundingBlocks, fundingClampPpm: d.fundingClampPpm,
    fundingCapPpm: d.fundingCapPpm, basisEmaBlocks: d.basisEmaBlocks, impactNotionalSat: d.impactNotionalSat, markBandPpm: d.markBandPpm,
    premiumBandPpm: d.premiumBandPpm, indexBandPpm: d.indexBandPpm,
  };
}
