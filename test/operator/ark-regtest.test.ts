/**
 * Bitcoin Core as the judge: the commitment tx (boarding input signed by the stock SDK wallet, merged
 * and co-signed by the operator) and a forfeit (signed by the wallet, co-signed by the operator with
 * the connector key) are valid spends on `bitcoind -regtest`. Skipped without BITCOIND_RPC_URL.
 */
import { describe, it, expect } from 'vitest';
import { DefaultVtxo, SingleKey, Transaction, buildForfeitTx, P2A, type RelativeTimelock } from '@arkade-os/sdk';
import { SigHash, p2tr } from '@scure/btc-signer';
import { pubSchnorr } from '@scure/btc-signer/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, hex } from '@scure/base';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { buildCommitmentTx, mergeSignedBoardingInputs, cosignBoardingInputs } from '../../src/operator/ark/commitment-tx.js';
import { matchForfeit, cosignForfeit, finalizeForfeit } from '../../src/operator/ark/forfeits.js';

const url = process.env.BITCOIND_RPC_URL;
if (!url) console.log('ark regtest suite skipped: BITCOIND_RPC_URL is not set (point it at a bitcoind -regtest)');

interface Accept {
  txid: string;
  allowed: boolean;
  vsize?: number;
  fees?: { base: number };
  'reject-reason'?: string;
}

const REGTEST = { bech32: 'bcrt', pubKeyHash: 0x6f, scriptHash: 0xc4, wif: 0xef };
const sats = (btc: number) => BigInt(Math.round(btc * 1e8));

