import { TimeInForceFields } from '../components/TimeInForceFields.js';
import { useMemo, useState, type FormEvent } from 'react';
import type { Backend } from '../api/backend.js';
import type { Feed } from '../api/feed.js';
import { useLoad, useSubscription } from '../api/hooks.js';
import { useProductLive } from '../api/product-live.js';
import type { BdcPositionView, BdcSeriesView, SwapOfferView } from '../api/products.js';
import { DepthChart } from '../components/DepthChart.js';
import { ErrorNotice, Loading } from '../components/Notice.js';
import { RecordTable } from '../components/RecordTable.js';
import { explain, friendly } from '../lib/api-errors.js';
import { edgeVsFair, previewBdc, validateBdcOrder, type BdcOrderInput } from '../lib/bdc.js';
import { deadlineFromInput, describeDeadline, describeHeight, expectedHeightAt, type ChainTip, type DeadlineInput } from '../lib/deadline.js';
import { depthOf } from '../lib/depth.js';
import { bpsPct, msatAsBtc } from '../lib/format.js';
import { formatUtc } from '../../../src/units/time.js';
import type { AccountKey } from '../lib/keys.js';
import { BDC_UNITS, KeyValues } from './Portfolio.js';

type Rec = Record<string, unknown>;

export function Contracts({ backend, feed, accountKey }: { backend: Backend; feed: Feed; accountKey: AccountKey | undefined }) {
  const series = useLoad(() => friendly(backend.products.bdcSeries(), 'block-delta contracts'), [backend]);
  const index = useLoad(() => backend.index(), [backend]);
  useSubscription(feed, { channel: 'index' }, (m) => {
    if (m.type !== 'index') return;
    index.set(m.data);
    series.reload(); // best bid/ask, fair odds and status move with every block
  });
  const tip: ChainTip | undefined = index.data && index.data.time !== null ? { height: index.data.height, time: index.data.time } : undefined;
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const [trades, setTrades] = useState(0); // bumps after an order of ours, so positions reload
  const list = series.data ?? [];
  const current = list.find((s) => s.series === selected) ?? list.find((s) => (s.status ?? 'open') === 'open');

  return (
    <main>
      <h1>Block-delta contracts <span className="muted small">"height H is mined before time T"</span></h1>
      <p className="small muted" style={{ margin: 0 }}>
        FAST wins if block H arrives before the deadline; SLOW wins if the chain's median time passes T first. Prices are FAST's share of the payout
        in basis points (5,000 = even odds); SLOW pays the rest. Deadlines are checked against median-time-past, about an hour behind the newest
        block's time. Dates for heights are estimates at 10 minutes a block (≈).
      </p>
      {series.data && <DeadlinePicker tip={tip} series={list} onPick={setSelected} />}
      <section className="panel">
        <h2>Series</h2>
        {series.error ? (
          <div className="notice" data-testid="bdc-unavailable">{series.error}</div>
        ) : !series.data || !tip ? (
          <Loading what="series" />
        ) : list.length === 0 ? (
          <div className="empty">No series are listed yet. The operator lists new ones as blocks arrive; come back in a few blocks.</div>
        ) : (
          <SeriesTable list={list} tip={tip} selected={current?.series} onSelect={setSelected} />
        )}
      </section>
      {current && tip && <SeriesTrade key={current.series} backend={backend} feed={feed} s={current} tip={tip} accountKey={accountKey} onTraded={() => { series.reload(); setTrades((n) => n + 1); }} />}
      {accountKey && series.data && <MyPositions backend={backend} accountKey={accountKey} version={trades} />}
      <SwapOffers backend={backend} accountKey={accountKey} />
    </main>
  );
}

