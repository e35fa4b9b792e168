import type { ReactNode } from 'react';

export interface SideChoice<T extends string> {
  value: T;
  /** The colour class (buy/sell, fast/slow) styles.css gives the pressed button. */
  className: string;
  label: ReactNode;
}

/** Two (or more) pressed-or-not buttons for a form's side: buy/sell, call/put, FAST/SLOW. */
export function SideToggle<T extends string>({ label = 'Side', value, choices, onChange }: {
  label?: string;
  value: T;
  choices: readonly SideChoice<T>[];
  onChange: (v: T) => void;
}) {
  return (
    <div className="side-toggle" role="group" aria-label={label}>
      {choices.map((c) => (
        <button key={c.value} type="button" className={c.className} aria-pressed={value === c.value} onClick={() => onChange(c.value)}>
          {c.label}
        </button>
      ))}
    </div>
  );
}
