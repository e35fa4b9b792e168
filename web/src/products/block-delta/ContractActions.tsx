import { useEffect, useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { useAction } from '../../components/use-action.js';
import { explain } from '../../lib/api-errors.js';
import { recordOf, type Rec } from '../../lib/records.js';
import { saveJson } from '../../lib/save-json.js';
import type { BrowserWallet } from './contract-wallet.js';
import type { SettleableDocument } from '../../../../src/wallet/bdc-settle.js';

/** The browser wallet's module carries the Ark SDK: fetched only when a contract document is opened. */
const walletModule = () => import('./contract-wallet.js');

/** How to claim on chain with the CLI when the operator is gone (the exit data and the wallet's key are all it needs). */
function ExitAloneHowTo({ positionId }: { positionId: string }) {
  const file = `exit-${positionId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`;
  return (
    <details className="small" style={{ marginTop: 8 }} data-testid="bdc-exit-howto">
      <summary>How to exit alone, if the operator disappears</summary>
      <ol>
        <li>Download the exit data below while the server is up, and keep it with your wallet's recovery phrase.</li>
        <li>
          Put the phrase in a CLI key file: <code className="mono">hashperp wallet import --mnemonic "…" --network regtest|signet|bitcoin</code>
        </li>
        <li>
          Run <code className="mono">hashperp exit --exit-file {file} --esplora https://your-esplora/api [--to your-bitcoin-address]</code>. It
          broadcasts the unroll (fees from an on-chain address of the same key, which it names), then waits for your leaf: block H
          (FAST) or median time past T (SLOW), plus the exit delay. With <code className="mono">--no-wait</code> it says what it waits for;
          run it again to resume. It warns when the other side's lock is open too: from then on the first claim confirmed wins.
        </li>
      </ol>
    </details>
  );
}

/**
 * What the holder does with its contract: register this browser wallet's key as U (one button), settle once the
 * series is decided (paid to itself if it won, released to the operator if it lost), download the exit data, and
 * the instructions to exit alone.
 */
export function ContractActions({ backend, sk, positionId, doc }: { backend: Backend; sk: string; positionId: string; doc: Rec }) {
  const series = useLoad(() => backend.products.bdcSeries(), [backend]);
  const [wallet, setWallet] = useState<BrowserWallet | undefined>(undefined);
  const [registered, setRegistered] = useState<string | null | undefined>(undefined);
  const register = useAction((e) => explain(e, 'contract keys'));
  const settle = useAction((e) => explain(e, 'contract settlement'));
  const download = useAction((e) => explain(e, 'exit data'));
  useEffect(() => {
    let live = true;
    void walletModule()
      .then((m) => m.browserWallet(window.location.origin))
      .then((w) => live && setWallet(w), (e: unknown) => live && setWallet({ ok: false, reason: explain(e, 'the browser wallet') }));
    void backend.products.bdcContractKey(sk).then((k) => live && setRegistered(k), () => live && setRegistered(undefined));
    return () => {
      live = false;
    };
  }, [backend, sk]);

  const terms = recordOf(doc.terms);
  const side = terms?.side === 'FAST' || terms?.side === 'SLOW' ? terms.side : undefined;
  const winner = series.data?.find((s) => s.series === doc.series)?.winner ?? null;
  const funded = doc.funded === true;
  const needsKey = wallet?.ok === true && registered !== undefined && registered !== wallet.key;
  return (
    <div style={{ marginTop: 10 }} data-testid="bdc-contract-actions">
      {wallet && !wallet.ok && <div className="small muted" data-testid="bdc-wallet-missing">{wallet.reason}</div>}
      {needsKey && (
        <div className="row">
          <button
            disabled={register.busy}
            data-testid="bdc-register-key"
            onClick={() =>
              void register.run(async () => {
                const r = await backend.products.setBdcContractKey(sk, (wallet as { key: string }).key);
                setRegistered(r.key);
                return `Contract key ${r.key} registered: your positions are funded as contract VTXOs with this browser wallet's key.`;
              })
            }
          >
            Use this browser wallet's key for my contracts
          </button>
          <span className="small muted">{registered === null ? 'No key registered yet: the operator funds your contracts once you register one.' : `Registered now: ${String(registered)}.`}</span>
        </div>
      )}
      <ResultNotice result={register.result} testId="bdc-register-result" />
      {funded && winner !== null && side !== undefined && wallet?.ok && (
        <div className="row" style={{ marginTop: 8 }}>
          <button
            disabled={settle.busy}
            data-testid="bdc-settle"
            onClick={() =>
              void settle.run(async () => {
                const s = await (await walletModule()).settleWithBrowserWallet(window.location.origin, doc as unknown as SettleableDocument, winner);
                return s.won ? `Settled: ${s.amountSat} sat paid to your Ark address ${s.to} (Ark tx ${s.arkTxid}).` : `Released: the contract VTXO (${s.amountSat} sat) went to the operator's liquidity ${s.to} (Ark tx ${s.arkTxid}).`;
              })
            }
          >
            {winner === side ? 'Settle (you won)' : 'Release to the operator (you lost)'}
          </button>
          <span className="small muted">{doc.series as string} was won by {winner}. The operator co-signs only this settlement.</span>
        </div>
      )}
      <ResultNotice result={settle.result} testId="bdc-settle-result" />
      <div className="row" style={{ marginTop: 8 }}>
          <button
            className="ghost"
            data-testid="exit-package"
            onClick={() =>
              void download.run(async () => {
                saveJson(`exit-${positionId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`, await backend.products.bdcExitPackage(sk, positionId));
                return 'Exit data saved.';
              })
            }
          >
            Download exit data (JSON)
          </button>
          <span className="small muted">Every signed transaction from the batch down to your contract VTXO: keep it with your key.</span>
      </div>
      {download.result && !download.result.ok && <div className="field-error" data-testid="exit-package-error">{download.result.text}</div>}
      <ExitAloneHowTo positionId={positionId} />
    </div>
  );
}
