/**
 * The batch trees and the operator's tree signing session, checked against the stock SDK client:
 * its validateVtxoTxGraph / validateConnectorsTxGraph, its TxTree.create (what it rebuilds from the
 * TreeTx events it receives on its cosigner topic), its own MuSig2 signer session driven exactly as
 * wallet.ts createBatchHandler drives it, and hand-computed bytes (BIP68/tapscript/txid).
 */
import { describe, expect, it } from 'vitest';
import {
  CosignerPublicKey,
  getArkPsbtFields,
  setArkPsbtField,
  SingleKey,
  TxTree,
  validateConnectorsTxGraph,
  validateVtxoTxGraph,
  VtxoTreeExpiry,
} from '@arkade-os/sdk';
import { SigHash, Transaction } from '@scure/btc-signer';
import * as musig from '@scure/btc-signer/musig2.js';
import { schnorr, secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base64, hex } from '@scure/base';
import {
  buildBatchOutput,
  buildConnectorOutput,
  buildConnectorTree,
  buildVtxoTree,
  connectorLeaves,
  flattenTree,
  planVtxoTree,
  sweepTapTreeRoot,
  treeNodes,
  type TreeLeaf,
} from '../../src/operator/ark/tree-builder.js';
import { TreeSigningSession } from '../../src/operator/ark/tree-signing.js';
import { treeSweepInput } from '../../src/operator/ark/sweep.js';
import { p2tr as scureP2tr } from '@scure/btc-signer';
import { HashPerpError } from '../../src/units/errors.js';

const rnd = (): Uint8Array => secp256k1.utils.randomSecretKey();
const pub = (sk: Uint8Array): string => hex.encode(secp256k1.getPublicKey(sk, true));
const p2tr = (x: Uint8Array): Uint8Array => Uint8Array.from([0x51, 0x20, ...x]);

const OPERATOR_SK = rnd();
const OPERATOR = pub(OPERATOR_SK);
const FORFEIT_SK = rnd();
const FORFEIT_X = secp256k1.getPublicKey(FORFEIT_SK, true).subarray(1);
const EXPIRY = 1024n; // seconds: BatchStarted.batchExpiry
const SWEEP_ROOT = sweepTapTreeRoot(FORFEIT_X, EXPIRY);

interface User {
  cosigner: string;
}
type SignerSession = ReturnType<SingleKey['signerSession']>;
interface Signer extends User {
  session: SignerSession;
}

/** A key that only appears in trees (structure and validation tests). */
function newUser(): User {
  return { cosigner: pub(rnd()) };
}

/**
 * A wallet's per-batch signer: SingleKey.signerSession() draws a fresh random key, and that session key
 * (not the identity's) is what the wallet puts in its intent's cosigners_public_keys.
 */
async function newSigner(): Promise<Signer> {
  const session = SingleKey.fromRandomBytes().signerSession();
  return { session, cosigner: hex.encode(await session.getPublicKey()) };
}
const newSigners = (n: number) => Promise.all(Array.from({ length: n }, newSigner));

/** One leaf per user, paying a fresh P2TR vtxo; cosigners = the user's key then the operator's, as arkd appends it. */
function leavesFor(users: User[], amount = (i: number) => BigInt(10_000 + i)): TreeLeaf[] {
  return users.map((u, i) => ({
    outputs: [{ script: p2tr(secp256k1.getPublicKey(rnd(), true).subarray(1)), amount: amount(i) }],
    cosigners: [u.cosigner, OPERATOR],
  }));
}

/** A minimal v3 commitment tx with the batch output at 0 (and the connector output at 1 when given), as the SDK decodes it. */
function commitmentTx(batch: { script: Uint8Array; amount: bigint }, connector?: { script: Uint8Array; amount: bigint }): { tx: Transaction; psbt: string } {
  const tx = new Transaction({ version: 3, allowUnknownOutputs: true });
  tx.addInput({ txid: sha256(rnd()), index: 0, witnessUtxo: { script: p2tr(FORFEIT_X), amount: batch.amount + 100_000n } });
  tx.addOutput(batch);
  if (connector) tx.addOutput(connector);
  const psbt = base64.encode(tx.toPSBT());
  return { tx: Transaction.fromPSBT(base64.decode(psbt)), psbt };
}

function buildRound(leaves: TreeLeaf[]) {
  const batch = buildBatchOutput(leaves, SWEEP_ROOT);
  const commitment = commitmentTx(batch);
  const tree = buildVtxoTree({ txid: commitment.tx.id, vout: 0 }, leaves, SWEEP_ROOT, EXPIRY);
  return { batch, commitment, tree };
}

/** What the SDK builds from the TreeTx events arkd sends to a listener subscribed to `topic`. */
function clientTree(tree: TxTree, topic: string): TxTree {
  return TxTree.create(flattenTree(tree).filter((c) => c.topic.includes(topic)).map(({ txid, tx, children }) => ({ txid, tx, children })));
}

