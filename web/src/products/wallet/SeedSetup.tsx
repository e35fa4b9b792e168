import { useState } from 'react';
import { newMnemonic, normalizeMnemonic } from '../../lib/wallet-seed.js';

/** Why the wallet's seed and the exchange account key are two things, said wherever either is made. */
export function KeysAreSeparate() {
  return (
    <p className="small muted" data-testid="keys-separate">
      This wallet's recovery phrase is not your exchange account key (Account page), and neither is derived from the other: the account key
      only signs requests to the exchange API; the phrase controls your bitcoin in Ark. Back up both. The phrase stays in this browser
      (IndexedDB) and is never sent to the server.
    </p>
  );
}

/**
 * Create a wallet (the phrase is shown this once, and stored only after the user confirms writing it down) or
 * import an existing phrase.
 */
export function SeedSetup({ onSave }: { onSave: (mnemonic: string, backedUp: boolean) => Promise<void> }) {
  const [phrase, setPhrase] = useState<string | undefined>(undefined);
  const [importText, setImportText] = useState('');
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  const save = async (m: string) => {
    setError(undefined);
    setBusy(true);
    try {
      await onSave(normalizeMnemonic(m), confirmed);
    } catch (e) {
      setError(e instanceof Error ? e.message.replace(/^(mnemonic|backedUp): /, '') : String(e));
    } finally {
      setBusy(false);
    }
  };

  const confirmBox = (
    <label className="small" style={{ display: 'flex', gap: 8, alignItems: 'center' }}>
      <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="seed-confirm" />
      I have written the recovery phrase down. It will not be shown again, and whoever has it controls this wallet.
    </label>
  );

  return (
    <section className="panel" data-testid="seed-setup">
      <h2>Set up your Ark wallet</h2>
      <KeysAreSeparate />
      {phrase ? (
        <div className="grid" style={{ gap: 12 }}>
          <div className="small muted">Your recovery phrase (12 words, BIP-39):</div>
          <ol className="mono notice warn" data-testid="seed-phrase" style={{ columns: 3, margin: 0 }}>
            {phrase.split(' ').map((w, i) => (
              <li key={i}>{w}</li>
            ))}
          </ol>
          {confirmBox}
          <div className="row">
            <button className="primary" disabled={!confirmed || busy} onClick={() => void save(phrase)} data-testid="seed-save">
              Create wallet
            </button>
            <button className="ghost" onClick={() => { setPhrase(undefined); setConfirmed(false); }}>Cancel</button>
          </div>
        </div>
      ) : (
        <div className="grid" style={{ gap: 12 }}>
          <div>
            <button className="primary" onClick={() => { setConfirmed(false); setPhrase(newMnemonic()); }} data-testid="seed-create">
              Create a new wallet
            </button>
          </div>
          <label className="field">
            Or restore from a recovery phrase
            <textarea value={importText} onChange={(e) => setImportText(e.target.value)} spellCheck={false} autoComplete="off" rows={2} data-testid="seed-import-text" />
          </label>
          {importText.trim() !== '' && confirmBox}
          <div>
            <button className="ghost" disabled={importText.trim() === '' || !confirmed || busy} onClick={() => void save(importText)} data-testid="seed-import">
              Restore wallet
            </button>
          </div>
        </div>
      )}
      {error && <div className="field-error" role="alert">{error}</div>}
    </section>
  );
}
