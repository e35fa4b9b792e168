import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { explain } from '../../lib/api-errors.js';
import { msatAsBtc } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';

const FAUCET_SAT = 1_000_000;

/** Embedded-mode test funds: one signed POST /v1/faucet; servers on a real chain refuse and say why. */
export function Faucet({ backend, accountKey, onFunded }: { backend: Backend; accountKey: AccountKey; onFunded: () => void }) {
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
