import { useState } from 'react';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad, useSubscription } from '../api/hooks.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { explain } from '../lib/api-errors.js';
import { msatAsBtc } from '../lib/format.js';
import { generateKey, keyFromSecretHex, type AccountKey } from '../lib/keys.js';

export function Account({ backend, feed, accountKey, setKey }: { backend: Backend; feed: Feed; accountKey: AccountKey | undefined; setKey: (k: AccountKey | undefined) => void }) {
  const [importText, setImportText] = useState('');
  const [importError, setImportError] = useState<string | undefined>(undefined);
  const [reveal, setReveal] = useState(false);

  const doImport = () => {
    try {
      setKey(keyFromSecretHex(importText));
      setImportText('');
      setImportError(undefined);
    } catch (e) {
      setImportError(e instanceof Error ? e.message.replace(/^secretKey: /, '') : String(e));
    }
  };

  return (
    <main>
      <h1>Account</h1>
      <section className="panel">
        <h2>Your key</h2>
        <p className="small muted">
          A HashPerp account is a BIP-340 key. It is created and kept in this browser (localStorage) and never sent anywhere: the app signs each
          request with it and the server checks the signature. Clearing site data deletes it, so keep a copy of the secret somewhere safe.
        </p>
        {accountKey ? (
          <>
            <div className="small muted">Account id (public key)</div>
            <div className="mono" data-testid="account-pubkey">{accountKey.publicKeyHex}</div>
            <div className="row" style={{ marginTop: 10 }}>
              <button className="ghost" onClick={() => setReveal((r) => !r)}>{reveal ? 'Hide secret' : 'Show secret for backup'}</button>
              <button
                className="ghost"
                onClick={() => {
                  if (window.confirm('Forget this key? Without a backup of the secret, the account cannot be used again.')) setKey(undefined);
                }}
              >
                Forget key
              </button>
            </div>
            {reveal && <div className="mono notice warn" style={{ marginTop: 8 }}>{accountKey.secretKeyHex}</div>}
          </>
        ) : (
          <div className="grid" style={{ gap: 12 }}>
            <div>
              <button className="primary" onClick={() => setKey(generateKey())} data-testid="create-key">Create a new key</button>
            </div>
            <label className="field">
              Or import a secret key (64 hex characters)
              <input value={importText} onChange={(e) => setImportText(e.target.value)} spellCheck={false} autoComplete="off" />
            </label>
            {importError && <div className="field-error">{importError}</div>}
            <div>
              <button className="ghost" onClick={doImport} disabled={importText.trim() === ''}>Import key</button>
            </div>
          </div>
        )}
      </section>
      {accountKey && <Balances key={accountKey.publicKeyHex} backend={backend} feed={feed} accountKey={accountKey} />}
    </main>
  );
}

const FAUCET_SAT = 1_000_000;

/** Embedded-mode test funds: one signed POST /v1/faucet; servers on a real chain refuse and say why. */
function Faucet({ backend, accountKey, onFunded }: { backend: Backend; accountKey: AccountKey; onFunded: () => void }) {
  const [state, setState] = useState<{ busy: boolean; ok?: string; error?: string }>({ busy: false });
  const get = async () => {
    setState({ busy: true });
    try {
      const ack = await backend.faucet(accountKey.secretKeyHex, FAUCET_SAT);
      setState({ busy: false, ok: `Received ${msatAsBtc(String(BigInt(ack.amountSat) * 1000n), 'holding')} of test funds. Balance now ${msatAsBtc(ack.balanceMsat, 'holding')}.` });
      onFunded();
    } catch (e) {
      setState({ busy: false, error: explain(e, 'test funds') });
    }
  };
  return (
    <div className="row" style={{ marginTop: 12 }}>
      <button className="ghost" onClick={() => void get()} disabled={state.busy} data-testid="faucet">
        {state.busy ? 'Asking the faucet…' : `Get test funds (${msatAsBtc(String(FAUCET_SAT * 1000), 'holding')})`}
      </button>
      {state.ok && <span className="small pos" role="status" data-testid="faucet-result">{state.ok}</span>}
      {state.error && <span className="small neg" role="status" data-testid="faucet-result">{state.error}</span>}
    </div>
  );
}

function Balances({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey }) {
  const acct = useLoad(() => backend.account(accountKey.secretKeyHex), [backend, accountKey.secretKeyHex]);
  const signer = useLoad(() => backend.accountFeedSigner(accountKey.secretKeyHex), [backend, accountKey.secretKeyHex]);
  // Any event on this account (fill, cancel, funding…) changes what this panel shows: reload it.
  const sign = signer.data;
  useSubscription(feed, sign ? { channel: 'account', auth: sign } : undefined, (m) => {
    if (m.type === 'account') acct.reload();
  });
  return (
    <section className="panel">
      <h2>Balances and positions</h2>
      {acct.error ? (
        <ErrorNotice title="The server did not accept this request" message={acct.error} onRetry={acct.reload} />
      ) : !acct.data ? (
        <Loading what="your account" />
      ) : (
        <>
          <dl className="preview" style={{ maxWidth: 420 }}>
            <dt>Balance</dt>
            <dd data-testid="balance">{msatAsBtc(acct.data.balanceMsat, 'holding')}</dd>
            <dt>Available</dt>
            <dd>{msatAsBtc(acct.data.availableMsat, 'holding')}</dd>
          </dl>
          <Faucet backend={backend} accountKey={accountKey} onFunded={acct.reload} />
          {acct.data.positions.length === 0 && acct.data.orders.length === 0 ? (
            <div className="empty">No positions or open orders. New accounts start empty: get test funds above, then trade on the <a href="#/trade">Trade</a> page.</div>
          ) : acct.data.positions.length === 0 ? (
            <div className="small muted" style={{ marginTop: 12 }}>No open positions.</div>
          ) : (
            <table style={{ marginTop: 12 }}>
              <thead>
                <tr><th>Market</th><th>Size (lots)</th><th>Entry</th><th>Unrealised PnL</th></tr>
              </thead>
              <tbody>
                {acct.data.positions.map((p) => (
                  <tr key={p.market}>
                    <td>{p.market}</td>
                    <td className={p.size > 0 ? 'pos' : 'neg'}>{p.size.toLocaleString('en-US')}</td>
                    <td>{p.entryPrice.toLocaleString('en-US')}</td>
                    <td>{msatAsBtc(p.unrealizedPnlMsat, 'holding')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {acct.data.orders.length > 0 && (
            <table style={{ marginTop: 12 }}>
              <thead>
                <tr><th>Open order</th><th>Side</th><th>Price</th><th>Remaining</th><th /></tr>
              </thead>
              <tbody>
                {acct.data.orders.map((o) => (
                  <tr key={o.orderId}>
                    <td className="mono">{o.clientOrderId ?? o.orderId}</td>
                    <td className={o.side === 'buy' ? 'pos' : 'neg'}>{o.side}</td>
                    <td>{o.price.toLocaleString('en-US')}</td>
                    <td>{o.remaining.toLocaleString('en-US')}</td>
                    <td>
                      <button className="ghost" onClick={() => void backend.cancelOrder(accountKey.secretKeyHex, o.orderId).then(acct.reload, acct.reload)}>Cancel</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
