import { useState } from 'react';
import { formatUtc } from '../../../../src/units/time.js';
import type { BdcSeriesView } from '../../api/products.js';
import { deadlineFromInput, describeDeadline, expectedHeightAt, type ChainTip, type DeadlineInput } from '../../lib/deadline.js';
import { grouped } from '../../lib/format.js';
import { isOpen } from './series-status.js';

/** "In N days" or a date -> T, the height expected by then, and the listed series nearest to it. */
export function DeadlinePicker({ tip, series, onPick }: { tip: ChainTip | undefined; series: BdcSeriesView[]; onPick: (s: string) => void }) {
  const [input, setInput] = useState<DeadlineInput>({ mode: 'days', days: '7' });
  if (!tip) return null;
  let t: number | undefined;
  let error: string | undefined;
  try {
    t = deadlineFromInput(input, tip.time);
  } catch (e) {
    error = e instanceof Error ? e.message.replace(/^(days|date): /, '') : String(e);
  }
  const nearest = t === undefined ? undefined : [...series].filter(isOpen).sort((a, b) => Math.abs(a.deadline - t!) - Math.abs(b.deadline - t!))[0];
  return (
    <section className="panel" data-testid="deadline-picker">
      <h2>Pick a deadline</h2>
      <div className="row">
        <label className="field" style={{ flex: '1 1 140px' }}>
          In how many days
          <input inputMode="decimal" value={input.mode === 'days' ? input.days : ''} placeholder="7" onChange={(e) => setInput({ mode: 'days', days: e.target.value })} name="deadline-days" />
        </label>
        <label className="field" style={{ flex: '1 1 200px' }}>
          Or a date and time (UTC)
          <input type="datetime-local" value={input.mode === 'date' ? input.date : ''} onChange={(e) => setInput({ mode: 'date', date: e.target.value })} name="deadline-date" />
        </label>
      </div>
      {error ? (
        <div className="field-error">{error}</div>
      ) : t !== undefined && (
        <div className="small" style={{ marginTop: 8 }} data-testid="deadline-summary">
          Deadline <strong>{describeDeadline(t, tip.time)}</strong> (T = {t}). At 10 minutes a block the chain is expected to reach height{' '}
          {grouped(expectedHeightAt(t, tip))} by then (now {grouped(tip.height)} at {formatUtc(tip.time)}, the chain's time).
          {nearest ? (
            <> Nearest listed series: <button className="ghost" onClick={() => onPick(nearest.series)}>{nearest.series}, {describeDeadline(nearest.deadline, tip.time)}</button></>
          ) : ' No open series is listed near it; series are listed by the operator.'}
        </div>
      )}
    </section>
  );
}
