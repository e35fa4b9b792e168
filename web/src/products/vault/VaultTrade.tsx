import { useState, type FormEvent } from 'react';
import type { Backend } from '../../api/backend.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { KeyNeeded } from '../../components/KeyNeeded.js';
import { SideToggle } from '../../components/SideToggle.js';
import { TextField } from '../../components/TextField.js';
import { useAction } from '../../components/use-action.js';
import { explain } from '../../lib/api-errors.js';
import { btcPerPhDay, grouped, msatAsBtc, ppmPct, satPerPhDayText } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';
import { VAULT_FEE_PPM, VAULT_SPREAD_PPM, validateVaultTrade, type VaultTradeInput } from '../../lib/vault-trade.js';

const VAULT_SIDES = [
  { value: 'buy', className: 'buy', label: 'Buy (long)' },
  { value: 'sell', className: 'sell', label: 'Sell (short)' },
] as const;

/** The perp against the vault (POST /v1/vault/trade): no book, the vault's price is the index ± its spread. */
export function VaultTrade({ backend, market, indexPrice, accountKey, onTraded }: { backend: Backend; market: string; indexPrice: number | undefined; accountKey: AccountKey | undefined; onTraded?: () => void }) {
  const [f, setF] = useState<VaultTradeInput>({ side: 'buy', qty: '10', tolerancePct: '0.5' });
  const { body, preview, errors } = validateVaultTrade(market, f, indexPrice);
  const { result, busy, run } = useAction((e) => explain(e, 'trading against the vault'));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body || !accountKey) return;
    await run(async () => {
      const r = await backend.products.vaultTrade(accountKey.secretKeyHex, body);
      const t = r.traded as { price?: number; qty?: number } | null | undefined;
      return t?.price !== undefined ? `${body.side === 'buy' ? 'Bought' : 'Sold'} ${t.qty ?? body.qty} lots from the vault at ${satPerPhDayText(t.price)}.` : `Traded with the vault (seq ${r.seq}).`;
    }, onTraded);
  };
  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Trade against the vault" data-testid="vault-trade">
      <SideToggle label="Vault trade side" value={f.side} choices={VAULT_SIDES} onChange={(side) => setF({ ...f, side })} />
      <div className="row">
        <TextField style={{ flex: '1 1 100px' }} label="Size, lots" inputMode="numeric" name="vault-qty" value={f.qty} onChange={(qty) => setF({ ...f, qty })} error={errors.qty} />
        <TextField style={{ flex: '1 1 100px' }} label="Price tolerance, %" inputMode="decimal" name="vault-tol" value={f.tolerancePct} onChange={(tolerancePct) => setF({ ...f, tolerancePct })} error={errors.tolerancePct} />
      </div>
      {errors.index && <div className="small muted">{errors.index}</div>}
      {preview && (
        <dl className="preview" data-testid="vault-preview">
          <dt>Vault's price (index {f.side === 'buy' ? '+' : '−'} {ppmPct(VAULT_SPREAD_PPM)})</dt><dd>{satPerPhDayText(preview.price)} = {btcPerPhDay(preview.price)} BTC/PH/day</dd>
          <dt>Notional</dt><dd>{msatAsBtc(preview.notionalMsat)}</dd>
          <dt>Fee ({ppmPct(VAULT_FEE_PPM)})</dt><dd>{msatAsBtc(preview.feeMsat)}</dd>
          <dt>Refused if worse than</dt><dd>{satPerPhDayText(preview.limitPrice)}</dd>
        </dl>
      )}
      {!accountKey && <KeyNeeded to="trade" />}
      <button className="primary" type="submit" disabled={!accountKey || !body || busy}>
        {f.side === 'buy' ? 'Buy' : 'Sell'} {body ? `${grouped(body.qty)} lots` : ''} vs vault
      </button>
      <ResultNotice result={result} />
    </form>
  );
}
