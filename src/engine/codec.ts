/**
 * The journal payload of a command: what the sequencer stores and replay decodes.
 *
 * Two spellings, told apart by the first character:
 * - compact, for the commands that make up nearly all traffic (orders, cancels, amends, deposits,
 *   withdrawals, blocks): a tag letter and the fields in a fixed order, separated by `|`, e.g.
 *   `P|u58|HPI-PERP|buy|limit|49640|192|GTC|0|0|c100`. Splitting it and reading integers costs a
 *   fraction of JSON.parse, and the decode runs once per command on the engine's thread.
 * - JSON (`{…}`), for every other command and for any command a compact line cannot carry exactly
 *   (a string with `|` or outside printable ASCII, an empty optional string, a number that is not a
 *   safe integer, an unexpected or undefined field). Journals written before the compact spelling
 *   existed hold only JSON, so they replay unchanged.
 * Both round-trip exactly for every command the contract allows (test/journal/codec-roundtrip.test.ts);
 * the decoders refuse a malformed line rather than guess.
 */
import { InvalidArgumentError } from '../units/errors.js';
import type { Command } from './commands.js';
import { PRODUCT_COMMAND_TYPES } from './products/commands.js';

const SEP = '|';
/** Printable ASCII without `|` (and without space, so a line has no invisible edges): stored as is, one UTF-16 unit per byte. */
const PLAIN = /^[\x21-\x7b\x7d\x7e]*$/;

type Kind = 'str' | 'int' | 'bool' | { readonly [value: string]: string };
interface Field {
  key: string;
  kind: Kind;
  optional: boolean;
}
interface Shape {
  type: string;
  tag: string;
  fields: Field[];
}

const values = (...vs: string[]) => Object.freeze(Object.fromEntries(vs.map((v) => [v, v])) as { readonly [value: string]: string });
const f = (key: string, kind: Kind, optional = false): Field => ({ key, kind, optional });

// Field order here is the line's order; changing a shape changes the journal format (add a new tag instead).
const SHAPES: Shape[] = [
  { type: 'Deposit', tag: 'D', fields: [f('account', 'str'), f('amountSat', 'int')] },
  { type: 'Withdraw', tag: 'W', fields: [f('account', 'str'), f('amountSat', 'int')] },
  {
    type: 'PlaceOrder', tag: 'P',
    fields: [
      f('account', 'str'), f('market', 'str'), f('side', values('buy', 'sell')), f('orderType', values('limit', 'market')),
      f('price', 'int', true), f('qty', 'int'), f('tif', values('GTC', 'IOC', 'FOK')), f('postOnly', 'bool'), f('reduceOnly', 'bool'),
      f('clientOrderId', 'str', true),
    ],
  },
  { type: 'CancelOrder', tag: 'C', fields: [f('account', 'str'), f('market', 'str'), f('orderId', 'int', true), f('clientOrderId', 'str', true)] },
  {
    type: 'AmendOrder', tag: 'A',
    fields: [f('account', 'str'), f('market', 'str'), f('orderId', 'int', true), f('clientOrderId', 'str', true), f('price', 'int', true), f('qty', 'int', true)],
  },
  { type: 'CancelAll', tag: 'X', fields: [f('account', 'str'), f('market', 'str', true)] },
  { type: 'BlockConnected', tag: 'B', fields: [f('height', 'int'), f('hash', 'str'), f('time', 'int'), f('mtp', 'int'), f('indexPrice', 'int')] },
];
const BY_TYPE = new Map(SHAPES.map((s) => [s.type, s]));
const BY_TAG = new Map(SHAPES.map((s) => [s.tag, s]));

const COMMAND_TYPES = new Set(['Deposit', 'Withdraw', 'FundSystem', 'ChainDeposit', 'ArkDeposit', 'ArkWithdrawal', 'ArkWithdrawalSettled', 'ArkWithdrawalFailed', 'PlaceOrder', 'CancelOrder', 'AmendOrder', 'CancelAll', 'BlockConnected', ...PRODUCT_COMMAND_TYPES]);

/** One field's text, or undefined when the compact line cannot carry this value exactly. */
function fieldText(v: unknown, fd: Field): string | undefined {
  const { kind } = fd;
  if (kind === 'int') return typeof v === 'number' && Number.isSafeInteger(v) && !Object.is(v, -0) ? String(v) : undefined;
  if (kind === 'bool') return v === true ? '1' : v === false ? '0' : undefined;
  if (typeof v !== 'string') return undefined;
  if (kind === 'str') return (v !== '' || !fd.optional) && PLAIN.test(v) ? v : undefined;
  return Object.hasOwn(kind, v) ? v : undefined;
}

