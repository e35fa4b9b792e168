import { useState } from 'react';
import { generateKey, keyFromSecretHex, type AccountKey } from '../../lib/keys.js';

/** Create, import, back up or forget the browser's account key. */
export function KeyPanel({ accountKey, setKey }: { accountKey: AccountKey | undefined; setKey: (k: AccountKey | undefined) => void }) {
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
    <section className="panel">
      <h2>Your key</h2>
      <p className="small muted">
        A HashPerp account is a BIP-340 key. It is created and kept in this browser (localStorage) and never sent anywhere: the app signs each
        request with it and the server checks the signature. Clearing site data deletes it, so keep a copy of the secret somewhere safe. It is not the Ark wallet's recovery
        phrase (Wallet page), and neither is derived from the other.
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
  );
}
