/**
 * Block-delta contracts as funded VTXOs on the live Ark operator and a real regtest bitcoind
 * (BITCOIND_RPC_URL; skipped without it). Stock SDK wallets hold the users' keys; the operator's side
 * is its liquidity key L (a stock SDK wallet too) and S, which co-signs only what the contract guard
 * allows. Bitcoin Core judges every on-chain step (testmempoolaccept, or the broadcast itself).
 *
 * 1. Opening is one Ark tx the user signs (its stake VTXO + L's VTXO in, the contract VTXO out).
 *    A swap is one Ark tx signed by seller, buyer and S; one that fails midway leaves both untouched.
 *    Settlement follows the engine's header rule: H first pays the FAST holder, T first the SLOW one;
 *    a loser cannot redirect the payout and nobody settles early. A seller who unrolls the contract
 *    VTXO it sold loses it to the swap's checkpoint, which the operator broadcasts.
 * 2. With the operator gone, a FAST winner and a SLOW winner unroll from their own exit data and claim
 *    through their leaf. S, with all of its keys, tries every spend it can make alone in each series
 *    state (before H and T, after T only, after H only, after both): each is refused until its own lock
 *    and CSV have opened, and a winner who did not exit before the other lock opened loses the race.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { base64, hex } from '@scure/base';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { SigHash, TaprootControlBlock, Transaction as ScureTx } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { ArkAddress, EsploraProvider, InMemoryVirtualTxRepository, Transaction, OnchainWallet, RestArkProvider, SingleKey, VtxoScript, isArkError, scriptFromTapLeafScript, type TapLeafScript, type Wallet } from '@arkade-os/sdk';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { fundedWallet } from '../ark/regtest-funds.js';
import { sdkWallet } from '../ark/sdk-wallet.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { registerEsplora } from '../../src/api/esplora/routes.js';
import { buildBlockDeltaVtxo, type BdcSide, type BlockDeltaVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { assertPays, contractInput, openPositionTx, settleTx, swapTx, type SpendableVtxo } from '../../src/bitcoin/block-delta-tx.js';
import { submitCoSigned } from '../../src/wallet/cosign.js';
import { fundExchange } from '../../src/wallet/exchange-funding.js';
import { claimTx } from '../../src/bitcoin/bdc-claim.js';
import { collectExitData, repoFromExitData, unrollChain } from '../../src/wallet/exit.js';
import { bdcHorizonOf, bdcModuleOf, bdcSettlementWindow } from '../../src/engine/products/bdc/index.js';
import { REGTEST_ARK_PARAMS } from '../../src/operator/ark/ark-params.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';
import { HashPerpClient } from '../../src/client/client.js';
import { ProductsClient } from '../../src/client/products-client.js';

vi.setConfig({ testTimeout: 600_000, hookTimeout: 180_000 });

const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The operator's regtest exit delay (REGTEST_ARK_PARAMS.unilateralExitDelay): every claim leaf's CSV. */
const D = 20;
const PAYOUT = 100_000n;

interface Party {
  name: string;
  secret: Uint8Array;
  identity: SingleKey;
  x: Uint8Array;
  wallet: Wallet;
}

interface Position {
  contract: BlockDeltaVtxo;
  outpoint: { txid: string; vout: number };
  series: string;
}

