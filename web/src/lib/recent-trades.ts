/**
 * The perpetual's recent-trades list: a trade from the feed folded into the list shown, newest first.
 * One market order that sweeps several levels is several trades with the same `seq`, sent one message each;
 * every one is kept, in the order they arrive (the server's order), and a repeat of an id already shown (an
 * HTTP reload racing the feed) is not shown twice. Pure, so the fold is unit-tested.
 */
export interface TradeLike {
  id: string;
  seq: number;
}

/** `list` (newest first) with `trade` added at its place: by seq, newest first; same seq, after-arrival first. */
export function withTrade<T extends TradeLike>(list: readonly T[] | undefined, trade: T, max: number): T[] {
  const rest = (list ?? []).filter((t) => t.id !== trade.id);
  // Stable sort: trades of one seq keep their relative order, the newcomer ahead of its older siblings.
  return [trade, ...rest].sort((a, b) => b.seq - a.seq).slice(0, max);
}
