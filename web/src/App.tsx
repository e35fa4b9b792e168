import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { createBackend } from './api/client-backend.js';
import { Feed } from './api/feed.js';
import { useFeedState } from './api/hooks.js';
import { forgetKey, loadKey, saveKey, type AccountKey } from './lib/keys.js';
import { Account } from './pages/Account.js';
import { Backtest } from './pages/Backtest.js';
import { Dashboard } from './pages/Dashboard.js';
import { Contracts } from './pages/Contracts.js';
import { Portfolio } from './pages/Portfolio.js';
import { Trade } from './pages/Trade.js';

// The Ark wallet (the SDK and its crypto) is its own chunk, fetched only when the Wallet tab opens.
const WalletPage = lazy(() => import('./pages/Wallet.js'));

type Route = 'dashboard' | 'trade' | 'contracts' | 'portfolio' | 'wallet' | 'backtest' | 'account';
const ROUTES: readonly Route[] = ['trade', 'contracts', 'portfolio', 'wallet', 'backtest', 'account'];
const routeOf = (hash: string): Route => ROUTES.find((r) => hash.startsWith(`#/${r}`)) ?? 'dashboard';

export function App() {
  const [route, setRoute] = useState<Route>(() => routeOf(location.hash));
  useEffect(() => {
    const on = () => setRoute(routeOf(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  const backend = useMemo(() => createBackend(location.origin), []);
  const feed = useMemo(() => Feed.forPage(), []);
  const feedState = useFeedState(feed);
  const [accountKey, setAccountKey] = useState<AccountKey | undefined>(() => loadKey(localStorage));
  const setKey = (k: AccountKey | undefined) => {
    if (k) saveKey(localStorage, k);
    else forgetKey(localStorage);
    setAccountKey(k);
  };

  const link = (r: Route, label: string) => (
    <a href={r === 'dashboard' ? '#/' : `#/${r}`} aria-current={route === r ? 'page' : undefined}>{label}</a>
  );
  return (
    <>
      <header className="top">
        <a className="brand" href="#/">HashPerp</a>
        <nav>
          {link('dashboard', 'Dashboard')}
          {link('trade', 'Trade')}
          {link('contracts', 'Contracts')}
          {link('portfolio', 'Portfolio')}
          {link('wallet', 'Wallet')}
          {link('backtest', 'Backtest')}
          {link('account', accountKey ? 'Account' : 'Account (no key)')}
        </nav>
        <div className="status" data-testid="feed-status" title={feedState.detail ?? ''}>
          <span className={`dot ${feedState.state === 'live' ? 'live' : feedState.state === 'down' ? 'down' : ''}`} />
          {feedState.state === 'live' ? 'Live: updates every block' : feedState.state === 'down' ? `Offline: ${feedState.detail ?? 'reconnecting'}` : 'Connecting…'}
        </div>
      </header>
      {route === 'dashboard' && <Dashboard backend={backend} feed={feed} />}
      {route === 'trade' && <Trade backend={backend} feed={feed} accountKey={accountKey} />}
      {route === 'contracts' && <Contracts backend={backend} feed={feed} accountKey={accountKey} />}
      {route === 'portfolio' && <Portfolio backend={backend} feed={feed} accountKey={accountKey} />}
      {route === 'wallet' && (
        <Suspense fallback={<main><div className="empty">Loading the wallet…</div></main>}>
          <WalletPage backend={backend} accountKey={accountKey} />
        </Suspense>
      )}
      {route === 'backtest' && <Backtest backend={backend} />}
      {route === 'account' && <Account backend={backend} feed={feed} accountKey={accountKey} setKey={setKey} />}
    </>
  );
}