const shape = (t: TxTree): unknown =>
  t.children.size === 0 ? t.root.outputsLength - 1 : Object.fromEntries([...t.children].map(([i, c]) => [i, shape(c)]));

describe('sweep tapscript root', () => {
  it('is the TapLeaf hash of <BIP68 seq> CSV DROP <forfeit key> CHECKSIG, hand-encoded', () => {
    const leafHash = (script: Uint8Array) => schnorr.utils.taggedHash('TapLeaf', Uint8Array.of(0xc0, script.length), script);
    // 1024 s → BIP68 (1<<22)|(1024>>9) = 0x400002 → script number 02 00 40
    const secs = Uint8Array.from([0x03, 0x02, 0x00, 0x40, 0xb2, 0x75, 0x20, ...FORFEIT_X, 0xac]);
    expect(hex.encode(sweepTapTreeRoot(FORFEIT_X, 1024n))).toBe(hex.encode(leafHash(secs)));
    // 144 blocks → 0x90 needs a sign byte: 90 00
    const blocks = Uint8Array.from([0x02, 0x90, 0x00, 0xb2, 0x75, 0x20, ...FORFEIT_X, 0xac]);
    expect(hex.encode(sweepTapTreeRoot(FORFEIT_X, 144n))).toBe(hex.encode(leafHash(blocks)));
  });

  it('refuses an expiry BIP68 cannot carry exactly', () => {
    expect(() => sweepTapTreeRoot(FORFEIT_X, 1000n)).toThrow(/multiple of 512/);
    expect(() => sweepTapTreeRoot(FORFEIT_X, 0n)).toThrow(/positive/);
  });
});

describe('vtxo tree: structure (arkd radix 2 with its remainder rule)', () => {
  const users = Array.from({ length: 8 }, newUser);

  it('node counts and shapes for 1, 2, 3, 5, 8 leaves', () => {
    const expected: Record<number, [number, unknown]> = {
      1: [1, 1],
      2: [3, { 0: 1, 1: 1 }],
      3: [5, { 0: { 0: 1, 1: 1 }, 1: 1 }],
      5: [9, { 0: { 0: { 0: 1, 1: 1 }, 1: { 0: 1, 1: 1 } }, 1: 1 }],
      8: [15, { 0: { 0: { 0: 1, 1: 1 }, 1: { 0: 1, 1: 1 } }, 1: { 0: { 0: 1, 1: 1 }, 1: { 0: 1, 1: 1 } } }],
    };
    for (const [n, [nodes, s]] of Object.entries(expected)) {
      const { tree } = buildRound(leavesFor(users.slice(0, Number(n))));
      expect(tree.nbOfNodes(), `n=${n}`).toBe(nodes);
      expect(shape(tree), `n=${n}`).toEqual(s);
    }
  });

  it('3 leaves by hand: root pays [branch(a,b), leaf c, P2A]; every tx v3, one final-sequence input, locktime 0', () => {
    const leaves = leavesFor(users.slice(0, 3), (i) => [1000n, 2000n, 4000n][i]!);
    const { tree, batch } = buildRound(leaves);
    expect(batch.amount).toBe(7000n);
    const root = tree.root;
    expect(root.outputsLength).toBe(3);
    expect([0, 1, 2].map((i) => root.getOutput(i).amount)).toEqual([3000n, 4000n, 0n]);
    expect(hex.encode(root.getOutput(2).script!)).toBe('51024e73');
    const c = tree.children.get(1)!;
    expect(c.children.size).toBe(0);
    expect(hex.encode(c.root.getOutput(0).script!)).toBe(hex.encode(leaves[2]!.outputs[0]!.script));
    // the branch's cosigners are a's then b's, deduplicated by x-only key (the operator once)
    const branch = tree.children.get(0)!;
    expect(getArkPsbtFields(branch.root, 0, CosignerPublicKey).map((f) => [f.index, hex.encode(f.key)])).toEqual([
      [0, users[0]!.cosigner],
      [1, OPERATOR],
      [2, users[1]!.cosigner],
    ]);
    for (const node of treeNodes(tree)) {
      const tx = node.root;
      expect([tx.version, tx.lockTime, tx.inputsLength, tx.getInput(0).sequence]).toEqual([3, 0, 1, 0xffffffff]);
      // arkd writes the BIP68 sequence; the SDK's own decoder reads it back as 1024 seconds
      expect(getArkPsbtFields(tx, 0, VtxoTreeExpiry)).toEqual([{ type: 'seconds', value: 1024n }]);
    }
  });

  it("a leaf tx's txid from hand-serialized bytes (wire.MsgTx: version, input, outputs, locktime)", () => {
    const leaves = leavesFor(users.slice(0, 2), () => 5000n);
    const { tree } = buildRound(leaves);
    const leaf = tree.children.get(1)!;
    const le32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
    const le64 = (n: bigint) => Uint8Array.from({ length: 8 }, (_, i) => Number((n >> BigInt(8 * i)) & 0xffn));
    const vtxo = leaves[1]!.outputs[0]!.script;
    const raw = Uint8Array.from([
      ...le32(3),
      1, ...hex.decode(tree.txid).reverse(), ...le32(1), 0, ...le32(0xffffffff),
      2, ...le64(5000n), vtxo.length, ...vtxo, ...le64(0n), 4, 0x51, 0x02, 0x4e, 0x73,
      ...le32(0),
    ]);
    expect(leaf.txid).toBe(hex.encode(sha256(sha256(raw)).reverse()));
  });

  it("the batch output is scure's MuSig2 (BIP327, sorted keys) key of all cosigners, TapTweaked with the sweep root", () => {
    for (const n of [1, 3, 8]) {
      const leaves = leavesFor(users.slice(0, n));
      const keys = musig.sortKeys([...new Set([...users.slice(0, n).map((u) => u.cosigner), OPERATOR])].map((k) => hex.decode(k)));
      const pre = musig.keyAggregate(keys).aggPublicKey.toBytes(true);
      const t = schnorr.utils.taggedHash('TapTweak', pre.subarray(1), SWEEP_ROOT);
      const q = musig.keyAggregate(keys, [t], [true]).aggPublicKey.toBytes(true).subarray(1);
      expect(hex.encode(buildBatchOutput(leaves, SWEEP_ROOT).script), `n=${n}`).toBe(hex.encode(p2tr(q)));
      const plan = planVtxoTree(leaves, SWEEP_ROOT, EXPIRY);
      expect(hex.encode(plan.output.script)).toBe(hex.encode(p2tr(q)));
      expect(plan.build({ txid: '11'.repeat(32), vout: 0 }).txid).toBe(buildVtxoTree({ txid: '11'.repeat(32), vout: 0 }, leaves, SWEEP_ROOT, EXPIRY).txid);
    }
  });

  it('refuses leaves arkd would refuse, and a leaf only one key could sign', () => {
    expect(() => buildBatchOutput([], SWEEP_ROOT)).toThrow(/no receivers/);
    const [l] = leavesFor(users.slice(0, 1));
    expect(() => buildBatchOutput([{ ...l!, cosigners: [OPERATOR] }], SWEEP_ROOT)).toThrow(/leaves\[0\]\.cosigners/);
    expect(() => buildBatchOutput([{ ...l!, cosigners: [OPERATOR, OPERATOR] }], SWEEP_ROOT)).toThrow(/at least 2 distinct/);
    expect(() => buildBatchOutput([{ ...l!, cosigners: ['02' + '00'.repeat(32), OPERATOR] }], SWEEP_ROOT)).toThrow(/not a point/);
    expect(() => buildBatchOutput([{ ...l!, outputs: [] }], SWEEP_ROOT)).toThrow(/outputs/);
  });
});

