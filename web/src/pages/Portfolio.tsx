import { useEffect, useState } from 'react';
import type { Account } from '../../../src/api/schemas.js';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad, useSubscription } from '../api/hooks.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { OptionBuy } from '../components/OptionBuy.js';
import { RecordTable } from '../components/RecordTable.js';
import { validateDeliveryReport } from '../lib/delivery-form.js';
import { toIndexView } from '../lib/index-view.js';
import { explain, friendly } from '../lib/api-errors.js';
import { msatAsBtc } from '../lib/format.js';
import type { AccountKey } from '../lib/keys.js';
import { fieldsOf, labelOf, present } from '../lib/present.js';
import { historyLine } from '../lib/history.js';
import type { HistoryEntry } from '../api/products.js';

type Rec = Record<string, unknown>;
const PERP_UNITS = { size: 'lots', qty: 'lots', remaining: 'lots', price: 'sat/PH/day', mark: 'sat/PH/day', index: 'sat/PH/day' };
export const BDC_UNITS = { price: 'bps (FAST)', qty: 'contracts' };
const isRecArray = (v: unknown): v is Rec[] => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null);

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
      <Vault backend={backend} accountKey={accountKey} />
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
  const index = useLoad(() => backend.index(), [backend]);
  useSubscription(feed, { channel: 'index' }, (m) => {
    if (m.type === 'index') index.set(m.data);
  });
  const signer = useLoad(() => backend.accountFeedSigner(sk), [backend, sk]);
  const reloadAll = () => {
    account.reload();
    portfolio.reload();
    history.reload();
    options.reload();
  };
  useSubscription(feed, signer.data ? { channel: 'account', auth: signer.data } : undefined, (m) => {
    if (m.type === 'account') reloadAll();
  });
  const iv = index.data ? toIndexView(index.data) : undefined;
  const indexPrice = iv && Number.isFinite(iv.hashpriceSatPerPhDay) ? iv.hashpriceSatPerPhDay : undefined;

  const p = portfolio.data as Rec | undefined;
  const a = account.data;
  const obj = (v: unknown): Rec | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Rec) : undefined);
  const arr = (v: unknown): Rec[] => (isRecArray(v) ? v : []);
  const perp = obj(p?.perp);
  const fwd = obj(p?.forwards);
  const bdc = obj(p?.bdc);
  const vault = obj(p?.vault);
  const positions = perp ? arr(perp.positions) : ((a?.positions ?? []) as Rec[]);
  const orders = perp ? arr(perp.orders) : ((a?.orders ?? []) as Rec[]);
  return (
    <>
      <section className="panel" data-testid="portfolio-summary">
        <h2>Balances</h2>
        {a ? <Summary account={a} extra={obj(p?.balances)} /> : account.error ? <ErrorNotice title="The server did not accept this request" message={account.error} onRetry={account.reload} /> : <Loading what="your balances" />}
      </section>
      <section className="panel">
        <h2>Perpetual positions</h2>
        {a || perp ? (
          <>
            <RecordTable
              testId="perp-positions"
              rows={positions}
              units={PERP_UNITS}
              empty={<>No open perpetual positions. A filled order on the <a href="#/trade">Trade</a> page shows up here with its PnL and liquidation price.</>}
            />
            {perp && perp.fundingNetMsat !== undefined && <div className="small muted" style={{ marginTop: 6 }} data-testid="funding">{labelOf('fundingNetMsat')}: {present('fundingNetMsat', perp.fundingNetMsat)}</div>}
          </>
        ) : <Loading what="positions" />}
      </section>
      {orders.length > 0 && (
        <section className="panel">
          <h2>Open orders</h2>
          <RecordTable
            testId="open-orders"
            rows={orders}
            units={PERP_UNITS}
            empty="No open orders."
            action={(o) => <CancelButton onCancel={() => backend.cancelOrder(sk, String(o.orderId))} done={reloadAll} />}
          />
        </section>
      )}
      {portfolio.error ? (
        <div className="notice small" data-testid="portfolio-unavailable">{portfolio.error} Balances, positions and orders above come from the account view.</div>
      ) : !p ? (
        <Loading what="forwards, options, block-delta positions and vault shares" />
      ) : (
        <>
          <section className="panel">
            <h2>Forward contracts</h2>
            <AutoDelivery backend={backend} sk={sk} enabled={fwd?.autoDelivery === true} known={typeof fwd?.autoDelivery === 'boolean'} done={reloadAll} />
            <RecordTable
              testId="forward-contracts"
              rows={arr(fwd?.contracts)}
              units={{ price: 'sat/PH/day', qtyLots: 'lots of 0.0001 TH/s' }}
              skip={['miner', 'investor', 'history', 'rolledFrom', 'rolledInto', 'startHeight']}
              max={10}
              empty={<>No forward contracts. Buy or sell hashrate on the forward tabs of the <a href="#/trade">Trade</a> page.</>}
              action={(k) => {
                const roles = Array.isArray(k.roles) ? (k.roles as unknown[]) : [];
                const active = k.status === 'active' || k.status === 'open';
                return (
                  <>
                    {roles.includes('miner') && active && <Rollover backend={backend} sk={sk} contract={k} done={reloadAll} />}
                    {roles.includes('investor') && active && <DeliveryReport backend={backend} sk={sk} contract={k} done={reloadAll} />}
                  </>
                );
              }}
            />
          </section>
          <section className="panel" data-testid="options-section">
            <h2>Options <span className="muted small">European calls and puts on the hashprice index, sold by the vault</span></h2>
            <div className="grid two">
              <div>
                <h3>Buy an option</h3>
                <OptionBuy backend={backend} sk={sk} tipHeight={iv?.height} indexPrice={indexPrice} onBought={reloadAll} />
              </div>
              <div>
                <h3>Your options</h3>
                <RecordTable testId="options" rows={options.data ?? arr(p.options)} units={{ strike: 'sat/PH/day', lots: 'TH/s·day' }} skip={['account', 'holder', 'buyer']} empty="No options yet." />
                {options.error && !isRecArray(p.options) && <div className="notice small">{options.error}</div>}
              </div>
            </div>
          </section>
          <section className="panel">
            <h2>Block-delta positions</h2>
            <RecordTable testId="portfolio-bdc" rows={arr(bdc?.positions)} units={BDC_UNITS} skip={['account', 'product']} empty={<>No block-delta positions. Take a side on the <a href="#/contracts">Contracts</a> page.</>} />
            {arr(bdc?.orders).length > 0 && (
              <div style={{ marginTop: 10 }}>
                <div className="small muted">Resting block-delta orders</div>
                <RecordTable
                  rows={arr(bdc?.orders)}
                  units={BDC_UNITS}
                  empty=""
                  action={(o) => <CancelButton onCancel={() => backend.products.cancelBdcOrder(sk, String(o.orderId), String(o.series))} done={reloadAll} />}
                />
              </div>
            )}
          </section>
          {vault && (
            <section className="panel">
              <h2>Your vault shares</h2>
              <KeyValues rec={vault} />
            </section>
          )}
        </>
      )}
      <section className="panel">
        <h2>History <span className="muted small">newest first</span></h2>
        {history.error ? (
          <div className="notice small" data-testid="history-unavailable">{history.error}</div>
        ) : history.data ? (
          <HistoryTable entries={history.data} />
        ) : <Loading what="history" />}
      </section>
    </>
  );
}

