/**
 * Every external flow in the ledger has exactly one Ark tx behind it, and every Ark tx that funds the
 * exchange is in the ledger. Pure: the engine's record of Ark deposits and withdrawals on one side, the
 * operator's Ark txs (as a lookup) on the other; the server runs it after every block and tests run it
 * on corrupted copies.
 *
 * Checked:
 * - each ArkDeposit's txid is a finalized Ark tx whose funding memo names that account and which pays
 *   the liquidity key exactly the amount credited;
 * - each settled ArkWithdrawal's txid is a finalized Ark tx paying its script exactly its amount, with
 *   its withdrawal memo; no Ark tx settles two withdrawals;
 * - no finalized funding-memo tx paying the liquidity key is left uncredited.
 * Pending withdrawals are listed, not counted as problems (the server resolves them).
 */
import { depositOf, withdrawalMemosOf, type TxOutputView } from '../bitcoin/ark-memo.js';

export interface ArkTxView {
  txid: string;
  /** The owners' checkpoint signatures are in: the tx can no longer be withdrawn. */
  finalized: boolean;
  outputs: TxOutputView[];
}

export interface LedgerArkFlows {
  deposits: readonly { arkTxid: string; account: string; amountSat: number }[];
  withdrawals: readonly { requestId: string; account: string; amountSat: number; toScript: string; status: 'pending' | 'settled' | 'failed'; arkTxid?: string }[];
}

export interface ArkSide {
  /** Hex script of the operator's liquidity key L. */
  liquidityScript: string;
  tx(txid: string): ArkTxView | undefined;
  /** Txids of every Ark tx with an output paying L (finalized or not). */
  txidsPayingLiquidity: Iterable<string>;
}

export interface ReconciliationReport {
  ok: boolean;
  problems: string[];
  pending: { requestId: string; account: string; amountSat: number }[];
  deposits: number;
  settledWithdrawals: number;
}

export function reconcileArkFlows(ledger: LedgerArkFlows, ark: ArkSide): ReconciliationReport {
  const problems: string[] = [];
  const credited = new Set<string>();
  for (const d of ledger.deposits) {
    credited.add(d.arkTxid);
    const what = `deposit ${d.arkTxid} (${d.amountSat} sat to ${d.account})`;
    const tx = ark.tx(d.arkTxid);
    if (tx === undefined) {
      problems.push(`${what}: no such Ark tx in the operator's store`);
      continue;
    }
    if (!tx.finalized) problems.push(`${what}: the Ark tx is not finalized`);
    const paid = depositOf(tx.outputs, ark.liquidityScript);
    if (paid === undefined) problems.push(`${what}: the Ark tx carries no single funding memo paying the liquidity key`);
    else {
      if (paid.account !== d.account) problems.push(`${what}: its memo names account ${paid.account}`);
      if (paid.amountSat !== BigInt(d.amountSat)) problems.push(`${what}: it pays the liquidity key ${paid.amountSat} sat`);
    }
  }
  const settledBy = new Map<string, string>();
  let settled = 0;
  const pending: ReconciliationReport['pending'] = [];
  for (const w of ledger.withdrawals) {
    if (w.status === 'pending') pending.push({ requestId: w.requestId, account: w.account, amountSat: w.amountSat });
    if (w.status !== 'settled') continue;
    settled++;
    const what = `withdrawal ${w.requestId} (${w.amountSat} sat from ${w.account})`;
    if (w.arkTxid === undefined) {
      problems.push(`${what}: settled without an Ark txid`);
      continue;
    }
    const other = settledBy.get(w.arkTxid);
    if (other !== undefined) problems.push(`${what}: Ark tx ${w.arkTxid} already settles withdrawal ${other}`);
    settledBy.set(w.arkTxid, w.requestId);
    const tx = ark.tx(w.arkTxid);
    if (tx === undefined) {
      problems.push(`${what}: no such Ark tx ${w.arkTxid} in the operator's store`);
      continue;
    }
    if (!tx.finalized) problems.push(`${what}: Ark tx ${w.arkTxid} is not finalized`);
    if (!tx.outputs.some((o) => o.script === w.toScript && o.amount === BigInt(w.amountSat))) problems.push(`${what}: Ark tx ${w.arkTxid} does not pay ${w.amountSat} sat to ${w.toScript}`);
    if (!withdrawalMemosOf(tx.outputs).includes(w.requestId)) problems.push(`${what}: Ark tx ${w.arkTxid} carries no memo for this request`);
  }
  for (const txid of new Set(ark.txidsPayingLiquidity)) {
    if (credited.has(txid)) continue;
    const tx = ark.tx(txid);
    if (tx === undefined || !tx.finalized) continue;
    const paid = depositOf(tx.outputs, ark.liquidityScript);
    if (paid !== undefined) problems.push(`Ark tx ${txid} pays the liquidity key ${paid.amountSat} sat for account ${paid.account} and is not credited`);
  }
  return { ok: problems.length === 0, problems, pending, deposits: ledger.deposits.length, settledWithdrawals: settled };
}
