/**
 * Money in and out of the exchange through Ark, on the live server over a real regtest bitcoind
 * (BITCOIND_RPC_URL; skipped without it) with stock SDK wallets: a user boards, funds its exchange
 * account with one Ark tx carrying the account's memo, trades nothing, withdraws to its own Ark
 * wallet, and the reconciliation finds one Ark tx behind every ledger flow.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { writeWalletFile } from '../../src/wallet/wallet-file.js';
import { runCli } from '../run-cli.js';
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
  let accountSecret: Uint8Array;
  const walletSecret = randomBytes(32);
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
    accountSecret = randomBytes(32);
    account = hex.encode(schnorr.getPublicKey(accountSecret));
    client = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: accountSecret } });
    await client.syncClock();
    wallet = await sdkWallet(s.url, SingleKey.fromPrivateKey(walletSecret));
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

    // The same both ways from the CLI: the wallet key file and the account key file are different keys.
    const walletFile = join(dir, 'wallet.json');
    const keyFile = join(dir, 'account.key');
    writeWalletFile(walletFile, { kind: 'secret', secretHex: hex.encode(walletSecret) });
    writeFileSync(keyFile, hex.encode(accountSecret));
    const fund = await runCli('wallet', 'fund', '7000', '--account', account, '--json', '--server', s.url, '--wallet-file', walletFile);
    expect(fund.code, fund.err).toBe(0);
    const fundTx = (JSON.parse(fund.out) as { arkTxid: string }).arkTxid;
    await until('CLI deposit credited', async () => ((await balanceSat()) === 42_000n ? true : undefined), 15_000);
    const out = await runCli('wallet', 'withdraw', '3000', '--key-file', keyFile, '--json', '--server', s.url, '--wallet-file', walletFile);
    expect(out.code, out.err).toBe(0);
    const cliW = JSON.parse(out.out) as { arkTxid: string; status: string; requestId: string };
    expect(cliW.status).toBe('settled');
    expect(await balanceSat()).toBe(39_000n);
    await until('CLI withdrawal in the wallet', async () => ((await wallet.getVtxos()).some((v) => v.txid === cliW.arkTxid && v.value === 3_000) ? true : undefined), 15_000);
    expect(arkFundsOf(parts().engine.exchange).deposits.map((d) => d.arkTxid)).toEqual([arkTxid, fundTx]);

    // To L1 in one command: the exchange pays this wallet (the ledger flow's Ark tx), then the wallet's own
    // collaborative exit pays the Bitcoin address in the next batch's commitment tx.
    const l1 = await funder.call<string>('getnewaddress');
    const toL1 = await runCli('wallet', 'withdraw', '5000', '--to', l1, '--key-file', keyFile, '--json', '--server', s.url, '--wallet-file', walletFile);
    expect(toL1.code, toL1.err).toBe(0);
    const l1w = JSON.parse(toL1.out) as { arkTxid: string; commitmentTxid: string; status: string };
    expect(l1w.status).toBe('settled');
    expect(await balanceSat()).toBe(34_000n);
    const commitment = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [l1w.commitmentTxid, true]);
    const paid = commitment.vout.find((o) => o.scriptPubKey.address === l1);
    expect(paid, 'the commitment tx pays the L1 address').toBeDefined();
    expect(Math.round(paid!.value * 1e8)).toBeGreaterThan(4_000); // 5,000 less the server's exit fee (none on regtest)

    // More than L holds: refused by L's wallet before the operator saw a tx, so the debit is reversed.
    await parts().engine.submit({ type: 'Deposit', account, amountSat: 1_000_000 });
    const short = await client.withdrawArk(900_000, to).then(() => undefined, (e: unknown) => e as { status?: number; code?: string });
    expect(short).toMatchObject({ status: 503, code: 'liquidity_short' });
    expect(await balanceSat()).toBe(1_034_000n);
    expect(arkFundsOf(parts().engine.exchange).withdrawals.find((x) => x.amountSat === 900_000)).toMatchObject({ status: 'failed' });

    // Every block: the reconciliation finds one Ark tx behind each flow.
    await mine(1);
    await until('reconciled after the block', async () => {
      const r = (await health()).reconciliation;
      return r && r.deposits === 2 && r.settledWithdrawals === 3 ? r : undefined;
    }, 15_000);
    expect((await health()).reconciliation).toMatchObject({ ok: true, problems: [], pending: [] });

    // A corrupted copy of the ledger's record: the check names each lie.
    const side = parts().arkFunding!.arkSide();
    const real = arkFundsOf(parts().engine.exchange);
    const madeUp = 'ab'.repeat(32);
    const bad = reconcileArkFlows(
      {
        deposits: [{ ...real.deposits[0]!, amountSat: 61_000 }, ...real.deposits.slice(1), { arkTxid: madeUp, account, amountSat: 1 }],
        withdrawals: real.withdrawals.map((x) => (x.requestId === w.requestId ? { ...x, amountSat: 24_000 } : x)),
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
    expect(reconcileArkFlows({ deposits: real.deposits.slice(1), withdrawals: real.withdrawals }, side).problems).toEqual([`Ark tx ${arkTxid} pays the liquidity key 60000 sat for account ${account} and is not credited`]);
    // A withdrawal claiming another's tx.
    const cliRecord = real.withdrawals.find((x) => x.requestId === cliW.requestId)!;
    expect(reconcileArkFlows({ deposits: real.deposits, withdrawals: [...real.withdrawals.filter((x) => x !== cliRecord), { ...cliRecord, arkTxid: w.arkTxid }] }, side).problems).toEqual([
      `withdrawal ${cliW.requestId} (3000 sat from ${account}): Ark tx ${w.arkTxid} already settles withdrawal ${w.requestId}`,
      `withdrawal ${cliW.requestId} (3000 sat from ${account}): Ark tx ${w.arkTxid} does not pay 3000 sat to ${cliRecord.toScript}`,
      `withdrawal ${cliW.requestId} (3000 sat from ${account}): Ark tx ${w.arkTxid} carries no memo for this request`,
    ]);
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
    // The custodial on-chain routes are off by default: no deposit address, no on-chain withdrawal.
    expect(await client.request('GET', '/v1/deposit-address', { signed: true }).then(() => undefined, (e: unknown) => e)).toMatchObject({ status: 404 });
    expect(await client.withdraw(1_000, await wallet.getBoardingAddress()).then(() => undefined, (e: unknown) => e)).toMatchObject({ status: 422, code: 'not_allowed' });
    // Nothing above reached the ledger.
    expect(arkFundsOf(parts().engine.exchange).withdrawals.length).toBe(4);
  });
});
