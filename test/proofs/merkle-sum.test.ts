import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LeafRangeError, MerkleSumTree, verifySumProof, type SumLeaf, type SumProof } from '../../src/proofs/merkle-sum.js';
import { buildLiabilities, proofWire, verifyLiabilitiesProof } from '../../src/proofs/liabilities.js';
import { hashThread } from '../../src/proofs/merkle-sum-thread.js';

// An independent SHA-256 (node's OpenSSL) and encodings written out by hand, not the module's.
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const u64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(v);
  return b;
};
const refLeaf = (l: SumLeaf): Buffer => sha(Buffer.from([0]), Buffer.from(l.salt), u64(l.value), Buffer.from(l.account, 'utf8'));
const refNode = (a: { h: Buffer; s: bigint }, b: { h: Buffer; s: bigint }) => ({ h: sha(Buffer.from([1]), a.h, u64(a.s), b.h, u64(b.s)), s: a.s + b.s });

/** Naive recursive reference: leaves in salt order (first 4 bytes, then input index), odd node promoted. */
function refRoot(leaves: SumLeaf[]): { h: Buffer; s: bigint } {
  const sorted = leaves.map((l, i) => ({ l, i })).sort((a, b) => Buffer.from(a.l.salt.subarray(0, 4)).compare(Buffer.from(b.l.salt.subarray(0, 4))) || a.i - b.i);
  const rec = (xs: { h: Buffer; s: bigint }[]): { h: Buffer; s: bigint } => {
    if (xs.length === 1) return xs[0];
    const up: { h: Buffer; s: bigint }[] = [];
    for (let i = 0; i < xs.length; i += 2) up.push(i + 1 < xs.length ? refNode(xs[i], xs[i + 1]) : xs[i]);
    return rec(up);
  };
  return rec(sorted.map(({ l }) => ({ h: refLeaf(l), s: l.value })));
}

const salt = (b: number): Uint8Array => new Uint8Array(16).fill(b);

