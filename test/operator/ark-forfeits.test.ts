import { describe, it, expect, beforeAll } from 'vitest';
import { DefaultVtxo, SingleKey, Transaction, buildForfeitTx, verifyTapscriptSignatures, P2A, type RelativeTimelock } from '@arkade-os/sdk';
import { SigHash, p2tr } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { pubSchnorr } from '@scure/btc-signer/utils.js';
import { schnorr } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, hex } from '@scure/base';
import { ArkRequestError } from '../../src/operator/ark/ports.js';
import {
  connectorLeaves,
  expectedForfeitTx,
  verifySignedForfeit,
  matchForfeit,
  collectForfeits,
  cosignForfeit,
  finalizeForfeit,
  requiresForfeit,
  assignConnectors,
  type ForfeitContext,
} from '../../src/operator/ark/forfeits.js';

const priv = (label: string) => sha256(new TextEncoder().encode(`ark-forfeits-test/${label}`));
const S_PRIV = priv('operator');
const C_PRIV = priv('connector');
const A_PRIV = priv('alice');
const B_PRIV = priv('bob');
const S = pubSchnorr(S_PRIV);
const A = pubSchnorr(A_PRIV);
const alice = SingleKey.fromPrivateKey(A_PRIV);
const EXIT: RelativeTimelock = { type: 'blocks', value: 144n };
const vtxoScript = new DefaultVtxo.Script({ pubKey: A, serverPubKey: S, csvTimelock: EXIT });
const connectorScript = p2tr(pubSchnorr(C_PRIV)).script;
const forfeitScript = p2tr(pubSchnorr(priv('forfeit-address'))).script;
const DUST = 330n;
const txid = (b: number) => hex.encode(new Uint8Array(32).fill(b));

/** A connector-tree leaf tx as the wallet receives it: output 0 the connector, then the anchor. */
function connectorLeafTx(parentByte: number): Transaction {
  const tx = new Transaction({ version: 3 });
  tx.addInput({ txid: new Uint8Array(32).fill(parentByte), index: 0 });
  tx.addOutput({ script: connectorScript, amount: DUST });
  tx.addOutput(P2A);
  return tx;
}
const conn1 = connectorLeafTx(1);
const conn2 = connectorLeafTx(2);
const conn3 = connectorLeafTx(3);

const vtxo1 = { txid: txid(0xa1), vout: 0, amount: 50_000n };
const vtxo2 = { txid: txid(0xa2), vout: 3, amount: 20_000n };

/** Exactly Wallet.handleSettlementFinalizationEvent's forfeit for one VTXO and one connector leaf. */
async function walletForfeit(v: { txid: string; vout: number; amount: bigint }, connectorLeaf: Transaction, opts: { leaf?: ReturnType<typeof vtxoScript.forfeit>; out?: Uint8Array; amount?: bigint } = {}) {
  let tx = buildForfeitTx(
    [
      {
        txid: v.txid,
        index: v.vout,
        witnessUtxo: { amount: opts.amount ?? v.amount, script: vtxoScript.pkScript },
        sighashType: SigHash.DEFAULT,
        tapLeafScript: [opts.leaf ?? vtxoScript.forfeit()],
      },
      { txid: connectorLeaf.id, index: 0, witnessUtxo: { amount: connectorLeaf.getOutput(0).amount!, script: connectorLeaf.getOutput(0).script! } },
    ],
    opts.out ?? forfeitScript,
  );
  tx = await alice.sign(tx, [0]);
  return base64.encode(tx.toPSBT());
}

const ctx = (): ForfeitContext => ({
  vtxos: new Map([
    [`${vtxo1.txid}:0`, { amount: vtxo1.amount, pkScript: vtxoScript.pkScript }],
    [`${vtxo2.txid}:3`, { amount: vtxo2.amount, pkScript: vtxoScript.pkScript }],
  ]),
  connectors: new Map([conn1, conn2].map((c) => [`${c.id}:0`, { amount: DUST, pkScript: connectorScript }])),
  forfeitOutputScript: forfeitScript,
  operatorXOnly: S,
});

function arkCode(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof ArkRequestError) return `${e.arkCode}: ${e.message}`;
    throw e;
  }
  return 'accepted';
}