describe("vtxo tree: the SDK's validateVtxoTxGraph", () => {
  const users = Array.from({ length: 8 }, newUser);

  for (const n of [1, 2, 3, 5, 8]) {
    it(`accepts the ${n}-leaf tree, whole and as each user receives it on its topic`, () => {
      const { tree, commitment } = buildRound(leavesFor(users.slice(0, n)));
      const full = TxTree.create(flattenTree(tree));
      expect(full.nbOfNodes()).toBe(tree.nbOfNodes());
      validateVtxoTxGraph(full, commitment.tx, SWEEP_ROOT);
      for (const u of users.slice(0, n)) {
        const mine = clientTree(tree, u.cosigner);
        validateVtxoTxGraph(mine, commitment.tx, SWEEP_ROOT);
        expect(mine.leaves()).toHaveLength(1);
      }
    });
  }

  it('streams parents before children, every chunk addressed to exactly its cosigners', () => {
    const { tree } = buildRound(leavesFor(users.slice(0, 5)));
    const chunks = flattenTree(tree);
    const pos = new Map(chunks.map((c, i) => [c.txid, i]));
    for (const c of chunks) for (const child of Object.values(c.children)) expect(pos.get(child)!).toBeGreaterThan(pos.get(c.txid)!);
    expect(new Set(chunks[0]!.topic)).toEqual(new Set([...users.slice(0, 5).map((u) => u.cosigner), OPERATOR]));
    expect(chunks.filter((c) => c.topic.includes(OPERATOR))).toHaveLength(chunks.length);
  });

  it('refuses a tree whose amounts do not add up to the batch output', () => {
    const leaves = leavesFor(users.slice(0, 3));
    const { commitment } = buildRound(leaves);
    const bigger = leaves.map((l, i) => (i === 2 ? { ...l, outputs: [{ ...l.outputs[0]!, amount: l.outputs[0]!.amount + 1n }] } : l));
    const cheat = buildVtxoTree({ txid: commitment.tx.id, vout: 0 }, bigger, SWEEP_ROOT, EXPIRY);
    expect(() => validateVtxoTxGraph(cheat, commitment.tx, SWEEP_ROOT)).toThrow(/invalid amount/);
  });

  it('refuses a tree whose cosigner key was swapped, or checked against another sweep root', () => {
    const { tree, commitment } = buildRound(leavesFor(users.slice(0, 3)));
    const chunks = flattenTree(tree);
    const leafChunk = chunks.find((c) => Object.keys(c.children).length === 0)!;
    const tx = Transaction.fromPSBT(base64.decode(leafChunk.tx), { allowUnknown: true });
    // same txid (PSBT fields are not in it), different key: the parent's output no longer matches
    tx.updateInput(0, { unknown: (tx.getInput(0).unknown ?? []).filter((u) => CosignerPublicKey.decode(u) === null) });
    setArkPsbtField(tx, 0, CosignerPublicKey, { index: 0, key: secp256k1.getPublicKey(rnd(), true) });
    setArkPsbtField(tx, 0, CosignerPublicKey, { index: 1, key: hex.decode(OPERATOR) });
    const tampered = chunks.map((c) => (c === leafChunk ? { ...c, tx: base64.encode(tx.toPSBT()) } : c));
    expect(() => validateVtxoTxGraph(TxTree.create(tampered), commitment.tx, SWEEP_ROOT)).toThrow(/invalid taproot script/);
    expect(() => validateVtxoTxGraph(TxTree.create(chunks), commitment.tx, sweepTapTreeRoot(FORFEIT_X, 2048n))).toThrow(/invalid taproot script/);
  });
});