describe.skipIf(URL_ === undefined)('block-delta contract VTXOs on the live operator, judged by Bitcoin Core', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  let serverOpen = false;
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mineTo: string;
  let ark: RestArkProvider;
  let S: Uint8Array;
  let checkpoint: Uint8Array;
  let liq: Party;
  const mine = async (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);
  const tip = () => rpc.call<number>('getblockcount');
  const mtp = async () => (await rpc.call<{ mediantime: number }>('getblockchaininfo')).mediantime;
  const verdict = async (txHex: string) => (await rpc.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [[txHex]]))[0]!;
  const parts = () => s.wiring.parts!;

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'bdc-contracts', 0.6);
    funder = f.wallet;
    mineTo = f.mineTo;
    // The test plays the operator's liquidity wallet itself (liquidityKeeper off), to board L exactly when it needs.
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1, liquidityKeeper: false }), makeWiring({ pollMs: 200 }));
    serverOpen = true;
    // Several coins: each enforcement's CPFP child keeps one of them unconfirmed for a block, and a
    // commitment tx only spends confirmed ones.
    for (const btc of [0.01, 0.02, 0.05, 0.12]) await funder.call('sendtoaddress', [parts().ark!.walletAddress, btc]);
    await mine(1);
    ark = new RestArkProvider(`${s.url}/ark`);
    const info = await ark.getInfo();
    checkpoint = hex.decode(info.checkpointTapscript);
    S = parts().ark!.keys.signerXOnly;
    liq = { name: 'liquidity', secret: new Uint8Array(), identity: parts().ark!.liquidity.identity, x: parts().ark!.liquidity.xOnly, wallet: await sdkWallet(s.url, parts().ark!.liquidity.identity) };
    // The stock wallet of L computes the same Ark address the server registered as the operator's own.
    expect(await liq.wallet.getAddress()).toBe(parts().ark!.liquidity.address);
  });
  afterAll(async () => {
    await rpc?.call('setmocktime', [0]).catch(() => {});
    if (serverOpen) await s?.close();
  });

  const party = async (name: string): Promise<Party> => {
    const secret = randomBytes(32);
    const identity = SingleKey.fromPrivateKey(secret);
    return { name, secret, identity, x: await identity.xOnlyPublicKey(), wallet: await sdkWallet(s.url, identity) };
  };

  /** Every party boards `sat` into the next batch(es); returns the height the batch confirmed at. */
  const board = async (ps: Party[], sat: number[]): Promise<number> => {
    for (let i = 0; i < ps.length; i++) await funder.call('sendtoaddress', [await ps[i]!.wallet.getBoardingAddress(), sat[i]! / 1e8]);
    await mine(1);
    for (const p of ps) await until(`${p.name} boarding`, async () => ((await p.wallet.getBoardingUtxos()).length > 0 ? true : undefined), 30_000);
    await Promise.all(ps.map((p) => p.wallet.settle()));
    await mine(1);
    for (const p of ps) await until(`${p.name} settled`, async () => ((await p.wallet.getBalance()).settled > 0 ? true : undefined), 30_000);
    // The operator dates the batch's expiry from its confirmation, which it notices between batches.
    await parts().ark!.operator.maintain();
    return tip();
  };

  const coin = async (p: Party, min: bigint): Promise<SpendableVtxo> => {
    const v = (await p.wallet.getVtxos()).filter((c) => BigInt(c.value) >= min).sort((a, b) => b.value - a.value)[0];
    if (!v) throw new Error(`${p.name} has no VTXO of ${min} sat`);
    return { txid: v.txid, vout: v.vout, value: v.value, vtxoScript: VtxoScript.decode(v.tapTree), leaf: v.forfeitTapLeafScript };
  };
  const arkScript = async (p: Party) => ArkAddress.decode(await p.wallet.getAddress()).pkScript;
  const seriesOf = (H: number, T: number) => `BDC-${H}-${T}`;

  const contractFor = (user: Party, side: BdcSide, H: number, T: number): BlockDeltaVtxo => {
    const c = buildBlockDeltaVtxo({ user: user.x, operator: S, userSide: side, targetHeight: H, deadline: T, exitDelay: { type: 'blocks', value: BigInt(D) } });
    // What the desk does before the tx is submitted: the guard learns the contract's terms.
    parts().ark!.operator.registerContract({
      script: hex.encode(c.vtxoScript.pkScript), user: hex.encode(user.x), operator: hex.encode(S), side, height: H, deadline: T, exitDelay: D, payoutSat: PAYOUT, series: seriesOf(H, T), registeredAt: Math.floor(Date.now() / 1000),
    });
    return c;
  };

  const listSeries = async (H: number, T: number) => {
    const ack = await parts().engine.submit({ type: 'BdcListSeries', height: H, deadline: T, payoutSat: Number(PAYOUT) });
    expect(ack.events.some((e) => e.type === 'BdcSeriesListed'), JSON.stringify(ack.events)).toBe(true);
  };
  /** Block times follow the node's clock: set it just past T for the eleven blocks MTP needs, then give it back. */
  const pushMtpPast = async (T: number) => {
    await rpc.call('setmocktime', [T + 60]);
    try {
      await mine(11);
    } finally {
      await rpc.call('setmocktime', [0]);
    }
  };
  const winnerOf = (series: string) => bdcModuleOf(parts().engine.exchange).getSeries(series)?.winner;
  /** The engine follows blocks one confirmation deep: mine until it has applied the deciding block. */
  const decided = async (series: string) => {
    for (let i = 0; i < 4 && winnerOf(series) === undefined; i++) {
      await mine(1);
      await until(`engine at the node's tip`, async () => (parts().engine.chainTip().height >= (await tip()) - 1 ? true : undefined), 30_000);
    }
    expect(winnerOf(series), `${series} decided`).toBeDefined();
  };

  const open = async (user: Party, side: BdcSide, H: number, T: number, stake: bigint): Promise<Position> => {
    const contract = contractFor(user, side, H, T);
    const tx = openPositionTx({
      contract, payout: PAYOUT, userStake: stake,
      userInputs: [await coin(user, stake)], operatorInputs: [await coin(liq, PAYOUT - stake)],
      userChange: await arkScript(user), operatorChange: parts().ark!.liquidity.script, dust: 330n, checkpointTapscript: checkpoint,
    });
    assertPays(tx, 0, contract.vtxoScript.pkScript, PAYOUT);
    await submitCoSigned(ark, tx, [{ identity: user.identity, inputs: [0] }, { identity: liq.identity, inputs: [1] }]);
    await until('liquidity change', async () => ((await liq.wallet.getVtxos()).some((v) => v.txid === tx.arkTx.id) ? true : undefined), 30_000);
    return { contract, outpoint: { txid: tx.arkTx.id, vout: 0 }, series: seriesOf(H, T) };
  };

  const refusal = async (p: Promise<unknown>): Promise<string> => {
    const e = await p.then(() => undefined, (err: unknown) => err);
    expect(e, 'expected the operator to refuse').toBeDefined();
    return isArkError(e) ? `${e.name}: ${e.message}` : String(e);
  };

  it('opens a position as an Ark tx, swaps it atomically, settles by the header rule both ways; a seller exiting its old VTXO loses to the checkpoint', async () => {
    const [alice, bob, carol] = [await party('alice'), await party('bob'), await party('carol')];
    const hb = await board([alice, bob, carol, liq], [100_000, 100_000, 100_000, 400_000]);
    const t0 = await mtp();
    const HA = hb + 12;
    const TA = t0 + 30 * 86_400;
    const HB = hb + 30;
    // T is close: pushing the node's clock far would leave later suites on this node unable to mine.
    const TB = t0 + 600;
    await listSeries(HA, TA);
    await listSeries(HB, TB);
    const store = parts().ark!.store;

    // Opening: alice FAST 30 000 of 100 000, bob SLOW 40 000; L pays the rest; S co-signs.
    const A = await open(alice, 'FAST', HA, TA, 30_000n);
    const B = await open(bob, 'SLOW', HB, TB, 40_000n);
    for (const p of [A, B]) {
      const v = store.vtxo(p.outpoint.txid, p.outpoint.vout)!;
      expect(v.amount).toBe(PAYOUT);
      expect(v.script).toBe(hex.encode(p.contract.vtxoScript.pkScript));
    }
    await until('alice change', async () => ((await alice.wallet.getBalance()).available === 70_000 ? true : undefined), 30_000);
    // A position cannot be opened in a series the batch does not outlive (lifetime rule): H beyond expiry.
    const far = contractFor(carol, 'FAST', hb + 200, TA);
    const late = openPositionTx({ contract: far, payout: PAYOUT, userStake: 10_000n, userInputs: [await coin(carol, 10_000n)], operatorInputs: [await coin(liq, 90_000n)], userChange: await arkScript(carol), operatorChange: parts().ark!.liquidity.script, dust: 330n, checkpointTapscript: checkpoint });
    expect(await refusal(submitCoSigned(ark, late, [{ identity: carol.identity, inputs: [0] }, { identity: liq.identity, inputs: [1] }]))).toMatch(/CONTRACT_SPEND_REFUSED.*batch life/);

    // Before the outcome bob cannot settle his contract to himself, though he signs and S's leaf is automatic.
    const early = settleTx(contractInput(B.contract, B.outpoint, Number(PAYOUT)), await arkScript(bob), checkpoint);
    expect(await refusal(submitCoSigned(ark, early, [{ identity: bob.identity, inputs: [0] }]))).toMatch(/CONTRACT_SPEND_REFUSED.*same contract/);

    // A swap that fails midway (carol's payment signed by the wrong key) changes nothing; the same inputs then swap.
    const carolA = contractFor(carol, 'FAST', HA, TA);
    const carolPays = await coin(carol, 50_000n);
    const alicePayee = await arkScript(alice);
    const carolChange = await arkScript(carol);
    const swap = () => swapTx({ sellerContract: contractInput(A.contract, A.outpoint, Number(PAYOUT)), buyerContract: carolA, buyerInputs: [carolPays], price: 50_000n, sellerPayee: alicePayee, buyerChange: carolChange, dust: 330n, checkpointTapscript: checkpoint });
    const bad = swap();
    // The seller signed, the buyer never did: the operator refuses the whole tx.
    const sellerOnly = await alice.identity.sign(bad.arkTx, [0]);
    expect(await refusal(ark.submitTx(base64.encode(sellerOnly.toPSBT()), bad.checkpoints.map((c) => base64.encode(c.toPSBT()))))).toMatch(/ARK_TX_INPUT_NOT_SIGNED|INVALID_SIGNATURE/);
    // A buyer signature forged with another key is refused too.
    const forged = await alice.identity.sign(bad.arkTx, [0]);
    const leaf = forged.getInput(1).tapLeafScript![0]!;
    const lscript = scriptFromTapLeafScript(leaf as TapLeafScript);
    const prevouts = [0, 1].map((i) => forged.getInput(i).witnessUtxo!);
    const msg = forged.preimageWitnessV1(1, prevouts.map((p) => p.script), SigHash.DEFAULT, prevouts.map((p) => p.amount), undefined, lscript, 0xc0);
    forged.updateInput(1, { tapScriptSig: [[{ pubKey: carol.x, leafHash: tapLeafHash(lscript, 0xc0) }, schnorr.sign(msg, bob.secret)]] });
    expect(await refusal(ark.submitTx(base64.encode(forged.toPSBT()), bad.checkpoints.map((c) => base64.encode(c.toPSBT()))))).toMatch(/INVALID_SIGNATURE/);
    expect(store.vtxo(A.outpoint.txid, A.outpoint.vout)!.spentBy).toBe('');
    expect(store.vtxo(carolPays.txid, carolPays.vout)!.spentBy).toBe('');
    const good = swap();
    assertPays(good, 0, carolA.vtxoScript.pkScript, PAYOUT);
    assertPays(good, 1, alicePayee, 50_000n);
    await submitCoSigned(ark, good, [{ identity: alice.identity, inputs: [0] }, { identity: carol.identity, inputs: [1] }]);
    const C: Position = { contract: carolA, outpoint: { txid: good.arkTx.id, vout: 0 }, series: A.series };
    expect(store.vtxo(A.outpoint.txid, A.outpoint.vout)!.spentBy).not.toBe('');
    expect(store.vtxo(C.outpoint.txid, 0)!.amount).toBe(PAYOUT); // the transfer took nothing out of the contract
    await until('alice paid', async () => ((await alice.wallet.getBalance()).available === 120_000 ? true : undefined), 30_000);
    await until('carol change', async () => ((await carol.wallet.getVtxos()).every((v) => v.txid !== carolPays.txid) ? true : undefined), 30_000);

    // Carol also takes FAST in bob's series (S is SLOW there): T first will make her the loser.
    const C2 = await open(carol, 'FAST', HB, TB, 20_000n);

    // Block H_A arrives first: FAST won. Carol, holding the FAST side now, is paid by a cooperative Ark tx.
    await mine(HA - (await tip()));
    await decided(A.series);
    expect(winnerOf(A.series)).toBe('FAST');
    const settleC = settleTx(contractInput(C.contract, C.outpoint, Number(PAYOUT)), await arkScript(carol), checkpoint);
    await submitCoSigned(ark, settleC, [{ identity: carol.identity, inputs: [0] }]);
    await until('carol paid', async () => ((await carol.wallet.getBalance()).available === 130_000 ? true : undefined), 30_000);
    // No double payout: the contract VTXO is gone.
    expect(await refusal(submitCoSigned(ark, settleTx(contractInput(C.contract, C.outpoint, Number(PAYOUT)), await arkScript(carol), checkpoint), [{ identity: carol.identity, inputs: [0] }]))).toMatch(/VTXO_ALREADY_SPENT/);

    // T_B passes before H_B: SLOW won. Bob is paid; carol (FAST, lost to S) can only release to S.
    await pushMtpPast(TB);
    expect(await mtp()).toBeGreaterThanOrEqual(TB);
    expect(await tip()).toBeLessThan(HB);
    await decided(B.series);
    expect(await tip()).toBeLessThan(HB);
    expect(winnerOf(B.series)).toBe('SLOW');
    await submitCoSigned(ark, settleTx(contractInput(B.contract, B.outpoint, Number(PAYOUT)), await arkScript(bob), checkpoint), [{ identity: bob.identity, inputs: [0] }]);
    await until('bob paid', async () => ((await bob.wallet.getBalance()).available === 160_000 ? true : undefined), 30_000);
    const c2In = contractInput(C2.contract, C2.outpoint, Number(PAYOUT));
    expect(await refusal(submitCoSigned(ark, settleTx(c2In, await arkScript(carol), checkpoint), [{ identity: carol.identity, inputs: [0] }]))).toMatch(/CONTRACT_SPEND_REFUSED.*must pay the operator/);
    await submitCoSigned(ark, settleTx(c2In, parts().ark!.liquidity.script, checkpoint), [{ identity: carol.identity, inputs: [0] }]);

    // Alice sold A to carol; she unrolls the old contract VTXO anyway. The operator answers with the swap's
    // checkpoint (signed by alice at the swap), which spends A through leaf 1 before her CSV opens.
    const feeWallet = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', new EsploraProvider(`${s.url}/esplora`, { forcePolling: true }));
    await funder.call('sendtoaddress', [feeWallet.address, 0.002]);
    await mine(1);
    const data = await collectExitData(alice.wallet, new InMemoryVirtualTxRepository(), [{ ...A.outpoint, value: Number(PAYOUT), tapTree: A.contract.vtxoScript.encode() }], 'regtest');
    expect(data.missing).toEqual([]);
    const exit = data.vtxos[0]!;
    const repo = await repoFromExitData(exit);
    for (let i = 0; i < 20; i++) {
      const r = await unrollChain({ vtxo: A.outpoint, chain: exit.chain.map((c) => ({ txid: c.txid, type: c.type as never, spends: c.spends, expiresAt: '' })), repo, feeWallet, explorer: new EsploraProvider(`${s.url}/esplora`, { forcePolling: true }), indexer: alice.wallet.indexerProvider, wait: false, onStep: () => {} });
      if (r === 'done') break;
      await mine(1);
    }
    const unrolledAt = await tip();
    // The old contract VTXO is on chain (its Ark tx confirmed); the operator has seen it in a block.
    expect((await rpc.call<{ confirmations: number }>('getrawtransaction', [A.outpoint.txid, true])).confirmations).toBeGreaterThanOrEqual(1);
    const checkpointTxid = store.vtxo(A.outpoint.txid, A.outpoint.vout)!.spentBy;
    for (let i = 0; i < 6 && (await rpc.call<{ confirmations?: number } | undefined>('getrawtransaction', [checkpointTxid, true]).catch(() => undefined))?.confirmations === undefined; i++) {
      await parts().ark!.operator.maintain();
      await mine(1);
    }
    const cp = await rpc.call<{ confirmations: number; vin: { txid: string; vout: number }[] }>('getrawtransaction', [checkpointTxid, true]);
    expect(cp.confirmations).toBeGreaterThanOrEqual(1);
    expect(cp.vin[0]).toMatchObject({ txid: A.outpoint.txid, vout: A.outpoint.vout });
    expect(await rpc.call('gettxout', [A.outpoint.txid, A.outpoint.vout, true])).toBeNull();
    // It took fewer blocks than alice's CSV: her leaf 2 claim could never have been mined first.
    expect((await tip()) - unrolledAt).toBeLessThan(D);
    for (const p of [alice, bob, carol]) await p.wallet.dispose();
  });
  it('through the book: two users trade a series, the desk opens each position as a contract VTXO, one is sold by an atomic Ark swap offer (nothing moves until both sign), a taker opens from its own wallet in one Ark tx it signs, FAST winners are paid by Ark txs they sign and not by the ledger', async () => {
    const [ann, ben, cal, dee] = [await party('ann'), await party('ben'), await party('cal'), await party('dee')];
    await board([ann, ben, cal, dee, liq], [100_000, 100_000, 100_000, 100_000, 500_000]);
    // Exchange accounts (API keys, separate from the wallet keys).
    const accounts = [randomBytes(32), randomBytes(32), randomBytes(32), randomBytes(32)];
    const clients = await Promise.all(accounts.map(async (sk) => {
      const c = new HashPerpClient({ baseUrl: s.url, credentials: { kind: 'account', secretKey: sk } });
      await c.syncClock();
      return { c, p: new ProductsClient(c), id: hex.encode(schnorr.getPublicKey(sk)) };
    }));
    // Each funds its trading account from its own wallet: one Ark tx it signs, paying L with its account's memo.
    const funded = await Promise.all([[ann, 50_000], [ben, 70_000]].map(async ([w, sat], i) => {
      const r = await fundExchange((w as Party).wallet, { account: clients[i]!.id, amountSat: sat as number, liquidityAddress: parts().ark!.liquidity.address });
      await until('deposit credited', () => (parts().engine.exchange.ledger.balance(`user:${clients[i]!.id}`) === BigInt(sat as number) * 1000n ? true : undefined), 20_000);
      return r.arkTxid;
    }));
    // Each registers its Ark wallet key as U of its contracts.
    await clients[0]!.p.setBdcContractKey(hex.encode(ann.x));
    await clients[1]!.p.setBdcContractKey(hex.encode(ben.x));
    await clients[2]!.p.setBdcContractKey(hex.encode(cal.x));
    await clients[3]!.p.setBdcContractKey(hex.encode(dee.x));
    const tip0 = parts().engine.chainTip().height;
    const H = tip0 + 8;
    const T = (await mtp()) + 30 * 86_400;
    await listSeries(H, T);
    const series = seriesOf(H, T);
    // Ben rests SLOW 1 @ 4000 bps; ann takes FAST: one fill, a FAST (ann) and a SLOW (ben) position, each against S.
    await clients[1]!.p.placeBdcOrder({ series, side: 'SLOW', price: 4000, qty: 1 });
    const ack = await clients[0]!.p.placeBdcOrder({ series, side: 'FAST', price: 4000, qty: 1, tif: 'IOC' });
    expect(ack).toMatchObject({ status: 'filled', filled: 1 });
    const annPos = String(ack.positionIds[0]);
    const benPos = String((await clients[1]!.p.bdcPositions()).positions[0]!.positionId);
    const docs = await Promise.all([[clients[0]!, annPos], [clients[1]!, benPos]].map(([k, id]) =>
      until(`${String(id)} funded`, async () => {
        const d = await (k as (typeof clients)[number]).p.bdcContract(id as string);
        return d.status === 'funded' ? d : undefined;
      }, 60_000)));
    const store = parts().ark!.store;
    for (const [d, who] of [[docs[0]!, ann], [docs[1]!, ben]] as const) {
      const [txid, vout] = d.outpoint!.split(':');
      const v = store.vtxo(txid!, Number(vout))!;
      const c = buildBlockDeltaVtxo({ user: who.x, operator: S, userSide: (d.terms as { side: BdcSide }).side, targetHeight: H, deadline: T, exitDelay: { type: 'blocks', value: BigInt(D) } });
      expect(v.script).toBe(hex.encode(c.vtxoScript.pkScript)); // U is the wallet key the holder registered
      expect(v.amount).toBe(PAYOUT);
    }
    expect(parts().desk!.reconcileNow()).toEqual([]);
    // The holder's exit data: every signed tx from the batch down to its contract VTXO.
    const exitData = (await clients[0]!.p.bdcExitPackage(annPos)) as { outpoint: string; chain: { psbt: string | null }[] };
    expect(exitData.outpoint).toBe(docs[0]!.outpoint);
    expect(exitData.chain.filter((t) => t.psbt !== null).length).toBeGreaterThanOrEqual(3);

    // Ben offers his SLOW position for 30,000 sat; cal accepts it as an atomic Ark swap.
    const offer = await clients[1]!.p.offerPosition({ product: 'bdc', positionId: benPos, priceMsat: '30000000' });
    const calCoin = (await cal.wallet.getVtxos())[0]!;
    const swap = await clients[2]!.p.prepareBdcSwap(offer.offerId, [{ txid: calCoin.txid, vout: calCoin.vout, tapTree: hex.encode(calCoin.tapTree) }]);
    const signAs = async (who: Party, inputs: number[]) => {
      const ark0 = await who.identity.sign(Transaction.fromPSBT(base64.decode(swap.arkTx)), inputs);
      const cps = await Promise.all(swap.checkpoints.map(async (c, i) => {
        const t = Transaction.fromPSBT(base64.decode(c));
        return base64.encode((inputs.includes(i) ? await who.identity.sign(t, [0]) : t).toPSBT());
      }));
      return { arkTx: base64.encode(ark0.toPSBT()), checkpoints: cps };
    };
    // Only cal signs: nothing moves (ledger, positions and VTXOs as they were); a forged seller signature is refused.
    const calSigs = await signAs(cal, swap.buyerInputs);
    const half = await clients[2]!.p.signBdcSwap(swap.swapId, calSigs.arkTx, calSigs.checkpoints);
    expect(half).toMatchObject({ status: 'signing', signed: { buyer: true, seller: false } });
    const [bt0, bv0] = docs[1]!.outpoint!.split(':');
    expect(store.vtxo(bt0!, Number(bv0))!.spentBy).toBe('');
    expect(store.vtxo(calCoin.txid, calCoin.vout)!.spentBy).toBe('');
    expect(bdcModuleOf(parts().engine.exchange).getPosition(benPos)?.owner).toBe(`user:${clients[1]!.id}`);
    const forged = await signAs(cal, [0]).catch((e: unknown) => e); // cal's key is not in the seller's leaf: the SDK refuses to sign it
    expect(forged).toBeInstanceOf(Error);
    await expect(clients[1]!.p.signBdcSwap(swap.swapId, calSigs.arkTx, calSigs.checkpoints)).rejects.toMatchObject({ status: 400 });
    // Ben signs: the swap goes through in one Ark tx, and only then the engine records it.
    const benSigs = await signAs(ben, swap.sellerInputs);
    const done = await clients[1]!.p.signBdcSwap(swap.swapId, benSigs.arkTx, benSigs.checkpoints);
    expect(done, JSON.stringify(done)).toMatchObject({ status: 'recorded' });
    const moved = bdcModuleOf(parts().engine.exchange).getPosition(benPos)!;
    expect(moved).toMatchObject({ owner: `user:${clients[2]!.id}`, vtxo: `${swap.swapId}:0` });
    expect(store.vtxo(bt0!, Number(bv0))!.spentBy).not.toBe('');
    const calContract = buildBlockDeltaVtxo({ user: cal.x, operator: S, userSide: 'SLOW', targetHeight: H, deadline: T, exitDelay: { type: 'blocks', value: BigInt(D) } });
    expect(store.vtxo(swap.swapId, 0)).toMatchObject({ amount: PAYOUT, script: hex.encode(calContract.vtxoScript.pkScript) }); // the transfer kept the whole payout
    await until('ben paid the price', async () => ((await ben.wallet.getVtxos()).some((v) => v.txid === swap.swapId && v.value === 30_000) ? true : undefined), 30_000);
    expect(parts().desk!.reconcileNow()).toEqual([]);

    // Dee takes FAST straight from her Ark wallet against ben's resting SLOW order: one Ark tx she signs spends her
    // stake VTXO and L's coin into her contract VTXO, and the engine fills the order in the same step.
    await fundExchange(ben.wallet, { account: clients[1]!.id, amountSat: 45_000, liquidityAddress: parts().ark!.liquidity.address });
    await until('ben credited again', () => (parts().engine.exchange.ledger.balance(`user:${clients[1]!.id}`) >= 40_000_000n ? true : undefined), 20_000);
    await clients[1]!.p.placeBdcOrder({ series, side: 'SLOW', price: 6000, qty: 1 });
    const deeCoin = (await dee.wallet.getVtxos())[0]!;
    const take = await clients[3]!.p.prepareBdcTake({ series, side: 'FAST', price: 6000, qty: 1, inputs: [{ txid: deeCoin.txid, vout: deeCoin.vout, tapTree: hex.encode(deeCoin.tapTree) }] });
    expect(take).toMatchObject({ stakeSat: 60_000, depositSat: 60_121 }); // 60,000 + the 0.2 % fee (120) + a sat of rounding margin
    const deeArk = await dee.identity.sign(Transaction.fromPSBT(base64.decode(take.arkTx)), take.userInputs);
    const deeCps = await Promise.all(take.checkpoints.map(async (c, i) => base64.encode((take.userInputs.includes(i) ? await dee.identity.sign(Transaction.fromPSBT(base64.decode(c)), [0]) : Transaction.fromPSBT(base64.decode(c))).toPSBT())));
    const took = await clients[3]!.p.signBdcTake(take.takeId, base64.encode(deeArk.toPSBT()), deeCps);
    expect(took, JSON.stringify(took)).toMatchObject({ status: 'recorded' });
    const deePos = String(took.positions![0]);
    expect(bdcModuleOf(parts().engine.exchange).getPosition(deePos)).toMatchObject({ side: 'FAST', vtxo: `${take.takeId}:0` });
    const deeContract = buildBlockDeltaVtxo({ user: dee.x, operator: S, userSide: 'FAST', targetHeight: H, deadline: T, exitDelay: { type: 'blocks', value: BigInt(D) } });
    expect(store.vtxo(take.takeId, 0)).toMatchObject({ amount: PAYOUT, script: hex.encode(deeContract.vtxoScript.pkScript) });
    expect(store.vtxo(deeCoin.txid, deeCoin.vout)!.spentBy).not.toBe(''); // her own stake VTXO went into it
    expect(parts().engine.exchange.ledger.balance(`user:${clients[3]!.id}`)).toBe(1_000n); // 60,121 in; 60,000 staked, 120 fee
    await until('ben’s new position funded', async () => (parts().desk!.reconcileNow().length === 0 && bdcModuleOf(parts().engine.exchange).positionsOf(clients[1]!.id).every((p) => p.vtxo !== undefined) ? true : undefined), 30_000).catch((e: unknown) => {
      throw new Error(`${String(e)}: ${JSON.stringify(parts().desk!.status())} ${parts().desk!.reconcileNow().join('; ')}`);
    });

    // Block H: FAST won. Ann's exchange balance is not credited (her VTXO pays her); she settles cooperatively.
    const balanceBefore = parts().engine.exchange.ledger.balance(`user:${clients[0]!.id}`);
    while ((await tip()) < H) await mine(1);
    await decided(series);
    expect(winnerOf(series)).toBe('FAST');
    expect(parts().engine.exchange.ledger.balance(`user:${clients[0]!.id}`)).toBe(balanceBefore);
    // The engine has forgotten the settled positions; the holders' documents still say what to settle.
    expect(await clients[0]!.p.bdcContract(annPos)).toMatchObject({ status: 'settled', winner: 'FAST', outpoint: docs[0]!.outpoint, account: clients[0]!.id });
    expect(await clients[2]!.p.bdcContract(benPos)).toMatchObject({ status: 'settled', outpoint: `${swap.swapId}:0`, account: clients[2]!.id });
    await expect(clients[1]!.p.bdcContract(benPos)).rejects.toMatchObject({ status: 404 }); // ben sold it
    expect((await clients[2]!.p.bdcContracts()).contracts.map((c) => c.positionId)).toEqual([benPos]);
    // Ben sold his first position; the one left is his second (against dee's take), decided and not yet released.
    expect((await clients[1]!.p.bdcContracts()).contracts.map((c) => c.positionId)).not.toContain(benPos);
    const annContract = buildBlockDeltaVtxo({ user: ann.x, operator: S, userSide: 'FAST', targetHeight: H, deadline: T, exitDelay: { type: 'blocks', value: BigInt(D) } });
    const [at, av] = docs[0]!.outpoint!.split(':');
    const annBefore = (await ann.wallet.getBalance()).available;
    await submitCoSigned(ark, settleTx(contractInput(annContract, { txid: at!, vout: Number(av) }, Number(PAYOUT)), await arkScript(ann), checkpoint), [{ identity: ann.identity, inputs: [0] }]);
    await until('ann paid', async () => ((await ann.wallet.getBalance()).available === annBefore + Number(PAYOUT) ? true : undefined), 30_000);
    // Dee too: her take's contract VTXO pays her.
    const deeBefore = (await dee.wallet.getBalance()).available;
    await submitCoSigned(ark, settleTx(contractInput(deeContract, { txid: take.takeId, vout: 0 }, Number(PAYOUT)), await arkScript(dee), checkpoint), [{ identity: dee.identity, inputs: [0] }]);
    await until('dee paid', async () => ((await dee.wallet.getBalance()).available === deeBefore + Number(PAYOUT) ? true : undefined), 30_000);
    // Cal, now holding the losing SLOW side, cannot pay himself; he releases the contract VTXO to the operator's liquidity.
    const calIn = contractInput(calContract, { txid: swap.swapId, vout: 0 }, Number(PAYOUT));
    expect(await refusal(submitCoSigned(ark, settleTx(calIn, await arkScript(cal), checkpoint), [{ identity: cal.identity, inputs: [0] }]))).toMatch(/CONTRACT_SPEND_REFUSED/);
    await submitCoSigned(ark, settleTx(calIn, parts().ark!.liquidity.script, checkpoint), [{ identity: cal.identity, inputs: [0] }]);
    expect(parts().desk!.reconcileNow()).toEqual([]);
    console.info(`block-delta through the book: deposits ${funded.join(', ')}; contracts ${docs.map((d) => d.outpoint).join(', ')}; swap ${swap.swapId}; take ${take.takeId}; series ${series} decided FAST`);
    for (const p of [ann, ben, cal, dee]) await p.wallet.dispose();
  });

  it('with the operator gone, FAST and SLOW winners exit and claim alone; S alone is refused in each series state until its lock and CSV open; a winner who waits past the other lock loses the race', async () => {
    const [dan, eve, fay] = [await party('dan'), await party('eve'), await party('fay')];
    await board([dan, eve, fay, liq], [100_000, 100_000, 100_000, 300_000]);
    const store = parts().ark!.store;
    const t1 = await mtp();
    // The latest H the lifetime rule allows for these coins: their batch expiry less the settlement window.
    const funding = [...(await dan.wallet.getVtxos()), ...(await liq.wallet.getVtxos())].map((v) => store.vtxo(v.txid, v.vout)!.expiresAt);
    // The engine's horizon counts from its own tip, a block or two behind the node's: the stricter of the two.
    const H = Math.min(Math.min(...funding) - bdcSettlementWindow(REGTEST_ARK_PARAMS).blocks, parts().engine.chainTip().height + bdcHorizonOf(REGTEST_ARK_PARAMS).blocks);
    const TX = t1 + 30 * 86_400;
    const TY = t1 + 600;
    const HY = H + 100; // decided by T well before: the time bound admits it
    await listSeries(H, TX);
    await listSeries(HY, TY);
    await listSeries(H, TY);
    const X = await open(dan, 'FAST', H, TX, 30_000n); // H first (T is a month out): dan wins
    const Y = await open(eve, 'SLOW', HY, TY, 40_000n); // T first (H is far): eve wins
    const Z = await open(fay, 'SLOW', H, TY, 40_000n); // T first, then H too: fay won, but never exits
    const positions = [X, Y, Z];

    // Each holder keeps its exit data (every signed tx down from the batch) while the operator is up.
    const exits = await Promise.all(
      ([[dan, X], [eve, Y], [fay, Z]] as const).map(async ([p, pos]) => {
        const d = await collectExitData(p.wallet, new InMemoryVirtualTxRepository(), [{ ...pos.outpoint, value: Number(PAYOUT), tapTree: pos.contract.vtxoScript.encode() }], 'regtest');
        expect(d.missing).toEqual([]);
        return d.vtxos[0]!;
      }),
    );
    const esplora = Fastify();
    await registerEsplora(esplora, { rpc, network: 'regtest' });
    const ownEsplora = new EsploraProvider(`${await esplora.listen({ port: 0, host: '127.0.0.1' })}/esplora`, { forcePolling: true });
    // Each holder pays its own CPFP fees (TRUC: a child may have one unconfirmed parent, so two exits
    // sharing one fee coin in a block would collide).
    const feeWallets = await Promise.all([0, 1, 2].map(() => OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', ownEsplora)));
    for (const w of feeWallets) await funder.call('sendtoaddress', [w.address, 0.001]);
    await mine(1);
    const keys = parts().ark!.keys;
    const indexer = dan.wallet.indexerProvider;
    for (const p of [dan, eve, fay, liq]) await p.wallet.dispose();

    // The operator is gone.
    await s.close();
    serverOpen = false;
    try {
      const pending = new Set([0, 1, 2]);
      for (let i = 0; i < 40 && pending.size > 0; i++) {
        for (const k of [...pending]) {
          const r = await unrollChain({ vtxo: positions[k]!.outpoint, chain: exits[k]!.chain.map((c) => ({ txid: c.txid, type: c.type as never, spends: c.spends, expiresAt: '' })), repo: await repoFromExitData(exits[k]!), feeWallet: feeWallets[k]!, explorer: ownEsplora, indexer, wait: false, onStep: () => {} });
          if (r === 'done') pending.delete(k);
        }
        if (pending.size > 0) await mine(1);
      }
      expect(pending.size).toBe(0);
      const unrolled = await tip();
      expect(unrolled).toBeLessThan(H);
      for (const p of positions) expect(await rpc.call('gettxout', [p.outpoint.txid, p.outpoint.vout, false])).not.toBeNull();

      const sink = hex.decode(await funder.call<string>('getnewaddress', ['', 'bech32m']).then(async (a) => (await rpc.call<{ scriptPubKey: string }>('validateaddress', [a])).scriptPubKey));
      /** S alone: leaf 1 with its signature and a forged one for U, or a claim leaf signed with S's key. */
      const sAlone = (pos: Position, leaf: 1 | 2 | 3): string => {
        const c = pos.contract;
        const lockTime = leaf === 2 ? c.fastLockTime : leaf === 3 ? c.slowLockTime : 0;
        const t = new ScureTx({ version: 2, lockTime });
        const prev = { script: c.vtxoScript.pkScript, amount: PAYOUT };
        t.addInput({ txid: pos.outpoint.txid, index: pos.outpoint.vout, witnessUtxo: prev, sequence: leaf === 1 ? 0xfffffffe : D });
        t.addOutput({ script: sink, amount: PAYOUT - 2_000n });
        const tl = c.leaf(leaf);
        const script = scriptFromTapLeafScript(tl as TapLeafScript);
        const sig = schnorr.sign(t.preimageWitnessV1(0, [prev.script], SigHash.DEFAULT, [prev.amount], undefined, script, 0xc0), keys.signerSecret);
        t.updateInput(0, { finalScriptWitness: [...(leaf === 1 ? [sig, randomBytes(64)] : [sig]), script, TaprootControlBlock.encode(tl[0])] });
        return hex.encode(t.extract());
      };
      const claim = (pos: Position, p: Party, side: BdcSide) => hex.encode(claimTx({ contract: pos.contract, outpoint: pos.outpoint, value: PAYOUT, side, secret: p.secret, to: sink, fee: 2_000n }).extract());
      const report: Record<string, string> = {};
      const judge = async (label: string, txHex: string) => {
        const v = await verdict(txHex);
        return (report[label] = v.allowed ? 'accepted' : v['reject-reason']!);
      };

      // State 1: before H and T. S's own claim leaves are not final; leaf 1 needs U's signature.
      for (const [n, pos] of [['X', X], ['Y', Y], ['Z', Z]] as const) {
        expect(await judge(`before H,T: S leaf 1 on ${n}`, sAlone(pos, 1))).toMatch(/Invalid Schnorr signature|script-verify/);
        expect(await judge(`before H,T: S claim on ${n}`, sAlone(pos, pos === X ? 3 : 2))).toBe('non-final');
      }
      expect(await judge('before H,T: dan claims X', claim(X, dan, 'FAST'))).toBe('non-final');
      expect(await judge('before H,T: eve claims Y', claim(Y, eve, 'SLOW'))).toBe('non-final');

      // MTP passes T (Y and Z's deadline); the chain also passes H (X and Z's height) meanwhile.
      await pushMtpPast(TY);
      expect(await mtp()).toBeGreaterThanOrEqual(TY);
      const now = await tip();
      expect(now).toBeGreaterThanOrEqual(H);
      expect(now).toBeLessThan(HY);
      // Eve's lock is open but her CSV has not matured: Bitcoin Core's BIP-68 check refuses her claim.
      if (now < unrolled + D - 1) expect(await judge('after T, before CSV: eve claims Y', claim(Y, eve, 'SLOW'))).toBe('non-BIP68-final');
      await mine(Math.max(0, unrolled + D - now));
      expect(await tip()).toBeLessThan(HY);
      // X, after H only (T a month out): S's SLOW leaf stays locked; dan, FAST, claims.
      expect(await judge('after H only: S claim on X', sAlone(X, 3))).toBe('non-final');
      const danClaim = claim(X, dan, 'FAST');
      expect(await judge('after H only: dan claims X', danClaim)).toBe('accepted');
      // Y, after T only (H far): S's FAST leaf stays locked; eve, SLOW, claims.
      expect(await judge('after T only: S claim on Y', sAlone(Y, 2))).toBe('non-final');
      const eveClaim = claim(Y, eve, 'SLOW');
      expect(await judge('after T only: eve claims Y', eveClaim)).toBe('accepted');
      // Z, after both: fay won (T came first) but never exited; now S's FAST leaf is open too: the race.
      expect(await judge("after both: S signs fay's leaf on Z", sAlone(Z, 3))).toMatch(/Invalid Schnorr signature|script-verify/);
      const sTakesZ = sAlone(Z, 2);
      expect(await judge('after both: S claims Z', sTakesZ)).toBe('accepted');
      for (const t of [danClaim, eveClaim, sTakesZ]) await rpc.call('sendrawtransaction', [t]);
      await mine(1);
      expect(await judge('after both, S first: fay claims Z', claim(Z, fay, 'SLOW'))).toMatch(/missingorspent|missing-inputs/);
      for (const p of positions) expect(await rpc.call('gettxout', [p.outpoint.txid, p.outpoint.vout, false])).toBeNull();
      console.info(`block-delta regtest verdicts (H=${H}, H_Y=${HY}, T=${TY}):\n${Object.entries(report).map(([k, v]) => `  ${k}: ${v}`).join('\n')}`);
    } finally {
      await esplora.close();
    }
  });
});
