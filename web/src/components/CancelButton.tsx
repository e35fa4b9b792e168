import { useState } from 'react';
import { explain } from '../lib/api-errors.js';

/** Cancels one resting order; a refusal stays beside the button, since the row it belongs to stays too. */
export function CancelButton({ onCancel, done }: { onCancel: () => Promise<unknown>; done: () => void }) {
  const [err, setErr] = useState<string | undefined>(undefined);
  return (
    <>
      <button className="ghost" onClick={() => void onCancel().then(done, (e: unknown) => setErr(explain(e, 'cancelling')))}>Cancel</button>
      {err && <div className="field-error">{err}</div>}
    </>
  );
}
