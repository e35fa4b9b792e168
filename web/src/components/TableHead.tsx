import type { ReactNode } from 'react';

/** A table's header row; an empty heading leaves room for a row's button. */
export function TableHead({ columns }: { columns: readonly ReactNode[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (c === '' ? <th key={i} /> : <th key={i}>{c}</th>))}
      </tr>
    </thead>
  );
}
