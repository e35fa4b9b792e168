// End to end on 300 real mainnet blocks (824,394 – 824,694, across the retarget at 824,544; index from the shipped headers): a perp slice
// changes hands mid-stream, another offer lapses at its height, and every balance afterwards is what the
// index path says. The book stays empty after the opening trade, so mark = index and funding is zero
// (premium 0 → rate 0): each block pays exactly lots × Δindex.
import { expect, test } from 'vitest';
import { loadEmbeddedChain } from '../../src/chain/embedded.js';
import { confirmedBlockAt as blockCommandAt } from '../../src/index/confirmed-block.js';
import { swapHistoryOf } from '../../src/engine/products/swap/index.js';
import { Harness, deposit, limit, ofType } from '../engine/helpers.js';
import { accept, offerPerp, perpPos } from './swap-helpers.js';

test('a perp slice swapped on replayed real blocks settles for its new holder from the swap on', () => {
  const chain = loadEmbeddedChain();
  const H0 = 824_394; // 150 blocks before the retarget at 824,544 (= 409 × 2016)
  const idx = (h: number): bigint => BigInt(blockCommandAt(chain, h).indexPrice);
  const h = new Harness();
  h.run(blockCommandAt(chain, H0));
  const I0 = Number(idx(H0));
  expect(I0).toBeGreaterThan(100_000);
  h.run(deposit('alice', 10_000), deposit('bob', 10_000), deposit('carol', 10_000),
    limit('bob', 'sell', I0, 10), limit('alice', 'buy', I0, 10),
    offerPerp('alice', 4, '1000', { expiresAtHeight: H0 + 144 }), offerPerp('bob', 3, '0', { expiresAtHeight: H0 + 10 }));
  const [aliceOffer, bobOffer] = ofType(h.events, 'SwapOfferCreated').map((e) => e.offerId);
  const fee = (10n * BigInt(I0) * 2000n) / 1_000_000n;
  for (let ht = H0 + 1; ht <= H0 + 50; ht++) h.run(blockCommandAt(chain, ht));
  h.run(accept('carol', aliceOffer));
  for (let ht = H0 + 51; ht <= H0 + 300; ht++) h.run(blockCommandAt(chain, ht));

  expect(ofType(h.events, 'Liquidation')).toEqual([]);
  expect(ofType(h.events, 'FundingPaid').every((f) => f.rate8hPpm === 0)).toBe(true);
  const expired = ofType(h.events, 'SwapOfferExpired');
  expect(expired.map((e) => [e.offerId, e.reason, e.height])).toEqual([[bobOffer, 'height', H0 + 10]]);
  const I50 = idx(H0 + 50), I300 = idx(H0 + 300), start = BigInt(I0);
  // Carol: paid 1 000 msat, then 4 lots from the index at the swap to the end.
  expect(h.bal('carol')).toBe(10_000_000n - 1000n + 4n * (I300 - I50));
  // Alice: fee, 10 lots until the swap, the price, 6 lots after.
  expect(h.bal('alice')).toBe(10_000_000n - fee + 10n * (I50 - start) + 1000n + 6n * (I300 - I50));
  expect(h.bal('bob')).toBe(10_000_000n - 10n * (I300 - start));
  expect(perpPos(h.ex, 'carol')).toEqual({ qty: 4, cost: 4n * I300 });
  expect(I300).not.toBe(I50); // the retarget moves the index, so the slice really changes value after the swap
  expect(h.ex.ledger.total()).toBe(0n);
  expect(swapHistoryOf(h.ex, 'carol')[0]).toMatchObject({ id: aliceOffer, status: 'accepted', taker: 'carol', closedAtHeight: H0 + 50 });
});
