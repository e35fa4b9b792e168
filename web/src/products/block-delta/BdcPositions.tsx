import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import { LoadedView } from '../../components/LoadedView.js';
import { RecordTable } from '../../components/RecordTable.js';
import { friendly } from '../../lib/api-errors.js';
import type { AccountKey } from '../../lib/keys.js';
import type { Rec } from '../../lib/records.js';
import { exitAdvice, type ExitAdvice } from '../../lib/bdc-exit.js';
import type { ChainTip } from '../../lib/deadline.js';
import { OfferForm } from '../swaps/OfferForm.js';
import { ContractDocument } from './ContractDocument.js';
import { BDC_UNITS } from './units.js';

/** A position row with its exit advice as the third column (the table shows the first eight). */
function row(p: Rec, tip: ChainTip | undefined): Rec {
  const { positionId, side, exit, ...rest } = p;
  const a = exitAdvice(exit, tip);
  return { positionId, side, startUnilateralExit: a === undefined ? null : a.startBy.replace(/^Start a unilateral exit /, ''), ...rest };
}

/** The account's block-delta positions, each with its contract document and exit advice, and the form to offer one for sale. */
export function BdcPositions({ backend, accountKey, version, tip }: { backend: Backend; accountKey: AccountKey; version: number; tip?: ChainTip | undefined }) {
  const sk = accountKey.secretKeyHex;
  const positions = useLoad(() => friendly(backend.products.bdcPositions(sk), 'block-delta positions'), [backend, sk, version]);
  // Decided series: the engine no longer lists these positions, but their contract VTXOs wait for settlement.
  const toSettle = useLoad(() => friendly(backend.products.bdcContractsToSettle(sk), 'contracts to settle'), [backend, sk, version]);
  const [open, setOpen] = useState<string | undefined>(undefined);
  const advice = (id: string): ExitAdvice | undefined => exitAdvice(positions.data?.find((p) => p.positionId === id)?.exit, tip);
  const all = (positions.data ?? []).map((p) => exitAdvice(p.exit, tip));
  const race = all.map((a) => a?.metastability).find((m) => m !== undefined && m !== '');
  const anyPassed = all.some((a) => a?.passed === true);
  return (
    <section className="panel">
      <h2>Your block-delta positions</h2>
      <LoadedView state={positions} what="your positions">
        {(rows) => (
          <RecordTable
            testId="bdc-positions"
            rows={(rows as unknown as Rec[]).map((r) => row(r, tip))}
            units={BDC_UNITS}
            skip={['account', 'product', 'series', 'amountSat']}
            max={7}
            empty="No positions yet. Take a side above; a filled order becomes a contract with its own Bitcoin details."
            action={(r) => <button className="ghost" onClick={() => setOpen(String(r.positionId))}>Contract</button>}
          />
        )}
      </LoadedView>
      {race && (
        <p className="small muted" data-testid="bdc-metastability">
          To be sure of a win without the operator, start a unilateral exit by the time shown.
          {anyPassed && ' Where it has passed, only settling with the operator is sure.'} {race}
        </p>
      )}
      {toSettle.data && toSettle.data.length > 0 && (
        <div data-testid="bdc-to-settle">
          <h3>Decided: settle or exit</h3>
          <ul className="small">
            {toSettle.data.map((c) => (
              <li key={String(c.positionId)}>
                {String(c.positionId)} ({String(c.winner ?? '')} won){' '}
                <button className="ghost" onClick={() => setOpen(String(c.positionId))}>Contract</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      {open && <ContractDocument key={open} backend={backend} sk={sk} positionId={open} exit={advice(open)} />}
      {positions.data && positions.data.length > 0 && <OfferForm backend={backend} sk={sk} positions={positions.data} />}
    </section>
  );
}