describe('Merkle sum tree', () => {
  it('3 leaves: the root computed by hand', () => {
    // Salts 0x03.., 0x01.., 0x02.. put the leaves in the order bob, carol, alice.
    const leaves: SumLeaf[] = [
      { account: 'user:alice', value: 5_000n, salt: salt(3) },
      { account: 'user:bob', value: 7n, salt: salt(1) },
      { account: 'user:carol', value: 2n ** 62n, salt: salt(2) },
    ];
    const t = MerkleSumTree.build(leaves);
    const bob = { h: refLeaf(leaves[1]), s: 7n };
    const carol = { h: refLeaf(leaves[2]), s: 2n ** 62n };
    const alice = { h: refLeaf(leaves[0]), s: 5_000n };
    const bc = refNode(bob, carol);
    const root = refNode(bc, alice); // alice promoted from level 0 to level 1
    expect(Buffer.from(t.root.hash).toString('hex')).toBe(root.h.toString('hex'));
    expect(t.root.sum).toBe(2n ** 62n + 5_007n);
    // Alice's path: one step (bc on her left); she skipped level 0.
    const p = t.proof(0);
    expect(p.index).toBe(2);
    expect(p.path.map((s) => Buffer.from(s.hash).toString('hex'))).toEqual([bc.h.toString('hex')]);
    expect(verifySumProof(p, t.root)).toEqual({ ok: true });
  });

  it('matches a naive recursive reference for 1..40 leaves, and every proof verifies', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves: SumLeaf[] = Array.from({ length: n }, (_, i) => ({ account: `user:a${i}`, value: BigInt(i * 1000 + 1), salt: randomBytes(16) }));
      const t = MerkleSumTree.build(leaves);
      const r = refRoot(leaves);
      expect(Buffer.from(t.root.hash).equals(r.h)).toBe(true);
      expect(t.root.sum).toBe(r.s);
      for (let i = 0; i < n; i++) expect(verifySumProof(t.proof(i), t.root)).toEqual({ ok: true });
    }
  });

  it('random accounts (ASCII and not, values past 2^53): the fast build, alone and with its helper thread, equals the naive reference', () => {
    const rnd = (bytes: number) => BigInt(`0x${randomBytes(bytes).toString('hex')}`);
    const names = ['user:', 'escrow:é', 'pool:€', 'user:😀'];
    const leavesOf = (n: number): SumLeaf[] =>
      Array.from({ length: n }, (_, i) => ({ account: `${names[i % 97 === 0 ? i % 4 : 0]}${randomBytes(1 + (i % 40)).toString('hex')}`, value: i % 1000 === 7 ? rnd(8) >> 8n : rnd(6), salt: randomBytes(16) }));
    // Σ < 2^62: about 20 values of 56 bits (past 2^53), the rest of 48 bits.
    // 3,001 leaves on one thread; 20,001 (past the helper's threshold, odd) with the helper: its right part ends in a promotion.
    for (const [n, helper] of [[3_001, undefined], [20_001, hashThread]] as const) {
      const leaves = leavesOf(n);
      const cols = { accounts: leaves.map((l) => l.account), values: leaves.map((l) => l.value), salts: Buffer.concat(leaves.map((l) => l.salt)) };
      const t = MerkleSumTree.fromColumns(cols, helper);
      const r = refRoot(leaves);
      expect(Buffer.from(t.root.hash).toString('hex'), `n ${n}`).toBe(r.h.toString('hex'));
      expect(t.root.sum).toBe(r.s);
      const single = MerkleSumTree.fromColumns(cols);
      for (const i of [0, 1, n >> 1, n - 2, n - 1]) {
        expect(t.proof(i)).toEqual(single.proof(i));
        expect(verifySumProof(t.proof(i), { hash: r.h, sum: r.s })).toEqual({ ok: true });
      }
    }
  });

  it('the helper thread itself answers (not the caller\'s fallback): a node task comes back ok with the nodes a single thread computes', () => {
    const shared = (n: number) => ({ hashes: new Uint8Array(new SharedArrayBuffer(32 * n)), hi: new Uint32Array(new SharedArrayBuffer(4 * n)), lo: new Uint32Array(new SharedArrayBuffer(4 * n)), n });
    const leaves = shared(5);
    leaves.hashes.set(randomBytes(32 * 5));
    leaves.lo.set([1, 2, 3, 4, 5]);
    const up = shared(3);
    expect(hashThread.start({ kind: 'nodes', levels: [leaves, up], first: 2 }).wait()).toBe('ok');
    // Node 1 pairs leaves 2 and 3; node 2 is leaf 4 promoted; node 0 was the caller's part, left untouched.
    expect(Buffer.from(up.hashes.subarray(32, 64)).equals(refNode({ h: Buffer.from(leaves.hashes.subarray(64, 96)), s: 3n }, { h: Buffer.from(leaves.hashes.subarray(96, 128)), s: 4n }).h)).toBe(true);
    expect(Buffer.from(up.hashes.subarray(64, 96)).equals(Buffer.from(leaves.hashes.subarray(128, 160)))).toBe(true);
    expect([...up.lo]).toEqual([0, 7, 5]);
  });

  it('the helper thread refuses a sum of 2^63 in its part as the caller does in its own', () => {
    const n = 20_000;
    // Salt order = input order (ascending first bytes); the last two leaves sit in the helper's part.
    const salts = Buffer.alloc(16 * n);
    for (let i = 0; i < n; i++) salts.writeUInt32BE(i, 16 * i);
    const values = Array.from({ length: n }, (_, i) => (i >= n - 2 ? 2n ** 62n : 1n));
    const accounts = values.map((_, i) => `user:${i}`);
    expect(() => MerkleSumTree.fromColumns({ accounts, values, salts }, hashThread)).toThrow(/2\^63/);
  });

  it('refuses a negative leaf and one of 2^63 loudly', () => {
    expect(() => MerkleSumTree.build([{ account: 'user:x', value: -1n, salt: salt(1) }])).toThrow(LeafRangeError);
    expect(() => MerkleSumTree.build([{ account: 'user:x', value: 2n ** 63n, salt: salt(1) }])).toThrow(/outside \[0, 2\^63\)/);
    expect(() => MerkleSumTree.build([{ account: 'user:x', value: 2n ** 62n, salt: salt(1) }, { account: 'user:y', value: 2n ** 62n, salt: salt(2) }])).toThrow(/2\^63/);
  });

  it('cheaters: a changed balance, sibling sum, salt, account, index or root is caught', () => {
    const leaves: SumLeaf[] = Array.from({ length: 9 }, (_, i) => ({ account: `user:a${i}`, value: BigInt(100 + i), salt: randomBytes(16) }));
    const t = MerkleSumTree.build(leaves);
    const p = t.proof(4);
    const bad = (q: Partial<SumProof>, root = t.root) => verifySumProof({ ...p, ...q }, root).ok;
    expect(bad({})).toBe(true);
    expect(bad({ value: p.value + 1n })).toBe(false);
    expect(bad({ value: p.value - 1n })).toBe(false);
    expect(bad({ path: p.path.map((s, i) => (i === 0 ? { ...s, sum: s.sum + 1n } : s)) })).toBe(false);
    // Shifting value between the leaf and a sibling keeps the total but not the hashes.
    expect(bad({ value: p.value + 1n, path: p.path.map((s, i) => (i === 0 ? { ...s, sum: s.sum - 1n } : s)) })).toBe(false);
    expect(bad({ salt: randomBytes(16) })).toBe(false);
    expect(bad({ account: 'user:a5' })).toBe(false);
    expect(bad({ index: p.index ^ 1 })).toBe(false);
    expect(bad({ path: p.path.slice(1) })).toBe(false);
    expect(bad({}, { hash: t.root.hash, sum: t.root.sum + 1n })).toBe(false);
    // A negative sibling sum cannot offset anything: refused before hashing.
    expect(bad({ path: p.path.map((s, i) => (i === 0 ? { ...s, sum: -5n } : s)) })).toBe(false);
  });
});

