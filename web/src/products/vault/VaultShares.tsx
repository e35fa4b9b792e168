import { KeyValues } from '../../components/KeyValues.js';
import type { Rec } from '../../lib/records.js';

/** The portfolio's vault part: this account's shares and their value. */
export function VaultShares({ vault }: { vault: Rec }) {
  return (
    <section className="panel">
      <h2>Your vault shares</h2>
      <KeyValues rec={vault} />
    </section>
  );
}
