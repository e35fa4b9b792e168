import type { Backend } from '../../api/backend.js';
import type { Loaded } from '../../api/hooks.js';
import { RecordTable } from '../../components/RecordTable.js';
import { isRecordArray, recordsOf } from '../../lib/records.js';
import { OptionBuy } from './OptionBuy.js';

/** Buying an option beside the account's options (their own list, else the portfolio's copy). */
export function OptionsPanel({ backend, sk, options, fromPortfolio, tipHeight, indexPrice, done }: {
  backend: Backend;
  sk: string;
  options: Loaded<Record<string, unknown>[]>;
  /** The portfolio view's options, shown while (or if) the options list cannot be read. */
  fromPortfolio: unknown;
  tipHeight: number | undefined;
  indexPrice: number | undefined;
  done: () => void;
}) {
  return (
    <section className="panel" data-testid="options-section">
      <h2>Options <span className="muted small">European calls and puts on the hashprice index, sold by the vault</span></h2>
      <div className="grid two">
        <div>
          <h3>Buy an option</h3>
          <OptionBuy backend={backend} sk={sk} tipHeight={tipHeight} indexPrice={indexPrice} onBought={done} />
        </div>
        <div>
          <h3>Your options</h3>
          <RecordTable testId="options" rows={options.data ?? recordsOf(fromPortfolio)} units={{ strike: 'sat/PH/day', lots: 'TH/s·day' }} skip={['account', 'holder', 'buyer']} empty="No options yet." />
          {options.error && !isRecordArray(fromPortfolio) && <div className="notice small">{options.error}</div>}
        </div>
      </div>
    </section>
  );
}
