/**
 * The decisions behind `hashperp exit` and `hashperp bdc settle`, without a chain: when the holder's claim
 * is final for the next block (hand-computed against BIP-65/68/113 as Bitcoin Core applies them to tip + 1),
 * when the other side's lock has opened (the race), and the refusals of exit data or a contract document
 * that is not the contract the holder's own key builds. The regtest suite (test/ark/bdc-exit-cli-regtest)
 * has Bitcoin Core judge the same claims.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex } from '@scure/base';
import { schnorr } from '@noble/curves/secp256k1.js';
import { describe, expect, it } from 'vitest';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo, type BdcSide } from '../../src/bitcoin/vtxo-scripts.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { claimWaits, contractOfExitData, describeWait, otherLockOpen, unrollTxsOf } from '../../src/wallet/bdc-exit.js';
import { contractFromDocument } from '../../src/wallet/bdc-settle.js';
import { writeWalletFile } from '../../src/wallet/wallet-file.js';
import type { ContractDocument, ExitDataDoc } from '../../src/operator/block-delta/desk.js';
import { runCli } from '../run-cli.js';

const userSecret = new Uint8Array(32).fill(3);
const U = schnorr.getPublicKey(userSecret);
const S = schnorr.getPublicKey(new Uint8Array(32).fill(9));
const H = 1_000;
const T = 1_700_000_000;
const contract = (side: BdcSide, exitDelay: { type: 'blocks' | 'seconds'; value: bigint } = { type: 'blocks', value: 20n }) =>
  buildBlockDeltaVtxo({ user: U, operator: S, userSide: side, targetHeight: H, deadline: T, exitDelay });

function exitData(side: BdcSide, user = U): ExitDataDoc {
  const c = contract(side);
  return {
    version: 1, network: 'regtest', positionId: `BDC-${H}-${T}#1`, outpoint: `${'ab'.repeat(32)}:0`, value: 20_000, tapTree: hex.encode(c.vtxoScript.encode()),
    terms: { side, targetHeight: H, deadline: T, slowLockTime: T - 1, contracts: 1, amountSat: 20_000, stakeSat: 8_000, user: hex.encode(user), operator: hex.encode(S), exitDelay: { type: 'blocks', value: '20' } },
    chain: [
      { txid: '01'.repeat(32), type: 'INDEXER_CHAINED_TX_TYPE_ARK', spends: ['02'.repeat(32)], psbt: 'x' },
      { txid: '02'.repeat(32), type: 'INDEXER_CHAINED_TX_TYPE_TREE', spends: ['03'.repeat(32)], psbt: 'y' },
      { txid: '03'.repeat(32), type: 'INDEXER_CHAINED_TX_TYPE_COMMITMENT', spends: [], psbt: null },
    ],
  };
}

describe('claimWaits: what keeps the claim out of block tip + 1', () => {
  it('FAST (leaf 2, nLockTime H): final once the tip is H; CSV d = 20 from block c = 990 is valid in block 1010', () => {
    const c = contract('FAST');
    expect(claimWaits(c, 'FAST', 990, { height: 995, mtp: T + 99 })).toEqual([
      { kind: 'height', height: 1000, tip: 995 },
      { kind: 'csv-blocks', blocksLeft: 14, confirmedAt: 990 },
    ]);
    expect(claimWaits(c, 'FAST', 990, { height: 1008, mtp: 0 })).toEqual([{ kind: 'csv-blocks', blocksLeft: 1, confirmedAt: 990 }]);
    expect(claimWaits(c, 'FAST', 990, { height: 1009, mtp: 0 })).toEqual([]);
    // Unrolled early: the CSV matured long ago, only H holds the claim back, until the tip is H itself.
    expect(claimWaits(c, 'FAST', 900, { height: 999, mtp: 0 })).toEqual([{ kind: 'height', height: 1000, tip: 999 }]);
    expect(claimWaits(c, 'FAST', 900, { height: 1000, mtp: 0 })).toEqual([]);
  });

  it('SLOW (leaf 3, nLockTime T − 1): final once the MTP is T (BIP-113: MTP > nLockTime), whatever the height', () => {
    const c = contract('SLOW');
    expect(claimWaits(c, 'SLOW', 100, { height: 500, mtp: T - 1 })).toEqual([{ kind: 'mtp', time: T, mtp: T - 1 }]);
    expect(claimWaits(c, 'SLOW', 100, { height: 500, mtp: T })).toEqual([]);
    expect(describeWait({ kind: 'mtp', time: T, mtp: T - 30 })).toMatch(/median time past to reach 1700000000 = 2023-11-14T22:13:20.000Z .*30 s to go/);
  });

  it('a time CSV counts from the MTP of the block before the unroll confirmed (BIP-68)', () => {
    const c = contract('SLOW', { type: 'seconds', value: 1024n });
    expect(claimWaits(c, 'SLOW', 100, { height: 500, mtp: T + 1023 }, T)).toEqual([{ kind: 'csv-time', time: T + 1024, mtp: T + 1023, confirmedAt: 100 }]);
    expect(claimWaits(c, 'SLOW', 100, { height: 500, mtp: T + 1024 }, T)).toEqual([]);
    expect(() => claimWaits(c, 'SLOW', 100, { height: 500, mtp: T })).toThrow(/parentMtp/);
  });

  it("the race: the other side's lock is open (FAST: MTP ≥ T; SLOW: tip ≥ H)", () => {
    expect(otherLockOpen(contract('FAST'), 'FAST', { height: 5_000, mtp: T - 1 })).toBe(false);
    expect(otherLockOpen(contract('FAST'), 'FAST', { height: 0, mtp: T })).toBe(true);
    expect(otherLockOpen(contract('SLOW'), 'SLOW', { height: H - 1, mtp: T + 9_999 })).toBe(false);
    expect(otherLockOpen(contract('SLOW'), 'SLOW', { height: H, mtp: 0 })).toBe(true);
  });
});

describe('exit data and documents are checked against the holder’s own key', () => {
  it('accepts its own exit data; k counts the txs it broadcasts (not the commitment)', () => {
    const d = exitData('FAST');
    expect(hex.encode(contractOfExitData(d, U).vtxoScript.pkScript)).toBe(hex.encode(contract('FAST').vtxoScript.pkScript));
    expect(unrollTxsOf(d)).toBe(2);
  });

  it('refuses exit data for another key, or whose tap tree is not its terms’ contract', () => {
    const other = schnorr.getPublicKey(new Uint8Array(32).fill(4));
    expect(() => contractOfExitData(exitData('FAST', other), U)).toThrow(/this contract is for key .* your wallet key is/);
    const tampered = { ...exitData('SLOW'), tapTree: exitData('FAST').tapTree };
    expect(() => contractOfExitData(tampered, U)).toThrow(/tap tree is not the contract/);
  });

  it('settle refuses a document whose contract address is not the one its terms and the wallet key build', () => {
    const c = contract('SLOW');
    const doc = { positionId: 'BDC-1000-1700000000#2', terms: exitData('SLOW').terms, vtxo: exportBlockDeltaVtxo(c, NETWORKS.regtest) } as unknown as ContractDocument;
    expect(hex.encode(contractFromDocument(doc, U).vtxoScript.pkScript)).toBe(hex.encode(c.vtxoScript.pkScript));
    // An operator that swaps in a contract where it holds both claim leaves (S as U) is refused.
    const swapped = buildBlockDeltaVtxo({ user: schnorr.getPublicKey(new Uint8Array(32).fill(7)), operator: S, userSide: 'SLOW', targetHeight: H, deadline: T, exitDelay: { type: 'blocks', value: 20n } });
    expect(() => contractFromDocument({ ...doc, vtxo: exportBlockDeltaVtxo(swapped, NETWORKS.regtest) }, U)).toThrow(/is not the contract your key and its terms build .*; refusing to sign/);
    expect(() => contractFromDocument({ ...doc, terms: { ...doc.terms, user: hex.encode(S) } }, U)).toThrow(/your wallet key is/);
  });

  it('hashperp exit: names the problem and exits non-zero', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hp-bdc-exit-'));
    const walletFile = join(dir, 'w.json');
    writeWalletFile(walletFile, { kind: 'secret', secretHex: hex.encode(new Uint8Array(32).fill(8)) });
    const file = join(dir, 'exit.json');
    writeFileSync(file, JSON.stringify(exitData('FAST')));
    const both = await runCli('exit', 'BDC-1-2#1', '--exit-file', file, '--wallet-file', walletFile, '--esplora', 'http://127.0.0.1:1');
    expect(both.code).toBe(1);
    expect(both.err).toMatch(/position id or --exit-file/);
    const notMine = await runCli('exit', '--exit-file', file, '--wallet-file', walletFile, '--esplora', 'http://127.0.0.1:1');
    expect(notMine.code).toBe(1);
    expect(notMine.err).toMatch(/this contract is for key [0-9a-f]{64}; your wallet key is [0-9a-f]{64}/);
  });

  it('hashperp bdc take: a wrong side or price is refused before anything is asked of the server', async () => {
    const side = await runCli('bdc', 'take', 'BDC-1-2', 'LONG', '--price', '5000', '--qty', '1', '--server', 'http://127.0.0.1:1');
    expect(side.code).toBe(1);
    expect(side.err).toMatch(/side.*FAST or SLOW/);
    const price = await runCli('bdc', 'take', 'BDC-1-2', 'FAST', '--price', '10000', '--qty', '1', '--server', 'http://127.0.0.1:1');
    expect(price.code).toBe(1);
    expect(price.err).toMatch(/price/);
  });
});
