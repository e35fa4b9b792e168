/**
 * Money in and out of the exchange through Ark, on the live server over a real regtest bitcoind
 * (BITCOIND_RPC_URL; skipped without it) with stock SDK wallets: a user boards, funds its exchange
 * account with one Ark tx carrying the account's memo, trades nothing, withdraws to its own Ark
 * wallet, and the reconciliation finds one Ark tx behind every ledger flow.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { ArkAddress, SingleKey, type Wallet } from '@arkade-os/sdk';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { HashPerpClient } from '../../src/client/client.js';
import { arkFundsOf } from '../../src/engine/index.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { reconcileArkFlows } from '../../src/proofs/ark-reconciliation.js';
import { fundExchange } from '../../src/wallet/exchange-funding.js';
import { fundedWallet } from './regtest-funds.js';
import { sdkWallet } from './sdk-wallet.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(URL_ === undefined)('funding the exchange from an Ark wallet and withdrawing to it (regtest, live server)', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mineTo: string;
  let wallet: Wallet;
  let client: HashPerpClient;
  let account: string;
  const parts = () => s.wiring.parts!;
  const mine = (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);
  const balanceSat = async () => BigInt((await client.account()).balanceMsat) / 1000n;
  const health = async () => (await (await fetch(`${s.url}/health`)).json()) as { reconciliation?: { ok: boolean; problems: string[]; pending: unknown[]; deposits: number; settledWithdrawals: number } };

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'ark-funding', 0.2);
    funder = f.wallet;
    mineTo = f.mineTo;
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1 }), makeWiring({ pollMs: 200 }));
    await funder.call('sendtoaddress', [parts().ark!.walletAddress, 0.05]);
    await mine(1);
    const secret = randomBytes(32);
    account = hex.encode(schnorr.getPublicKey(secret));
    client = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: secret } });
    await client.syncClock();
    wallet = await sdkWallet(s.url, SingleKey.fromRandomBytes());
    // Boarding: on chain to the wallet's boarding address, then into a batch.
    await funder.call('sendtoaddress', [await wallet.getBoardingAddress(), 0.001]);
    await mine(1);
    await until('boarding coin', async () => ((await wallet.getBoardingUtxos()).length > 0 ? true : undefined), 30_000);
    await wallet.settle();
    await mine(1);
    await until('settled', async () => ((await wallet.getBalance()).settled === 100_000 ? true : undefined), 30_000);
    // The operator dates the batch's expiry from its confirmation (L's coins must have one to be spent).
    await parts().ark!.operator.maintain();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('credits a memo Ark tx once, ignores one without a memo, pays a withdrawal to the wallet, and reconciles', async () => {
    const ark = parts().ark!;
    const funding = await client.arkFunding();
    expect(funding.address).toBe(ark.liquidity.address);

    // In: one Ark tx from the user's wallet, its memo naming the account.
    const { arkTxid } = await fundExchange(wallet, { account, amountSat: 60_000, liquidityAddress: funding.address });
    await until('deposit credited', async () => ((await balanceSat()) === 60_000n ? true : undefined), 15_000);
    expect(arkFundsOf(parts().engine.exchange).deposits).toEqual([{ arkTxid, account, amountSat: 60_000 }]);
    expect(ark.store.vtxo(arkTxid, 0)).toMatchObject({ amount: 60_000n, script: hex.encode(ark.liquidity.script) });
    await until('wallet change', async () => ((await wallet.getBalance()).available === 40_000 ? true : undefined), 15_000);

    // The same txid again (a restart's rescan, or anyone submitting it): refused, the balance unchanged.
    const again = await parts().engine.submit({ type: 'ArkDeposit', account, amountSat: 60_000, arkTxid });
    expect(again.events).toEqual([expect.objectContaining({ type: 'CommandRejected', reason: 'duplicate_ark_tx', field: 'arkTxid' })]);

    // An Ark tx paying L without a memo (the stock wallet's send) credits nobody, now or at the next sweep.
    const plain = await wallet.send({ address: funding.address, amount: 5_000 });
    await until('plain payment stored', () => (ark.store.virtualTx(plain) && !ark.store.pendingTx(plain) ? true : undefined), 15_000);
    await parts().arkFunding!.sweep();
    expect(arkFundsOf(parts().engine.exchange).deposits.map((d) => d.arkTxid)).toEqual([arkTxid]);
    expect(await balanceSat()).toBe(60_000n);

    // Out: to the user's own Ark address; the stock wallet sees the VTXO.
    const to = await wallet.getAddress();
    const w = await client.withdrawArk(25_000, to);
    expect(w).toMatchObject({ account, amountSat: 25_000, status: 'settled' });
    expect(await balanceSat()).toBe(35_000n);
    await until('withdrawn VTXO in the wallet', async () => ((await wallet.getVtxos()).some((v) => v.txid === w.arkTxid && v.value === 25_000) ? true : undefined), 15_000);
    expect(arkFundsOf(parts().engine.exchange).withdrawals).toEqual([{ requestId: w.requestId, account, amountSat: 25_000, toScript: hex.encode(ArkAddress.decode(to).pkScript), status: 'settled', arkTxid: w.arkTxid }]);

    // More than L holds: refused by L's wallet before the operator saw a tx, so the debit is reversed.
    await parts().engine.submit({ type: 'Deposit', account, amountSat: 1_000_000 });
    const short = await client.withdrawArk(900_000, to).then(() => undefined, (e: unknown) => e as { status?: number; code?: string });
    expect(short).toMatchObject({ status: 503, code: 'liquidity_short' });
    expect(await balanceSat()).toBe(1_035_000n);
    expect(arkFundsOf(parts().engine.exchange).withdrawals.find((x) => x.amountSat === 900_000)).toMatchObject({ status: 'failed' });

    // Every block: the reconciliation finds one Ark tx behind each flow.
    await mine(1);
    await until('reconciled after the block', async () => {
      const r = (await health()).reconciliation;
      return r && r.deposits === 1 && r.settledWithdrawals === 1 ? r : undefined;
    }, 15_000);
    expect((await health()).reconciliation).toMatchObject({ ok: true, problems: [], pending: [] });

    // A corrupted copy of the ledger's record: the check names each lie.
    const side = parts().arkFunding!.arkSide();
    const real = arkFundsOf(parts().engine.exchange);
    const madeUp = 'ab'.repeat(32);
    const bad = reconcileArkFlows(
      {
        deposits: [{ ...real.deposits[0]!, amountSat: 61_000 }, { arkTxid: madeUp, account, amountSat: 1 }],
        withdrawals: real.withdrawals.map((x) => (x.status === 'settled' ? { ...x, amountSat: 24_000 } : x)),
      },
      side,
    );
    expect(bad.ok).toBe(false);
    expect(bad.problems).toEqual([
      `deposit ${arkTxid} (61000 sat to ${account}): it pays the liquidity key 60000 sat`,
      `deposit ${madeUp} (1 sat to ${account}): no such Ark tx in the operator's store`,
      `withdrawal ${w.requestId} (24000 sat from ${account}): Ark tx ${w.arkTxid} does not pay 24000 sat to ${hex.encode(ArkAddress.decode(to).pkScript)}`,
    ]);
    // A credit dropped from the copy: the memo tx to L is found uncredited.
    expect(reconcileArkFlows({ deposits: [], withdrawals: real.withdrawals }, side).problems).toEqual([`Ark tx ${arkTxid} pays the liquidity key 60000 sat for account ${account} and is not credited`]);
  });

  it('refuses bad input on the withdrawal route with a JSON 4xx naming the field', async () => {
    const post = async (body: unknown, signed = true) => {
      const r = await client.request('POST', '/v1/withdrawals/ark', { signed, body }).then(() => undefined, (e: unknown) => e as { status?: number; code?: string; field?: string });
      return r;
    };
    const own = ArkAddress.decode(await wallet.getAddress());
    const mainnet = new ArkAddress(own.serverPubKey, own.vtxoTaprootKey, 'ark').encode();
    const otherOperator = new ArkAddress(schnorr.getPublicKey(randomBytes(32)), own.vtxoTaprootKey, 'tark').encode();
    expect(await post({ amountSat: 1_000, address: 'not-an-address' })).toMatchObject({ status: 400, code: 'invalid_argument', field: 'body.address' });
    expect(await post({ amountSat: 1_000, address: mainnet })).toMatchObject({ status: 400, code: 'invalid_argument', field: 'body.address' });
    expect(await post({ amountSat: 1_000, address: otherOperator })).toMatchObject({ status: 400, code: 'invalid_argument', field: 'body.address' });
    expect(await post({ amountSat: 1_000, address: await wallet.getBoardingAddress() })).toMatchObject({ status: 400, field: 'body.address' });
    expect(await post({ amountSat: 0, address: await wallet.getAddress() })).toMatchObject({ status: 400 });
    expect(await post({ amountSat: 10 ** 12, address: await wallet.getAddress() })).toMatchObject({ status: 422, code: 'insufficient_balance' });
    expect(await post({ amountSat: 1_000, address: await wallet.getAddress() }, false)).toMatchObject({ status: 401 });
    // Nothing above reached the ledger.
    expect(arkFundsOf(parts().engine.exchange).withdrawals.length).toBe(2);
  });
});
