import type { Backend } from '../../api/backend.js';
import type { Feed } from '../../api/feed.js';
import { useAccountEvents } from '../../api/account-events.js';
import { useLoad } from '../../api/hooks.js';
import { LoadedView } from '../../components/LoadedView.js';
import { ErrorNotice } from '../../components/Notice.js';
import { TableHead } from '../../components/TableHead.js';
import { grouped, msatAsBtc } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';
import { Faucet } from './Faucet.js';

/** The account at a glance: balance, test funds, perpetual positions and open orders (the full view is the Portfolio page). */
export function AccountBalances({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey }) {
  const acct = useLoad(() => backend.account(accountKey.secretKeyHex), [backend, accountKey.secretKeyHex]);
  // Any event on this account (fill, cancel, funding…) changes what this panel shows: reload it.
  useAccountEvents(backend, feed, accountKey.secretKeyHex, acct.reload);
  return (
    <section className="panel">
      <h2>Balances and positions</h2>
      <LoadedView state={acct} what="your account" failed={(m) => <ErrorNotice title="The server did not accept this request" message={m} onRetry={acct.reload} />}>
        {(a) => (
          <>
            <dl className="preview" style={{ maxWidth: 420 }}>
              <dt>Balance</dt>
              <dd data-testid="balance">{msatAsBtc(a.balanceMsat, 'holding')}</dd>
              <dt>Available</dt>
              <dd>{msatAsBtc(a.availableMsat, 'holding')}</dd>
            </dl>
            <Faucet backend={backend} accountKey={accountKey} onFunded={acct.reload} />
            {a.positions.length === 0 && a.orders.length === 0 ? (
              <div className="empty">No positions or open orders. New accounts start empty: get test funds above, then trade on the <a href="#/trade">Trade</a> page.</div>
            ) : a.positions.length === 0 ? (
              <div className="small muted" style={{ marginTop: 12 }}>No open positions.</div>
            ) : (
              <table style={{ marginTop: 12 }}>
                <TableHead columns={['Market', 'Size (lots)', 'Entry', 'Unrealised PnL']} />
                <tbody>
                  {a.positions.map((p) => (
                    <tr key={p.market}>
                      <td>{p.market}</td>
                      <td className={p.size > 0 ? 'pos' : 'neg'}>{grouped(p.size)}</td>
                      <td>{grouped(p.entryPrice)}</td>
                      <td>{msatAsBtc(p.unrealizedPnlMsat, 'holding')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {a.orders.length > 0 && (
              <table style={{ marginTop: 12 }}>
                <TableHead columns={['Open order', 'Side', 'Price', 'Remaining', '']} />
                <tbody>
                  {a.orders.map((o) => (
                    <tr key={o.orderId}>
                      <td className="mono">{o.clientOrderId ?? o.orderId}</td>
                      <td className={o.side === 'buy' ? 'pos' : 'neg'}>{o.side}</td>
                      <td>{grouped(o.price)}</td>
                      <td>{grouped(o.remaining)}</td>
                      <td>
                        <button className="ghost" onClick={() => void backend.cancelOrder(accountKey.secretKeyHex, o.orderId).then(acct.reload, acct.reload)}>Cancel</button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </LoadedView>
    </section>
  );
}
