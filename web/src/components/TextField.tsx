import type { CSSProperties, HTMLAttributes, ReactNode } from 'react';

/** A labelled input that a form's validator checks: its message shows under it and marks it invalid. */
export function TextField({ label, name, value, onChange, inputMode, error, style }: {
  label: ReactNode;
  name: string;
  value: string;
  onChange: (v: string) => void;
  inputMode: HTMLAttributes<HTMLInputElement>['inputMode'];
  error: string | undefined;
  style?: CSSProperties;
}) {
  return (
    <label className="field" style={style}>
      {label}
      <input inputMode={inputMode} name={name} value={value} onChange={(e) => onChange(e.target.value)} aria-invalid={error !== undefined} />
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}
