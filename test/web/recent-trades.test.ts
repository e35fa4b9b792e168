import { describe, expect, it } from 'vitest';
import { withTrade } from '../../web/src/lib/recent-trades.js';

const t = (seq: number, n: number) => ({ id: `${seq}-${n}`, seq, price: 100 + n });

describe('withTrade: the recent-trades fold', () => {
  it('keeps every fill of one order, newest (last to arrive) first, on top of older trades', () => {
    let list = withTrade(undefined, t(7, 1), 30);
    for (let n = 2; n <= 6; n++) list = withTrade(list, t(9, n), 30);
    expect(list.map((x) => x.id)).toEqual(['9-6', '9-5', '9-4', '9-3', '9-2', '7-1']);
  });

  it('drops a repeat of an id already shown and keeps at most `max`', () => {
    const list = [t(9, 3), t(9, 2), t(8, 1)];
    expect(withTrade(list, t(9, 2), 30).map((x) => x.id)).toEqual(['9-2', '9-3', '8-1']);
    expect(withTrade(list, t(10, 4), 2).map((x) => x.id)).toEqual(['10-4', '9-3']);
  });

  it('a late message of an older seq goes below the newer ones', () => {
    expect(withTrade([t(9, 3)], t(8, 2), 30).map((x) => x.id)).toEqual(['9-3', '8-2']);
  });
});
