import type { CSSProperties } from 'react';
import { fieldsOf } from '../lib/present.js';
import type { Rec } from '../lib/records.js';

export interface Fact {
  key: string;
  label: string;
  text: string;
  className?: string | undefined;
  testId?: string | undefined;
}

/** Label/value lines (dl.kv); each pair is wrapped so React can key it without breaking the grid. */
export function Facts({ facts, style }: { facts: readonly Fact[]; style?: CSSProperties }) {
  return (
    <dl className="kv" style={style}>
      {facts.map((f) => (
        <div key={f.key} style={{ display: 'contents' }}>
          <dt>{f.label}</dt>
          <dd className={f.className} data-testid={f.testId}>{f.text}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A server record's scalar fields with units; ids and addresses in monospace. */
export function KeyValues({ rec, skip = [] }: { rec: Rec; skip?: string[] }) {
  const f = fieldsOf(rec, skip);
  if (f.length === 0) return null;
  return <Facts facts={f.map((x) => ({ ...x, className: /Id$|address/i.test(x.key) ? 'mono' : undefined }))} />;
}