function SeriesTable({ list, tip, selected, onSelect }: { list: BdcSeriesView[]; tip: ChainTip; selected: string | undefined; onSelect: (s: string) => void }) {
  // On a phone each series becomes a card of label/value lines (styles.css `table.stack`), so nothing scrolls sideways.
  return (
    <div className="scroll-x">
      <table data-testid="bdc-series" className="stack">
        <thead>
          <tr><th>Series</th><th>Block H</th><th>Deadline T</th><th>Payout</th><th>FAST bid / ask</th><th>Model fair</th><th>Status</th></tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={s.series} className="selectable" aria-selected={s.series === selected} onClick={() => onSelect(s.series)}>
              <td className="mono" data-label="Series">{s.series}</td>
              <td data-label="Block H">{s.height.toLocaleString('en-US')}<div className="small muted">{describeHeight(s.height, tip)}</div></td>
              <td data-label="Deadline T">{describeDeadline(s.deadline, tip.time)}</td>
              <td data-label="Payout">{s.payoutSat.toLocaleString('en-US')} sat</td>
              <td data-label="FAST bid / ask">{bpsPct(s.bestBid)} / {bpsPct(s.bestAsk)}</td>
              <td className="fair" data-label="Model fair">{bpsPct(s.fairBps)}</td>
              <td data-label="Status">{s.winner ? `${s.status ?? 'decided'}: ${s.winner} won` : (s.status ?? 'open')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** "In N days" or a date -> T, the height expected by then, and the listed series nearest to it. */
function DeadlinePicker({ tip, series, onPick }: { tip: ChainTip | undefined; series: BdcSeriesView[]; onPick: (s: string) => void }) {
  const [input, setInput] = useState<DeadlineInput>({ mode: 'days', days: '7' });
  if (!tip) return null;
  let t: number | undefined;
  let error: string | undefined;
  try {
    t = deadlineFromInput(input, tip.time);
  } catch (e) {
    error = e instanceof Error ? e.message.replace(/^(days|date): /, '') : String(e);
  }
  const nearest = t === undefined ? undefined : [...series].filter((s) => (s.status ?? 'open') === 'open').sort((a, b) => Math.abs(a.deadline - t!) - Math.abs(b.deadline - t!))[0];
  return (
    <section className="panel" data-testid="deadline-picker">
      <h2>Pick a deadline</h2>
      <div className="row">
        <label className="field" style={{ flex: '1 1 140px' }}>
          In how many days
          <input inputMode="decimal" value={input.mode === 'days' ? input.days : ''} placeholder="7" onChange={(e) => setInput({ mode: 'days', days: e.target.value })} name="deadline-days" />
        </label>
        <label className="field" style={{ flex: '1 1 200px' }}>
          Or a date and time (UTC)
          <input type="datetime-local" value={input.mode === 'date' ? input.date : ''} onChange={(e) => setInput({ mode: 'date', date: e.target.value })} name="deadline-date" />
        </label>
      </div>
      {error ? (
        <div className="field-error">{error}</div>
      ) : t !== undefined && (
        <div className="small" style={{ marginTop: 8 }} data-testid="deadline-summary">
          Deadline <strong>{describeDeadline(t, tip.time)}</strong> (T = {t}). At 10 minutes a block the chain is expected to reach height{' '}
          {expectedHeightAt(t, tip).toLocaleString('en-US')} by then (now {tip.height.toLocaleString('en-US')} at {formatUtc(tip.time)}, the chain's time).
          {nearest ? (
            <> Nearest listed series: <button className="ghost" onClick={() => onPick(nearest.series)}>{nearest.series}, {describeDeadline(nearest.deadline, tip.time)}</button></>
          ) : ' No open series is listed near it; series are listed by the operator.'}
        </div>
      )}
    </section>
  );
}

function SeriesTrade({ backend, feed, s, tip, accountKey, onTraded }: { backend: Backend; feed: Feed; s: BdcSeriesView; tip: ChainTip; accountKey: AccountKey | undefined; onTraded: () => void }) {
  const book = useLoad(() => friendly(backend.products.bdcBook(s.series), 'the block-delta book'), [backend, s.series]);
  // The bdc:<series> channel keeps the book current (snapshot on subscribe, then every change).
  const live = useProductLive(feed, 'bdc', s.series, book.data);
  const depth = useMemo(() => depthOf(live.book), [live.book]);
  const fair = s.fairBps ?? undefined;
  const edge = edgeVsFair(fair, depth?.bestBid, depth?.bestAsk);
  return (
    <div className="grid two">
      <section className="panel">
        <h2>{s.series} <span className="muted small">book, FAST price in bps</span></h2>
        <dl className="kv" style={{ marginBottom: 10 }}>
          <dt>Block H</dt><dd>{s.height.toLocaleString('en-US')} ({describeHeight(s.height, tip)})</dd>
          <dt>Deadline T</dt><dd>{describeDeadline(s.deadline, tip.time)}</dd>
          <dt>Payout per contract</dt><dd>{s.payoutSat.toLocaleString('en-US')} sat</dd>
          <dt>Model's fair FAST odds</dt><dd className="fair" data-testid="bdc-fair">{bpsPct(fair)}</dd>
          <dt>Best ask vs fair (FAST taker; below 0 = cheaper than the model)</dt><dd>{edge.fastTakerBps === undefined ? 'no asks' : `${edge.fastTakerBps >= 0 ? '+' : ''}${edge.fastTakerBps} bps`}</dd>
          <dt>Best bid vs fair (SLOW taker; below 0 = cheaper than the model)</dt><dd>{edge.slowTakerBps === undefined ? 'no bids' : `${edge.slowTakerBps >= 0 ? '+' : ''}${edge.slowTakerBps} bps`}</dd>
        </dl>
        {book.error ? <ErrorNotice title="The book could not be loaded" message={book.error} onRetry={book.reload} /> : depth ? <DepthChart depth={depth} unit="bps" /> : <Loading what="the book" />}
      </section>
      <section className="panel">
        <h2>Take a side</h2>
        <BdcOrderForm backend={backend} s={s} bestBid={depth?.bestBid} bestAsk={depth?.bestAsk} accountKey={accountKey} onTraded={onTraded} />
      </section>
    </div>
  );
}

function BdcOrderForm({ backend, s, bestBid, bestAsk, accountKey, onTraded }: { backend: Backend; s: BdcSeriesView; bestBid: number | undefined; bestAsk: number | undefined; accountKey: AccountKey | undefined; onTraded: () => void }) {
  const [f, setF] = useState<BdcOrderInput>({ side: 'FAST', price: String(bestAsk ?? s.fairBps ?? 5000), qty: '1', tif: 'GTC', postOnly: false });
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const { body, errors } = validateBdcOrder(s.series, f);
  const preview = body ? previewBdc(body, s.payoutSat) : undefined;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body || !accountKey) return;
    setResult(undefined);
    try {
      const ack = await backend.products.placeBdcOrder(accountKey.secretKeyHex, body);
      setResult({ ok: true, text: `Order ${ack.orderId} ${ack.status ?? 'accepted'}${ack.filled !== undefined ? `: ${ack.filled} filled, ${ack.remaining ?? 0} resting` : ''}.` });
      onTraded();
    } catch (err) {
      setResult({ ok: false, text: explain(err, 'block-delta orders') });
    }
  };
  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Block-delta order">
      <div className="side-toggle" role="group" aria-label="Side">
        <button type="button" className="fast" aria-pressed={f.side === 'FAST'} onClick={() => setF({ ...f, side: 'FAST', price: String(bestAsk ?? f.price) })}>FAST: block H first</button>
        <button type="button" className="slow" aria-pressed={f.side === 'SLOW'} onClick={() => setF({ ...f, side: 'SLOW', price: String(bestBid ?? f.price) })}>SLOW: deadline first</button>
      </div>
      <label className="field">
        FAST price, bps of the payout (you {f.side === 'FAST' ? 'stake this share' : 'stake the rest'})
        <input inputMode="numeric" name="bdc-price" value={f.price} onChange={(e) => setF({ ...f, price: e.target.value })} aria-invalid={errors.price !== undefined} />
        {errors.price && <span className="field-error">{errors.price}</span>}
      </label>
      <label className="field">
        Contracts (each pays {s.payoutSat.toLocaleString('en-US')} sat to the winner)
        <input inputMode="numeric" name="bdc-qty" value={f.qty} onChange={(e) => setF({ ...f, qty: e.target.value })} aria-invalid={errors.qty !== undefined} />
        {errors.qty && <span className="field-error">{errors.qty}</span>}
      </label>
      <TimeInForceFields tif={f.tif} onTif={(tif) => setF({ ...f, tif })} postOnly={f.postOnly} onPostOnly={(postOnly) => setF({ ...f, postOnly })} />
      {errors.postOnly && <div className="field-error">{errors.postOnly}</div>}
      {preview && (
        <dl className="preview" data-testid="bdc-preview">
          <dt>You stake</dt><dd>{msatAsBtc(preview.stakeMsat)}</dd>
          <dt>Taker fee (0.2 %, if it trades now)</dt><dd>{msatAsBtc(preview.feeMsat)}</dd>
          <dt>You collect if {f.side} wins</dt><dd>{msatAsBtc(preview.payoutMsat, 'holding')}</dd>
          <dt>Net gain if {f.side} wins</dt><dd>{msatAsBtc(preview.winMsat, 'holding')}</dd>
          <dt>Implied chance of {f.side}</dt><dd>{preview.impliedPct.toFixed(2)} %</dd>
          <dt>Model's chance of {f.side}</dt><dd className="fair">{s.fairBps === null || s.fairBps === undefined ? '—' : `${((f.side === 'FAST' ? s.fairBps : 10_000 - s.fairBps) / 100).toFixed(2)} %`}</dd>
        </dl>
      )}
      {!accountKey && <div className="notice warn small">To trade, create or import a key on the <a href="#/account">Account</a> page.</div>}
      <button className="primary" type="submit" disabled={!accountKey || !body} data-testid="bdc-submit">
        {f.side === 'FAST' ? 'Buy FAST' : 'Buy SLOW'}{body ? ` × ${body.qty}` : ''}
      </button>
      {result && <div className={`notice small ${result.ok ? '' : 'error'}`} role="status" data-testid="bdc-result">{result.text}</div>}
    </form>
  );
}

function saveJson(name: string, data: unknown): void {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const href = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = href;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(href), 1000);
}

