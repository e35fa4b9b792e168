// Swap offers of a product module's positions, against a test-only product registered for this file: the
// position and its collateral move with transferPosition, the price is paid before the product sees the
// taker (so a product may ask the taker for collateral), and a product's refusal reverses everything.
import { describe, expect, test } from 'vitest';
import type { Command } from '../../src/engine/commands.js';
import type { EngineEvent } from '../../src/engine/events.js';
import { Exchange } from '../../src/engine/exchange.js';
import { userAccount } from '../../src/engine/ledger/ledger.js';
import type { ProductCommandBase, ProductContext, ProductModule } from '../../src/engine/products/product.js';
import { productFactories } from '../../src/engine/products/registry.js';
import { Rejection } from '../../src/engine/rejection.js';
import { swapOffer } from '../../src/engine/products/swap/index.js';
import { Harness, block, deposit, ofType } from '../engine/helpers.js';
import { accept, lastOfferId, offer, refused } from './swap-helpers.js';

interface FakeOpen { type: 'FakeOpen'; account: string; id: string; lockSat: number }

/** A product whose positions are collateral locked in `fake:<id>`, held by a ledger owner. */
class FakeProduct implements ProductModule {
  readonly commandTypes: readonly string[];
  readonly holders = new Map<string, string>();
  readonly frozen = new Set<string>();
  /** What a new holder must post on transfer (msat), from its free balance. */
  bondMsat = 0n;
  constructor(readonly name: string, describe: boolean) {
    this.commandTypes = [`${name}Open`];
    if (!describe) (this as { describePosition?: unknown }).describePosition = undefined;
  }
  apply(command: ProductCommandBase, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const c = command as unknown as FakeOpen;
    const owner = userAccount(c.account);
    const amt = BigInt(c.lockSat) * 1000n;
    if (ctx.available(owner) < amt) return new Rejection('insufficient_balance', 'lock', 'lockSat');
    if (this.holders.has(c.id)) return new Rejection('invalid_argument', 'dup', 'id');
    ctx.ledger.transfer(owner, `${this.name}:${c.id}`, amt, 'bdc_escrow', out);
    this.holders.set(c.id, owner);
    return undefined;
  }
  onBlock(): void {}
  transferPosition(id: string, from: string, to: string, ctx: ProductContext, out: EngineEvent[]): Rejection | undefined {
    const holder = this.holders.get(id);
    if (holder === undefined) return new Rejection('unknown_position', id, 'positionId');
    if (holder !== from) return new Rejection('not_owner', `${from} does not hold ${id}`, 'from');
    if (this.frozen.has(id)) return new Rejection('not_allowed', `${id} is frozen`, 'positionId');
    if (ctx.available(to) < this.bondMsat) return new Rejection('insufficient_balance', 'bond', 'to');
    ctx.ledger.transfer(to, `${this.name}:${id}`, this.bondMsat, 'bdc_escrow', out);
    this.holders.set(id, to);
    return undefined;
  }
  describePosition(id: string, owner: string): unknown {
    return this.holders.get(id) === owner ? { id, holder: owner } : undefined;
  }
  snapshot(): unknown {
    return [[...this.holders.entries()].sort(), [...this.frozen].sort(), this.bondMsat.toString()];
  }
  restore(): void { throw new Error('not used'); }
}

productFactories.push(() => new FakeProduct('fake', true), () => new FakeProduct('blind', false));

const open = (account: string, id: string, lockSat: number, product = 'fake'): Command =>
  ({ type: `${product}Open`, account, id, lockSat }) as unknown as Command;

function setup(): { h: Harness; fake: FakeProduct; blind: FakeProduct } {
  const h = new Harness(new Exchange());
  h.run(block(1, 100_000), deposit('alice', 100), deposit('bob', 100), open('alice', 'k1', 30), open('alice', 'k2', 20, 'blind'));
  return { h, fake: h.ex.product('fake') as FakeProduct, blind: h.ex.product('blind') as FakeProduct };
}

