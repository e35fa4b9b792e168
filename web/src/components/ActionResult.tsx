import type { CSSProperties } from 'react';

/** What a form's last action came to: the server's acknowledgement or the explained refusal. */
export interface ActionResult {
  ok: boolean;
  text: string;
}

/** The result under a form, announced to screen readers; refusals in the error colours. */
export function ResultNotice({ result, testId, style }: { result: ActionResult | undefined; testId?: string; style?: CSSProperties }) {
  if (!result) return null;
  return (
    <div className={`notice small ${result.ok ? '' : 'error'}`} role="status" data-testid={testId} style={style}>
      {result.text}
    </div>
  );
}

/** The result as one coloured line, for the compact forms inside a table row. */
export function ResultLine({ result }: { result: ActionResult | undefined }) {
  if (!result) return null;
  return <span className={`small ${result.ok ? 'pos' : 'neg'}`}>{result.text}</span>;
}
