import type { ReactNode } from 'react';

/** In place of what a form could do with a key: where to get one. */
export function KeyNeeded({ to, children }: { to: string; children?: ReactNode }) {
  return (
    <div className="notice warn small">
      To {to}, create or import a key on the <a href="#/account">Account</a> page.{children}
    </div>
  );
}
