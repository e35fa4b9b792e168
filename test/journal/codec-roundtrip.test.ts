import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exchangeFactory, HPI_PERP, type Command } from '../../src/engine/index.js';
import { PRODUCT_COMMAND_TYPES } from '../../src/engine/products/commands.js';
import { counterFactory, type CounterCommand } from './counter-machine.js';

/**
 * The precondition of `Sequencer({ verifyPayloads: false })`: decode(encode(c)) is c, exactly, for
 * every command the submitters can send, so applying the submitted object and replaying its payload
 * give the same state. Checked with toStrictEqual (types, absent vs undefined, bigint vs number).
 */
/** fast-check builds records without a prototype; submitters send ordinary objects. */
const plain = <T extends object>(a: fc.Arbitrary<T>) => a.map((c) => ({ ...c }));
const int = fc.maxSafeInteger();
const str = fc.string({ unit: 'binary', maxLength: 24 });
const account = fc.oneof(fc.constantFrom('u1', 'insurance', 'vault'), str);
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
/** Optional fields are absent, never present-and-undefined (JSON has no undefined: the contract says plain JSON data). */
const record = <T extends Record<string, unknown>>(shape: { [K in keyof T]: fc.Arbitrary<T[K]> }, optional: (keyof T)[]) =>
  fc.record(shape, { requiredKeys: Object.keys(shape).filter((k) => !optional.includes(k)) as (keyof T & string)[] });

const core: fc.Arbitrary<Command>[] = [
  fc.record({ type: fc.constant('Deposit' as const), account, amountSat: int }),
  fc.record({ type: fc.constant('Withdraw' as const), account, amountSat: int }),
  fc.record({ type: fc.constant('FundSystem' as const), account: fc.constantFrom('insurance' as const, 'vault' as const), amountSat: int }),
  record(
    {
      type: fc.constant('PlaceOrder' as const), account, market: fc.constant(HPI_PERP.id), side: fc.constantFrom('buy' as const, 'sell' as const),
      orderType: fc.constantFrom('limit' as const, 'market' as const), price: int, qty: int, tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const),
      postOnly: fc.boolean(), reduceOnly: fc.boolean(), clientOrderId: str,
    },
    ['price', 'clientOrderId'],
  ),
  record({ type: fc.constant('CancelOrder' as const), account, market: str, orderId: int, clientOrderId: str }, ['orderId', 'clientOrderId']),
  record({ type: fc.constant('AmendOrder' as const), account, market: str, orderId: int, clientOrderId: str, price: int, qty: int }, ['orderId', 'clientOrderId', 'price', 'qty']),
  record({ type: fc.constant('CancelAll' as const), account, market: str }, ['market']),
  fc.record({ type: fc.constant('BlockConnected' as const), height: int, hash: fc.stringMatching(/^[0-9a-f]{64}$/), time: int, mtp: int, indexPrice: int }),
];
/** Product commands: the same contract (safe integers, strings, booleans; big amounts as decimal strings), any field set. */
const scalar = fc.oneof(int, str, fc.boolean(), fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String));
const product = fc
  .tuple(fc.constantFrom(...PRODUCT_COMMAND_TYPES), fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }).filter((k) => k !== 'type' && k !== '__proto__'), scalar, { maxKeys: 8 }))
  .map(([type, fields]) => ({ ...fields, type }) as unknown as Command);

describe('journal codecs round-trip exactly (precondition of verifyPayloads: false)', () => {
  it('exchange engine: every core and product command type', () => {
    expect(PRODUCT_COMMAND_TYPES.length).toBeGreaterThan(0);
    const seen = new Set<string>();
    fc.assert(
      fc.property(plain(fc.oneof(...core, product)), (c) => {
        seen.add(c.type);
        const payload = exchangeFactory.encodeCommand(c);
        expect(typeof payload).toBe('string');
        expect(exchangeFactory.decodeCommand(payload)).toStrictEqual(c);
      }),
      { numRuns: 3000, seed: 20261121 },
    );
    for (const t of ['Deposit', 'Withdraw', 'FundSystem', 'PlaceOrder', 'CancelOrder', 'AmendOrder', 'CancelAll', 'BlockConnected', ...PRODUCT_COMMAND_TYPES]) expect(seen, t).toContain(t);
  });

  it('exchange engine: what is outside the contract does not round-trip (why verifyPayloads defaults to true)', () => {
    // These are the cases the live decode protects against; the property above would catch a codec that mangled valid commands.
    const nan = { type: 'PlaceOrder', account: 'u1', market: HPI_PERP.id, side: 'buy', orderType: 'limit', price: Number.NaN, qty: 1, tif: 'GTC', postOnly: false, reduceOnly: false } as Command;
    expect(exchangeFactory.decodeCommand(exchangeFactory.encodeCommand(nan))).not.toStrictEqual(nan);
    expect(() => exchangeFactory.decodeCommand(exchangeFactory.encodeCommand({ type: 'Bogus' } as unknown as Command))).toThrow();
  });

  it('counter machine: adds of any bigint (far beyond 2^64, negative) and deletes', () => {
    const key = fc.string({ unit: 'binary', maxLength: 10 });
    const cmd: fc.Arbitrary<CounterCommand> = fc.oneof(
      fc.record({ k: fc.constant('add' as const), key, by: fc.bigInt({ min: -(2n ** 200n), max: 2n ** 200n }) }),
      fc.record({ k: fc.constant('del' as const), key }),
    );
    fc.assert(
      fc.property(plain(cmd), (c) => {
        expect(counterFactory.decodeCommand(counterFactory.encodeCommand(c))).toStrictEqual(c);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
});
