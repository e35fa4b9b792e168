import { useState } from 'react';
import type { Backend } from '../../api/backend.js';
import { useLoad } from '../../api/hooks.js';
import { ResultNotice } from '../../components/ActionResult.js';
import { KeyValues } from '../../components/KeyValues.js';
import { LoadedView } from '../../components/LoadedView.js';
import { useAction } from '../../components/use-action.js';
import { explain, friendly } from '../../lib/api-errors.js';
import { satAmount } from '../../lib/format.js';
import type { AccountKey } from '../../lib/keys.js';
import type { Rec } from '../../lib/records.js';
import { positiveDigits } from '../../lib/whole-number.js';

/** The deposit goes out as a JSON number, so it must be exact as one. */
const wholeSat = (s: string): number | undefined => {
  const t = positiveDigits(s);
  return t !== undefined && Number.isSafeInteger(Number(t)) ? Number(t) : undefined;
};

/** The vault for everyone (NAV, shares), and for a key holder: their shares, deposit and withdrawal. */
export function VaultPanel({ backend, accountKey }: { backend: Backend; accountKey: AccountKey | undefined }) {
  const vault = useLoad(() => friendly(backend.products.vault(), 'the vault'), [backend]);
  const me = useLoad(() => (accountKey ? friendly(backend.products.vaultMe(accountKey.secretKeyHex), 'the vault') : Promise.resolve(undefined)), [backend, accountKey?.secretKeyHex]);
  const [amount, setAmount] = useState('100000');
  const [shares, setShares] = useState('');
  const { result: msg, setResult: setMsg, run } = useAction((e) => explain(e, 'the vault'));
  const act = async (what: 'deposit' | 'withdraw') => {
    if (!accountKey) return;
    const reload = () => {
      vault.reload();
      me.reload();
    };
    const sk = accountKey.secretKeyHex;
    if (what === 'deposit') {
      const sat = wholeSat(amount);
      if (sat === undefined) return setMsg({ ok: false, text: 'Enter a whole number of sat to deposit.' });
      await run(async () => {
        await backend.products.vaultDeposit(sk, sat);
        return `Deposited ${satAmount(sat)} for shares at NAV.`;
      }, reload);
    } else {
      const count = positiveDigits(shares);
      if (count === undefined) return setMsg({ ok: false, text: 'Enter a whole number of shares to withdraw.' });
      await run(async () => {
        await backend.products.vaultWithdraw(sk, count);
        return `Withdrawal of ${count} shares requested; it is paid after the vault's delay.`;
      }, reload);
    }
  };
  return (
    <section className="panel" data-testid="vault">
      <h2>Vault <span className="muted small">liquidity providers' pool: counterparty of index-priced trades and option seller</span></h2>
      <LoadedView state={vault} what="the vault">
        {(v) => (
          <div className="grid two">
            <div>
              <KeyValues rec={v as unknown as Rec} skip={['sharePriceUnit', 'height']} />
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
                <ResultNotice result={msg} />
              </div>
            ) : (
              <div className="small muted">Create a key on the <a href="#/account">Account</a> page to deposit.</div>
            )}
          </div>
        )}
      </LoadedView>
    </section>
  );
}
