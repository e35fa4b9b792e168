import { formatUtc } from '../../../src/units/time.js';
import { bpsPct, grouped, msatAsBtc, satAmount, satPerPhDayText } from './format.js';
import { isRecord } from './records.js';

/**
 * Shows server records whose exact shape this app does not fix (portfolio sections, history entries,
 * contract documents) with units a person can read, keyed on the API's naming convention: *Msat money
 * in msat, *Sat in sat, *Bps basis points, heights, unix times, *Ppm rates.
 */
const LABELS: Record<string, string> = {
  unrealizedPnlMsat: 'Unrealised PnL',
  realizedPnlMsat: 'Realised PnL',
  unsettledPnlMsat: 'Unsettled PnL',
  pnlFromEntryMsat: 'PnL from entry',
  fundingPaidMsat: 'Funding paid',
  liquidationPrice: 'Liquidation price',
  entryPrice: 'Entry price',
  markPrice: 'Mark price',
  positionId: 'Position',
  contractId: 'Contract',
  offerId: 'Offer',
  orderId: 'Order',
  daysDelivered: 'Days delivered',
  daysMissed: 'Days missed',
  collateralStatus: 'Collateral',
  expiryHeight: 'Expiry height',
  expiresAtHeight: 'Expires at height',
  payoutSat: 'Payout',
  navMsat: 'NAV',
  sharePriceMsat: 'Share price per 1,000 shares',
  fundingNetMsat: 'Funding, net (+ received, − paid)',
  totalShares: 'Total shares',
  priceMsat: 'Price',
  qty: 'Quantity',
  seq: 'Seq',
};

export function labelOf(key: string): string {
  const dot = key.lastIndexOf('.');
  if (dot >= 0) return `${labelOf(key.slice(0, dot))} ${labelOf(key.slice(dot + 1)).toLowerCase()}`;
  if (LABELS[key]) return LABELS[key]!;
  const bare = key.replace(/(Msat|Sat|Bps|Ppm|Iso)$/, '');
  const words = bare.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const isIntString = (v: unknown): v is string => typeof v === 'string' && /^-?\d+$/.test(v);
const isTimeKey = (k: string) => k === 'time' || k === 'deadline' || k === 'timestamp' || /At$/.test(k) && !/Height$/.test(k) || /Time$/.test(k);

/** One value as text with its unit; undefined for values that are not worth a cell (objects, arrays). */
export function present(fullKey: string, v: unknown): string | undefined {
  const key = fullKey.slice(fullKey.lastIndexOf('.') + 1);
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (/Msat$/.test(key) && (isIntString(v) || typeof v === 'number')) return msatAsBtc(String(v), 'holding');
  if (/Sat$/.test(key) && (isIntString(v) || typeof v === 'number')) return satAmount(Number(v));
  if (/Bps$/.test(key) && typeof v === 'number') return bpsPct(v);
  if (/Ppm$/.test(key) && typeof v === 'number') return `${(v / 10_000).toFixed(4)} %`;
  if (/[hH]eight$/.test(key) && typeof v === 'number') return grouped(v);
  if (isTimeKey(key) && typeof v === 'number' && v > 1e9 && v < 1e10) return formatUtc(v);
  if (isTimeKey(key) && typeof v === 'number' && v > 1e12) return formatUtc(Math.floor(v / 1000));
  if (/Price$/.test(key) && typeof v === 'number') return satPerPhDayText(v);
  if (typeof v === 'number') return Number.isInteger(v) ? grouped(v) : String(Math.round(v * 1e6) / 1e6);
  if (typeof v === 'string') return v;
  return undefined;
}

/** The scalar fields of a record, labelled, in the server's order. */
export function fieldsOf(rec: Record<string, unknown>, skip: readonly string[] = []): { key: string; label: string; text: string }[] {
  const out: { key: string; label: string; text: string }[] = [];
  for (const [k, v] of Object.entries(rec)) {
    if (skip.includes(k)) continue;
    const text = present(k, v);
    if (text !== undefined) out.push({ key: k, label: labelOf(k), text });
  }
  return out;
}

/** The columns shared by a list of records (first-seen order), for a table. */
export function columnsOf(rows: readonly Record<string, unknown>[], skip: readonly string[] = [], max = 8): string[] {
  const cols: string[] = [];
  for (const r of rows)
    for (const [k, v] of Object.entries(r))
      if (!skip.includes(k) && !cols.includes(k) && present(k, v) !== undefined) cols.push(k);
  return cols.slice(0, max);
}

/** Lifts one level of nested objects into dotted keys ("collateral.remainingMsat"), so tables can show them. */
export function flatten(rec: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(rec)) {
    if (isRecord(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = v2;
    else out[k] = v;
  }
  return out;
}
