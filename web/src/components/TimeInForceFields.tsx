import type { TimeInForce } from '../lib/time-in-force.js';

/** The time-in-force choice; market orders never rest, so they are offered no GTC. */
export function TimeInForceSelect({ tif, onTif, allowGtc = true }: { tif: TimeInForce; onTif: (tif: TimeInForce) => void; allowGtc?: boolean }) {
  return (
    <label className="field" style={{ flex: 1 }}>
      Time in force
      <select value={tif} onChange={(e) => onTif(e.target.value as TimeInForce)}>
        {allowGtc && <option value="GTC">GTC (rests)</option>}
        <option value="IOC">IOC (fill now, cancel rest)</option>
        <option value="FOK">FOK (all or nothing)</option>
      </select>
    </label>
  );
}

/** The time-in-force choice with the post-only box beside it, as the forward and block-delta forms offer them. */
export function TimeInForceFields({ tif, onTif, postOnly, onPostOnly }: {
  tif: TimeInForce;
  onTif: (tif: TimeInForce) => void;
  postOnly: boolean;
  onPostOnly: (v: boolean) => void;
}) {
  return (
    <div className="row">
      <TimeInForceSelect tif={tif} onTif={onTif} />
      <label className="check"><input type="checkbox" checked={postOnly} onChange={(e) => onPostOnly(e.target.checked)} /> Post-only</label>
    </div>
  );
}
