import type { ReactNode } from 'react';
import type { Loaded } from '../api/hooks.js';
import { Loading } from './Notice.js';

/** A loaded value's three faces: why it failed, "Loading …", or the value as `children` draws it. */
export function LoadedView<T>({ state, what, failed = (message) => <div className="notice small">{message}</div>, children }: {
  state: Pick<Loaded<T>, 'data' | 'error'>;
  /** Completes "Loading …". */
  what: string;
  failed?: (message: string) => ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (state.error !== undefined) return <>{failed(state.error)}</>;
  if (state.data === undefined) return <Loading what={what} />;
  return <>{children(state.data)}</>;
}