describe('connector tree', () => {
  it("radix 4, every output the operator's connector key untweaked; the SDK's validateConnectorsTxGraph accepts it", () => {
    const connectorX = secp256k1.getPublicKey(rnd(), true).subarray(1);
    const leaves = connectorLeaves(p2tr(connectorX), 6, 330n);
    const out = buildConnectorOutput(leaves);
    expect([hex.encode(out.script), out.amount]).toEqual([hex.encode(p2tr(connectorX)), 1980n]);
    const vtxoLeaves = leavesFor([newUser()]);
    const commitment = commitmentTx(buildBatchOutput(vtxoLeaves, SWEEP_ROOT), out);
    const tree = buildConnectorTree({ txid: commitment.tx.id, vout: 1 }, leaves);
    // 6 → [group of 4, 2 left over] → root(4-branch, 2 leaves) ... as arkd: 4 leaves under one branch, 2 beside it
    expect(shape(tree)).toEqual({ 0: { 0: 1, 1: 1, 2: 1, 3: 1 }, 1: 1, 2: 1 });
    for (const node of treeNodes(tree)) {
      expect(getArkPsbtFields(node.root, 0, VtxoTreeExpiry)).toEqual([]);
      for (let i = 0; i < node.root.outputsLength - 1; i++) expect(hex.encode(node.root.getOutput(i).script!)).toBe(hex.encode(p2tr(connectorX)));
    }
    validateConnectorsTxGraph(commitment.psbt, TxTree.create(flattenTree(tree)));
    const wrongVout = buildConnectorTree({ txid: commitment.tx.id, vout: 0 }, leaves);
    expect(() => validateConnectorsTxGraph(commitment.psbt, wrongVout)).toThrow(/wrong settlement txid/);
  });
});

/** Drives the SDK's own signer session for each user exactly as wallet.ts createBatchHandler does. */
async function signRound(n: number, opts: { usersPerLeaf?: number } = {}) {
  const users = await newSigners(n * (opts.usersPerLeaf ?? 1));
  const leaves: TreeLeaf[] = Array.from({ length: n }, (_, i) => ({
    outputs: [{ script: p2tr(secp256k1.getPublicKey(rnd(), true).subarray(1)), amount: 10_000n + BigInt(i) }],
    cosigners: [...users.slice(i * (opts.usersPerLeaf ?? 1), (i + 1) * (opts.usersPerLeaf ?? 1)).map((u) => u.cosigner), OPERATOR],
  }));
  const { tree, commitment, batch } = buildRound(leaves);
  const server = new TreeSigningSession(tree, SWEEP_ROOT, batch.amount, OPERATOR_SK);
  expect(new Set(server.cosignerKeys())).toEqual(new Set([...users.map((u) => u.cosigner), OPERATOR]));
  expect(new Set(server.userCosignerKeys())).toEqual(new Set(users.map((u) => u.cosigner)));

  const clients = [];
  for (const u of users) {
    // onTreeSigningStarted: validate, init with the commitment's output 0 amount, send nonces
    const mine = clientTree(tree, u.cosigner);
    validateVtxoTxGraph(mine, commitment.tx, SWEEP_ROOT);
    const session = u.session;
    await session.init(mine, SWEEP_ROOT, commitment.tx.getOutput(0).amount!);
    const nonces = await session.getNonces();
    const pubkey = hex.encode(await session.getPublicKey());
    expect(pubkey).toBe(u.cosigner);
    server.addNonces(pubkey, Object.fromEntries([...nonces].map(([txid, nn]) => [txid, hex.encode(nn.pubNonce)])));
    clients.push({ u, session, mine, pubkey });
  }
  expect(server.hasAllNonces()).toBe(true);
  return { users, leaves, tree, commitment, batch, server, clients };
}

