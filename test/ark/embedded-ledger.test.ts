/**
 * The embedded demo ledger on its own: its refusals (double spend, immature CSV, missing input, outputs
 * above inputs, a non-final locktime, a package that fails part-way) with hand-built transactions, and
 * its headers checked by recomputing their hashes here. Behind /esplora it runs the conformance suite
 * shared with bitcoind (test/api/esplora-ledger.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import { EmbeddedLedger } from '../../src/operator/ark/embedded-ledger.js';

const SCRIPT_A = new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(0xaa)]);
const SCRIPT_B = new Uint8Array([0x00, 0x14, ...new Uint8Array(20).fill(0xbb)]);
const OPTS = { allowUnknownInputs: true, allowUnknownOutputs: true } as const;

/** An unsigned spend (the ledger checks no scripts): inputs with their sequences, outputs. */
function spend(inputs: { txid: string; vout: number; sequence?: number }[], outputs: { script: Uint8Array; amount: bigint }[], o: { version?: number; lockTime?: number } = {}): string {
  const tx = new Transaction({ version: o.version ?? 2, lockTime: o.lockTime ?? 0, ...OPTS });
  for (const i of inputs) tx.addInput({ txid: i.txid, index: i.vout, sequence: i.sequence ?? 0xfffffffd });
  for (const out of outputs) tx.addOutput(out);
  return hex.encode(tx.unsignedTx);
}

describe('EmbeddedLedger refusals', () => {
  let t = 1_700_000_000;
  const ledger = new EmbeddedLedger(() => t++, 10);

  it('refuses a double spend, in the mempool and after it is mined', async () => {
    const coin = ledger.fund(SCRIPT_A, 50_000n);
    ledger.mine();
    const first = await ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 49_000n }]));
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_A, amount: 48_000n }]))).rejects.toThrow(`already spent by ${first}`);
    ledger.mine();
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_A, amount: 47_000n }]))).rejects.toThrow(/already spent/);
    expect(await ledger.unspent(coin.txid, coin.vout)).toBeUndefined();
    // Sending the same tx again is not a double spend: it is already known.
    expect(await ledger.broadcast(hex.encode(Transaction.fromRaw(hex.decode(ledger.tx(first)!.hex), OPTS).unsignedTx))).toBe(first);
  });

  it('refuses a spend of an output that does not exist', async () => {
    await expect(ledger.broadcast(spend([{ txid: 'ab'.repeat(32), vout: 0 }], [{ script: SCRIPT_B, amount: 1n }]))).rejects.toThrow(/does not exist/);
    const coin = ledger.fund(SCRIPT_A, 1_000n);
    await expect(ledger.broadcast(spend([{ txid: coin.txid, vout: 1 }], [{ script: SCRIPT_B, amount: 1n }]))).rejects.toThrow(/does not exist/);
  });

  it('refuses a relative timelock (BIP-68 blocks) until the input has that many confirmations', async () => {
    const coin = ledger.fund(SCRIPT_A, 10_000n);
    const csv5 = spend([{ ...coin, sequence: 5 }], [{ script: SCRIPT_B, amount: 9_000n }]);
    await expect(ledger.broadcast(csv5)).rejects.toThrow(/non-BIP68-final.*needs 5 confirmations, would have 0/);
    ledger.mine();
    for (let c = 1; c < 5; c++) {
      await expect(ledger.broadcast(csv5)).rejects.toThrow(`needs 5 confirmations, would have ${c}`);
      ledger.mine();
    }
    expect(await ledger.confirmations(coin.txid)).toBe(5);
    await expect(ledger.broadcast(csv5)).resolves.toMatch(/^[0-9a-f]{64}$/);
    // Version 1 transactions do not enforce BIP-68 (as Bitcoin).
    const coin2 = ledger.fund(SCRIPT_A, 10_000n);
    await expect(ledger.broadcast(spend([{ ...coin2, sequence: 5 }], [{ script: SCRIPT_B, amount: 9_000n }], { version: 1 }))).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses outputs above the inputs and a height locktime above the tip', async () => {
    const coin = ledger.fund(SCRIPT_A, 10_000n);
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 10_001n }]))).rejects.toThrow(/exceed inputs/);
    const tip = await ledger.tipHeight();
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 9_000n }], { lockTime: tip + 1 }))).rejects.toThrow(/non-final/);
    await expect(ledger.broadcast(spend([coin], [{ script: SCRIPT_B, amount: 9_000n }], { lockTime: tip }))).resolves.toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes a package whole (a child spending its parent) or not at all', async () => {
    const coin = ledger.fund(SCRIPT_A, 10_000n);
    const parent = spend([coin], [{ script: SCRIPT_B, amount: 10_000n }], { version: 3 });
    const parentId = Transaction.fromRaw(hex.decode(parent), OPTS).id;
    const child = spend([{ txid: parentId, vout: 0 }], [{ script: SCRIPT_A, amount: 9_000n }], { version: 3 });
    const badChild = spend([{ txid: parentId, vout: 0 }], [{ script: SCRIPT_A, amount: 20_000n }], { version: 3 });
    await expect(ledger.submitPackage([parent, badChild])).rejects.toThrow(/exceed inputs/);
    expect(ledger.tx(parentId)).toBeUndefined();
    // Child first: its input does not exist yet.
    await expect(ledger.submitPackage([child, parent])).rejects.toThrow(/does not exist/);
    expect(ledger.tx(parentId)).toBeUndefined();
    const ids = await ledger.submitPackage([parent, child]);
    expect(ids[0]).toBe(parentId);
    expect(ledger.spender(parentId, 0)).toBe(ids[1]);
  });

  it('chains real headers: each hashes to its block hash and names its parent', () => {
    const tip = ledger.tip().height;
    for (let h = 1; h <= tip; h++) {
      const b = ledger.block(h)!;
      const header = hex.decode(b.header);
      expect(header.length).toBe(80);
      expect(hex.encode(sha256(sha256(header)).reverse())).toBe(b.hash);
      expect(hex.encode(header.slice(4, 36).reverse())).toBe(ledger.block(h - 1)!.hash);
      // A block with one tx: the merkle root is that txid.
      if (b.txids.length === 1) expect(hex.encode(header.slice(36, 68).reverse())).toBe(b.txids[0]);
    }
  });
});