function MyPositions({ backend, accountKey, version }: { backend: Backend; accountKey: AccountKey; version: number }) {
  const sk = accountKey.secretKeyHex;
  const positions = useLoad(() => friendly(backend.products.bdcPositions(sk), 'block-delta positions'), [backend, sk, version]);
  const [open, setOpen] = useState<string | undefined>(undefined);
  return (
    <section className="panel">
      <h2>Your block-delta positions</h2>
      {positions.error ? (
        <div className="notice small">{positions.error}</div>
      ) : !positions.data ? (
        <Loading what="your positions" />
      ) : (
        <RecordTable
          testId="bdc-positions"
          rows={positions.data as unknown as Rec[]}
          units={BDC_UNITS}
          skip={['account', 'product']}
          empty="No positions yet. Take a side above; a filled order becomes a contract with its own Bitcoin details."
          action={(r) => <button className="ghost" onClick={() => setOpen(String(r.positionId))}>Contract</button>}
        />
      )}
      {open && <ContractDoc key={open} backend={backend} sk={sk} positionId={open} />}
      {positions.data && positions.data.length > 0 && <OfferForm backend={backend} sk={sk} positions={positions.data} />}
    </section>
  );
}

function ContractDoc({ backend, sk, positionId }: { backend: Backend; sk: string; positionId: string }) {
  const doc = useLoad(() => friendly(backend.products.bdcContract(positionId), 'contract documents'), [backend, sk, positionId]);
  const [dlError, setDlError] = useState<string | undefined>(undefined);
  const download = async () => {
    setDlError(undefined);
    try {
      saveJson(`exit-package-${positionId.replace(/[^A-Za-z0-9_-]/g, '_')}.json`, await backend.products.bdcExitPackage(positionId));
    } catch (e) {
      setDlError(explain(e, 'exit packages'));
    }
  };
  if (doc.error) return <div className="notice small error" style={{ marginTop: 12 }} data-testid="bdc-contract-error">{doc.error}</div>;
  if (!doc.data) return <Loading what="the contract" />;
  // The contract's VTXO: its six tapscript leaves with control blocks (ExportedVtxo), and the batch it sits in.
  const vtxo = typeof doc.data.vtxo === 'object' && doc.data.vtxo !== null ? (doc.data.vtxo as Rec) : undefined;
  const rawLeaves = Array.isArray(doc.data.leaves) ? doc.data.leaves : Array.isArray(vtxo?.leaves) ? vtxo.leaves : [];
  const leaves = (rawLeaves as unknown[]).filter((l): l is Rec => typeof l === 'object' && l !== null);
  const batch = typeof doc.data.batch === 'object' && doc.data.batch !== null ? (doc.data.batch as Rec) : undefined;
  const terms = typeof doc.data.terms === 'object' && doc.data.terms !== null && !Array.isArray(doc.data.terms) ? (doc.data.terms as Rec) : undefined;
  return (
    <div className="notice" style={{ marginTop: 12 }} data-testid="bdc-contract">
      <strong>Contract {positionId}</strong>
      <KeyValues rec={doc.data} skip={['positionId', 'exitPackage', 'terms']} />
      {terms && (
        <>
          <div className="small muted" style={{ marginTop: 8 }}>Terms</div>
          <KeyValues rec={terms} />
        </>
      )}
      {batch && (
        <>
          <div className="small muted" style={{ marginTop: 8 }}>Batch</div>
          <KeyValues rec={batch} />
        </>
      )}
      {leaves.length > 0 && (
        <>
          <div className="small muted" style={{ marginTop: 8 }}>Taproot leaves: how this VTXO can be spent{typeof vtxo?.internalKey === 'string' ? ` (internal key ${vtxo.internalKey})` : ''}</div>
          <ol className="leaves" data-testid="bdc-leaves">
            {leaves.map((l, i) => (
              <li key={i}>
                <strong>{String(l.name ?? `leaf ${i + 1}`)}</strong>
                {typeof l.asm === 'string' && <div className="mono small">{l.asm}</div>}
                {typeof l.controlBlock === 'string' && <div className="mono small muted">control block {l.controlBlock}</div>}
              </li>
            ))}
          </ol>
        </>
      )}
      <div className="row" style={{ marginTop: 10 }}>
        <button className="ghost" onClick={() => void download()} data-testid="exit-package">Download exit package (JSON)</button>
        <span className="small muted">Everything needed to claim on chain without the operator: keep it with your key.</span>
      </div>
      {dlError && <div className="field-error" data-testid="exit-package-error">{dlError}</div>}
    </div>
  );
}

