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

/** Money through Ark and custodial on-chain deposits by outpoint: JSON payloads only (rare next to orders), checked apart so the property below keeps its mix. */
const arkFunds: fc.Arbitrary<Command>[] = [
  fc.record({ type: fc.constant('ChainDeposit' as const), account, amountSat: int, outpoint: str }),
  fc.record({ type: fc.constant('ArkDeposit' as const), account, amountSat: int, arkTxid: str }),
  fc.record({ type: fc.constant('ArkWithdrawal' as const), account, amountSat: int, requestId: str, toScript: str }),
  fc.record({ type: fc.constant('ArkWithdrawalSettled' as const), requestId: str, arkTxid: str }),
  fc.record({ type: fc.constant('ArkWithdrawalFailed' as const), requestId: str, reason: str }),
];
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
    const spelled = new Set<string>();
    fc.assert(
      fc.property(plain(fc.oneof(...core, product)), (c) => {
        seen.add(c.type);
        const payload = exchangeFactory.encodeCommand(c);
        expect(typeof payload).toBe('string');
        spelled.add(`${c.type} ${payload.startsWith('{') ? 'json' : 'compact'}`);
        expect(exchangeFactory.decodeCommand(payload)).toStrictEqual(c);
      }),
      { numRuns: 3000, seed: 20261121 },
    );
    for (const t of ['Deposit', 'Withdraw', 'FundSystem', 'PlaceOrder', 'CancelOrder', 'AmendOrder', 'CancelAll', 'BlockConnected', ...PRODUCT_COMMAND_TYPES]) expect(seen, t).toContain(t);
    // Both spellings of every compact type were exercised (random strings with `|`, non-ASCII or empty fall back to JSON).
    for (const t of ['Deposit', 'Withdraw', 'PlaceOrder', 'CancelOrder', 'AmendOrder', 'CancelAll']) {
      expect(spelled, t).toContain(`${t} compact`);
      expect(spelled, t).toContain(`${t} json`);
    }
    expect(spelled).toContain('BlockConnected compact');
  });

  it('exchange engine: Ark deposit and withdrawal commands', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(plain(fc.oneof(...arkFunds)), (c) => {
        seen.add(c.type);
        expect(exchangeFactory.decodeCommand(exchangeFactory.encodeCommand(c))).toStrictEqual(c);
      }),
      { numRuns: 400, seed: 20261205 },
    );
    expect([...seen].sort()).toEqual(['ArkDeposit', 'ArkWithdrawal', 'ArkWithdrawalFailed', 'ArkWithdrawalSettled', 'ChainDeposit']);
  });

  it('exchange engine: what is outside the contract does not round-trip (why verifyPayloads defaults to true)', () => {
    // These are the cases the live decode protects against; the property above would catch a codec that mangled valid commands.
    const nan = { type: 'PlaceOrder', account: 'u1', market: HPI_PERP.id, side: 'buy', orderType: 'limit', price: Number.NaN, qty: 1, tif: 'GTC', postOnly: false, reduceOnly: false } as Command;
    expect(exchangeFactory.decodeCommand(exchangeFactory.encodeCommand(nan))).not.toStrictEqual(nan);
    expect(() => exchangeFactory.decodeCommand(exchangeFactory.encodeCommand({ type: 'Bogus' } as unknown as Command))).toThrow();
  });

  it('exchange engine: the compact spelling, field by field, and JSON journals from before it still decode', () => {
    const limit: Command = { type: 'PlaceOrder', account: 'u58', market: HPI_PERP.id, side: 'buy', orderType: 'limit', price: 49640, qty: 192, tif: 'GTC', postOnly: false, reduceOnly: true, clientOrderId: 'c100' };
    const market: Command = { type: 'PlaceOrder', account: 'u1', market: HPI_PERP.id, side: 'sell', orderType: 'market', qty: 5, tif: 'IOC', postOnly: false, reduceOnly: false };
    const cases: [Command, string][] = [
      [limit, 'P|u58|HPI-PERP|buy|limit|49640|192|GTC|0|1|c100'],
      [market, 'P|u1|HPI-PERP|sell|market||5|IOC|0|0|'],
      [{ type: 'CancelOrder', account: 'u1', market: HPI_PERP.id, orderId: 7 }, 'C|u1|HPI-PERP|7|'],
      [{ type: 'AmendOrder', account: 'u1', market: HPI_PERP.id, clientOrderId: 'x', qty: 3 }, 'A|u1|HPI-PERP||x||3'],
      [{ type: 'CancelAll', account: 'u1' }, 'X|u1|'],
      [{ type: 'Deposit', account: 'u1', amountSat: -5 }, 'D|u1|-5'],
      [{ type: 'Withdraw', account: 'u1', amountSat: 9007199254740991 }, 'W|u1|9007199254740991'],
      [{ type: 'BlockConnected', height: 830000, hash: 'ab'.repeat(32), time: 1, mtp: 0, indexPrice: 166523 }, `B|830000|${'ab'.repeat(32)}|1|0|166523`],
    ];
    for (const [c, line] of cases) {
      expect(exchangeFactory.encodeCommand(c)).toBe(line);
      expect(exchangeFactory.decodeCommand(line)).toStrictEqual(c);
    }
    // What a compact line cannot carry exactly goes as JSON.
    for (const c of [
      { ...limit, clientOrderId: 'a|b' }, { ...limit, clientOrderId: '' }, { ...limit, account: 'ü' }, { ...limit, account: 'a b' },
      { ...limit, qty: 1.5 }, { ...limit, qty: -0 }, { ...limit, qty: 2 ** 53 }, { ...limit, postOnly: 1 }, { ...limit, side: 'BUY' }, { ...limit, extra: 1 }, { ...limit, price: undefined },
    ] as Command[]) expect(exchangeFactory.encodeCommand(c), JSON.stringify(c)).toBe(JSON.stringify(c));
    // Journals written before the compact spelling: JSON payloads replay as they did.
    expect(exchangeFactory.decodeCommand(JSON.stringify(limit))).toStrictEqual(limit);
  });

  it('exchange engine: a malformed compact line is refused, naming what is wrong', () => {
    const bad: [string, RegExp][] = [
      ['P|u1|HPI-PERP|buy|limit|1|1|GTC|0|0', /9 fields, PlaceOrder has 10/],
      ['P|u1|HPI-PERP|buy|limit|01|1|GTC|0|0|', /price is not a safe integer/],
      ['P|u1|HPI-PERP|buy|limit|1e3|1|GTC|0|0|', /price is not a safe integer/],
      ['P|u1|HPI-PERP|buy|limit|1||GTC|0|0|', /qty is not a safe integer/],
      ['P|u1|HPI-PERP|buy|limit|1|1|GTC|2|0|', /postOnly is not 0 or 1/],
      ['P|u1|HPI-PERP|BUY|limit|1|1|GTC|0|0|', /side is not one of buy, sell/],
      ['P|u1|HPI-PERP|toString|limit|1|1|GTC|0|0|', /side is not one of buy, sell/],
      ['D|u1|1|', /more than 2 fields, Deposit has 2/],
      ['D|u1', /1 fields, Deposit has 2/],
      ['P|u1|HPI-PERP|buy|limit|-0|1|GTC|0|0|', /price is not a safe integer/],
      ['P|u1|HPI-PERP|buy|limit|9007199254740993|1|GTC|0|0|', /price is not a safe integer/],
      ['P|u1|HPI-PERP|buy|limit|12a|1|GTC|0|0|', /price is not a safe integer/],
      ['P|u1|HPI-PERP|buy|limit|1|1|GTC||0|', /postOnly is not 0 or 1/],
      ['Z|1', /unknown tag/],
      ['P', /unknown tag/],
      ['', /empty payload/],
      ['{"type":"Bogus"}', /unknown command type/],
    ];
    for (const [line, why] of bad) expect(() => exchangeFactory.decodeCommand(line), line).toThrow(why);
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
