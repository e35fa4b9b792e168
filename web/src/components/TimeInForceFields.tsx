export type Tif = 'GTC' | 'IOC' | 'FOK';

/** The time-in-force choice every order form offers, with the post-only box beside it where the form has one. */
export function TimeInForceFields({ tif, onTif, allowGtc = true, postOnly, onPostOnly }: {
  tif: Tif;
  onTif: (tif: Tif) => void;
  /** Market orders never rest, so they offer no GTC. */
  allowGtc?: boolean;
  postOnly?: boolean;
  onPostOnly?: (v: boolean) => void;
}) {
  return (
    <div className="row">
      <label className="field" style={{ flex: 1 }}>
        Time in force
        <select value={tif} onChange={(e) => onTif(e.target.value as Tif)}>
          {allowGtc && <option value="GTC">GTC (rests)</option>}
          <option value="IOC">IOC (fill now, cancel rest)</option>
          <option value="FOK">FOK (all or nothing)</option>
        </select>
      </label>
      {onPostOnly && (
        <label className="check"><input type="checkbox" checked={postOnly === true} onChange={(e) => onPostOnly(e.target.checked)} /> Post-only</label>
      )}
    </div>
  );
}
