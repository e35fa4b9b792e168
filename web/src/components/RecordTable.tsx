import type { ReactNode } from 'react';
import { grouped } from '../lib/format.js';
import { columnsOf, flatten, labelOf, present } from '../lib/present.js';

/** A table of server records with labelled, unit-bearing columns; scrolls sideways inside its panel on a phone. */
export function RecordTable({ rows, skip = [], max = 8, empty, action, testId, units = {} }: {
  rows: readonly Record<string, unknown>[];
  /** Units for plain-number columns whose name does not carry one, e.g. { size: 'lots', price: 'bps' }. */
  units?: Record<string, string>;
  skip?: readonly string[];
  max?: number;
  empty: ReactNode;
  action?: (row: Record<string, unknown>) => ReactNode;
  testId?: string;
}) {
  if (rows.length === 0) return <div className="empty">{empty}</div>;
  const flat = rows.map(flatten);
  const cols = columnsOf(flat, skip, max);
  return (
    <div className="scroll-x">
      <table data-testid={testId}>
        <thead>
          <tr>
            {cols.map((c) => <th key={c}>{labelOf(c)}</th>)}
            {action && <th />}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              {cols.map((c) => <td key={c} className={/Id$|address$/i.test(c) ? 'mono' : undefined}>{cell(c, flat[i]![c], units)}</td>)}
              {action && <td>{action(r)}</td>}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function cell(key: string, v: unknown, units: Record<string, string>): string {
  const unit = units[key];
  if (unit !== undefined && typeof v === 'number') return `${grouped(v)} ${unit}`;
  return present(key, v) ?? '';
}
