/**
 * The memo that binds an Ark tx to the exchange ledger: a zero-value OP_RETURN output (the operator's
 * output rules allow one; arkd's too) whose one push is `hp:fund:<account>` on a deposit to the
 * operator's liquidity key, or `hp:wd:<requestId>` on the operator's payment of a withdrawal. The
 * memo is what makes "exactly one Ark tx behind each ledger flow" checkable by anyone holding the tx.
 */
import { Script } from '@scure/btc-signer';
import { hex, utf8 } from '@scure/base';
import { isAccountId } from '../units/checks.js';
import { InvalidArgumentError } from '../units/errors.js';

export const FUND_MEMO_PREFIX = 'hp:fund:';
export const WITHDRAWAL_MEMO_PREFIX = 'hp:wd:';
/** Bitcoin Core's standard OP_RETURN data limit. */
const MAX_MEMO = 80;

export type ArkMemo = { kind: 'fund'; account: string } | { kind: 'withdrawal'; requestId: string };

function memoScript(text: string, field: string): Uint8Array {
  const data = utf8.decode(text);
  if (data.length > MAX_MEMO) throw new InvalidArgumentError(field, `memo of ${data.length} bytes is over ${MAX_MEMO}`);
  return Script.encode(['RETURN', data]);
}

/** OP_RETURN <"hp:fund:" + account>: pays the exchange account `account`. */
export const fundingMemoScript = (account: string): Uint8Array => memoScript(FUND_MEMO_PREFIX + account, 'account');
/** OP_RETURN <"hp:wd:" + requestId>: the operator's payment of withdrawal `requestId`. */
export const withdrawalMemoScript = (requestId: string): Uint8Array => memoScript(WITHDRAWAL_MEMO_PREFIX + requestId, 'requestId');

/** The memo an output script carries, or undefined (not an OP_RETURN with one push of a memo). */
export function parseMemo(script: Uint8Array): ArkMemo | undefined {
  if (script.length < 2 || script[0] !== 0x6a) return undefined;
  let parts: ReturnType<typeof Script.decode>;
  try {
    parts = Script.decode(script);
  } catch {
    return undefined;
  }
  if (parts.length !== 2 || !(parts[1] instanceof Uint8Array)) return undefined;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(parts[1]);
  } catch {
    return undefined;
  }
  if (text.startsWith(FUND_MEMO_PREFIX)) return { kind: 'fund', account: text.slice(FUND_MEMO_PREFIX.length) };
  if (text.startsWith(WITHDRAWAL_MEMO_PREFIX)) return { kind: 'withdrawal', requestId: text.slice(WITHDRAWAL_MEMO_PREFIX.length) };
  return undefined;
}

export interface TxOutputView {
  /** Hex output script. */
  script: string;
  amount: bigint;
}

/**
 * What a deposit tx credits: exactly one funding memo naming an account id and a positive sum paid to
 * `liquidityScript` (hex). Anything else (no memo, two memos, a memo naming no account, nothing paid
 * to L) credits nobody.
 */
export function depositOf(outputs: readonly TxOutputView[], liquidityScript: string): { account: string; amountSat: bigint } | undefined {
  let account: string | undefined;
  let memos = 0;
  let paid = 0n;
  for (const o of outputs) {
    if (o.script === liquidityScript) paid += o.amount;
    const m = parseMemo(hex.decode(o.script));
    if (m?.kind === 'fund') {
      memos++;
      account = m.account;
    }
  }
  return memos === 1 && paid > 0n && isAccountId(account) ? { account, amountSat: paid } : undefined;
}

/** The withdrawal request ids an Ark tx's memos name. */
export function withdrawalMemosOf(outputs: readonly TxOutputView[]): string[] {
  const out: string[] = [];
  for (const o of outputs) {
    const m = parseMemo(hex.decode(o.script));
    if (m?.kind === 'withdrawal') out.push(m.requestId);
  }
  return out;
}
