import { useState, type FormEvent } from 'react';
import { BPS } from '../../../../src/engine/products/bdc/terms.js';
import type { Backend } from '../../api/backend.js';
import type { BdcSeriesView } from '../../api/products.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { KeyNeeded } from '../../components/KeyNeeded.js';
import { SideToggle } from '../../components/SideToggle.js';
import { TextField } from '../../components/TextField.js';
import { TimeInForceFields } from '../../components/TimeInForceFields.js';
import { useAction } from '../../components/use-action.js';
import { explain } from '../../lib/api-errors.js';
import { previewBdc, validateBdcOrder, type BdcOrderInput, type BdcSide } from '../../lib/bdc.js';
import { bpsPct, msatAsBtc, satAmount } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';

const BDC_SIDES = [
  { value: 'FAST', className: 'fast', label: 'FAST: block H first' },
  { value: 'SLOW', className: 'slow', label: 'SLOW: deadline first' },
] as const;

/** Take FAST or SLOW on a series; the preview is the engine's own stake and fee arithmetic. */
export function BdcOrderForm({ backend, s, bestBid, bestAsk, accountKey, onTraded }: { backend: Backend; s: BdcSeriesView; bestBid: number | undefined; bestAsk: number | undefined; accountKey: AccountKey | undefined; onTraded: () => void }) {
  const [f, setF] = useState<BdcOrderInput>({ side: 'FAST', price: String(bestAsk ?? s.fairBps ?? 5000), qty: '1', tif: 'GTC', postOnly: false });
  // Stake from the browser's Ark wallet: one Ark tx it signs, filled in full at the limit or not at all.
  const [fromWallet, setFromWallet] = useState(false);
  const { result, run } = useAction((e) => explain(e, 'block-delta orders'));
  const { body, errors } = validateBdcOrder(s.series, f);
  const preview = body ? previewBdc(body, s.payoutSat) : undefined;
  // Switching side starts from the best price that side can take at once.
  const pickSide = (side: BdcSide) => setF({ ...f, side, price: String((side === 'FAST' ? bestAsk : bestBid) ?? f.price) });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!body || !accountKey) return;
    await run(async () => {
      if (fromWallet) {
        const w = await import('./contract-wallet.js');
        const origin = window.location.origin;
        const take = await backend.products.prepareBdcTake(accountKey.secretKeyHex, { series: body.series, side: body.side, price: body.price, qty: body.qty, inputs: await w.walletCoins(origin) });
        const signed = await w.signTakeWithBrowserWallet(origin, take);
        const done = await backend.products.signBdcTake(accountKey.secretKeyHex, take.takeId, signed.arkTx, signed.checkpoints);
        if (done.status !== 'recorded') throw new Error(`not filled: ${done.reason ?? done.status}`);
        return `Took ${body.qty} from your wallet in Ark tx ${take.takeId}: your contract VTXO is ${take.takeId}:0 (stake ${take.stakeSat} sat).`;
      }
      const ack = await backend.products.placeBdcOrder(accountKey.secretKeyHex, body);
      return `Order ${ack.orderId} ${ack.status ?? 'accepted'}${ack.filled !== undefined ? `: ${ack.filled} filled, ${ack.remaining ?? 0} resting` : ''}.`;
    }, onTraded);
  };
  return (
    <form className="order" onSubmit={submit} noValidate aria-label="Block-delta order">
      <SideToggle value={f.side} choices={BDC_SIDES} onChange={pickSide} />
      <TextField
        label={`FAST price, bps of the payout (you ${f.side === 'FAST' ? 'stake this share' : 'stake the rest'})`}
        inputMode="numeric"
        name="bdc-price"
        value={f.price}
        onChange={(price) => setF({ ...f, price })}
        error={errors.price}
      />
      <TextField label={`Contracts (each pays ${satAmount(s.payoutSat)} to the winner)`} inputMode="numeric" name="bdc-qty" value={f.qty} onChange={(qty) => setF({ ...f, qty })} error={errors.qty} />
      <TimeInForceFields tif={f.tif} onTif={(tif) => setF({ ...f, tif })} postOnly={f.postOnly} onPostOnly={(postOnly) => setF({ ...f, postOnly })} />
      {errors.postOnly && <div className="field-error">{errors.postOnly}</div>}
      <label className="small">
        <input type="checkbox" checked={fromWallet} onChange={(e) => setFromWallet(e.target.checked)} data-testid="bdc-from-wallet" /> Pay the stake from my Ark wallet
        (one Ark transaction you sign: your stake and the operator's side go into your contract VTXO; fills in full now or not at all)
      </label>
      {preview && (
        <dl className="preview" data-testid="bdc-preview">
          <dt>You stake</dt><dd>{msatAsBtc(preview.stakeMsat)}</dd>
          <dt>Taker fee (0.2 %, if it trades now)</dt><dd>{msatAsBtc(preview.feeMsat)}</dd>
          <dt>You collect if {f.side} wins</dt><dd>{msatAsBtc(preview.payoutMsat, 'holding')}</dd>
          <dt>Net gain if {f.side} wins</dt><dd>{msatAsBtc(preview.winMsat, 'holding')}</dd>
          <dt>Implied chance of {f.side}</dt><dd>{preview.impliedPct.toFixed(2)} %</dd>
          <dt>Model's chance of {f.side}</dt><dd className="fair">{bpsPct(s.fairBps === null || s.fairBps === undefined ? undefined : f.side === 'FAST' ? s.fairBps : BPS - s.fairBps)}</dd>
        </dl>
      )}
      {!accountKey && <KeyNeeded to="trade" />}
      <button className="primary" type="submit" disabled={!accountKey || !body} data-testid="bdc-submit">
        {f.side === 'FAST' ? 'Buy FAST' : 'Buy SLOW'}{body ? ` × ${body.qty}` : ''}
      </button>
      <ResultNotice result={result} testId="bdc-result" />
    </form>
  );
}