/** onTreeNonces for every tx of the client's tree (TreeNonces events), then sign() and submit. */
async function clientSigns(server: TreeSigningSession, c: { session: SignerSession; mine: TxTree }): Promise<Record<string, string>> {
  let all = false;
  for (const node of treeNodes(c.mine)) {
    const event = new Map(Object.entries(server.noncesFor(node.txid)).map(([k, v]) => [k, { pubNonce: hex.decode(v) }]));
    all = (await c.session.aggregatedNonces(node.txid, event)).hasAllNonces;
  }
  expect(all).toBe(true);
  const sigs = await c.session.sign();
  return Object.fromEntries([...sigs].map(([txid, s]) => [txid, hex.encode(s.encode())]));
}

/** Independent check: each tx's tapKeySig against its parent output (the commitment's output 0 for the root). */
function checkSignedTree(tree: TxTree, commitment: Transaction) {
  const byId = new Map(treeNodes(tree).map((t) => [t.txid, t.root]));
  for (const node of treeNodes(tree)) {
    const input = node.root.getInput(0);
    const parentId = hex.encode(input.txid!);
    const prevout = parentId === commitment.id ? commitment.getOutput(input.index!) : byId.get(parentId)!.getOutput(input.index!);
    const msg = node.root.preimageWitnessV1(0, [prevout.script!], SigHash.DEFAULT, [prevout.amount!]);
    expect(schnorr.verify(input.tapKeySig!, msg, prevout.script!.subarray(2)), node.txid).toBe(true);
    // finalized as a taproot key-path spend: the witness is the single 64-byte signature
    const final = Transaction.fromPSBT(node.root.toPSBT(), { allowUnknownOutputs: true });
    final.updateInput(0, { witnessUtxo: { script: prevout.script!, amount: prevout.amount! } });
    final.finalizeIdx(0);
    const witness = final.getInput(0).finalScriptWitness!;
    expect(witness.map((w) => w.length)).toEqual([64]);
    expect(final.id).toBe(node.txid);
  }
}