function encodeCompact(c: Record<string, unknown>, shape: Shape): string | undefined {
  let line = shape.tag;
  let present = 1; // type
  for (const fd of shape.fields) {
    const v = c[fd.key];
    let text: string | undefined;
    if (v === undefined) {
      if (!fd.optional || fd.key in c) return undefined;
      text = '';
    } else {
      text = fieldText(v, fd);
      if (text === undefined) return undefined;
      present++;
    }
    line += SEP + text;
  }
  let keys = 0;
  for (const _ in c) keys++;
  return keys === present ? line : undefined;
}

function malformed(s: string, why: string): never {
  throw new InvalidArgumentError('command', `malformed payload (${why}): ${s.length > 120 ? s.slice(0, 120) + '…' : s}`);
}

/** The canonical decimal integer s[from, to) (what String(n) prints for a safe integer), else undefined. */
function readInt(s: string, from: number, to: number): number | undefined {
  let i = from;
  const negative = s.charCodeAt(i) === 45; /* - */
  if (negative) i++;
  const digits = to - i;
  if (digits < 1 || digits > 16 || (s.charCodeAt(i) === 48 /* 0 */ && (digits > 1 || negative))) return undefined;
  let n = 0;
  for (; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  if (n > Number.MAX_SAFE_INTEGER) return undefined;
  return negative ? -n : n;
}

/**
 * Reads the line field by field in place (no split, no substring for integers, booleans or enum
 * values): this runs once per command on the engine's thread. The line is whatever the sequencer
 * journals, so any field text decodes to exactly one value; only non-canonical text is refused.
 */
function decodeCompact(s: string): Command {
  const shape = s.charCodeAt(1) === 124 /* | */ ? BY_TAG.get(s[0]!) : undefined;
  if (shape === undefined) malformed(s, 'unknown tag');
  const { fields } = shape;
  const c: Record<string, unknown> = { type: shape.type };
  let from = 2;
  for (let i = 0; i < fields.length; i++) {
    const fd = fields[i]!;
    const last = i === fields.length - 1;
    let to = last ? s.length : s.indexOf(SEP, from);
    if (to < 0) malformed(s, `${i + 1} fields, ${shape.type} has ${fields.length}`);
    if (last && s.indexOf(SEP, from) >= 0) malformed(s, `more than ${fields.length} fields, ${shape.type} has ${fields.length}`);
    const { kind, key } = fd;
    if (to === from && fd.optional) {
      from = to + 1;
      continue;
    }
    if (kind === 'str') c[key] = s.slice(from, to);
    else if (kind === 'int') {
      const n = readInt(s, from, to);
      if (n === undefined) malformed(s, `${key} is not a safe integer`);
      c[key] = n;
    } else if (kind === 'bool') {
      const b = to - from === 1 ? s.charCodeAt(from) : -1;
      if (b !== 48 && b !== 49) malformed(s, `${key} is not 0 or 1`);
      c[key] = b === 49;
    } else c[key] = enumValue(s, from, to, kind, key);
    from = to + 1;
  }
  return c as unknown as Command;
}

function enumValue(s: string, from: number, to: number, kind: { readonly [value: string]: string }, key: string): string {
  for (const v in kind) if (v.length === to - from && s.startsWith(v, from)) return v;
  return malformed(s, `${key} is not one of ${Object.keys(kind).join(', ')}`);
}

export function encodeCommand(c: Command): string {
  const shape = BY_TYPE.get(c.type);
  return (shape && encodeCompact(c as unknown as Record<string, unknown>, shape)) ?? JSON.stringify(c);
}

export function decodeCommand(s: string): Command {
  if (typeof s !== 'string' || s === '') throw new InvalidArgumentError('command', 'empty payload');
  if (s.charCodeAt(0) !== 123 /* { */) return decodeCompact(s);
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch {
    throw new InvalidArgumentError('command', 'not JSON');
  }
  if (typeof v !== 'object' || v === null || !COMMAND_TYPES.has(String((v as { type?: unknown }).type))) {
    throw new InvalidArgumentError('command', 'unknown command type');
  }
  return v as Command; // fields are validated by apply(), which rejects bad ones with a reason
}
