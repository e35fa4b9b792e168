import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import { LoadedView } from '../../components/LoadedView.js';
import { RecordTable } from '../../components/RecordTable.js';
import { friendly } from '../../lib/api-errors.js';
import type { AccountKey } from '../../lib/keys.js';
import type { Rec } from '../../lib/records.js';
import { OfferForm } from '../swaps/OfferForm.js';
import { ContractDocument } from './ContractDocument.js';
import { BDC_UNITS } from './units.js';

/** The account's block-delta positions, each with its contract document, and the form to offer one for sale. */
export function BdcPositions({ backend, accountKey, version }: { backend: Backend; accountKey: AccountKey; version: number }) {
  const sk = accountKey.secretKeyHex;
  const positions = useLoad(() => friendly(backend.products.bdcPositions(sk), 'block-delta positions'), [backend, sk, version]);
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <section className="panel">
      <h2>Your block-delta positions</h2>
      <LoadedView state={positions} what="your positions">
        {(rows) => (
          <RecordTable
            testId="bdc-positions"
            rows={rows as unknown as Rec[]}
            units={BDC_UNITS}
            skip={['account', 'product']}
            empty="No positions yet. Take a side above; a filled order becomes a contract with its own Bitcoin details."
            action={(r) => <button className="ghost" onClick={() => setOpen(String(r.positionId))}>Contract</button>}
          />
        )}
      </LoadedView>
      {open && <ContractDocument key={open} backend={backend} sk={sk} positionId={open} />}
      {positions.data && positions.data.length > 0 && <OfferForm backend={backend} sk={sk} positions={positions.data} />}
    </section>
  );
}
