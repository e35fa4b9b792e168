import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useAccountEvents } from '../api/account-events.js';
import { useLoad } from '../api/hooks.js';
import { useLiveIndex } from '../api/live-index.js';
import { LoadedView } from '../components/LoadedView.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { friendly } from '../lib/api-errors.js';
import { indexPriceOf } from '../lib/index-view.js';
import type { AccountKey } from '../lib/keys.js';
import { recordOf, recordsOf, type Rec } from '../lib/records.js';
import { BalanceSummary } from '../products/account/BalanceSummary.js';
import { HistoryTable } from '../products/account/HistoryTable.js';
import { BdcPortfolio } from '../products/block-delta/BdcPortfolio.js';
import { ForwardContracts } from '../products/forwards/ForwardContracts.js';
import { OptionsPanel } from '../products/options/OptionsPanel.js';
import { OpenOrders } from '../products/perp/OpenOrders.js';
import { PerpPositions } from '../products/perp/PerpPositions.js';
import { VaultPanel } from '../products/vault/VaultPanel.js';
import { VaultShares } from '../products/vault/VaultShares.js';

export function Portfolio({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey | undefined }) {
  return (
    <main>
      <h1>Portfolio</h1>
      {accountKey ? (
        <Signed key={accountKey.publicKeyHex} backend={backend} feed={feed} accountKey={accountKey} />
      ) : (
        <div className="notice" data-testid="no-key">
          Your portfolio belongs to an account key. Create or import one on the <a href="#/account">Account</a> page; it stays in this browser.
        </div>
      )}
      <VaultPanel backend={backend} accountKey={accountKey} />
    </main>
  );
}

function Signed({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey }) {
  const sk = accountKey.secretKeyHex;
  // One call for the whole page when the server has it; the plain account view otherwise (perp only).
  const portfolio = useLoad(() => friendly(backend.products.portfolio(sk), 'the portfolio view'), [backend, sk]);
  const account = useLoad(() => backend.account(sk), [backend, sk]);
  const history = useLoad(() => friendly(backend.products.history(sk, 50), 'transaction history'), [backend, sk]);
  const options = useLoad(() => friendly(backend.products.options(sk), 'options'), [backend, sk]);
  const index = useLiveIndex(backend, feed);
  const reloadAll = () => {
    account.reload();
    portfolio.reload();
    history.reload();
    options.reload();
  };
  useAccountEvents(backend, feed, sk, reloadAll);

  const p = portfolio.data;
  const a = account.data;
  const perp = recordOf(p?.perp);
  const positions = perp ? recordsOf(perp.positions) : ((a?.positions ?? []) as Rec[]);
  const orders = perp ? recordsOf(perp.orders) : ((a?.orders ?? []) as Rec[]);
  const vault = recordOf(p?.vault);
  return (
    <>
      <section className="panel" data-testid="portfolio-summary">
        <h2>Balances</h2>
        {a ? <BalanceSummary account={a} extra={recordOf(p?.balances)} /> : account.error ? <ErrorNotice title="The server did not accept this request" message={account.error} onRetry={account.reload} /> : <Loading what="your balances" />}
      </section>
      <section className="panel">
        <h2>Perpetual positions</h2>
        {a || perp ? <PerpPositions positions={positions} fundingNetMsat={perp?.fundingNetMsat} /> : <Loading what="positions" />}
      </section>
      <OpenOrders backend={backend} sk={sk} orders={orders} done={reloadAll} />
      {portfolio.error ? (
        <div className="notice small" data-testid="portfolio-unavailable">{portfolio.error} Balances, positions and orders above come from the account view.</div>
      ) : !p ? (
        <Loading what="forwards, options, block-delta positions and vault shares" />
      ) : (
        <>
          <ForwardContracts backend={backend} sk={sk} forwards={recordOf(p.forwards)} done={reloadAll} />
          <OptionsPanel backend={backend} sk={sk} options={options} fromPortfolio={p.options} tipHeight={index.data?.height} indexPrice={indexPriceOf(index.data)} done={reloadAll} />
          <BdcPortfolio backend={backend} sk={sk} bdc={recordOf(p.bdc)} done={reloadAll} />
          {vault && <VaultShares vault={vault} />}
        </>
      )}
      <section className="panel">
        <h2>History <span className="muted small">newest first</span></h2>
        <LoadedView state={history} what="history" failed={(m) => <div className="notice small" data-testid="history-unavailable">{m}</div>}>
          {(entries) => <HistoryTable entries={entries} />}
        </LoadedView>
      </section>
    </>
  );
}
