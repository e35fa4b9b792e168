import { fieldsOf } from './present.js';

/**
 * One line of the account's history (GET /v1/account/history) for a person: what happened, the amount
 * that moved (transfers carry a signed amountMsat: + in, − out) and the event's other facts with units.
 */
export interface HistoryLine {
  id: number;
  seq: number;
  kind: string;
  what: string;
  /** Signed msat, when the event moved money for this account. */
  amountMsat: string | undefined;
  detail: string;
}

const QUIET = new Set(['type', 'account', 'amountMsat', 'owner', 'maker', 'taker']);
const REASON: Record<string, string> = { deposit: 'Deposit', withdrawal: 'Withdrawal', fee: 'Fee', funding: 'Funding', faucet: 'Test funds' };

export function historyLine(e: { id: number; seq: number; kind: string; event: string; data: Record<string, unknown> }): HistoryLine {
  const words = e.event.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  const reason = typeof e.data.reason === 'string' ? e.data.reason : undefined;
  const sentence = (t: string) => t.charAt(0).toUpperCase() + t.slice(1);
  const what = e.event === 'LedgerTransfer' && reason !== undefined ? (REASON[reason] ?? sentence(reason.replace(/[_-]/g, ' '))) : sentence(words);
  const amount = typeof e.data.amountMsat === 'string' && /^-?\d+$/.test(e.data.amountMsat) ? e.data.amountMsat : undefined;
  const detail = fieldsOf(e.data, [...QUIET, ...(e.event === 'LedgerTransfer' ? ['reason'] : [])])
    .slice(0, 5)
    .map((f) => `${f.label} ${f.text}`)
    .join(' · ');
  return { id: e.id, seq: e.seq, kind: e.kind, what, amountMsat: amount, detail };
}