describe('forfeits', () => {
  it("connector leaves as arkd builds them: one dust output to the connector script, the output key as cosigner", () => {
    const leaves = connectorLeaves(3, connectorScript, DUST);
    expect(leaves.length).toBe(3);
    expect(leaves[0]).toEqual({ outputs: [{ script: connectorScript, amount: DUST }], cosigners: [`02${hex.encode(connectorScript.subarray(2))}`] });
    expect(() => connectorLeaves(1, forfeitScript.subarray(1), DUST)).toThrow(/taproot/);
    expect([requiresForfeit({}), requiresForfeit({ swept: true }), requiresForfeit({ unrolled: true }), requiresForfeit({ note: true })]).toEqual([true, false, false, false]);
  });

  it("the wallet's signed forfeit verifies, the operator co-signs, and the result is a fully valid spend of VTXO + connector", async () => {
    const psbt = await walletForfeit(vtxo1, conn1);
    const expected = expectedForfeitTx(
      { ...vtxo1, pkScript: vtxoScript.pkScript, forfeitLeaf: vtxoScript.forfeit() },
      { txid: conn1.id, vout: 0, amount: DUST, pkScript: connectorScript },
      forfeitScript,
    );
    // arkd's shape, hand-checked: v3, [VTXO, connector] → [forfeit output = 50 330, P2A 0].
    expect(expected.version).toBe(3);
    expect(expected.lockTime).toBe(0);
    expect(expected.getOutput(0).amount).toBe(50_330n);
    expect(hex.encode(expected.getOutput(1).script!)).toBe('51024e73');
    expect(expected.getOutput(1).amount).toBe(0n);

    const v = verifySignedForfeit(psbt, expected, { operatorXOnly: S });
    expect(v.vtxoInputIndex).toBe(0);
    const m = matchForfeit(psbt, ctx());
    expect([m.vtxo, m.connector]).toEqual([`${vtxo1.txid}:0`, `${conn1.id}:0`]);

    const signed = cosignForfeit(m, S_PRIV, C_PRIV);
    // Independent truth: the SDK's verifier finds both the owner's and the operator's signatures.
    verifyTapscriptSignatures(signed, 0, [hex.encode(A), hex.encode(S)]);
    const prevouts = [
      { amount: vtxo1.amount, script: vtxoScript.pkScript },
      { amount: DUST, script: connectorScript },
    ];
    const final = finalizeForfeit(signed, prevouts);
    expect(final.id).toBe(expected.id);
    expect(final.getInput(0).finalScriptWitness!.length).toBe(4); // S sig, A sig, script, control block
    expect(final.getInput(1).finalScriptWitness!.length).toBe(1); // connector key path
    // The same witnesses are not valid for another connector amount: the check is real.
    expect(() => finalizeForfeit(signed, [prevouts[0]!, { amount: DUST + 1n, script: connectorScript }])).toThrow(/invalid/);
  });

  it('collects one forfeit per VTXO and reports the missing ones', async () => {
    const { forfeits, missing } = collectForfeits([await walletForfeit(vtxo1, conn1)], ctx());
    expect([...forfeits.keys()]).toEqual([`${vtxo1.txid}:0`]);
    expect(missing).toEqual([`${vtxo2.txid}:3`]);
    const both = collectForfeits([await walletForfeit(vtxo2, conn2)], ctx(), forfeits);
    expect(both.missing).toEqual([]);
  });
});