describe('tree signing: operator session in the middle of the SDK signer sessions', () => {
  for (const n of [1, 2, 3, 5, 8]) {
    it(`${n} leaves: every user's SDK session signs, the operator aggregates, every tx verifies`, async () => {
      const { server, clients, tree, commitment } = await signRound(n);
      // BIP327 NonceAgg as scure computes it (the SDK sessions aggregate with it on their side)
      for (const node of treeNodes(tree)) {
        const keys = getArkPsbtFields(node.root, 0, CosignerPublicKey).map((c) => hex.encode(c.key.subarray(1)));
        const theirs = musig.nonceAggregate(keys.map((k) => hex.decode(server.noncesFor(node.txid)[k]!)));
        expect(server.aggregatedNonce(node.txid)).toBe(hex.encode(theirs));
      }
      for (const c of clients) server.addSignatures(c.pubkey, await clientSigns(server, c));
      expect(server.hasAllSignatures()).toBe(true);
      const clientView = clientTree(tree, clients[0]!.pubkey); // the unsigned tree the client holds
      const signed = server.finalize();
      checkSignedTree(signed, commitment.tx);
      // the signatures arkd streams as TreeSignature events, applied as the SDK applies them
      const sigs = server.signatures();
      for (const node of treeNodes(clientView)) expect(node.root.getInput(0).tapKeySig).toBeUndefined();
      for (const [txid, s] of Object.entries(sigs)) if (clientView.find(txid)) clientView.update(txid, (tx) => tx.updateInput(0, { tapKeySig: hex.decode(s) }));
      checkSignedTree(clientView, commitment.tx);
    });
  }

  it('leaves with two users each, and one user in two leaves', async () => {
    const { server, clients, commitment } = await signRound(3, { usersPerLeaf: 2 });
    for (const c of clients) server.addSignatures(c.pubkey, await clientSigns(server, c));
    checkSignedTree(server.finalize(), commitment.tx);

    const [u, v] = (await newSigners(2)) as [Signer, Signer];
    const leaves = leavesFor([u, v, u]);
    const { tree, commitment: c2, batch } = buildRound(leaves);
    const s2 = new TreeSigningSession(tree, SWEEP_ROOT, batch.amount, OPERATOR_SK);
    const parts = [];
    for (const w of [u, v]) {
      const mine = clientTree(tree, w.cosigner);
      validateVtxoTxGraph(mine, c2.tx, SWEEP_ROOT);
      const session = w.session;
      await session.init(mine, SWEEP_ROOT, batch.amount);
      s2.addNonces(w.cosigner, Object.fromEntries([...(await session.getNonces())].map(([t, nn]) => [t, hex.encode(nn.pubNonce)])));
      parts.push({ session, mine, pubkey: w.cosigner });
    }
    expect(treeNodes(parts[0]!.mine).length).toBe(4); // u's two paths share the root
    for (const p of parts) s2.addSignatures(p.pubkey, await clientSigns(s2, p));
    checkSignedTree(s2.finalize(), c2.tx);
  });

  it('the operator alone cannot complete any tx: finalize refuses until every user has signed', async () => {
    const { server, clients } = await signRound(3);
    expect(() => server.finalize()).toThrow(HashPerpError);
    expect(() => server.finalize()).toThrow(/not fully signed.*signatures/);
    for (const c of clients.slice(0, 2)) server.addSignatures(c.pubkey, await clientSigns(server, c));
    expect(server.hasAllSignatures()).toBe(false);
    expect(() => server.finalize()).toThrow(new RegExp(clients[2]!.pubkey));
    for (const node of treeNodes(server['tree'] as TxTree)) expect(node.root.getInput(0).tapKeySig).toBeUndefined();
  });

  it('an operator playing every user (their nonces, random shares) still yields no valid key-path signature', async () => {
    const users = [newUser(), newUser()];
    const { tree } = buildRound(leavesFor(users));
    const keys = musig.sortKeys(getArkPsbtFields(tree.root, 0, CosignerPublicKey).map((c) => c.key));
    const server = new TreeSigningSession(tree, SWEEP_ROOT, 20_001n, OPERATOR_SK);
    const { message, outputKey } = server.sighash(tree.txid);
    const nonces = keys.map((k) => musig.nonceGen(k));
    const agg = musig.nonceAggregate(nonces.map((n) => n.public));
    const pre = musig.keyAggregate(keys).aggPublicKey.toBytes(true);
    const session = new musig.Session(agg, keys, message, [schnorr.utils.taggedHash('TapTweak', pre.subarray(1), SWEEP_ROOT)], [true]);
    const shares = keys.map((k, i) => (hex.encode(k) === OPERATOR ? session.sign(nonces[i]!.secret, OPERATOR_SK) : rnd()));
    expect(schnorr.verify(session.partialSigAgg(shares), message, outputKey)).toBe(false);
    // nor with the operator's key alone, as a plain BIP340 signature
    expect(schnorr.verify(schnorr.sign(message, OPERATOR_SK), message, outputKey)).toBe(false);
  });

  it("a relayed nonce swapped on the way to one client makes that client's share fail, and it is refused", async () => {
    const { server, clients } = await signRound(2);
    const [a, b] = clients as [(typeof clients)[0], (typeof clients)[0]];
    // b's view of the root nonces has a's nonce replaced (what a cheating relay would do)
    const rootTxid = treeNodes(b.mine)[0]!.txid;
    let done = false;
    for (const node of treeNodes(b.mine)) {
      const ev = server.noncesFor(node.txid);
      if (node.txid === rootTxid) ev[a.pubkey.slice(2)] = hex.encode(musig.nonceGen(hex.decode(a.pubkey)).public);
      done = (await b.session.aggregatedNonces(node.txid, new Map(Object.entries(ev).map(([k, v]) => [k, { pubNonce: hex.decode(v) }])))).hasAllNonces;
    }
    expect(done).toBe(true);
    const sigs = Object.fromEntries([...(await b.session.sign())].map(([t, sg]) => [t, hex.encode(sg.encode())]));
    expect(() => server.addSignatures(b.pubkey, sigs)).toThrow(new RegExp(`invalid partial signature of ${b.pubkey} for tx ${rootTxid}`));
  });

  it('a forged partial signature is refused, naming the tx and the key; nothing of that signer is kept', async () => {
    const { server, clients, commitment } = await signRound(3);
    const c = clients[1]!;
    const good = await clientSigns(server, c);
    const txid = Object.keys(good)[0]!;
    // a random scalar
    const forged = { ...good, [txid]: hex.encode(rnd()) };
    const err = (() => {
      try {
        server.addSignatures(c.pubkey, forged);
      } catch (e) {
        return e as HashPerpError;
      }
      throw new Error('accepted a forged signature');
    })();
    expect(err.code).toBe('tree_signature_refused');
    expect(err.message).toContain(txid);
    expect(err.message).toContain(c.pubkey);
    // another cosigner's valid share for the same tx is no good for this key either
    const other = clients[0]!;
    const otherSigs = await clientSigns(server, other);
    const shared = Object.keys(good).find((t) => t in otherSigs)!;
    expect(() => server.addSignatures(c.pubkey, { ...good, [shared]: otherSigs[shared]! })).toThrow(/invalid partial signature/);
    // a share for a tx it does not cosign, or one missing
    const notMine = treeNodes(server['tree'] as TxTree).map((t) => t.txid).find((t) => !(t in good))!;
    expect(() => server.addSignatures(c.pubkey, { ...good, [notMine]: good[txid]! })).toThrow(/not a cosigner of tx/);
    const { [txid]: _dropped, ...missing } = good;
    expect(() => server.addSignatures(c.pubkey, missing)).toThrow(/missing partial signature/);
    expect(server.missingSignatures()).toContain(c.pubkey);
    // the honest shares still complete the tree
    for (const cc of clients) server.addSignatures(cc.pubkey, cc === c ? good : cc === other ? otherSigs : await clientSigns(server, cc));
    checkSignedTree(server.finalize(), commitment.tx);
    expect(() => server.addSignatures(c.pubkey, good)).toThrow(/already submitted/);
  });

  it('nonces: refused from a non-cosigner, for the wrong txs, malformed, twice, or from the operator key', async () => {
    const users = await newSigners(3);
    const { tree, batch } = buildRound(leavesFor(users));
    const server = new TreeSigningSession(tree, SWEEP_ROOT, batch.amount, OPERATOR_SK);
    const u = users[0]!;
    const session = u.session;
    await session.init(clientTree(tree, u.cosigner), SWEEP_ROOT, batch.amount);
    const nonces = Object.fromEntries([...(await session.getNonces())].map(([t, nn]) => [t, hex.encode(nn.pubNonce)]));
    const code = (f: () => void) => {
      try {
        f();
      } catch (e) {
        return `${(e as HashPerpError).code}: ${(e as Error).message}`;
      }
      return 'accepted';
    };
    expect(code(() => server.addNonces(newUser().cosigner, nonces))).toMatch(/^tree_nonce_refused: .*not a cosigner of this tree/);
    expect(code(() => server.addNonces(OPERATOR, server.operatorNonces()))).toMatch(/^tree_nonce_refused: .*operator/);
    const first = Object.keys(nonces)[0]!;
    expect(code(() => server.addNonces(u.cosigner, { ...nonces, [first]: '02' + '00'.repeat(65) }))).toMatch(new RegExp(`tree_nonce_refused: .*${first}.*not two compressed points`));
    const { [first]: _d, ...short } = nonces;
    expect(code(() => server.addNonces(u.cosigner, short))).toMatch(/missing nonce/);
    const foreign = treeNodes(tree).map((t) => t.txid).find((t) => !(t in nonces))!;
    expect(code(() => server.addNonces(u.cosigner, { ...nonces, [foreign]: nonces[first]! }))).toMatch(new RegExp(`not a cosigner of tx ${foreign}`));
    expect(code(() => server.noncesFor(first))).toMatch(/^tree_signing_incomplete/);
    expect(code(() => server.addSignatures(u.cosigner, {}))).toMatch(/^tree_signing_incomplete: signatures before all nonces/);
    server.addNonces(u.cosigner, nonces);
    expect(code(() => server.addNonces(u.cosigner, nonces))).toMatch(/already submitted/);
    expect(server.missingNonces().sort()).toEqual([users[1]!.cosigner, users[2]!.cosigner].sort());
  });

  it('refuses a tree the operator does not cosign everywhere', () => {
    const other = pub(rnd());
    const leaves = leavesFor([newUser(), newUser()]).map((l, i) => (i === 1 ? { ...l, cosigners: [l.cosigners[0]!, other] } : l));
    const { tree, batch } = buildRound(leaves);
    expect(() => new TreeSigningSession(tree, SWEEP_ROOT, batch.amount, OPERATOR_SK)).toThrow(/does not include the operator/);
  });

  it('100 leaves: build + full signing round, server phases timed (for bench:ark)', async () => {
    // 100 SDK sessions would each redo MuSig2 key aggregation for its whole path in constant time
    // (minutes here, for client work that runs on 100 machines); these clients are plain BIP327
    // signers sharing one scure Session per tx, and the server side is exactly what a round runs.
    const sks = Array.from({ length: 100 }, rnd);
    const users = sks.map((sk) => ({ cosigner: pub(sk) }));
    const t0 = performance.now();
    const plan = planVtxoTree(leavesFor(users), SWEEP_ROOT, EXPIRY);
    const batch = plan.output;
    const commitment = commitmentTx(batch);
    const tree = plan.build({ txid: commitment.tx.id, vout: 0 });
    const t1 = performance.now();
    const server = new TreeSigningSession(tree, SWEEP_ROOT, batch.amount, OPERATOR_SK);
    const t2 = performance.now();
    let t3 = t2;
    const secNonces = sks.map(() => new Map<string, Uint8Array>());
    users.forEach((u, i) => {
      const mine = treeNodes(tree).filter((n) => getArkPsbtFields(n.root, 0, CosignerPublicKey).some((c) => hex.encode(c.key) === u.cosigner));
      const nonces: Record<string, string> = {};
      for (const n of mine) {
        const nn = musig.nonceGen(hex.decode(u.cosigner));
        secNonces[i]!.set(n.txid, nn.secret);
        nonces[n.txid] = hex.encode(nn.public);
      }
      if (i === 99) t3 = performance.now();
      server.addNonces(u.cosigner, nonces);
    });
    const t4 = performance.now();
    const sessions = new Map(
      treeNodes(tree).map((n) => {
        const keys = musig.sortKeys(getArkPsbtFields(n.root, 0, CosignerPublicKey).map((c) => c.key));
        const pre = musig.keyAggregate(keys).aggPublicKey.toBytes(true);
        const { message } = server.sighash(n.txid);
        const tweak = schnorr.utils.taggedHash('TapTweak', pre.subarray(1), SWEEP_ROOT);
        return [n.txid, new musig.Session(hex.decode(server.aggregatedNonce(n.txid)), keys, message, [tweak], [true])];
      }),
    );
    const allSigs = users.map((_, i) => Object.fromEntries([...secNonces[i]!].map(([txid, sec]) => [txid, hex.encode(sessions.get(txid)!.sign(sec, sks[i]!, true))])));
    const t5 = performance.now();
    users.forEach((u, i) => server.addSignatures(u.cosigner, allSigs[i]!));
    const t6 = performance.now();
    const signed = server.finalize();
    const t7 = performance.now();
    checkSignedTree(signed, commitment.tx);
    const ms = (a: number, b: number) => Math.round(b - a);
    console.log(
      `ark tree n=100 (${tree.nbOfNodes()} txs): build ${ms(t0, t1)} ms; server session ${ms(t1, t2)} ms; ` +
        `last addNonces (aggregate + operator signs) ${ms(t3, t4)} ms; verify 100 users' partial sigs ${ms(t5, t6)} ms; finalize ${ms(t6, t7)} ms`,
    );
    expect(tree.nbOfNodes()).toBe(199);
  }, 300_000);
});

