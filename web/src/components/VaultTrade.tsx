import { useState, type FormEvent } from 'react';
import type { Backend } from '../api/backend.js';
import { explain } from '../lib/api-errors.js';
import { btcPerPhDay, msatAsBtc } from '../lib/format.js';
import type { AccountKey } from '../lib/keys.js';
import { VAULT_FEE_PPM, VAULT_SPREAD_PPM, validateVaultTrade, type VaultTradeInput } from '../lib/vault-trade.js';

/** The perp against the vault (POST /v1/vault/trade): no book, the vault's price is the index ± its spread. */
export function VaultTrade({ backend, market, indexPrice, accountKey, onTraded }: { backend: Backend; market: string; indexPrice: number | undefined; accountKey: AccountKey | undefined; onTraded?: () => void }) {
  const [f, setF] = useState<VaultTradeInput>({ side: 'buy', qty: '10', tolerancePct: '0.5' });
  const { body, preview, errors } = validateVaultTrade(market, f, indexPrice);
  const [result, setResult] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body || !accountKey) return;
    setResult(undefined);
    setBusy(true);
    try {
      const r = await backend.products.vaultTrade(accountKey.secretKeyHex, body);
      const t = r.traded as { price?: number; qty?: number } | null | undefined;
      setResult({ ok: true, text: t?.price !== undefined ? `${body.side === 'buy' ? 'Bought' : 'Sold'} ${t.qty ?? body.qty} lots from the vault at ${t.price.toLocaleString('en-US')} sat/PH/day.` : `Traded with the vault (seq ${r.seq}).` });
      onTraded?.();
    } catch (err) {
      setResult({ ok: false, text: explain(err, 'trading against the vault') });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Trade against the vault" data-testid="vault-trade">
      <div className="side-toggle" role="group" aria-label="Vault trade side">
        <button type="button" className="buy" aria-pressed={f.side === 'buy'} onClick={() => setF({ ...f, side: 'buy' })}>Buy (long)</button>
        <button type="button" className="sell" aria-pressed={f.side === 'sell'} onClick={() => setF({ ...f, side: 'sell' })}>Sell (short)</button>
      </div>
      <div className="row">
        <label className="field" style={{ flex: '1 1 100px' }}>
          Size, lots
          <input inputMode="numeric" name="vault-qty" value={f.qty} onChange={(e) => setF({ ...f, qty: e.target.value })} aria-invalid={errors.qty !== undefined} />
          {errors.qty && <span className="field-error">{errors.qty}</span>}
        </label>
        <label className="field" style={{ flex: '1 1 100px' }}>
          Price tolerance, %
          <input inputMode="decimal" name="vault-tol" value={f.tolerancePct} onChange={(e) => setF({ ...f, tolerancePct: e.target.value })} aria-invalid={errors.tolerancePct !== undefined} />
          {errors.tolerancePct && <span className="field-error">{errors.tolerancePct}</span>}
        </label>
      </div>
      {errors.index && <div className="small muted">{errors.index}</div>}
      {preview && (
        <dl className="preview" data-testid="vault-preview">
          <dt>Vault's price (index {f.side === 'buy' ? '+' : '−'} {VAULT_SPREAD_PPM / 10_000} %)</dt><dd>{preview.price.toLocaleString('en-US')} sat/PH/day = {btcPerPhDay(preview.price)} BTC/PH/day</dd>
          <dt>Notional</dt><dd>{msatAsBtc(preview.notionalMsat)}</dd>
          <dt>Fee ({VAULT_FEE_PPM / 10_000} %)</dt><dd>{msatAsBtc(preview.feeMsat)}</dd>
          <dt>Refused if worse than</dt><dd>{preview.limitPrice.toLocaleString('en-US')} sat/PH/day</dd>
        </dl>
      )}
      {!accountKey && <div className="notice warn small">To trade, create or import a key on the <a href="#/account">Account</a> page.</div>}
      <button className="primary" type="submit" disabled={!accountKey || !body || busy}>
        {f.side === 'buy' ? 'Buy' : 'Sell'} {body ? `${body.qty.toLocaleString('en-US')} lots` : ''} vs vault
      </button>
      {result && <div className={`notice small ${result.ok ? '' : 'error'}`} role="status">{result.text}</div>}
    </form>
  );
}
