import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import type { SwapOfferView } from '../../api/products.js';
import { LoadedView } from '../../components/LoadedView.js';
import { RecordTable } from '../../components/RecordTable.js';
import { explain, friendly } from '../../lib/api-errors.js';
import type { AccountKey } from '../../lib/keys.js';
import type { Rec } from '../../lib/records.js';

/** Positions other holders have listed for sale; accepting one moves it to this account. */
export function SwapOffers({ backend, accountKey }: { backend: Backend; accountKey: AccountKey | undefined }) {
  const offers = useLoad(() => friendly(backend.products.swapOffers(), 'swap offers'), [backend]);
  const [msg, setMsg] = useState<string | undefined>(undefined);
  const accept = async (o: SwapOfferView) => {
    if (!accountKey) return setMsg('Create a key on the Account page to accept offers.');
    try {
      const id = String(o.id ?? o.offerId);
      await backend.products.acceptSwapOffer(accountKey.secretKeyHex, id);
      setMsg(`Accepted offer ${id}: the position is yours.`);
      offers.reload();
    } catch (e) {
      setMsg(explain(e, 'swap offers'));
    }
  };
  return (
    <section className="panel">
      <h2>Swap offers <span className="muted small">positions for sale: perps, forwards, options, block-delta</span></h2>
      <LoadedView state={offers} what="offers">
        {(rows) => (
          <RecordTable
            testId="swap-offers"
            rows={rows as unknown as Rec[]}
            empty="No offers right now. Holders list positions here; rollovers of expiring forwards are on the Portfolio page."
            action={(r) => <button className="ghost" onClick={() => void accept(r as SwapOfferView)}>Accept</button>}
            skip={['maker']}
          />
        )}
      </LoadedView>
      {msg && <div className="notice small" role="status">{msg}</div>}
    </section>
  );
}
