/**
 * Custodial deposits are swept before their refund leaf opens, on a real regtest bitcoind
 * (BITCOIND_RPC_URL; skipped without it), with a 12-block refund delay so it runs fast: a credited
 * deposit is spent by the operator's key-path sweep (Bitcoin Core shows the outpoint spent), and its
 * depositor's refund-leaf spend after the delay is refused (missing inputs). A deposit found too deep
 * to sweep in time is not credited, and the same refund spend of it is accepted (the refund tx is valid).
 */
import { rmSync } from 'node:fs';
import { schnorr } from '@noble/curves/secp256k1.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { p2tr, Script, TaprootControlBlock, Transaction } from '@scure/btc-signer';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { fundedWallet } from '../ark/regtest-funds.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';
import { BitcoindCustody } from '../../src/server/custody.js';
import { tempDb } from './helpers.js';

vi.setConfig({ testTimeout: 120_000 });
const URL_ = process.env.BITCOIND_RPC_URL;
const { dir, db } = tempDb();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REFUND = 12;
const OP_SK = new Uint8Array(32).fill(41);
const OP_KEY = schnorr.getPublicKey(OP_SK);
const SINK = p2tr(schnorr.getPublicKey(new Uint8Array(32).fill(99)), undefined, NETWORKS.regtest).address!;

/** The depositor's own spend by the refund leaf, built from the design's script (not custody's code). */
function refundTx(userSk: Uint8Array, outpoint: { txid: string; vout: number; sat: number }): string {
  const leaf = Script.encode([schnorr.getPublicKey(userSk), 'CHECKSIGVERIFY', REFUND, 'CHECKSEQUENCEVERIFY']);
  const pay = p2tr(OP_KEY, { script: leaf }, NETWORKS.regtest, true);
  const tx = new Transaction();
  tx.addInput({ txid: outpoint.txid, index: outpoint.vout, sequence: REFUND, witnessUtxo: { script: pay.script, amount: BigInt(outpoint.sat) }, tapLeafScript: pay.tapLeafScript });
  tx.addOutputAddress(SINK, BigInt(outpoint.sat - 1_000), NETWORKS.regtest);
  tx.sign(userSk);
  // btc-signer finalizes only the scripts it knows: witness = signature, leaf script, control block.
  const [[control, scriptWithVersion]] = pay.tapLeafScript!;
  const [[, sig]] = tx.getInput(0).tapScriptSig!;
  tx.updateInput(0, { finalScriptWitness: [sig, scriptWithVersion.subarray(0, -1), TaprootControlBlock.encode(control)] });
  return tx.hex;
}

describe.skipIf(URL_ === undefined)('custodial deposits: swept before the refund leaf opens (regtest)', () => {
  it('sweeps a credited deposit so its refund leaf finds nothing; leaves one found too late uncredited', async () => {
    const rpc = new BitcoindRpc(URL_!);
    // The node is shared by the regtest suites and its subsidy halves every 150 blocks: mine until funded.
    const { wallet } = await fundedWallet(URL_!, 'custody-sweep', 0.02);
    const mine = (n: number) => rpc.call('generatetoaddress', [n, SINK]);
    const send = async (address: string, btc: number) => {
      const txid = await wallet.call<string>('sendtoaddress', [address, btc]);
      const { decoded } = await wallet.call<{ decoded: { vout: { n: number; value: number; scriptPubKey: { address?: string } }[] } }>('gettransaction', [txid, false, true]);
      const o = decoded.vout.find((v) => v.scriptPubKey.address === address)!;
      return { txid, vout: o.n, sat: Math.round(o.value * 1e8) };
    };

    const custody = new BitcoindCustody({ rpc: URL_!, sqlitePath: db, network: 'regtest', confirmations: 2, refundAfterBlocks: REFUND, operatorSecret: OP_SK });
    try {
      expect(custody.sweepMarginBlocks).toBe(6); // credited at depths 2..6 only
      const credits: string[] = [];
      const credit = async (_account: string, _sat: number, outpoint: string) => ({ seq: credits.push(outpoint) });
      const aSk = new Uint8Array(32).fill(51);
      const bSk = new Uint8Array(32).fill(52);
      const a = custody.depositAddress(bytesToHex(schnorr.getPublicKey(aSk))).address;
      const b = custody.depositAddress(bytesToHex(schnorr.getPublicKey(bSk))).address;

      // A deposits, is credited at 2 confirmations, and is swept in the same scan.
      const depA = await send(a, 0.005);
      await mine(1);
      await custody.scan(credit);
      expect(credits).toEqual([]);
      await mine(1);
      await custody.scan(credit);
      expect(credits).toEqual([`${depA.txid}:${depA.vout}`]);
      expect(custody.swept).toBe(1);
      // Bitcoin Core: a mempool tx spends A's outpoint to the operator's key-path address.
      const [spender] = await rpc.call<{ spendingtxid?: string }[]>('gettxspendingprevout', [[{ txid: depA.txid, vout: depA.vout }]]);
      expect(spender.spendingtxid).toMatch(/^[0-9a-f]{64}$/);
      const sweep = await rpc.call<{ vout: { value: number; scriptPubKey: { address?: string } }[] }>('getrawtransaction', [spender.spendingtxid, true]);
      expect(sweep.vout.map((o) => o.scriptPubKey.address)).toEqual([p2tr(OP_KEY, undefined, NETWORKS.regtest).address]);
      expect(Math.round(sweep.vout[0].value * 1e8)).toBeLessThan(depA.sat);
      await mine(1);
      expect(await rpc.call('gettxout', [depA.txid, depA.vout, true])).toBeNull();
      await custody.scan(credit);
      expect(custody.swept).toBe(1); // nothing to sweep again

      // B deposits while nobody scans; found at 7 confirmations (> 12 - 6): not credited, and said why.
      const depB = await send(b, 0.005);
      await mine(7);
      await custody.scan(credit);
      expect(credits).toHaveLength(1);
      expect(custody.notices.join(' ')).toContain(`deposit ${depB.txid}:${depB.vout} not credited`);

      // Past the refund delay: A's refund leaf finds its outpoint spent; B's (never credited) spends.
      await mine(REFUND);
      await expect(rpc.call('sendrawtransaction', [refundTx(aSk, depA)])).rejects.toThrow(/missing|inputs-missingorspent/i);
      expect(await rpc.call<string>('sendrawtransaction', [refundTx(bSk, depB)])).toMatch(/^[0-9a-f]{64}$/);
      await mine(1);
    } finally {
      await custody.stop();
    }
  });
});