/** A miner closes an expiring contract and opens the next one at a price, through the book, in one step. */
function Rollover({ backend, sk, contract, done }: { backend: Backend; sk: string; contract: Rec; done: () => void }) {
  const [open, setOpen] = useState(false);
  const [market, setMarket] = useState(String(contract.market ?? 'FWD-30D'));
  const [price, setPrice] = useState(String(contract.price ?? ''));
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  if (!open) return <button className="ghost" onClick={() => setOpen(true)}>Roll over</button>;
  const go = async () => {
    if (!/^\d+$/.test(price.trim()) || Number(price) <= 0) return setMsg({ ok: false, text: 'Enter a price in whole sat/PH/day.' });
    try {
      await backend.products.rollover(sk, { contractId: Number(contract.contractId), market, price: Number(price), with: 'book' });
      setMsg({ ok: true, text: 'Rolled over.' });
      done();
    } catch (e) {
      setMsg({ ok: false, text: explain(e, 'rollovers') });
    }
  };
  return (
    <div className="grid" style={{ gap: 4, minWidth: 180 }}>
      <select value={market} onChange={(e) => setMarket(e.target.value)} aria-label="Roll into">
        {['FWD-30D', 'FWD-90D', 'FWD-180D', 'FWD-365D'].map((m) => <option key={m}>{m}</option>)}
      </select>
      <input inputMode="numeric" value={price} onChange={(e) => setPrice(e.target.value)} aria-label="Price, sat/PH/day" />
      <button className="ghost" onClick={() => void go()}>Roll into {market}</button>
      {msg && <span className={`small ${msg.ok ? 'pos' : 'neg'}`}>{msg.text}</span>}
    </div>
  );
}

