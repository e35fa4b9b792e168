import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { Wallet, WalletBalance } from '@arkade-os/sdk';
import type { Backend } from '../../api/backend.js';
import type { Account } from '../../../../src/api/schemas.js';
import { fundExchange } from '../../../../src/wallet/exchange-funding.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { useAction } from '../../components/use-action.js';
import { credited, parseTransferAmount, transferError, waitUntil, withdrawableSat, type Direction } from '../../lib/exchange-transfer.js';
import { msatAsBtc, satAmount } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';

/** How long "Move to exchange" waits for the credit before saying it will come (the server credits once finalized). */
const CREDIT_WAIT_MS = 30_000;

/** `sat` null: nothing to show (no account key), undefined: still loading. */
function Side({ title, sub, testId, sat, children }: { title: string; sub: string; testId: string; sat: number | null | undefined; children?: ReactNode }) {
  return (
    <div className="panel" style={{ margin: 0 }} data-testid={testId} data-sat={sat ?? ''}>
      <div className="small muted">{sub}</div>
      <h3 style={{ margin: '4px 0' }}>{title}</h3>
      <div className="mono" style={{ fontSize: '1.3em' }}>{sat === null ? '—' : sat === undefined ? '…' : satAmount(sat)}</div>
      {children}
    </div>
  );
}

/**
 * Both balances side by side — what this wallet holds (its keys are in this browser) and what the exchange
 * account holds (operator-cleared) — and one action each way: a deposit is an Ark tx this wallet signs
 * paying the operator's liquidity address with the account's memo (src/wallet/exchange-funding.ts, as
 * `hashperp wallet fund`), waited for until the trading balance shows it; a withdrawal is the account's
 * signed request to pay this wallet's Ark address (as `hashperp wallet withdraw`).
 */
export function ExchangeTransfer({
  wallet,
  balance,
  refreshWallet,
  backend,
  accountKey,
}: {
  wallet: Wallet;
  balance: WalletBalance | undefined;
  refreshWallet: () => void;
  backend: Backend;
  accountKey: AccountKey | undefined;
}) {
  const arkFunds = backend.arkFunds;
  const [acct, setAcct] = useState<Account | undefined>(undefined);
  const [acctError, setAcctError] = useState<string | undefined>(undefined);
  const [amount, setAmount] = useState('');
  const [phase, setPhase] = useState<string | undefined>(undefined);
  const move = useAction(transferError);
  const sk = accountKey?.secretKeyHex;

  const reloadAccount = useCallback(async () => {
    if (sk === undefined) return;
    try {
      setAcct(await backend.account(sk));
      setAcctError(undefined);
    } catch (e) {
      setAcctError(transferError(e));
    }
  }, [backend, sk]);

  useEffect(() => {
    void reloadAccount();
    const t = setInterval(() => void reloadAccount(), 3000);
    return () => clearInterval(t);
  }, [reloadAccount]);

  if (!arkFunds) return null;

  const walletSat = balance?.available;
  const exchangeSat = acct ? withdrawableSat(acct.balanceMsat) : undefined;
  const freeSat = acct ? withdrawableSat(acct.availableMsat) : undefined;

  const run = (direction: Direction) =>
    move.run(
      async () => {
        if (!accountKey) throw new Error('No exchange account key in this browser: create or import one on the Account page first.');
        try {
          if (direction === 'to-exchange') {
            const sat = parseTransferAmount(amount, direction, walletSat ?? 0);
            setPhase('Signing the Ark transaction…');
            const [info, before] = await Promise.all([arkFunds.info(), backend.account(accountKey.secretKeyHex)]);
            const { arkTxid } = await fundExchange(wallet, { account: accountKey.publicKeyHex, amountSat: sat, liquidityAddress: info.address });
            refreshWallet();
            setPhase(`Sent in Ark transaction ${arkTxid}; waiting for the exchange to credit it…`);
            const done = await waitUntil(
              async () => (await backend.account(accountKey.secretKeyHex)).balanceMsat,
              (now) => credited(before.balanceMsat, now, sat),
              { timeoutMs: CREDIT_WAIT_MS, intervalMs: 500 },
            );
            return done
              ? `Moved ${satAmount(sat)} to the exchange in Ark transaction ${arkTxid}: credited.`
              : `Sent ${satAmount(sat)} in Ark transaction ${arkTxid}; the exchange has not credited it yet. It credits the transaction once it sees it finalized, exactly once.`;
          }
          const sat = parseTransferAmount(amount, direction, freeSat ?? 0);
          setPhase('Asking the operator to pay this wallet…');
          const ack = await arkFunds.withdraw(accountKey.secretKeyHex, sat, await wallet.getAddress());
          return ack.status === 'settled'
            ? `Moved ${satAmount(sat)} to your wallet in Ark transaction ${ack.arkTxid}.`
            : `The operator accepted the payment of ${satAmount(sat)} (Ark transaction ${ack.arkTxid}); it is finalized and reconciled at the next block.`;
        } finally {
          setPhase(undefined);
        }
      },
      () => {
        setAmount('');
        refreshWallet();
        void reloadAccount();
      },
    );

  return (
    <section className="panel" data-testid="exchange-transfer">
      <h2>Wallet and exchange</h2>
      <div className="grid" style={{ gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))', gap: 12 }}>
        <Side title="In your wallet" sub="you hold the keys" testId="xfer-wallet" sat={walletSat}>
          {balance && balance.boarding.total > 0 && <div className="small muted">+ {satAmount(balance.boarding.total)} boarding: settle to use it</div>}
        </Side>
        <Side title="On the exchange" sub="operator-cleared (trading balance)" testId="xfer-exchange" sat={accountKey ? exchangeSat : null}>
          {!accountKey ? (
            <div className="small muted" data-testid="xfer-no-key">No exchange account key in this browser: create or import one on the <a href="#/account">Account</a> page.</div>
          ) : (
            freeSat !== undefined && <div className="small muted">{satAmount(freeSat)} free to withdraw ({msatAsBtc(acct!.availableMsat, 'holding')})</div>
          )}
          {acctError && <div className="small neg">{acctError}</div>}
        </Side>
      </div>
      <form
        className="row"
        style={{ marginTop: 12, alignItems: 'flex-end', flexWrap: 'wrap' }}
        onSubmit={(e) => {
          e.preventDefault();
          void run('to-exchange');
        }}
      >
        <label className="field">
          Amount (sat)
          <input name="transfer-amount" value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="numeric" data-testid="xfer-amount" />
        </label>
        <button className="primary" type="submit" disabled={move.busy || !accountKey} data-testid="xfer-to-exchange">
          Move to exchange →
        </button>
        <button className="ghost" type="button" disabled={move.busy || !accountKey} onClick={() => void run('to-wallet')} data-testid="xfer-to-wallet">
          ← Move to wallet
        </button>
      </form>
      {phase && <div className="small muted" role="status" style={{ overflowWrap: 'anywhere' }}>{phase}</div>}
      <ResultNotice result={move.result} testId="xfer-result" style={{ overflowWrap: 'anywhere' }} />
      <p className="small muted">
        Moving to the exchange is an Ark transaction your wallet signs, paying the operator with a memo naming your account; moving back is the
        operator paying your wallet's Ark address. See <a href="#/account">what you trust</a> for each side.
      </p>
    </section>
  );
}