describe('liabilities of a ledger', () => {
  const N = 300;
  const ledger = (): [string, bigint][] => {
    const out: [string, bigint][] = [];
    let sum = 0n;
    for (let i = 0; i < N; i++) {
      const v = BigInt(i % 7 === 0 ? 0 : 1_000_000 + i * 12_345);
      out.push([`user:${i.toString(16).padStart(64, '0')}`, v]);
      sum += v;
    }
    out.push(['insurance', 42n], ['fees', 7n], ['world', -(sum + 49n)]);
    return out;
  };

  it('a proof for every account with a balance verifies against the published root', () => {
    const state = ledger();
    const b = buildLiabilities({ height: 800_000, hash: 'ab'.repeat(32) }, state, randomBytes(16 * state.length));
    expect(b.root.totalMsat).toBe((-state.find(([k]) => k === 'world')![1]).toString());
    let checked = 0;
    for (const [name, v] of state) {
      if (!name.startsWith('user:')) continue;
      const p = proofWire(b, name);
      if (v === 0n) {
        expect(p).toBeUndefined();
        continue;
      }
      const r = verifyLiabilitiesProof(p!, b.root, name.slice(5));
      expect(r).toEqual({ ok: true, balanceMsat: v });
      checked++;
    }
    expect(checked).toBe(N - Math.ceil(N / 7));
  });

  it('one balance changed in a copy of the state: the old proofs fail against the new root, and the copy cannot be passed off as the original', () => {
    const state = ledger();
    const salts = randomBytes(16 * state.length);
    const block = { height: 1, hash: '00'.repeat(32) };
    const honest = buildLiabilities(block, state, salts);
    // The operator under-reports one user by 1 msat (and world to match so its own check passes).
    const copy = state.map(([k, v]): [string, bigint] => (k === state[5][0] ? [k, v - 1n] : k === 'world' ? [k, v + 1n] : [k, v]));
    const cheat = buildLiabilities(block, copy, salts);
    expect(cheat.root.root).not.toBe(honest.root.root);
    const victim = proofWire(cheat, state[5][0])!;
    const r = verifyLiabilitiesProof(victim, cheat.root, state[5][0].slice(5));
    // The victim's own check: the proof verifies, but for a balance lower than its account shows.
    expect(r.ok && r.balanceMsat).toBe(state[5][1] - 1n);
    // Every other user's honest proof fails against the cheat root.
    for (const [name, v] of state.slice(0, 20)) {
      if (!name.startsWith('user:') || v === 0n || name === state[5][0]) continue;
      expect(verifyLiabilitiesProof(proofWire(honest, name)!, cheat.root, name.slice(5)).ok).toBe(false);
    }
  });

  it('refuses a ledger with a negative account or that does not balance', () => {
    expect(() => buildLiabilities({ height: 1, hash: '' }, [['user:a', -5n], ['world', 5n]], randomBytes(32))).toThrow(LeafRangeError);
    expect(() => buildLiabilities({ height: 1, hash: '' }, [['user:a', 5n], ['world', -4n]], randomBytes(32))).toThrow(/does not balance/);
  });

  it('a proof for another account, another block or another root is refused', () => {
    const state = ledger();
    const b = buildLiabilities({ height: 9, hash: 'cd'.repeat(32) }, state, randomBytes(16 * state.length));
    const name = state[1][0];
    const p = proofWire(b, name)!;
    expect(verifyLiabilitiesProof(p, b.root, state[2][0].slice(5)).ok).toBe(false);
    expect(verifyLiabilitiesProof(p, { ...b.root, height: 10 }, name.slice(5)).ok).toBe(false);
    expect(verifyLiabilitiesProof(p, { ...b.root, totalMsat: '-1' }, name.slice(5)).ok).toBe(false);
    expect(verifyLiabilitiesProof({ ...p, salt: 'zz' }, b.root, name.slice(5)).ok).toBe(false);
    expect(verifyLiabilitiesProof({ ...p, count: p.count + 1 }, b.root, name.slice(5)).ok).toBe(false);
  });
});

describe('the tree builder\'s SHA-256', () => {
  it('equals OpenSSL for every length 0..200 (one to four blocks)', async () => {
    const { digestPadded, paddedBuffer } = await import('../../src/proofs/sha256-padded.js');
    for (let len = 0; len <= 200; len++) {
      const msg = randomBytes(len);
      const { buf, blocks } = paddedBuffer(len);
      buf.set(msg, 0);
      const out = new Uint8Array(40);
      digestPadded(buf, blocks, out, 8);
      expect(Buffer.from(out.subarray(8)).toString('hex'), `len ${len}`).toBe(createHash('sha256').update(msg).digest('hex'));
    }
  });
});

describe('browser-safe', () => {
  it('the verification modules the web app bundles import no Node built-in', async () => {
    const { readFileSync } = await import('node:fs');
    for (const f of ['check.ts', 'liabilities.ts', 'merkle-sum.ts', 'sha256-padded.ts']) {
      const src = readFileSync(new URL(`../../src/proofs/${f}`, import.meta.url), 'utf8');
      const specs = [...src.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      for (const s of specs) expect(s, `${f} imports ${s}`).toMatch(/^(\.\/|@noble\/hashes\/)/);
    }
  });
});
