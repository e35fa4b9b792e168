/**
 * The cheaters against the live Ark operator on a real regtest bitcoind (BITCOIND_RPC_URL; skipped
 * without it). Bitcoin Core is the judge: every transaction a cheater can build is offered to the
 * node (testmempoolaccept / broadcast) and refused, or the honest party's transaction wins.
 * - The operator, holding all of its own keys (S, the forfeit key, the wallet key), tries every spend
 *   it can sign alone of a user's boarding output and of a user's VTXO / batch: key path, the
 *   collaborative leaf with only its own signature, the exit leaf, the sweep before expiry.
 * - A user who forfeited a VTXO (renewed it into a new batch) and unrolls the old one: the operator
 *   takes it with the connector branch and the forfeit before the user's exit delay opens.
 * - A VTXO spent twice offchain: the second Ark tx is refused.
 * - An intent whose proof is signed by someone else: refused.
 */
import { rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { hex, base64 } from '@scure/base';
import { SigHash, TaprootControlBlock, Transaction, p2tr } from '@scure/btc-signer';
import { schnorr } from '@noble/curves/secp256k1.js';
import { ArkAddress, CSVMultisigTapscript, DefaultVtxo, EsploraProvider, Intent, OnchainWallet, RestArkProvider, RestIndexerProvider, SingleKey, Unroll, buildOffchainTx, isArkError, scriptFromTapLeafScript, type TapLeafScript } from '@arkade-os/sdk';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { fundedWallet } from '../ark/regtest-funds.js';
import { sdkWallet } from '../ark/sdk-wallet.js';
import { makeWiring } from '../../src/server/compose.js';
import { startServe } from '../../src/server/start.js';
import { batchSweepInput, buildSweepTx } from '../../src/operator/ark/sweep.js';
import { serveConfig, tempDb, until } from '../serve/helpers.js';

vi.setConfig({ testTimeout: 300_000, hookTimeout: 120_000 });

const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe.skipIf(URL_ === undefined)('cheaters against the live Ark operator, judged by Bitcoin Core', () => {
  let s: Awaited<ReturnType<typeof startServe>>;
  let rpc: BitcoindRpc;
  let funder: BitcoindRpc;
  let mineTo: string;
  const mine = async (n = 1) => rpc.call('generatetoaddress', [n, mineTo]);
  /** Bitcoin Core's verdict on a raw tx, without broadcasting it. */
  const verdict = async (txHex: string) => (await rpc.call<{ allowed: boolean; 'reject-reason'?: string }[]>('testmempoolaccept', [[txHex]]))[0]!;

  beforeAll(async () => {
    rpc = new BitcoindRpc(URL_!);
    const f = await fundedWallet(URL_!, 'ark-cheaters', 0.5);
    funder = f.wallet;
    mineTo = f.mineTo;
    s = await startServe(serveConfig(db, { chain: 'bitcoind', rpc: URL_!, demo: false, confirmations: 1 }), makeWiring({ pollMs: 200 }));
    await funder.call('sendtoaddress', [s.wiring.parts!.ark!.walletAddress, 0.2]);
    await mine(1);
  });
  afterAll(async () => {
    await s?.close();
  });

  const newWallet = async (identity = SingleKey.fromRandomBytes()) => ({ identity, wallet: await sdkWallet(s.url, identity) }) as const;

  it('the operator alone can spend neither a boarding output nor a batch before its expiry; a forfeited VTXO unrolled by its old owner goes to the operator', async () => {
    const keys = s.wiring.parts!.ark!.keys;
    const { identity, wallet: alice } = await newWallet();
    const aliceX = await identity.xOnlyPublicKey();
    const boardingAddr = await alice.getBoardingAddress();
    const fundTxid = await funder.call<string>('sendtoaddress', [boardingAddr, 0.001]);
    await mine(1);
    const fundTx = await rpc.call<{ vout: { n: number; value: number; scriptPubKey: { address?: string; hex: string } }[] }>('getrawtransaction', [fundTxid, true]);
    const bout = fundTx.vout.find((o) => o.scriptPubKey.address === boardingAddr)!;
    const boardingPrevout = { script: hex.decode(bout.scriptPubKey.hex), amount: 100_000n };
    const boardingScript = new DefaultVtxo.Script({ pubKey: aliceX, serverPubKey: keys.signerXOnly, csvTimelock: { type: 'blocks', value: 30n } });
    expect(hex.encode(boardingScript.pkScript)).toBe(bout.scriptPubKey.hex);
    const sink = p2tr(schnorr.getPublicKey(keys.walletSecret), undefined, { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef }).script;

    // (a) key path: the internal key is unspendable (the SDK's NUMS point); a signature by S is just wrong.
    const keyPath = new Transaction({ version: 2 });
    keyPath.addInput({ txid: fundTxid, index: bout.n, witnessUtxo: boardingPrevout });
    keyPath.addOutput({ script: sink, amount: 99_000n });
    const kpMsg = keyPath.preimageWitnessV1(0, [boardingPrevout.script], SigHash.DEFAULT, [boardingPrevout.amount]);
    keyPath.updateInput(0, { finalScriptWitness: [schnorr.sign(kpMsg, keys.signerSecret)] });
    expect((await verdict(hex.encode(keyPath.extract()))).allowed).toBe(false);
    // (b) the collaborative leaf (alice AND S) with S's signature and a forged one for alice; (c) the exit leaf signed by S.
    for (const [leaf, forgeAlice] of [[boardingScript.forfeit(), true], [boardingScript.exit(), false]] as const) {
      const t = new Transaction({ version: 2 });
      const csv = leaf === boardingScript.exit();
      t.addInput({ txid: fundTxid, index: bout.n, witnessUtxo: boardingPrevout, ...(csv ? { sequence: 30 } : {}) });
      t.addOutput({ script: sink, amount: 99_000n });
      const script = scriptFromTapLeafScript(leaf as TapLeafScript);
      const msg = t.preimageWitnessV1(0, [boardingPrevout.script], SigHash.DEFAULT, [boardingPrevout.amount], undefined, script, 0xc0);
      const sigS = schnorr.sign(msg, keys.signerSecret);
      const stack = forgeAlice ? [sigS, randomBytes(64)] : [sigS];
      t.updateInput(0, { finalScriptWitness: [...stack, script, TaprootControlBlock.encode(leaf[0])] });
      const v = await verdict(hex.encode(t.extract()));
      expect(v.allowed, `operator-only spend via ${forgeAlice ? 'collaborative' : 'exit'} leaf`).toBe(false);
    }

    // Alice boards, then renews: her first VTXO is forfeited into the second batch.
    const b1 = await alice.settle();
    await mine(1);
    await until('settled', async () => ((await alice.getBalance()).settled === 100_000 ? true : undefined), 30_000);
    const v1 = (await alice.getVtxos())[0]!;
    const b2 = await alice.settle();
    await mine(1);
    const store = s.wiring.parts!.ark!.store;
    expect(store.batch(b2)!.forfeitByVtxo[`${v1.txid}:${v1.vout}`]).toBeDefined();

    // (d) the operator sweeps the new batch before its expiry: BIP-68 refuses it.
    const b2tx = await rpc.call<{ vout: { value: number; scriptPubKey: { hex: string } }[] }>('getrawtransaction', [b2, true]);
    const rootRec = store.virtualTx(store.batch(b2)!.vtxoTreeTxids[0]!)!;
    const early = buildSweepTx([batchSweepInput(rootRec.psbt, keys.forfeitXOnly, BigInt(Math.round(b2tx.vout[0]!.value * 1e8)))], keys.forfeitSecret, sink, 2);
    expect((await verdict(hex.encode(early.extract())))['reject-reason']).toContain('non-BIP68-final');
    // (e) the batch output by key path with S alone: the key is MuSig2(alice, S) tweaked; S cannot make it.
    const bk = new Transaction({ version: 2 });
    const bprev = { script: hex.decode(b2tx.vout[0]!.scriptPubKey.hex), amount: BigInt(Math.round(b2tx.vout[0]!.value * 1e8)) };
    bk.addInput({ txid: b2, index: 0, witnessUtxo: bprev });
    bk.addOutput({ script: sink, amount: bprev.amount - 1_000n });
    bk.updateInput(0, { finalScriptWitness: [schnorr.sign(bk.preimageWitnessV1(0, [bprev.script], SigHash.DEFAULT, [bprev.amount]), keys.signerSecret)] });
    expect((await verdict(hex.encode(bk.extract())))['reject-reason']).toMatch(/Invalid Schnorr signature|script-verify/);

    // Alice cheats: she unrolls v1, which she gave up for v2. Fees from an on-chain wallet of her own.
    const feeWallet = await OnchainWallet.create(SingleKey.fromRandomBytes(), 'regtest', new EsploraProvider(`${s.url}/esplora`, { forcePolling: true }));
    await funder.call('sendtoaddress', [feeWallet.address, 0.001]);
    await mine(1);
    const session = await Unroll.Session.create({ txid: v1.txid, vout: v1.vout }, feeWallet, new EsploraProvider(`${s.url}/esplora`, { forcePolling: true }), new RestIndexerProvider(`${s.url}/ark`));
    for (let i = 0; i < 10; i++) {
      const step = await session.next();
      if (step.type === Unroll.StepType.DONE) break;
      if (step.type === Unroll.StepType.UNROLL) await step.do();
      await mine(1);
    }
    const v1Out = await rpc.call<{ value: number } | null>('gettxout', [v1.txid, v1.vout, true]);
    expect(v1Out).not.toBeNull();
    // The operator alone on the unrolled VTXO: the collaborative leaf with S's signature only is refused.
    const vtxoScript = new DefaultVtxo.Script({ pubKey: aliceX, serverPubKey: keys.signerXOnly, csvTimelock: { type: 'blocks', value: 20n } });
    expect(hex.encode(vtxoScript.pkScript)).toBe(v1.script);
    const forged = new Transaction({ version: 3 });
    const vprev = { script: vtxoScript.pkScript, amount: BigInt(v1.value) };
    forged.addInput({ txid: v1.txid, index: v1.vout, witnessUtxo: vprev });
    forged.addOutput({ script: sink, amount: vprev.amount - 2_000n });
    const fleaf = vtxoScript.forfeit();
    const fscript = scriptFromTapLeafScript(fleaf as TapLeafScript);
    const fmsg = forged.preimageWitnessV1(0, [vprev.script], SigHash.DEFAULT, [vprev.amount], undefined, fscript, 0xc0);
    forged.updateInput(0, { finalScriptWitness: [schnorr.sign(fmsg, keys.signerSecret), randomBytes(64), fscript, TaprootControlBlock.encode(fleaf[0])] });
    expect((await verdict(hex.encode(forged.extract()))).allowed).toBe(false);

    // The operator's answer: connector branch, then the forfeit (alice's own pre-signed signature), one block at a time.
    const forfeitTxid = store.batch(b2)!.forfeitByVtxo[`${v1.txid}:${v1.vout}`]!;
    const logs: string[] = [];
    (s.wiring.parts!.ark!.operator as unknown as { log: (m: string) => void }).log = (m) => logs.push(m);
    for (let i = 0; i < 8; i++) {
      await s.wiring.parts!.ark!.operator.maintain();
      await mine(1);
      if ((await rpc.call<{ confirmations?: number }>('getrawtransaction', [forfeitTxid, true]).catch(() => ({ confirmations: undefined }))).confirmations) break;
    }
    if (!(await rpc.call('getrawtransaction', [forfeitTxid, true]).catch(() => undefined))) throw new Error(`no forfeit on chain; operator said:\n${logs.join('\n')}\nunrolled: ${JSON.stringify(store.vtxo(v1.txid, v1.vout), (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`);
    const forfeit = await rpc.call<{ confirmations: number; vin: { txid: string; vout: number }[]; vout: { scriptPubKey: { hex: string } }[] }>('getrawtransaction', [forfeitTxid, true]);
    expect(forfeit.confirmations).toBeGreaterThanOrEqual(1);
    expect(forfeit.vin[0]).toMatchObject({ txid: v1.txid, vout: v1.vout });
    expect(forfeit.vout[0]!.scriptPubKey.hex).toBe(hex.encode(keys.forfeitOutputScript));
    // Fewer blocks passed than alice's 20-block exit delay: her claim was never possible, and now v1 is gone.
    expect(await rpc.call('gettxout', [v1.txid, v1.vout, true])).toBeNull();
    // v2, the VTXO she renewed into, is still hers.
    expect((await alice.getBalance()).settled).toBe(100_000);
    void b1;
    await alice.dispose();
  });

  it('a VTXO spent twice offchain is refused; an intent proof signed by someone else is refused', async () => {
    const { identity, wallet: alice } = await newWallet();
    const { wallet: bob } = await newWallet();
    await funder.call('sendtoaddress', [await alice.getBoardingAddress(), 0.001]);
    await mine(1);
    await until('boarding', async () => ((await alice.getBoardingUtxos()).length > 0 ? true : undefined), 30_000);
    await alice.settle();
    await mine(1);
    await until('settled', async () => ((await alice.getBalance()).settled === 100_000 ? true : undefined), 30_000);
    const [coin] = await alice.getVtxos();
    const info = await new RestArkProvider(`${s.url}/ark`).getInfo();
    const unroll = CSVMultisigTapscript.decode(hex.decode(info.checkpointTapscript));
    const bobScript = ArkAddress.decode(await bob.getAddress()).pkScript;
    const spend = async (amount: bigint) => {
      const tx = buildOffchainTx([{ txid: coin!.txid, vout: coin!.vout, value: coin!.value, tapLeafScript: coin!.forfeitTapLeafScript, tapTree: coin!.tapTree }], [{ script: bobScript, amount }], unroll);
      const signed = await identity.sign(tx.arkTx);
      return new RestArkProvider(`${s.url}/ark`).submitTx(base64.encode(signed.toPSBT()), tx.checkpoints.map((c) => base64.encode(c.toPSBT())));
    };
    await spend(100_000n);
    const second = await spend(100_000n).catch((e: unknown) => e);
    expect(isArkError(second)).toBe(true);
    expect((second as { name: string }).name).toBe('VTXO_ALREADY_SPENT');

    // Mallory signs an intent spending bob's boarding output with her own key.
    const mallory = SingleKey.fromRandomBytes();
    await funder.call('sendtoaddress', [await bob.getBoardingAddress(), 0.001]);
    await mine(1);
    await until('bob boarding', async () => ((await bob.getBoardingUtxos()).length > 0 ? true : undefined), 30_000);
    const [bu] = await bob.getBoardingUtxos();
    const message: Intent.RegisterMessage = { type: 'register', onchain_output_indexes: [], valid_at: 0, expire_at: 0, cosigners_public_keys: [hex.encode(await mallory.compressedPublicKey())] };
    const proof = Intent.create(message, [bu!], [{ script: ArkAddress.decode(await alice.getAddress()).pkScript, amount: 100_000n }]);
    const signedByMallory = await mallory.sign(proof, [1]).catch(() => proof);
    const r = await new RestArkProvider(`${s.url}/ark`).registerIntent({ proof: base64.encode(signedByMallory.toPSBT()), message }).catch((e: unknown) => e);
    expect(isArkError(r)).toBe(true);
    expect((r as { name: string }).name).toMatch(/INVALID_INTENT_PROOF|INVALID_PSBT_INPUT|INVALID_SIGNATURE/);
    // Bob's boarding output is still his: it settles.
    await bob.settle();
    await alice.dispose();
    await bob.dispose();
  });
});
