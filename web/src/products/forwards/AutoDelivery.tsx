import { useEffect, useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { explain } from '../../lib/api-errors.js';

/** Opt in or out of cash delivery: each day's obligation is paid from the free balance at the day's end. */
export function AutoDelivery({ backend, sk, enabled, known, done }: { backend: Backend; sk: string; enabled: boolean; known: boolean; done: () => void }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | undefined>(undefined);
  // Shown at once (the box answers the click); put back if the server refuses.
  const [on, setOn] = useState(enabled);
  useEffect(() => setOn(enabled), [enabled]);
  const toggle = async (want: boolean) => {
    setBusy(true);
    setErr(undefined);
    setOn(want);
    try {
      await backend.products.setAutoDelivery(sk, want);
      done();
    } catch (e) {
      setOn(!want);
      setErr(explain(e, 'auto-delivery'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ marginBottom: 8 }}>
      <label className="check" data-testid="auto-delivery">
        <input type="checkbox" checked={on} disabled={busy || !known} onChange={(e) => void toggle(e.target.checked)} />{' '}
        Auto-delivery: as a miner, pay each day's delivery from my free balance at the day's end {known ? `(now ${on ? 'on' : 'off'})` : '(state unknown)'}
      </label>
      {err && <div className="field-error">{err}</div>}
    </div>
  );
}
