import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { explain } from '../../lib/api-errors.js';
import type { AccountKey } from '../../lib/keys.js';
import { checkMyLiabilities, verifiedLine } from '../../../../src/proofs/check.js';

/**
 * Proof of liabilities, checked here in the browser: fetch this account's inclusion proof, fetch the root
 * the server published for that block on its own, and recompute the path (SHA-256 from @noble/hashes,
 * the same code the CLI runs). Nothing is taken on the server's word but the two documents.
 */
export function LiabilitiesCheck({ backend, accountKey }: { backend: Backend; accountKey: AccountKey }) {
  const [state, setState] = useState<{ busy: boolean; ok?: string; error?: string }>({ busy: false });
  const proofs = backend.proofs;
  if (proofs === undefined) return null;
  const run = async () => {
    setState({ busy: true });
    try {
      const r = await checkMyLiabilities(accountKey.publicKeyHex, () => proofs.mine(accountKey.secretKeyHex), (h) => proofs.root(h));
      setState(r.ok ? { busy: false, ok: verifiedLine(r) } : { busy: false, error: `NOT verified${r.height !== undefined ? ` (block ${r.height})` : ''}: ${r.reason}` });
    } catch (e) {
      setState({ busy: false, error: explain(e, 'liabilities proof') });
    }
  };
  return (
    <div className="row" style={{ marginTop: 12 }}>
      <button className="ghost" onClick={() => void run()} disabled={state.busy} data-testid="liabilities-check">
        {state.busy ? 'Verifying…' : 'Verify my balance is in the liabilities'}
      </button>
      {state.ok && <span className="small pos" role="status" data-testid="liabilities-result">{state.ok}</span>}
      {state.error && <span className="small neg" role="status" data-testid="liabilities-result">{state.error}</span>}
    </div>
  );
}
