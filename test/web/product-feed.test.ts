import { describe, expect, it } from 'vitest';
import { messageKey, subscriptionFrame, subscriptionKey, type FeedMessage } from '../../web/src/api/feed.js';
import { applyProductMessage, emptyLive, isProductMessage, withHttpBook, type ProductFeedMessage } from '../../web/src/lib/product-feed.js';

const book = (seq: number | undefined, bid: number, ask: number): ProductFeedMessage => ({
  type: 'forwards', market: 'FWD-90D', kind: 'book',
  data: { ...(seq === undefined ? {} : { seq }), bids: [{ price: bid, size: 3 }], asks: [{ price: ask, size: 2 }] },
});
const trade = (seq: number, price: number, qty = 1, takerSide = 'buy'): ProductFeedMessage => ({ type: 'forwards', market: 'FWD-90D', kind: 'trade', data: { seq, market: 'FWD-90D', price, qty, takerSide, contractId: seq } });

describe('feed routing of the product channels', () => {
  it('keys subscriptions and messages alike, as the server does (src/api/ws.ts `${channel}:${market}`)', () => {
    expect(subscriptionKey({ channel: 'forwards', market: 'FWD-90D' })).toBe('forwards:FWD-90D');
    expect(subscriptionKey({ channel: 'bdc', market: 'BDC-900000-1760000000' })).toBe('bdc:BDC-900000-1760000000');
    expect(subscriptionKey({ channel: 'book', market: 'HPI-PERP' })).toBe('book:HPI-PERP');
    expect(subscriptionKey({ channel: 'index' })).toBe('index');
    expect(subscriptionKey({ channel: 'account', auth: () => ({}) })).toBe('account');
    expect(messageKey(book(1, 10, 20) as FeedMessage)).toBe('forwards:FWD-90D');
    expect(messageKey({ type: 'bdc', market: 'BDC-1-2', kind: 'trade', data: {} })).toBe('bdc:BDC-1-2');
    expect(messageKey({ type: 'trades', market: 'HPI-PERP', data: {} as never })).toBe('trades:HPI-PERP');
    expect(messageKey({ type: 'subscribed', channel: 'forwards', market: 'FWD-90D' })).toBeUndefined();
    // a forward book must not reach a perp book listener of the same market name
    expect(messageKey(book(1, 10, 20) as FeedMessage)).not.toBe(subscriptionKey({ channel: 'book', market: 'FWD-90D' }));
  });

  it('sends the frames the server parses', () => {
    expect(subscriptionFrame('subscribe', { channel: 'bdc', market: 'BDC-1-2' })).toEqual({ op: 'subscribe', channel: 'bdc', market: 'BDC-1-2' });
    expect(subscriptionFrame('unsubscribe', { channel: 'forwards', market: 'FWD-30D' })).toEqual({ op: 'unsubscribe', channel: 'forwards', market: 'FWD-30D' });
    let n = 0;
    const sub = { channel: 'account' as const, auth: () => ({ 'x-hp-nonce': String(++n) }) };
    expect(subscriptionFrame('subscribe', sub)).toEqual({ op: 'subscribe', channel: 'account', auth: { 'x-hp-nonce': '1' } });
    expect(subscriptionFrame('subscribe', sub)).toEqual({ op: 'subscribe', channel: 'account', auth: { 'x-hp-nonce': '2' } });
    expect(subscriptionFrame('unsubscribe', sub)).toEqual({ op: 'unsubscribe', channel: 'account' });
  });

  it('recognises product messages only', () => {
    expect(isProductMessage(book(1, 1, 2))).toBe(true);
    expect(isProductMessage({ type: 'book', market: 'HPI-PERP', data: {} })).toBe(false);
    expect(isProductMessage({ type: 'bdc', market: 'X', kind: 'quote', data: {} })).toBe(false);
    expect(isProductMessage(null)).toBe(false);
  });
});

describe('applyProductMessage', () => {
  it('shows the newest book and ignores one older than it', () => {
    let l = applyProductMessage(emptyLive(), book(5, 100, 110));
    expect(l.book).toEqual({ bids: [{ price: 100, size: 3 }], asks: [{ price: 110, size: 2 }] });
    expect(l.bookSeq).toBe(5);
    l = applyProductMessage(l, book(7, 101, 109));
    expect(l.book?.bids[0]!.price).toBe(101);
    const stale = applyProductMessage(l, book(6, 90, 120));
    expect(stale).toBe(l);
  });

  it('lets the HTTP read fill the view only until a feed book arrives', () => {
    const http = { bids: [{ price: 1, size: 1 }], asks: [] };
    let l = withHttpBook(emptyLive(), http);
    expect(l.book).toEqual(http);
    l = applyProductMessage(l, book(3, 50, 60));
    expect(withHttpBook(l, http).book?.bids[0]!.price).toBe(50);
    // the subscribe snapshot carries no seq (src/api/ws.ts productBook) but still outranks an HTTP read
    const snap = applyProductMessage(emptyLive(), book(undefined, 70, 80));
    expect(snap.bookSeq).toBeUndefined();
    expect(withHttpBook(snap, http).book?.bids[0]!.price).toBe(70);
    // and a later seq-carrying book replaces the snapshot
    expect(applyProductMessage(snap, book(9, 71, 79)).book?.bids[0]!.price).toBe(71);
  });

  it('keeps trades newest first, without repeats, capped', () => {
    let l = emptyLive();
    l = applyProductMessage(l, trade(4, 100));
    l = applyProductMessage(l, trade(4, 101)); // same command filled a second level
    l = applyProductMessage(l, trade(2, 99)); // arrives late
    l = applyProductMessage(l, trade(4, 100)); // repeat
    expect(l.trades.map((t) => [t.seq, t.price])).toEqual([[4, 101], [4, 100], [2, 99]]);
    for (let i = 10; i < 50; i++) l = applyProductMessage(l, trade(i, 200 + i), 30);
    expect(l.trades).toHaveLength(30);
    expect(l.trades[0]!.seq).toBe(49);
    expect(l.trades.at(-1)!.seq).toBe(20);
  });

  it('drops malformed messages instead of crashing', () => {
    const l = applyProductMessage(emptyLive(), book(1, 10, 20));
    expect(applyProductMessage(l, { type: 'forwards', market: 'FWD-90D', kind: 'book', data: { bids: [{ price: '1', size: 1 }], asks: [] } })).toBe(l);
    expect(applyProductMessage(l, { type: 'forwards', market: 'FWD-90D', kind: 'book', data: null })).toBe(l);
    expect(applyProductMessage(l, { type: 'forwards', market: 'FWD-90D', kind: 'trade', data: { seq: 1, price: 1.5, qty: 1 } })).toBe(l);
  });
});
