import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hex } from '@scure/base';
import { Transaction } from '@scure/btc-signer';
import Database from 'better-sqlite3';
import { keyPairFromSecret, type KeyPair } from '../../src/bitcoin/keys.js';
import { NETWORKS } from '../../src/bitcoin/networks.js';
import { buildBlockDeltaVtxo, exportBlockDeltaVtxo } from '../../src/bitcoin/vtxo-scripts.js';
import { TX_OPTS, signLeafInput } from '../../src/bitcoin/tx.js';
import { parseExitPackage } from '../../src/bitcoin/exit-package.js';
import { ContractService, type ContractServiceConfig } from '../../src/operator/contract-service.js';
import { MemoryContractStore, SqliteContractStore, type ContractStore } from '../../src/operator/contract-store.js';
import { controlBlockCommits, leafHash, tweakKey } from '../bitcoin/bip341-ref.js';
import { H, OPERATOR_SECRET, SERIES, T, opened, pub, seriesSettled, settled, transferred, user } from './contract-service-helpers.js';

const S = keyPairFromSecret(hex.decode(OPERATOR_SECRET));
const A = user('A');
const B = user('B');
const C = user('C');
const d = { type: 'blocks' as const, value: 144n };
const keys = new Map<string, KeyPair>([A, B, C].map((k) => [pub(k), k]));

function service(store: ContractStore = new MemoryContractStore(), over: Partial<ContractServiceConfig> = {}): ContractService {
  return new ContractService({ operatorSecret: OPERATOR_SECRET, network: 'regtest', exitDelay: d, batchExpiry: { type: 'blocks', value: 4032n }, store, ...over });
}
const withSigners = (store?: ContractStore) => service(store, { signerFor: (a) => keys.get(a) });
const bdcFor = (k: KeyPair, side: 'FAST' | 'SLOW') =>
  buildBlockDeltaVtxo({ user: k.publicKey, operator: S.publicKey, userSide: side, targetHeight: H, deadline: T, exitDelay: d });

const dirs: string[] = [];
afterAll(() => dirs.forEach((p) => rmSync(p, { recursive: true, force: true })));
const tmpDb = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'contract-service-'));
  dirs.push(dir);
  return join(dir, 'hashperp.db');
};