describe.skipIf(!url)('Ark operator transactions on bitcoind -regtest (BITCOIND_RPC_URL)', () => {
  it('the commitment tx and a forfeit (+ P2A child) are accepted by the node', { timeout: 120_000 }, async () => {
    const rpc = new BitcoindRpc(url!);
    expect((await rpc.call<{ chain: string }>('getblockchaininfo')).chain).toBe('regtest');
    const run = `${Date.now()}`;
    const priv = (label: string) => sha256(new TextEncoder().encode(`ark-regtest/${run}/${label}`));
    const W_PRIV = priv('wallet');
    const S_PRIV = priv('operator');
    const C_PRIV = priv('connector');
    const A_PRIV = priv('alice');
    const S = pubSchnorr(S_PRIV);
    const A = pubSchnorr(A_PRIV);
    const alice = SingleKey.fromPrivateKey(A_PRIV);
    const wallet = p2tr(pubSchnorr(W_PRIV), undefined, REGTEST);
    const connectorScript = p2tr(pubSchnorr(C_PRIV)).script;
    const BOARD: RelativeTimelock = { type: 'blocks', value: 20n };
    const boarding = new DefaultVtxo.Script({ pubKey: A, serverPubKey: S, csvTimelock: BOARD });
    const vtxoScript = new DefaultVtxo.Script({ pubKey: A, serverPubKey: S, csvTimelock: { type: 'blocks', value: 10n } });
    const signKeyPath = (tx: Transaction, idx: number) => {
      tx.updateInput(idx, { tapInternalKey: pubSchnorr(W_PRIV) });
      tx.signIdx(W_PRIV, idx);
    };

    const tip = await rpc.call<{ time: number }>('getblockheader', [await rpc.call<string>('getbestblockhash')]);
    await rpc.call('setmocktime', [Math.max(Math.floor(Date.now() / 1000), tip.time + 1)]);
    const [fundBlock] = await rpc.call<string[]>('generatetoaddress', [1, wallet.address]);
    await rpc.call('generatetoaddress', [100, wallet.address]);
    const cb = (await rpc.call<{ tx: { txid: string; vout: { value: number }[] }[] }>('getblock', [fundBlock, 2])).tx[0]!;
    const cbValue = sats(cb.vout[0]!.value);

    // One setup tx creates everything the operator's txs spend: a boarding UTXO, an on-chain VTXO
    // output (as if its branch were unrolled), a connector output, a coin for the CPFP child, wallet change.
    const setup = new Transaction({ version: 2 });
    setup.addInput({ txid: cb.txid, index: 0, witnessUtxo: { script: wallet.script, amount: cbValue } });
    const outs = [
      { script: boarding.pkScript, amount: 100_000n },
      { script: vtxoScript.pkScript, amount: 50_000n },
      { script: connectorScript, amount: 330n },
      { script: wallet.script, amount: 200_000n },
    ];
    const change = cbValue - outs.reduce((a, o) => a + o.amount, 0n) - 2_000n;
    for (const o of [...outs, { script: wallet.script, amount: change }]) setup.addOutput(o);
    signKeyPath(setup, 0);
    setup.finalize();
    await rpc.call('sendrawtransaction', [hex.encode(setup.extract())]);
    await rpc.call('generatetoaddress', [1, wallet.address]);

    // --- commitment tx -------------------------------------------------------------------------
    const built = buildCommitmentTx({
      walletInputs: [{ txid: setup.id, vout: 4, amount: change, pkScript: wallet.script }],
      boardingInputs: [{ txid: setup.id, vout: 0, amount: 100_000n, pkScript: boarding.pkScript, tapTree: boarding.encode() }],
      batchOutput: { script: p2tr(pubSchnorr(priv('batch'))).script, amount: 150_000n },
      connectorOutput: { script: connectorScript, amount: 660n },
      onchainOutputs: [{ script: p2tr(pubSchnorr(priv('onchain'))).script, amount: 40_000n }],
      changeScript: wallet.script,
      feeRate: 2n,
    });
    // The stock wallet's part (handleSettlementFinalizationEvent): its forfeit leaf on the input, sign it.
    let userTx = Transaction.fromPSBT(built.tx.toPSBT());
    userTx.updateInput(1, { tapLeafScript: [boarding.forfeit()] });
    userTx = await alice.sign(userTx, [1]);
    const merged = mergeSignedBoardingInputs(built.tx, base64.encode(userTx.toPSBT()), { owned: [`${setup.id}:0`], operatorXOnly: S });
    const commitment = cosignBoardingInputs(merged.tx, built.boardingInputIndexes, S_PRIV);
    signKeyPath(commitment, 0);
    commitment.finalize();
    const [acc] = await rpc.call<Accept[]>('testmempoolaccept', [[hex.encode(commitment.extract())]]);
    expect(acc!['reject-reason']).toBeUndefined();
    expect(acc!.allowed).toBe(true);
    // The node's own vsize and fee: the fee rate is at least the 2 sat/vB asked for.
    expect(sats(acc!.fees!.base)).toBe(built.fee);
    expect(built.fee).toBeGreaterThanOrEqual(2n * BigInt(acc!.vsize!));

    // --- forfeit -------------------------------------------------------------------------------
    let forfeit = buildForfeitTx(
      [
        { txid: setup.id, index: 1, witnessUtxo: { amount: 50_000n, script: vtxoScript.pkScript }, sighashType: SigHash.DEFAULT, tapLeafScript: [vtxoScript.forfeit()] },
        { txid: setup.id, index: 2, witnessUtxo: { amount: 330n, script: connectorScript } },
      ],
      p2tr(pubSchnorr(priv('forfeit-address'))).script,
    );
    forfeit = await alice.sign(forfeit, [0]);
    const m = matchForfeit(base64.encode(forfeit.toPSBT()), {
      vtxos: new Map([[`${setup.id}:1`, { amount: 50_000n, pkScript: vtxoScript.pkScript }]]),
      connectors: new Map([[`${setup.id}:2`, { amount: 330n, pkScript: connectorScript }]]),
      forfeitOutputScript: p2tr(pubSchnorr(priv('forfeit-address'))).script,
      operatorXOnly: S,
    });
    const final = finalizeForfeit(cosignForfeit(m, S_PRIV, C_PRIV), [
      { amount: 50_000n, script: vtxoScript.pkScript },
      { amount: 330n, script: connectorScript },
    ]);
    // Zero fee, v3, P2A: relayed as a package with a child that spends the anchor and pays for both.
    const child = new Transaction({ version: 3, allowLegacyWitnessUtxo: true }); // as the SDK's buildAnchorChild
    child.addInput({ txid: final.id, index: 1, witnessUtxo: P2A });
    child.addInput({ txid: setup.id, index: 3, witnessUtxo: { script: wallet.script, amount: 200_000n } });
    child.addOutput({ script: wallet.script, amount: 200_000n - 5_000n });
    signKeyPath(child, 1);
    child.finalizeIdx(1); // as the SDK's onchain wallet: every input but the keyless anchor
    const pkg = await rpc.call<{ package_msg: string; 'tx-results': Record<string, { error?: string }> }>('submitpackage', [
      [hex.encode(final.extract()), hex.encode(child.toBytes(true, true))] // the anchor input's witness stays empty,
    ]);
    expect(pkg.package_msg, JSON.stringify(pkg)).toBe('success');
    const mempool = await rpc.call<string[]>('getrawmempool');
    expect(mempool).toContain(final.id);
  });
});