const walletForfeitSync = new Map<string, string>();
describe('forfeits: cheaters lose', () => {
  beforeAll(async () => {
    walletForfeitSync.set('v1c1', await walletForfeit(vtxo1, conn1));
    walletForfeitSync.set('v2c1', await walletForfeit(vtxo2, conn1));
    walletForfeitSync.set('v2c2', await walletForfeit(vtxo2, conn2));
  });

  it('a forfeit signed by someone else is refused', async () => {
    const tx = buildForfeitTx(
      [
        { txid: vtxo1.txid, index: 0, witnessUtxo: { amount: vtxo1.amount, script: vtxoScript.pkScript }, sighashType: SigHash.DEFAULT, tapLeafScript: [vtxoScript.forfeit()] },
        { txid: conn1.id, index: 0, witnessUtxo: { amount: DUST, script: connectorScript } },
      ],
      forfeitScript,
    );
    const [, sv] = vtxoScript.forfeit();
    const leaf = sv.subarray(0, -1);
    const h = tx.preimageWitnessV1(0, [vtxoScript.pkScript, connectorScript], SigHash.DEFAULT, [vtxo1.amount, DUST], undefined, leaf, 0xc0);
    for (const [label, pub] of [['as alice', A], ['as bob', pubSchnorr(B_PRIV)]] as const) {
      const t = tx.clone();
      t.updateInput(0, { tapScriptSig: [[{ pubKey: pub, leafHash: tapLeafHash(leaf) }, schnorr.sign(h, B_PRIV)]] });
      expect(arkCode(() => matchForfeit(base64.encode(t.toPSBT()), ctx())), label).toMatch(/^INVALID_FORFEIT_TXS: invalid forfeit signature/);
    }
    // Unsigned.
    expect(arkCode(() => matchForfeit(base64.encode(tx.toPSBT()), ctx()))).toMatch(/^INVALID_FORFEIT_TXS: missing taproot script spend sig/);
  });

  it('a forfeit for a connector that is not one of the batch, or for another connector than expected, is refused', async () => {
    const psbt3 = await walletForfeit(vtxo1, conn3);
    expect(arkCode(() => matchForfeit(psbt3, ctx()))).toMatch(/^INVALID_FORFEIT_TXS: missing connector/);
    const expected1 = expectedForfeitTx(
      { ...vtxo1, pkScript: vtxoScript.pkScript, forfeitLeaf: vtxoScript.forfeit() },
      { txid: conn1.id, vout: 0, amount: DUST, pkScript: connectorScript },
      forfeitScript,
    );
    const psbt2 = await walletForfeit(vtxo1, conn2);
    expect(arkCode(() => verifySignedForfeit(psbt2, expected1, { operatorXOnly: S }))).toMatch(/^INVALID_FORFEIT_TXS: invalid forfeit tx: expected txid/);
  });

  it('one connector for two VTXOs is refused', async () => {
    const a = await walletForfeit(vtxo1, conn1);
    const b = await walletForfeit(vtxo2, conn1);
    expect(arkCode(() => collectForfeits([a, b], ctx()))).toMatch(/^INVALID_FORFEIT_TXS: connector .* used more than once/);
  });

  it("with arkd's connector assignment, a VTXO cannot use a connector reserved for another", async () => {
    const assigned = assignConnectors([`${conn1.id}:0`, `${conn2.id}:0`], [`${vtxo1.txid}:0`, `${vtxo2.txid}:3`]);
    const c = ctx();
    for (const [k, v] of assigned) c.connectors.set(k, { ...c.connectors.get(k)!, vtxo: v });
    expect(arkCode(() => matchForfeit(walletForfeitSync.get('v2c1')!, c))).toMatch(/^INVALID_FORFEIT_TXS: connector .* belongs to vtxo/);
    expect(collectForfeits([walletForfeitSync.get('v1c1')!, walletForfeitSync.get('v2c2')!], c).missing).toEqual([]);
    expect(() => assignConnectors([`${conn1.id}:0`], [`${vtxo1.txid}:0`, `${vtxo2.txid}:3`])).toThrow(/more vtxos/);
  });

  it('a forfeit paying elsewhere, or signed over a forged VTXO amount, is refused', async () => {
    const elsewhere = await walletForfeit(vtxo1, conn1, { out: p2tr(A).script });
    expect(arkCode(() => matchForfeit(elsewhere, ctx()))).toMatch(/^INVALID_FORFEIT_TXS: invalid forfeit tx: expected txid/);
    // Alice signs the right tx but over a PSBT whose witnessUtxo claims her VTXO is worth 1 000 sats: same
    // txid, and a signature that commits to the wrong amount (arkd would verify it over the PSBT's claim).
    const t = Transaction.fromPSBT(base64.decode(await walletForfeit(vtxo1, conn1)));
    const fresh = buildForfeitTx(
      [
        { txid: vtxo1.txid, index: 0, witnessUtxo: { amount: vtxo1.amount, script: vtxoScript.pkScript }, sighashType: SigHash.DEFAULT, tapLeafScript: [vtxoScript.forfeit()] },
        { txid: conn1.id, index: 0, witnessUtxo: { amount: DUST, script: connectorScript } },
      ],
      forfeitScript,
    );
    fresh.updateInput(0, { witnessUtxo: { amount: 1_000n, script: vtxoScript.pkScript } });
    const forged = await alice.sign(fresh, [0]);
    expect(forged.id).toBe(t.id);
    expect(arkCode(() => matchForfeit(base64.encode(forged.toPSBT()), ctx()))).toMatch(/^INVALID_FORFEIT_TXS: invalid forfeit signature.*invalid signature/);
  });

  it('a forfeit through the exit leaf, or with the connector input pre-signed, is refused', async () => {
    const viaExit = await walletForfeit(vtxo1, conn1, { leaf: vtxoScript.exit() });
    expect(arkCode(() => matchForfeit(viaExit, ctx()))).toMatch(/^INVALID_FORFEIT_TXS: forfeit closure csv-multisig not supported/);
    const ok = Transaction.fromPSBT(base64.decode(await walletForfeit(vtxo1, conn1)));
    ok.updateInput(1, { tapKeySig: new Uint8Array(64).fill(1) });
    expect(arkCode(() => matchForfeit(base64.encode(ok.toPSBT()), ctx()))).toMatch(/^INVALID_FORFEIT_TXS: the connector input must be left unsigned/);
  });

  it('co-signing refuses a connector key that is not the connector output', async () => {
    const m = matchForfeit(await walletForfeit(vtxo1, conn1), ctx());
    expect(() => cosignForfeit(m, S_PRIV, B_PRIV)).toThrow(/connectorKey/);
    expect(() => cosignForfeit(m, B_PRIV, C_PRIV)).toThrow(/operatorKey/);
  });
});