describe('ContractService: positions become contract VTXOs', () => {
  it('opened position: the address is buildBlockDeltaVtxo’s for (U, S, H, T, side, d), and the leaves prove it (BIP-341 reference)', () => {
    const svc = service();
    const [rec] = svc.onEvents([opened('p1', pub(A), 'FAST')], 1);
    expect(rec!.status).toBe('pending-batch');
    const expected = exportBlockDeltaVtxo(bdcFor(A, 'FAST'), NETWORKS.regtest);
    expect(rec!.vtxo).toEqual(expected);
    expect(rec!.vtxo!.address.startsWith('bcrt1p')).toBe(true);
    // Same keys and terms on another service instance: the same address (deterministic).
    expect(service().onEvents([opened('p1', pub(A), 'FAST')])[0]!.vtxo!.address).toBe(rec!.vtxo!.address);
    // Independent check of every exported leaf against the output key with the BIP-341 reference code.
    const doc = svc.contract('p1');
    expect(doc.vtxo!.leaves).toHaveLength(3);
    for (const l of doc.vtxo!.leaves) {
      expect(controlBlockCommits(hex.decode(l.controlBlock), hex.decode(l.script), hex.decode(doc.vtxo!.outputKey))).toBe(true);
      expect(l.leafHash).toBe(hex.encode(leafHash(hex.decode(l.script))));
    }
    // Leaf 1 is U + S; leaf 2 locks to H = 900000 = 0x0dbba0 (script number a0bb0d), leaf 3 to T − 1 =
    // 1799999999 = 0x6b49d1ff (ffd1496b), both behind d = 144 blocks (script number 9000). U FAST: leaf 2's
    // sole key is U, leaf 3's is S.
    expect(doc.vtxo!.leaves[0]!.asm).toBe(`${pub(A)} OP_CHECKSIGVERIFY ${pub(S)} OP_CHECKSIG`);
    expect(doc.vtxo!.leaves[1]!.asm).toBe(`a0bb0d OP_CHECKLOCKTIMEVERIFY OP_VERIFY 9000 OP_CHECKSEQUENCEVERIFY OP_DROP ${pub(A)} OP_CHECKSIG`);
    expect(doc.vtxo!.leaves[2]!.asm).toBe(`ffd1496b OP_CHECKLOCKTIMEVERIFY OP_VERIFY 9000 OP_CHECKSEQUENCEVERIFY OP_DROP ${pub(S)} OP_CHECKSIG`);
    expect(doc.terms).toMatchObject({ side: 'FAST', targetHeight: H, deadline: T, slowLockTime: T - 1, operator: pub(S), amountSat: 100_000 });
    expect(doc.funded).toBe(false);
    expect(doc.fundedReason).toMatch(/not in a batch/);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc); // plain JSON: what the download serves
    // mainnet service: the same output key, bc1p address
    const main = service(new MemoryContractStore(), { network: 'mainnet' }).onEvents([opened('p1', pub(A), 'FAST')])[0]!;
    expect(main.vtxo!.outputKey).toBe(rec!.vtxo!.outputKey);
    expect(main.vtxo!.address.startsWith('bc1p')).toBe(true);
  });

  it('accounts that are not x-only keys and unusable terms are recorded with the reason, never thrown', () => {
    const svc = service();
    const out = svc.onEvents([
      opened('n1', 'alice', 'SLOW'),
      opened('n2', 'ff'.repeat(32), 'FAST'), // 32 bytes but not an x coordinate on secp256k1
      opened('n3', pub(S), 'FAST'), // the operator's own key
      opened('n4', pub(B), 'FAST', 100_000, { height: 0 }),
      opened('ok', pub(B), 'SLOW'),
    ]);
    expect(out.map((r) => r.status)).toEqual(['no-key', 'no-key', 'no-key', 'no-key', 'pending-batch']);
    expect(svc.record('n1').reason).toMatch(/not a BIP-340 x-only public key/);
    expect(svc.record('n2').reason).toMatch(/not a point on secp256k1/);
    expect(svc.record('n3').reason).toMatch(/must differ from the operator/);
    expect(svc.record('n4').reason).toMatch(/targetHeight/);
    expect(svc.record('n1').vtxo).toBeUndefined();
    // a batch takes only the positions with a VTXO
    expect(svc.batch()!.positionIds).toEqual(['ok']);
  });

  it('replayed events do not duplicate: same positionId twice, and a whole seq skipped', () => {
    const svc = service();
    svc.onEvents([opened('p1', pub(A), 'FAST')], 5);
    expect(svc.onEvents([opened('p1', pub(A), 'FAST')], 5)).toEqual([]);
    expect(svc.onEvents([opened('p1', pub(B), 'SLOW')], 6)).toEqual([]); // same id, no seq replay: first one stands
    expect(svc.records()).toHaveLength(1);
    expect(svc.record('p1').account).toBe(pub(A));
    expect(svc.record('p1').history).toHaveLength(1);
    // transfers A->B->A replayed from seq 7 on are skipped by seq, not re-applied
    svc.onEvents([transferred('p1', pub(A), pub(B), 'FAST')], 7);
    svc.onEvents([transferred('p1', pub(B), pub(A), 'FAST')], 8);
    svc.onEvents([transferred('p1', pub(A), pub(B), 'FAST')], 7);
    expect(svc.record('p1').account).toBe(pub(A));
  });

  it('transfer of a pending position re-keys the VTXO to the new owner; non-key owners drop to no-key and back', () => {
    const svc = service();
    svc.onEvents([opened('p1', pub(A), 'SLOW')], 1);
    const [r] = svc.onEvents([transferred('p1', pub(A), pub(B), 'SLOW')], 2);
    expect(r!.account).toBe(pub(B));
    expect(r!.vtxo!.address).toBe(exportBlockDeltaVtxo(bdcFor(B, 'SLOW'), NETWORKS.regtest).address);
    expect(r!.vtxo!.address).not.toBe(exportBlockDeltaVtxo(bdcFor(A, 'SLOW'), NETWORKS.regtest).address);
    svc.onEvents([transferred('p1', pub(B), 'bob', 'SLOW')], 3);
    expect(svc.record('p1')).toMatchObject({ status: 'no-key', account: 'bob' });
    svc.onEvents([transferred('p1', 'bob', pub(C), 'SLOW')], 4);
    const back = svc.record('p1');
    expect(back.status).toBe('pending-batch');
    expect(back.vtxo!.terms!.user).toBe(pub(C));
    expect(back.history.map((h) => [h.kind, h.from, h.to, h.seq])).toEqual([
      ['opened', undefined, undefined, 1],
      ['transferred', pub(A), pub(B), 2],
      ['transferred', pub(B), 'bob', 3],
      ['transferred', 'bob', pub(C), 4],
    ]);
    // a transfer from someone who does not hold it is ignored
    expect(svc.onEvents([transferred('p1', pub(A), pub(B), 'SLOW')], 5)).toEqual([]);
  });

  it('unfunded batch (no chain): commitment over an explicit placeholder, every export flagged funded: false', () => {
    const svc = service();
    svc.onEvents([opened('p1', pub(A), 'FAST'), opened('p2', pub(B), 'SLOW', 50_000)], 1);
    const b = svc.batch()!;
    expect(b.funded).toBe(false);
    expect(b.fundedReason).toMatch(/placeholder outpoint [0-9a-f]{64}:0, which does not exist.*can be broadcast/);
    expect(b.positionIds).toEqual(['p1', 'p2']);
    const tx = Transaction.fromRaw(hex.decode(b.commitmentHex), TX_OPTS);
    const input = tx.getInput(0);
    expect(b.fundedReason).toContain(`${hex.encode(input.txid!)}:${input.index}`);
    expect(tx.id).toBe(b.commitmentTxid);
    for (const id of ['p1', 'p2']) {
      const doc = svc.contract(id);
      expect(doc.status).toBe('batched');
      expect(doc.funded).toBe(false);
      expect(doc.fundedReason).toBe(b.fundedReason);
      expect(doc.batch!.commitmentTxid).toBe(b.commitmentTxid);
      expect(doc.batch!.treeCosigners).toEqual([pub(S)]);
      const pkg = parseExitPackage(svc.exitPackage(id));
      expect(pkg.commitmentTxid).toBe(b.commitmentTxid);
      expect(pkg.vtxo.scriptPubKey).toBe(doc.vtxo!.scriptPubKey);
      expect(pkg.vtxo.amount).toBe(String(doc.terms.amountSat));
      // The first step spends the commitment tx's batch output; the package ends at the VTXO.
      const first = Transaction.fromRaw(hex.decode(pkg.steps[0]!.hex), TX_OPTS).getInput(0);
      expect(`${hex.encode(first.txid!)}:${first.index}`).toBe(`${b.commitmentTxid}:0`);
      expect(doc.exitPackage).toEqual(pkg);
    }
    // the batch's output 0 holds exactly the two VTXOs: the tree tx is zero-fee v3 with a P2A anchor
    expect(tx.getOutput(0).amount).toBe(150_000n);
    expect(svc.batch()).toBeUndefined(); // nothing pending any more
    expect(svc.batches()).toHaveLength(1);
  });

  it('funded batch from a caller UTXO: the commitment spends it and is marked funded', () => {
    const svc = withSigners();
    svc.onEvents([opened('p1', pub(A), 'FAST')], 1);
    const W = user('W');
    const funding = { txid: '77'.repeat(32), vout: 3, amount: 1_000_000n, pkScript: hex.decode('5120' + hex.encode(keyOutput(W))), key: W };
    const b = svc.batch(funding)!;
    expect(b.funded).toBe(true);
    expect(b.fundedReason).toBeUndefined();
    const tx = Transaction.fromRaw(hex.decode(b.commitmentHex), TX_OPTS);
    expect(hex.encode(tx.getInput(0).txid!)).toBe('77'.repeat(32));
    expect(tx.getOutput(1).amount).toBe(1_000_000n - 100_000n - 2_000n); // change after the commitment fee (tree txs pay none)
    expect(svc.contract('p1')).toMatchObject({ funded: true, status: 'batched', batch: { treeCosigners: [pub(S), pub(A)] } });
    expect(svc.contract('p1').fundedReason).toBeUndefined();
  });

  it('transfer of a batched position: Ark tx through leaf 1 to the new owner’s VTXO, exit package extended', () => {
    const svc = withSigners();
    svc.onEvents([opened('p1', pub(A), 'FAST')], 1);
    svc.batch();
    const before = svc.record('p1');
    const [r] = svc.onEvents([transferred('p1', pub(A), pub(B), 'FAST')], 2);
    expect(r!.account).toBe(pub(B));
    expect(r!.vtxo).toEqual(exportBlockDeltaVtxo(bdcFor(B, 'FAST'), NETWORKS.regtest));
    const pkg = parseExitPackage(r!.batch!.exitPackage);
    expect(pkg.steps.map((s) => s.kind)).toEqual(['tree', 'checkpoint', 'ark']);
    expect(pkg.vtxo.amount).toBe(String(100_000)); // checkpoint and Ark tx pay no fee
    expect(pkg.vtxo.scriptPubKey).toBe(r!.vtxo!.scriptPubKey);
    // the checkpoint spends the old VTXO through leaf 1 (U + S): its witness = [sig S, sig U, leaf 1 script, control block] (stack order of keys)
    const cp = Transaction.fromRaw(hex.decode(pkg.steps[1]!.hex), TX_OPTS);
    expect(`${hex.encode(cp.getInput(0).txid!)}:${cp.getInput(0).index}`).toBe(before.batch!.vtxoId);
    const w = cp.getInput(0).finalScriptWitness!;
    expect(hex.encode(w[w.length - 2]!)).toBe(before.vtxo!.leaves[0]!.script);
    expect(hex.encode(w[w.length - 1]!)).toBe(before.vtxo!.leaves[0]!.controlBlock);
    expect(r!.history.at(-1)).toMatchObject({ kind: 'transferred', from: pub(A), to: pub(B), seq: 2, vtxoId: r!.batch!.vtxoId });
    // and on again to C: the package grows by one checkpoint + Ark tx
    svc.onEvents([transferred('p1', pub(B), pub(C), 'FAST')], 3);
    expect(parseExitPackage(svc.exitPackage('p1')).steps.map((s) => s.kind)).toEqual(['tree', 'checkpoint', 'ark', 'checkpoint', 'ark']);
  });

  it('without the owner’s key the leaf-1 transfer waits for signatures; completeTransfer checks them', () => {
    const svc = service();
    svc.onEvents([opened('p1', pub(A), 'SLOW')], 1);
    svc.batch();
    const oldVtxo = svc.record('p1').batch!.vtxoId;
    svc.onEvents([transferred('p1', pub(A), pub(B), 'SLOW')], 2);
    const rec = svc.record('p1');
    expect(rec.account).toBe(pub(B));
    expect(rec.batch!.vtxoId).toBe(oldVtxo); // on Bitcoin the VTXO is still A's
    expect(rec.vtxo!.terms!.user).toBe(pub(A));
    const pt = rec.pendingTransfer!;
    expect(pt).toMatchObject({ from: pub(A), to: pub(B) });
    const signWith = (k: KeyPair, psbt: string): string => {
      const tx = Transaction.fromPSBT(hex.decode(psbt), TX_OPTS);
      signLeafInput(tx, 0, [k]);
      return hex.encode(tx.toPSBT());
    };
    /** A's signature with one bit flipped: S must verify before co-signing, not trust the PSBT. */
    const forged = (psbt: string): string => {
      const signed = Transaction.fromPSBT(hex.decode(signWith(A, psbt)), TX_OPTS);
      const [[meta, sig]] = signed.getInput(0).tapScriptSig! as [[{ pubKey: Uint8Array; leafHash: Uint8Array }, Uint8Array]];
      const bad = Uint8Array.from(sig);
      bad[10]! ^= 1;
      const tx = Transaction.fromPSBT(hex.decode(psbt), TX_OPTS);
      tx.updateInput(0, { tapScriptSig: [[meta, bad]] });
      return hex.encode(tx.toPSBT());
    };
    expect(() => svc.completeTransfer('p1', { checkpointPsbts: pt.checkpointPsbts.map(forged), arkPsbt: forged(pt.arkPsbt) })).toThrow(/no valid signature from/);
    // a PSBT of another transaction is refused naming the field
    expect(() => svc.completeTransfer('p1', { checkpointPsbts: [pt.arkPsbt], arkPsbt: pt.arkPsbt })).toThrow(/checkpointPsbts\[0\]: PSBT is for/);
    expect(svc.record('p1').pendingTransfer).toEqual(pt);
    const done = svc.completeTransfer('p1', { checkpointPsbts: pt.checkpointPsbts.map((p) => signWith(A, p)), arkPsbt: signWith(A, pt.arkPsbt) });
    expect(done.pendingTransfer).toBeUndefined();
    expect(done.vtxo!.terms!.user).toBe(pub(B));
    const pkg = parseExitPackage(done.batch!.exitPackage);
    expect(pkg.steps.at(-1)!.txid).toBe(pt.arkTxid);
    expect(() => svc.completeTransfer('p1', { checkpointPsbts: [], arkPsbt: '' })).toThrow(/no transfer awaiting/);
  });

  it('a second transfer before the first is signed supersedes it: the VTXO owner still signs, for the latest holder', () => {
    const svc = service();
    svc.onEvents([opened('p1', pub(A), 'FAST')], 1);
    svc.batch();
    svc.onEvents([transferred('p1', pub(A), pub(B), 'FAST')], 2);
    const first = svc.record('p1').pendingTransfer!;
    svc.onEvents([transferred('p1', pub(B), pub(C), 'FAST')], 3);
    const second = svc.record('p1').pendingTransfer!;
    expect(second).toMatchObject({ from: pub(A), to: pub(C) });
    expect(second.arkTxid).not.toBe(first.arkTxid);
    const sign = (psbt: string): string => {
      const tx = Transaction.fromPSBT(hex.decode(psbt), TX_OPTS);
      signLeafInput(tx, 0, [A]);
      return hex.encode(tx.toPSBT());
    };
    // the stale PSBTs (to B) no longer match the proposal
    expect(() => svc.completeTransfer('p1', { checkpointPsbts: first.checkpointPsbts.map(sign), arkPsbt: sign(first.arkPsbt) })).toThrow(/arkPsbt: PSBT is for/);
    const done = svc.completeTransfer('p1', { checkpointPsbts: second.checkpointPsbts.map(sign), arkPsbt: sign(second.arkPsbt) });
    expect(done.vtxo).toEqual(exportBlockDeltaVtxo(bdcFor(C, 'FAST'), NETWORKS.regtest));
    expect(done.history.map((h) => h.kind)).toEqual(['opened', 'batched', 'transfer-awaiting-signature', 'transfer-awaiting-signature', 'transferred']);
  });

  it('settlement: winner, outcome and the paths (cooperative leaf 1, fallbacks) per side; the series decision is attached', () => {
    const svc = service();
    svc.onEvents([opened('f', pub(A), 'FAST'), opened('s', pub(B), 'SLOW')], 1);
    svc.batch();
    svc.onEvents([settled('f', pub(A), 'FAST', true), settled('s', pub(B), 'SLOW', false), seriesSettled('FAST')], 2);
    const f = svc.contract('f');
    const s = svc.contract('s');
    expect(f.status).toBe('settled');
    expect(f.settlement).toMatchObject({ winner: 'FAST', won: true, winnerParty: 'user', payoutMsat: '100000000', cooperative: { leaf: 1 }, decidedAtHeight: H, decidedAtHash: 'ab'.repeat(32) });
    expect(f.settlement!.fallbacks.map((p) => p.leaf)).toEqual([2]);
    expect(f.settlement!.fallbacks[0]!.requires).toMatch(/FAST party \(U\) alone .*nLockTime >= H and CSV\(exit delay\).*race/);
    // B held SLOW and lost: S (the FAST party of B's VTXO) takes it through leaf 1, else through leaf 2
    expect(s.settlement).toMatchObject({ winner: 'FAST', won: false, winnerParty: 'operator', payoutMsat: '0' });
    expect(s.settlement!.fallbacks.map((p) => p.leaf)).toEqual([2]);
    expect(s.vtxo!.leaves[1]!.asm.endsWith(`OP_DROP ${pub(S)} OP_CHECKSIG`)).toBe(true); // leaf 2's FAST party in B's VTXO is S, behind the CSV
    expect(s.vtxo!.leaves[2]!.asm.endsWith(`OP_DROP ${pub(B)} OP_CHECKSIG`)).toBe(true);
    expect(s.exitPackage).toBeDefined(); // the exit package stays available after settlement
    // a SLOW winner's fallback is leaf 3
    const svc2 = service();
    svc2.onEvents([opened('x', pub(C), 'SLOW'), settled('x', pub(C), 'SLOW', true)]);
    expect(svc2.record('x').settlement!.fallbacks.map((p) => p.leaf)).toEqual([3]);
    expect(svc2.record('x').settlement!.fallbacks[0]!.requires).toMatch(/SLOW party \(U\) alone .*nLockTime >= T − 1 \(final once MTP >= T\)/);
    expect(svc2.record('x').history.at(-1)!.detail).toMatch(/never batched/);
    // replayed settlement: no second history entry
    svc2.onEvents([settled('x', pub(C), 'SLOW', true)]);
    expect(svc2.record('x').history.filter((h) => h.kind === 'settled')).toHaveLength(1);
  });

  it('SQLite store: everything survives a reopen of the file; replay is idempotent; transfers work after restart', () => {
    const path = tmpDb();
    const s1 = withSigners(new SqliteContractStore(path));
    s1.onEvents([opened('p1', pub(A), 'FAST'), opened('p2', pub(B), 'SLOW'), opened('p3', 'carol', 'FAST')], 1);
    s1.batch();
    s1.onEvents([opened('p4', pub(C), 'FAST')], 2);
    s1.onEvents([settled('p2', pub(B), 'SLOW', true)], 3);
    const snapshot = ['p1', 'p2', 'p3', 'p4'].map((id) => s1.contract(id));
    const batches = s1.batches();
    s1.close();

    const store2 = new SqliteContractStore(path);
    const s2 = withSigners(store2);
    expect(['p1', 'p2', 'p3', 'p4'].map((id) => s2.contract(id))).toEqual(snapshot);
    expect(s2.batches()).toEqual(batches);
    expect(store2.lastSeq()).toBe(3);
    // the server replays its journal from the start: nothing changes
    s2.onEvents([opened('p1', pub(A), 'FAST'), opened('p2', pub(B), 'SLOW'), opened('p3', 'carol', 'FAST')], 1);
    s2.onEvents([settled('p2', pub(B), 'SLOW', true)], 3);
    expect(['p1', 'p2', 'p3', 'p4'].map((id) => s2.contract(id))).toEqual(snapshot);
    // the operator state was rebuilt: a leaf-1 transfer of a batched position works after the restart
    s2.onEvents([transferred('p1', pub(A), pub(C), 'FAST')], 4);
    expect(parseExitPackage(s2.exitPackage('p1')).steps.map((s) => s.kind)).toEqual(['tree', 'checkpoint', 'ark']);
    store2.close();

    // tables are op_-prefixed in a shared file, next to (not touching) other tables
    const db = new Database(path, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[];
    db.close();
    expect(tables.map((t) => t.name)).toEqual(['op_batches', 'op_contracts', 'op_meta']);
  });

  it('SQLite store on a database the server already has open (the journal file) keeps it open', () => {
    const db = new Database(tmpDb());
    db.exec('CREATE TABLE journal (first_seq INTEGER PRIMARY KEY)');
    const store = new SqliteContractStore(db);
    service(store).onEvents([opened('p1', pub(A), 'FAST')], 1);
    store.close();
    expect(db.open).toBe(true);
    expect(new SqliteContractStore(db).get('p1')!.status).toBe('pending-batch');
    db.close();
  });

  it('a failure inside a step rolls the whole step back (atomic store writes)', () => {
    for (const store of [new MemoryContractStore(), new SqliteContractStore(':memory:')]) {
      const svc = service(store);
      svc.onEvents([opened('p1', pub(A), 'FAST')], 1);
      const bad = { txid: '77'.repeat(32), vout: 0, amount: 10n, pkScript: new Uint8Array(34), key: A };
      expect(() => svc.batch(bad)).toThrow(/funding/);
      expect(svc.record('p1').status).toBe('pending-batch');
      expect(svc.batches()).toEqual([]);
    }
  });

  it('refuses a bad operator key naming the field', () => {
    expect(() => service(new MemoryContractStore(), { operatorSecret: 'zz' })).toThrow(/operatorSecret/);
    expect(() => service(new MemoryContractStore(), { operatorSecret: '11'.repeat(31) })).toThrow(/operatorSecret: expected 32 bytes/);
    expect(() => service(new MemoryContractStore(), { network: 'testnet' as never })).toThrow(/network/);
  });

  it('records() filters by series and account', () => {
    const svc = service();
    svc.onEvents([opened('p1', pub(A), 'FAST')]);
    expect(svc.records({ series: SERIES })).toHaveLength(1);
    expect(svc.records({ account: pub(B) })).toHaveLength(0);
  });
});

/** Output key of the key-path-only P2TR of k (BIP-341 tweak with no script tree), by the reference code. */
function keyOutput(k: KeyPair): Uint8Array {
  return tweakKey(k.publicKey, undefined);
}
