import { Fragment } from 'react';
import { HELD_LABEL, TRUST_MODEL } from '../lib/trust-model.js';

/** `code` spans (the README's backticks) as <code>, the rest as text. */
function withCode(s: string) {
  return s.split('`').map((part, i) => (i % 2 === 1 ? <code key={i}>{part}</code> : <Fragment key={i}>{part}</Fragment>));
}

/** What you hold alone and what the operator clears, and how each is checked: the README's table, same rows. */
export function TrustModel({ onWalletPage = false }: { onWalletPage?: boolean }) {
  return (
    <section className="panel" data-testid="trust-model">
      <h2>What you trust</h2>
      <p className="small muted">
        Your Ark wallet's coins are yours alone; the trading balance is the exchange's ledger.{' '}
        {onWalletPage ? 'Move sats between the two with the panel at the top of this page.' : <>Move sats between the two on the <a href="#/wallet">Wallet</a> page.</>}
      </p>
      <div className="scroll-x">
        <table className="prose stack">
          <thead>
            <tr><th>Funds</th><th>Held</th><th>Who can move them</th><th>How it is checked</th></tr>
          </thead>
          <tbody>
            {TRUST_MODEL.map((r) => (
              <tr key={r.funds} data-held={r.held}>
                <td data-label="Funds">{r.funds}</td>
                <td data-label="Held" className={r.held === 'user' ? 'pos' : ''}>{HELD_LABEL[r.held]}</td>
                <td data-label="Who can move them">{withCode(r.whoMoves)}</td>
                <td data-label="How it is checked">{withCode(r.checked)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
