import type { ForwardQuoteView } from '../../api/products.js';
import { btcPerPhDay, msatAsBtc, ratioPct } from '../../lib/format.js';

/** The server calculator's numbers for one side of a forward order: the miner's (sell) or the investor's (buy). */
export function ForwardQuotePreview({ side, q }: { side: 'buy' | 'sell'; q: ForwardQuoteView }) {
  return side === 'sell' ? (
    <dl className="preview" data-testid="fwd-quote">
      <dt>Contract value</dt><dd>{msatAsBtc(q.contractValueMsat)}</dd>
      <dt>Collateral you lock (110 %)</dt><dd>{msatAsBtc(q.collateralMsat)}</dd>
      <dt>Upfront to you</dt><dd>{msatAsBtc(q.upfrontToMinerMsat, 'holding')}</dd>
      <dt>Released per delivered day</dt><dd>{msatAsBtc(q.dailyReleaseMsat, 'holding')}</dd>
      <dt>Capital efficiency</dt><dd>{ratioPct(q.capitalEfficiency)}</dd>
      <dt>Rewards you deliver at today's index</dt><dd>{msatAsBtc(q.expectedDeliveredMsat, 'holding')}</dd>
    </dl>
  ) : (
    <dl className="preview" data-testid="fwd-quote">
      <dt>You pay upfront</dt><dd>{msatAsBtc(q.investorPaysMsat)}</dd>
      <dt>Expected BTC at today's index</dt><dd>{msatAsBtc(q.expectedDeliveredMsat, 'holding')}</dd>
      <dt>APY (simple / compounded)</dt><dd>{ratioPct(q.impliedApySimple)} / {ratioPct(q.impliedApyCompounded)}</dd>
      <dt>Break-even index</dt><dd>{btcPerPhDay(Math.ceil(q.breakEvenIndexSatPerPHDay))} BTC/PH/day</dd>
      <dt>Miner's collateral backing you</dt><dd>{msatAsBtc(q.collateralMsat)}</dd>
    </dl>
  );
}
