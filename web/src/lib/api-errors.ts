/**
 * Turns what a request threw into a sentence a person can act on. A 404 "no route" means this server
 * build does not offer the feature at all, which is a different message from "not found".
 */
export interface ErrorLike {
  status?: number;
  code?: string;
  message?: string;
  field?: string;
}

export function isNotOffered(e: unknown): boolean {
  const x = e as ErrorLike | null;
  return typeof x === 'object' && x !== null && x.status === 404 && /no route/i.test(x.message ?? '');
}

export function explain(e: unknown, feature: string): string {
  if (isNotOffered(e)) return `This server does not offer ${feature} yet (its API has no such route). Other pages keep working.`;
  const x = e as ErrorLike | null;
  if (e instanceof TypeError && /fetch|network/i.test(e.message)) return 'Cannot reach the HashPerp server. Check that it is running and try again.';
  if (typeof x === 'object' && x !== null && typeof x.message === 'string') {
    if (x.status === 401) return `The server did not accept this key's signature: ${x.message}`;
    if (x.status === 403) return `Not allowed for this account: ${x.message}`;
    if (x.status === 429) return `Too many requests: ${x.message}`;
    if (x.status === 503) return `The server cannot provide ${feature} right now: ${x.message}.`;
    return x.field ? `${x.message} (field ${x.field})` : x.message;
  }
  return String(e);
}

/** Re-throws with the explained message, for loaders whose error is shown as text. */
export function friendly<T>(p: Promise<T>, feature: string): Promise<T> {
  return p.catch((e: unknown) => {
    const err = new Error(explain(e, feature)) as Error & { notOffered?: boolean };
    err.notOffered = isNotOffered(e);
    throw err;
  });
}