/** Opt in or out of cash delivery: each day's obligation is paid from the free balance at the day's end. */
function AutoDelivery({ backend, sk, enabled, known, done }: { backend: Backend; sk: string; enabled: boolean; known: boolean; done: () => void }) {
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | undefined>(undefined);
  // Shown at once (the box answers the click); put back if the server refuses.
  const [on, setOn] = useState(enabled);
  useEffect(() => setOn(enabled), [enabled]);
  const toggle = async (want: boolean) => {
    setBusy(true);
    setErr(undefined);
    setOn(want);
    try {
      await backend.products.setAutoDelivery(sk, want);
      done();
    } catch (e) {
      setOn(!want);
      setErr(explain(e, 'auto-delivery'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ marginBottom: 8 }}>
      <label className="check" data-testid="auto-delivery">
        <input type="checkbox" checked={on} disabled={busy || !known} onChange={(e) => void toggle(e.target.checked)} />{' '}
        Auto-delivery: as a miner, pay each day's delivery from my free balance at the day's end {known ? `(now ${on ? 'on' : 'off'})` : '(state unknown)'}
      </label>
      {err && <div className="field-error">{err}</div>}
    </div>
  );
}

/** The investor reports what a contract day delivered off-exchange; the server answers delivered, partial or missed. */
function DeliveryReport({ backend, sk, contract, done }: { backend: Backend; sk: string; contract: Rec; done: () => void }) {
  const [open, setOpen] = useState(false);
  const ended = typeof contract.daysEnded === 'number' ? contract.daysEnded : undefined;
  const [day, setDay] = useState(ended !== undefined && ended > 0 ? String(ended - 1) : '0');
  const [received, setReceived] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  if (!open) return <button className="ghost" onClick={() => setOpen(true)}>Report delivery</button>;
  const { body, errors } = validateDeliveryReport({ contractId: Number(contract.contractId), days: typeof contract.days === 'number' ? contract.days : undefined }, { day, receivedBtc: received });
  const go = async () => {
    if (!body) return setMsg({ ok: false, text: errors.day ?? errors.receivedBtc ?? 'Check the form.' });
    try {
      const r = await backend.products.deliveryReport(sk, body);
      setMsg({ ok: true, text: `Day ${body.day}: ${r.outcome ?? 'recorded'}.` });
      done();
    } catch (e) {
      setMsg({ ok: false, text: explain(e, 'delivery reports') });
    }
  };
  return (
    <div className="grid" style={{ gap: 4, minWidth: 180 }} data-testid="delivery-report">
      <input inputMode="numeric" value={day} onChange={(e) => setDay(e.target.value)} aria-label="Contract day (0 = first)" placeholder="day" />
      <input inputMode="decimal" value={received} onChange={(e) => setReceived(e.target.value)} aria-label="Received, BTC" placeholder="received, BTC" />
      <button className="ghost" onClick={() => void go()}>Report day {day}</button>
      {msg && <span className={`small ${msg.ok ? 'pos' : 'neg'}`}>{msg.text}</span>}
    </div>
  );
}

function Summary({ account, extra }: { account: Account; extra: Rec | undefined }) {
  const rows: [string, string][] = [
    ['Balance', msatAsBtc(account.balanceMsat, 'holding')],
    ['Available to trade or withdraw', msatAsBtc(account.availableMsat, 'holding')],
  ];
  if (account.equityMsat !== undefined) rows.push(['Equity (balance + unrealised PnL)', msatAsBtc(account.equityMsat, 'holding')]);
  if (account.initialMarginMsat !== undefined) rows.push(['Initial margin in use', msatAsBtc(account.initialMarginMsat, 'holding')]);
  if (account.maintenanceMarginMsat !== undefined) rows.push(['Maintenance margin', msatAsBtc(account.maintenanceMarginMsat, 'holding')]);
  const seen = new Set(['balanceMsat', 'availableMsat', 'equityMsat', 'initialMarginMsat', 'maintenanceMarginMsat', 'account']);
  for (const f of extra ? fieldsOf(extra) : []) if (!seen.has(f.key)) rows.push([f.label, f.text]);
  return (
    <dl className="kv" style={{ maxWidth: 520 }}>
      {rows.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <dt>{k}</dt>
          <dd data-testid={k === 'Balance' ? 'portfolio-balance' : undefined}>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function KeyValues({ rec, skip = [] }: { rec: Rec; skip?: string[] }) {
  const f = fieldsOf(rec, skip);
  if (f.length === 0) return null;
  return (
    <dl className="kv">
      {f.map((x) => (
        <div key={x.key} style={{ display: 'contents' }}>
          <dt>{x.label}</dt>
          <dd className={/Id$|address/i.test(x.key) ? 'mono' : undefined}>{x.text}</dd>
        </div>
      ))}
    </dl>
  );
}

function CancelButton({ onCancel, done }: { onCancel: () => Promise<unknown>; done: () => void }) {
  const [err, setErr] = useState<string | undefined>(undefined);
  return (
    <>
      <button className="ghost" onClick={() => void onCancel().then(done, (e: unknown) => setErr(explain(e, 'cancelling')))}>Cancel</button>
      {err && <div className="field-error">{err}</div>}
    </>
  );
}

const wholeSat = (s: string): number | undefined => (/^\d+$/.test(s.trim()) && Number(s) > 0 && Number.isSafeInteger(Number(s)) ? Number(s) : undefined);

function Vault({ backend, accountKey }: { backend: Backend; accountKey: AccountKey | undefined }) {
  const vault = useLoad(() => friendly(backend.products.vault(), 'the vault'), [backend]);
  const me = useLoad(() => (accountKey ? friendly(backend.products.vaultMe(accountKey.secretKeyHex), 'the vault') : Promise.resolve(undefined)), [backend, accountKey?.secretKeyHex]);
  const [amount, setAmount] = useState('100000');
  const [shares, setShares] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const act = async (what: 'deposit' | 'withdraw') => {
    if (!accountKey) return;
    setMsg(undefined);
    try {
      if (what === 'deposit') {
        const sat = wholeSat(amount);
        if (sat === undefined) return setMsg({ ok: false, text: 'Enter a whole number of sat to deposit.' });
        await backend.products.vaultDeposit(accountKey.secretKeyHex, sat);
        setMsg({ ok: true, text: `Deposited ${sat.toLocaleString('en-US')} sat for shares at NAV.` });
      } else {
        if (!/^\d+$/.test(shares.trim()) || BigInt(shares.trim()) === 0n) return setMsg({ ok: false, text: 'Enter a whole number of shares to withdraw.' });
        await backend.products.vaultWithdraw(accountKey.secretKeyHex, shares.trim());
        setMsg({ ok: true, text: `Withdrawal of ${shares.trim()} shares requested; it is paid after the vault's delay.` });
      }
      vault.reload();
      me.reload();
    } catch (e) {
      setMsg({ ok: false, text: explain(e, 'the vault') });
    }
  };
  return (
    <section className="panel" data-testid="vault">
      <h2>Vault <span className="muted small">liquidity providers' pool: counterparty of index-priced trades and option seller</span></h2>
      {vault.error ? (
        <div className="notice small">{vault.error}</div>
      ) : !vault.data ? (
        <Loading what="the vault" />
      ) : (
        <div className="grid two">
          <div>
            <KeyValues rec={vault.data} skip={['sharePriceUnit', 'height']} />
            {me.data && (
              <div style={{ marginTop: 10 }}>
                <div className="small muted">Your shares</div>
                <KeyValues rec={me.data} />
              </div>
            )}
          </div>
          {accountKey ? (
            <div className="grid" style={{ gap: 8 }}>
              <label className="field">
                Deposit, sat
                <input inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value)} name="vault-deposit" />
              </label>
              <button className="ghost" onClick={() => void act('deposit')}>Deposit for shares</button>
              <label className="field">
                Withdraw, shares
                <input inputMode="numeric" value={shares} onChange={(e) => setShares(e.target.value)} name="vault-withdraw" />
              </label>
              <button className="ghost" onClick={() => void act('withdraw')}>Request withdrawal</button>
              {msg && <div className={`notice small ${msg.ok ? '' : 'error'}`} role="status">{msg.text}</div>}
            </div>
          ) : (
            <div className="small muted">Create a key on the <a href="#/account">Account</a> page to deposit.</div>
          )}
        </div>
      )}
    </section>
  );
}

function HistoryTable({ entries }: { entries: HistoryEntry[] }) {
  if (entries.length === 0) return <div className="empty">No transactions yet. Deposits, fills, funding payments, deliveries and settlements are listed here.</div>;
  return (
    <div className="scroll-x">
      <table data-testid="history">
        <thead>
          <tr><th>Seq</th><th>Kind</th><th>What</th><th>Amount</th><th>Details</th></tr>
        </thead>
        <tbody>
          {entries.map((e) => {
            const l = historyLine(e);
            return (
              <tr key={l.id}>
                <td>{l.seq.toLocaleString('en-US')}</td>
                <td>{l.kind}</td>
                <td>{l.what}</td>
                <td className={l.amountMsat === undefined ? undefined : l.amountMsat.startsWith('-') ? 'neg' : 'pos'}>{l.amountMsat === undefined ? '' : msatAsBtc(l.amountMsat, 'holding')}</td>
                <td style={{ textAlign: 'left', whiteSpace: 'normal', minWidth: 240 }} className="small muted">{l.detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
