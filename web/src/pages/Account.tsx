import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import type { AccountKey } from '../lib/keys.js';
import { TrustModel } from '../components/TrustModel.js';
import { AccountBalances } from '../products/account/AccountBalances.js';
import { KeyPanel } from '../products/account/KeyPanel.js';
import { LiabilitiesCheck } from '../products/account/LiabilitiesCheck.js';

export function Account({ backend, feed, accountKey, setKey }: { backend: Backend; feed: Feed; accountKey: AccountKey | undefined; setKey: (k: AccountKey | undefined) => void }) {
  return (
    <main>
      <h1>Account</h1>
      <KeyPanel accountKey={accountKey} setKey={setKey} />
      {accountKey && <AccountBalances key={accountKey.publicKeyHex} backend={backend} feed={feed} accountKey={accountKey} />}
      {accountKey && <LiabilitiesCheck key={`proof-${accountKey.publicKeyHex}`} backend={backend} accountKey={accountKey} />}
      <TrustModel />
    </main>
  );
}
