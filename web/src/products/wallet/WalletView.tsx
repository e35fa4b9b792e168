import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { ChainedTxType, isBtcAddress, isValidArkAddress, Ramps, type ExtendedVirtualCoin, type Wallet, type WalletBalance } from '@arkade-os/sdk';
import { ResultNotice } from '../../components/ActionResult.js';
import { useAction } from '../../components/use-action.js';
import { satAmount, utc } from '../../lib/format.js';
import { saveJson } from '../../lib/save-json.js';
import type { FaucetPaid } from '../../lib/wallet-demo.js';
import { collectExitData, expiryOf, parseSendAmount, sendRoute } from '../../lib/wallet-exit-data.js';

function expiryText(v: ExtendedVirtualCoin): string {
  const e = expiryOf(v);
  if (e === null) return '—';
  return 'atMs' in e ? utc(Math.floor(e.atMs / 1000)) : `block ${e.atHeight.toLocaleString('en-US')}`;
}

/** Results carry 64-hex txids: let them break anywhere rather than widen the page on a phone. */
const WRAP = { overflowWrap: 'anywhere' } as const;

const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

function Copyable({ label, value, testId }: { label: string; value: string; testId: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div style={{ marginBottom: 10 }}>
      <div className="small muted">{label}</div>
      <div className="row" style={{ alignItems: 'center', flexWrap: 'wrap' }}>
        <span className="mono" data-testid={testId} style={{ wordBreak: 'break-all' }}>{value}</span>
        <button
          className="ghost"
          onClick={() => {
            void navigator.clipboard?.writeText(value).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

function Balances({ balance }: { balance: WalletBalance | undefined }) {
  const rows: [string, string, number | undefined][] = [
    ['Boarding (on chain, waiting to settle)', 'boarding', balance?.boarding.total],
    ['Preconfirmed (offchain, not yet in a batch)', 'preconfirmed', balance?.preconfirmed],
    ['Settled (in a confirmed batch)', 'settled', balance?.settled],
    ['Recoverable (swept or subdust)', 'recoverable', balance?.recoverable],
    ['Total', 'total', balance?.total],
  ];
  // A label/value grid (dl.kv) rather than a table: the labels wrap at phone width.
  return (
    <dl className="kv" data-testid="wallet-balances">
      {rows.map(([label, id, v]) => (
        <div key={id} style={{ display: 'contents' }}>
          <dt>{label}</dt>
          <dd data-testid={`balance-${id}`} data-sat={v ?? ''}>{v === undefined ? '…' : satAmount(v)}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * The open wallet: addresses, balances, settle, send, and the data to exit without the operator. `demoCoins` (the
 * embedded demo only) pays demo-ledger coins to the boarding address.
 */
export function WalletView({
  wallet,
  arkServerUrl,
  onForget,
  demoCoins,
  exchange,
}: {
  wallet: Wallet;
  arkServerUrl: string;
  onForget: () => void;
  demoCoins?: (boardingAddress: string) => Promise<FaucetPaid>;
  /** The panel moving sats to and from the exchange account, given this view's balance and refresh. */
  exchange?: (w: { balance: WalletBalance | undefined; refresh: () => void }) => ReactNode;
}) {
  const [addr, setAddr] = useState<{ boarding: string; ark: string } | undefined>(undefined);
  const [balance, setBalance] = useState<WalletBalance | undefined>(undefined);
  const [vtxos, setVtxos] = useState<ExtendedVirtualCoin[]>([]);
  /** Per outpoint: how many virtual txs of its exit branch (with PSBT) the SDK's capture holds in this browser. */
  const [held, setHeld] = useState<Record<string, number>>({});
  const [loadError, setLoadError] = useState<string | undefined>(undefined);
  const settle = useAction(errText);
  const send = useAction(errText);
  const exit = useAction(errText);
  const faucet = useAction(errText);
  const [to, setTo] = useState('');
  const [amount, setAmount] = useState('');

  const refresh = useCallback(async () => {
    try {
      const [b, v] = await Promise.all([wallet.getBalance(), wallet.getVtxos()]);
      setBalance(b);
      setVtxos(v);
      const repo = wallet.virtualTxRepository;
      if (repo) {
        const counts: Record<string, number> = {};
        for (const c of v.filter((x) => !x.isSpent)) counts[`${c.txid}:${c.vout}`] = (await repo.getBranch(c)).filter((t) => t.psbt !== null && t.type !== ChainedTxType.Commitment).length;
        setHeld(counts);
      }
      setLoadError(undefined);
    } catch (e) {
      setLoadError(errText(e));
    }
  }, [wallet]);

  useEffect(() => {
    let live = true;
    void Promise.all([wallet.getBoardingAddress(), wallet.getAddress()]).then(
      ([boarding, ark]) => live && setAddr({ boarding, ark }),
      (e) => live && setLoadError(errText(e)),
    );
    void refresh();
    const t = setInterval(() => void refresh(), 2000);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [wallet, refresh]);

  const doSettle = () =>
    settle.run(async () => {
      const txid = await wallet.settle();
      return `Settled in commitment transaction ${txid}.`;
    }, () => void refresh());

  const doFaucet = (pay: NonNullable<typeof demoCoins>, boarding: string) =>
    faucet.run(async () => {
      const paid = await pay(boarding);
      return `Paid ${satAmount(paid.amountSat)} of demo coins to the boarding address in ${paid.txid}, mined in demo block ${paid.height.toLocaleString('en-US')}. Settle to move them into Ark.`;
    }, () => void refresh());

  const doSend = () =>
    send.run(async () => {
      const route = sendRoute(to, { ark: isValidArkAddress, bitcoin: isBtcAddress });
      const sats = parseSendAmount(amount, balance?.available ?? 0);
      if (route.kind === 'ark') {
        const txid = await wallet.sendBitcoin({ address: route.address, amount: Number(sats) });
        return `Sent ${satAmount(Number(sats))} offchain in Ark transaction ${txid}.`;
      }
      const info = await wallet.arkProvider.getInfo();
      const txid = await new Ramps(wallet).offboard(route.address, info.fees, sats);
      return `Collaborative exit of ${satAmount(Number(sats))} in commitment transaction ${txid}.`;
    }, () => void refresh());

  const doExport = () =>
    exit.run(async () => {
      const spendable = vtxos.filter((v) => !v.isSpent);
      const doc = await collectExitData(wallet.indexerProvider, spendable, { arkServerUrl, nowMs: Date.now() });
      saveJson(`ark-exit-data-${new Date(doc.fetchedAtMs).toISOString().slice(0, 19).replace(/:/g, '')}.json`, doc);
      const n = doc.vtxos.reduce((a, v) => a + v.virtualTxs.length, 0);
      return `Saved exit data for ${doc.vtxos.length} VTXO(s): ${n} virtual transaction(s) with their chains.`;
    });

  const shown = vtxos.filter((v) => !v.isSpent);
  // One column whose track may shrink below its content (minmax(0, 1fr)), so the VTXO table scrolls inside its panel
  // at phone width instead of widening the page.
  return (
    <div className="grid" style={{ gridTemplateColumns: 'minmax(0, 1fr)' }}>
      {exchange?.({ balance, refresh: () => void refresh() })}
      <section className="panel" data-testid="wallet-addresses">
        <h2>Receive</h2>
        {addr ? (
          <>
            <Copyable
              label={demoCoins ? 'Boarding address (on the demo ledger, not bitcoin; settle to move it into Ark)' : 'Boarding address (on-chain bitcoin; settle to move it into Ark)'}
              value={addr.boarding}
              testId="boarding-address"
            />
            <Copyable label="Ark address (offchain payments from other Ark wallets)" value={addr.ark} testId="ark-address" />
          </>
        ) : (
          <div className="empty">Deriving addresses…</div>
        )}
      </section>
      <section className="panel">
        <h2>Balances</h2>
        <Balances balance={balance} />
        {loadError && <div className="notice error small">{loadError}</div>}
        <div className="row" style={{ marginTop: 10 }}>
          <button className="primary" disabled={settle.busy} onClick={() => void doSettle()} data-testid="wallet-settle">
            {settle.busy ? 'Settling…' : 'Settle (board + renew)'}
          </button>
          {demoCoins && (
            <button className="ghost" disabled={faucet.busy || !addr} onClick={() => addr && void doFaucet(demoCoins, addr.boarding)} data-testid="demo-coins">
              {faucet.busy ? 'Paying…' : 'Get demo coins'}
            </button>
          )}
          <button className="ghost" onClick={() => void refresh()}>Refresh</button>
        </div>
        <ResultNotice result={faucet.result} testId="demo-coins-result" style={WRAP} />
        <p className="small muted">Settle joins the next batch: confirmed boarding coins become VTXOs and existing VTXOs are renewed.</p>
        <ResultNotice result={settle.result} testId="settle-result" style={WRAP} />
      </section>
      <section className="panel">
        <h2>Send</h2>
        <p className="small muted">To an Ark address: an offchain payment. To a bitcoin address: a collaborative exit in the next batch.</p>
        <form
          className="grid"
          style={{ gap: 10 }}
          onSubmit={(e) => {
            e.preventDefault();
            void doSend();
          }}
        >
          <label className="field">
            Address
            <input name="to" value={to} onChange={(e) => setTo(e.target.value)} spellCheck={false} autoComplete="off" />
          </label>
          <label className="field">
            Amount (sat){balance ? ` — ${satAmount(balance.available)} spendable` : ''}
            <input name="amount" value={amount} onChange={(e) => setAmount(e.target.value)} inputMode="numeric" />
          </label>
          <div>
            <button className="primary" type="submit" disabled={send.busy}>{send.busy ? 'Sending…' : 'Send'}</button>
          </div>
        </form>
        <ResultNotice result={send.result} testId="send-result" style={WRAP} />
      </section>
      <section className="panel" data-testid="exit-data">
        <h2>Exit data</h2>
        <p className="small muted">
          What you hold to leave without the operator: each VTXO's chain of virtual transactions back to its on-chain commitment. Download it
          while the server is up; broadcasting the chain (after its timelocks) is a unilateral exit that needs nobody's cooperation.
        </p>
        {shown.length === 0 ? (
          <div className="empty">No VTXOs yet.</div>
        ) : (
          <div className="scroll-x">
            <table data-testid="vtxo-table">
              <thead>
                <tr><th>Outpoint</th><th className="num">Amount</th><th>State</th><th>Batch expiry</th><th className="num" title="Virtual transactions of this VTXO's exit branch the wallet has saved in this browser">Exit txs held here</th></tr>
              </thead>
              <tbody>
                {shown.map((v) => (
                  <tr key={`${v.txid}:${v.vout}`}>
                    <td className="mono" title={`${v.txid}:${v.vout}`}>{`${v.txid.slice(0, 12)}…:${v.vout}`}</td>
                    <td className="num">{satAmount(v.value)}</td>
                    <td>{v.virtualStatus.state}</td>
                    <td>{expiryText(v)}</td>
                    <td className="num" data-testid="exit-held">{held[`${v.txid}:${v.vout}`] ?? '…'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <div className="row" style={{ marginTop: 10 }}>
          <button className="ghost" disabled={exit.busy || shown.length === 0} onClick={() => void doExport()} data-testid="exit-download">
            Download exit data (JSON)
          </button>
        </div>
        <ResultNotice result={exit.result} testId="exit-result" style={WRAP} />
      </section>
      <section className="panel">
        <h2>Forget this wallet</h2>
        <p className="small muted">Removes the recovery phrase and the wallet's cached state from this browser. Without your written phrase the funds are lost.</p>
        <button
          className="ghost"
          onClick={() => {
            if (window.confirm('Forget this wallet? Only your written recovery phrase can restore it.')) onForget();
          }}
        >
          Forget wallet
        </button>
      </section>
    </div>
  );
}
