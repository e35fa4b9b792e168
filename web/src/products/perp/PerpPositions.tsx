import { RecordTable } from '../../components/RecordTable.js';
import { labelOf, present } from '../../lib/present.js';
import type { Rec } from '../../lib/records.js';
import { PERP_UNITS } from './units.js';

/** Open perpetual positions with PnL and liquidation price, and the net funding when the portfolio view has it. */
export function PerpPositions({ positions, fundingNetMsat }: { positions: Rec[]; fundingNetMsat: unknown }) {
  return (
    <>
      <RecordTable
        testId="perp-positions"
        rows={positions}
        units={PERP_UNITS}
        empty={<>No open perpetual positions. A filled order on the <a href="#/trade">Trade</a> page shows up here with its PnL and liquidation price.</>}
      />
      {fundingNetMsat !== undefined && <div className="small muted" style={{ marginTop: 6 }} data-testid="funding">{labelOf('fundingNetMsat')}: {present('fundingNetMsat', fundingNetMsat)}</div>}
    </>
  );
}
