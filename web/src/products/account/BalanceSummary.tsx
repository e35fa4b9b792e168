import type { Account } from '../../../../src/api/schemas.js';
import { Facts } from '../../components/KeyValues.js';
import { msatAsBtc } from '../../lib/format.js';
import { fieldsOf } from '../../lib/present.js';
import type { Rec } from '../../lib/records.js';

const SHOWN = new Set(['balanceMsat', 'availableMsat', 'equityMsat', 'initialMarginMsat', 'maintenanceMarginMsat', 'account']);

/** The account's money in words, then any further balances the portfolio view adds (not repeating these). */
export function BalanceSummary({ account, extra }: { account: Account; extra: Rec | undefined }) {
  const rows: [string, string][] = [
    ['Balance', msatAsBtc(account.balanceMsat, 'holding')],
    ['Available to trade or withdraw', msatAsBtc(account.availableMsat, 'holding')],
  ];
  if (account.equityMsat !== undefined) rows.push(['Equity (balance + unrealised PnL)', msatAsBtc(account.equityMsat, 'holding')]);
  if (account.initialMarginMsat !== undefined) rows.push(['Initial margin in use', msatAsBtc(account.initialMarginMsat, 'holding')]);
  if (account.maintenanceMarginMsat !== undefined) rows.push(['Maintenance margin', msatAsBtc(account.maintenanceMarginMsat, 'holding')]);
  for (const f of extra ? fieldsOf(extra) : []) if (!SHOWN.has(f.key)) rows.push([f.label, f.text]);
  return <Facts style={{ maxWidth: 520 }} facts={rows.map(([label, text]) => ({ key: label, label, text, testId: label === 'Balance' ? 'portfolio-balance' : undefined }))} />;
}
