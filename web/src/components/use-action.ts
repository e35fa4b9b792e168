import { useState } from 'react';
import type { ActionResult } from './ActionResult.js';

/**
 * Runs a form's request to the server and keeps what it came to: the last result is cleared when a new
 * request starts (so a stale "Order 12 open" never sits beside a new order), `busy` holds while it is out,
 * and a refusal becomes the sentence `describe` makes of it.
 */
export function useAction(describe: (e: unknown) => string) {
  const [result, setResult] = useState<ActionResult | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  /** `act` resolves to the success text; `after` runs only on success (reloads, callbacks). */
  const run = async (act: () => Promise<string>, after?: () => void): Promise<void> => {
    setResult(undefined);
    setBusy(true);
    try {
      setResult({ ok: true, text: await act() });
      after?.();
    } catch (e) {
      setResult({ ok: false, text: describe(e) });
    } finally {
      setBusy(false);
    }
  };
  return { result, setResult, busy, run };
}