describe('sweep', () => {
  it("the batch output's script path is the CSV sweep leaf of the forfeit key over the untweaked aggregate; the forfeit key alone spends it after expiry", () => {
    const users = [newUser(), newUser(), newUser()];
    const { tree, batch, commitment } = buildRound(leavesFor(users));
    for (const node of treeNodes(tree)) {
      const input = treeSweepInput(node, FORFEIT_X, 1n);
      const parentOut = node === tree ? batch : treeNodes(tree).find((t) => t.txid === input.txid)!.root.getOutput(input.vout);
      expect(hex.encode(input.witnessUtxo.script)).toBe(hex.encode(parentOut.script!));
      // scure's own taproot construction from the same internal key and leaf agrees, control block included
      const pay = scureP2tr(input.tapLeafScript[0].internalKey, { script: input.tapLeafScript[1].subarray(0, -1) }, undefined, true);
      expect(hex.encode(pay.script)).toBe(hex.encode(input.witnessUtxo.script));
      expect(pay.tapLeafScript![0]![0]).toEqual(input.tapLeafScript[0]);
    }
    const input = treeSweepInput(tree, FORFEIT_X, batch.amount);
    expect([input.txid, input.vout, input.sequence]).toEqual([commitment.tx.id, 0, (1 << 22) | 2]);
    const sweep = new Transaction({ version: 2 });
    sweep.addInput({ txid: input.txid, index: input.vout, sequence: input.sequence, witnessUtxo: input.witnessUtxo, tapLeafScript: [input.tapLeafScript] });
    sweep.addOutput({ script: p2tr(FORFEIT_X), amount: batch.amount - 500n });
    expect(() => new Transaction({ version: 2 }).sign(rnd())).toThrow();
    sweep.sign(FORFEIT_SK);
    // scure cannot finalize a CSV tapscript (the SDK finalizes these itself); check the leaf signature directly
    const [entry] = sweep.getInput(0).tapScriptSig!;
    expect(hex.encode(entry![0].pubKey)).toBe(hex.encode(FORFEIT_X));
    const leafScript = input.tapLeafScript[1].subarray(0, -1);
    const msg = sweep.preimageWitnessV1(0, [input.witnessUtxo.script], SigHash.DEFAULT, [input.witnessUtxo.amount], undefined, leafScript, 0xc0);
    expect(schnorr.verify(entry![1], msg, FORFEIT_X)).toBe(true);
    // nobody else can: a stranger's key signs nothing in this input
    const other = new Transaction({ version: 2 });
    other.addInput({ txid: input.txid, index: input.vout, sequence: input.sequence, witnessUtxo: input.witnessUtxo, tapLeafScript: [input.tapLeafScript] });
    other.addOutput({ script: p2tr(FORFEIT_X), amount: 1000n });
    expect(() => other.sign(rnd())).toThrow();
  });
});