function OfferForm({ backend, sk, positions }: { backend: Backend; sk: string; positions: BdcPositionView[] }) {
  const [positionId, setPositionId] = useState(positions[0]?.positionId ?? '');
  const [priceSat, setPriceSat] = useState('');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!/^\d+$/.test(priceSat.trim()) || Number(priceSat) <= 0) return setMsg({ ok: false, text: 'Enter the asking price in whole sat.' });
    try {
      const o = await backend.products.createSwapOffer(sk, { product: 'bdc', positionId, priceMsat: (BigInt(priceSat.trim()) * 1000n).toString() });
      setMsg({ ok: true, text: `Offer ${o.offerId} listed.` });
    } catch (err) {
      setMsg({ ok: false, text: explain(err, 'swap offers') });
    }
  };
  return (
    <form className="row" style={{ marginTop: 12, alignItems: 'end' }} onSubmit={submit}>
      <label className="field" style={{ flex: '1 1 200px' }}>
        Offer a position for sale
        <select value={positionId} onChange={(e) => setPositionId(e.target.value)}>
          {positions.map((p) => <option key={p.positionId} value={p.positionId}>{p.positionId} ({p.side})</option>)}
        </select>
      </label>
      <label className="field" style={{ flex: '1 1 120px' }}>
        Asking price, sat
        <input inputMode="numeric" value={priceSat} onChange={(e) => setPriceSat(e.target.value)} />
      </label>
      <button className="ghost" type="submit">List offer</button>
      {msg && <div className={`notice small ${msg.ok ? '' : 'error'}`} role="status" style={{ flexBasis: '100%' }}>{msg.text}</div>}
    </form>
  );
}

function SwapOffers({ backend, accountKey }: { backend: Backend; accountKey: AccountKey | undefined }) {
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
      {offers.error ? (
        <div className="notice small">{offers.error}</div>
      ) : !offers.data ? (
        <Loading what="offers" />
      ) : (
        <RecordTable
          testId="swap-offers"
          rows={offers.data as unknown as Rec[]}
          empty="No offers right now. Holders list positions here; rollovers of expiring forwards are on the Portfolio page."
          action={(r) => <button className="ghost" onClick={() => void accept(r as SwapOfferView)}>Accept</button>}
          skip={['maker']}
        />
      )}
      {msg && <div className="notice small" role="status">{msg}</div>}
    </section>
  );
}