describe('swap offers of a product module position', () => {
  test('the position and its collateral change holder; the taker pays the maker', () => {
    const { h, fake } = setup();
    const [created] = ofType(h.run(offer('alice', 'fake', 'k1', '12345')), 'SwapOfferCreated');
    expect(created.position).toEqual({ id: 'k1', holder: 'user:alice' });
    const evs = h.run(accept('bob', created.offerId));
    expect(fake.holders.get('k1')).toBe('user:bob');
    // Alice: 100 000 − 30 000 (k1) − 20 000 (k2) locked + 12 345; Bob: 100 000 − 12 345; the lock stays with the position.
    expect(h.bal('alice')).toBe(62_345n);
    expect(h.bal('bob')).toBe(87_655n);
    expect(h.bal('fake:k1')).toBe(30_000n);
    expect(ofType(evs, 'SwapOfferAccepted')).toEqual([{
      type: 'SwapOfferAccepted', offerId: created.offerId, maker: 'alice', taker: 'bob', product: 'fake', positionId: 'k1', priceMsat: 12_345n, height: 1,
    }]);
    expect(h.ex.ledger.total()).toBe(0n);
  });

  test('a negative price is paid by the maker', () => {
    const { h, fake } = setup();
    h.run(offer('alice', 'fake', 'k1', '-5000'));
    h.run(accept('bob', lastOfferId(h)));
    expect(fake.holders.get('k1')).toBe('user:bob');
    expect(h.bal('alice')).toBe(50_000n - 5000n);
    expect(h.bal('bob')).toBe(105_000n);
  });

  test('refused offers: qty on a non-perp product, a position the maker does not hold', () => {
    const { h } = setup();
    refused(h, offer('alice', 'fake', 'k1', '0', { qty: 1 }), 'invalid_argument', 'qty');
    refused(h, offer('bob', 'fake', 'k1', '0'), 'unknown_position', 'positionId');
    refused(h, offer('alice', 'fake', 'nope', '0'), 'unknown_position', 'positionId');
  });

  test('a taker without funds is refused with the state unchanged', () => {
    const { h } = setup();
    h.run(offer('alice', 'fake', 'k1', '100001'));
    refused(h, accept('bob', lastOfferId(h)), 'insufficient_balance', 'account');
  });

  test("the product's refusal reverses the payment", () => {
    const { h, fake } = setup();
    h.run(offer('alice', 'fake', 'k1', '40000'));
    fake.frozen.add('k1');
    refused(h, accept('bob', lastOfferId(h)), 'not_allowed', 'positionId');
    expect(h.bal('bob')).toBe(100_000n);
    expect(h.bal('alice')).toBe(50_000n);
    expect(swapOffer(h.ex, lastOfferId(h))?.status).toBe('open');
  });

  test('the price is paid before the product asks the taker for collateral', () => {
    const { h, fake } = setup();
    fake.bondMsat = 60_000n;
    h.run(offer('alice', 'fake', 'k1', '40000'));
    const id = lastOfferId(h);
    // Bob has 100 000: price 40 000 + bond 60 000 fits exactly; with 1 sat less the product refuses.
    h.run({ type: 'Withdraw', account: 'bob', amountSat: 1 });
    refused(h, accept('bob', id), 'insufficient_balance', 'to');
    h.run(deposit('bob', 1));
    h.run(accept('bob', id));
    expect(h.bal('bob')).toBe(0n);
    expect(h.bal('fake:k1')).toBe(90_000n);
    expect(h.bal('alice')).toBe(50_000n + 40_000n);
  });

  test('a position moved away since the offer: refused, then lapses at the next block', () => {
    const { h } = setup();
    h.run(deposit('carol', 100), offer('alice', 'fake', 'k1', '1'));
    const stale = lastOfferId(h);
    h.run(offer('alice', 'fake', 'k1', '2'));
    h.run(accept('carol', lastOfferId(h)));
    refused(h, accept('bob', stale), 'not_owner', 'offerId');
    expect(ofType(h.run(block(2, 100_000)), 'SwapOfferExpired').map((e) => [e.offerId, e.reason])).toEqual([[stale, 'position_gone']]);
  });

  test('a product without describePosition: ownership is checked by transferPosition alone', () => {
    const { h, blind } = setup();
    // Bob offers Alice's position: nothing can tell at offer time; the transfer refuses and the payment is reversed.
    h.run(offer('bob', 'blind', 'k2', '7000'));
    const id = lastOfferId(h);
    expect(ofType(h.events, 'SwapOfferCreated').at(-1)?.position).toBeUndefined();
    refused(h, accept('alice', id), 'not_owner', 'from');
    h.run(offer('alice', 'blind', 'k2', '7000'));
    h.run(accept('bob', lastOfferId(h)));
    expect(blind.holders.get('k2')).toBe('user:bob');
    expect(h.bal('bob')).toBe(93_000n);
    // Without describePosition only expiry ends Bob's offer (it cannot see that Bob now holds k2, so it lives on).
    expect(ofType(h.run(block(2, 100_000)), 'SwapOfferExpired')).toEqual([]);
  });
});
