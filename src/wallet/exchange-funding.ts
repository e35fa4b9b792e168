/**
 * Funding an exchange account from the user's own Ark wallet: one Ark tx, signed by the user's key,
 * that pays the operator's liquidity address and carries the memo `OP_RETURN "hp:fund:<account>"`
 * (src/bitcoin/ark-memo.ts) binding it to the account. The server credits it once the tx is
 * finalized. The SDK's `send` cannot add a plain OP_RETURN output (only asset extensions), so the tx is
 * built with payTx from the wallet's coins (the SDK's own coin selection) and submitted through
 * arkd's submit/finalize with the wallet's identity.
 */
import { ArkAddress, VtxoScript, selectVirtualCoins, type Wallet } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { fundingMemoScript } from '../bitcoin/ark-memo.js';
import { payTx, type SpendableVtxo } from '../bitcoin/block-delta-tx.js';
import { accountId } from '../units/checks.js';
import { InvalidArgumentError } from '../units/errors.js';
import { submitCoSigned } from './cosign.js';

export interface FundExchange {
  /** The exchange account (x-only public key, hex) to credit. */
  account: string;
  amountSat: number;
  /** The operator's liquidity Ark address (GET /v1/ark/funding). */
  liquidityAddress: string;
}

export async function fundExchange(wallet: Wallet, f: FundExchange): Promise<{ arkTxid: string; inputs: number }> {
  const account = accountId('account', f.account);
  if (!Number.isSafeInteger(f.amountSat) || f.amountSat <= 0) throw new InvalidArgumentError('amountSat', `must be a positive integer, got ${f.amountSat}`);
  const info = await wallet.arkProvider.getInfo();
  const to = ArkAddress.decode(f.liquidityAddress);
  if (hex.encode(to.serverPubKey) !== hex.encode(wallet.arkServerPublicKey)) throw new InvalidArgumentError('liquidityAddress', "the liquidity address is not for this wallet's operator");
  const coins = (await wallet.getVtxos({ withRecoverable: false })).filter((v) => v.isSpent !== true && v.isSwept !== true);
  let picked: ReturnType<typeof selectVirtualCoins>;
  try {
    picked = selectVirtualCoins(coins, f.amountSat);
  } catch {
    throw new InvalidArgumentError('amountSat', `the wallet holds ${coins.reduce((s, c) => s + c.value, 0)} sat in spendable VTXOs; ${f.amountSat} sat asked`);
  }
  const inputs: SpendableVtxo[] = picked.inputs.map((v) => ({ txid: v.txid, vout: v.vout, value: v.value, vtxoScript: VtxoScript.decode(v.tapTree), leaf: v.forfeitTapLeafScript }));
  const change = ArkAddress.decode(await wallet.getAddress()).pkScript;
  const tx = payTx(
    inputs,
    [
      { script: to.pkScript, amount: BigInt(f.amountSat) },
      { script: fundingMemoScript(account), amount: 0n },
    ],
    change,
    info.dust,
    hex.decode(info.checkpointTapscript),
  );
  const { arkTxid } = await submitCoSigned(wallet.arkProvider, tx, [{ identity: wallet.identity, inputs: inputs.map((_, i) => i) }]);
  return { arkTxid, inputs: inputs.length };
}
