import { describe, it, expect } from 'vitest';
import { hex } from '@scure/base';
import { contractHandlers, type Contract, type PathContext, type PathSelection, type TapLeafScript, type VirtualCoin } from '@arkade-os/sdk';
import { keyPairFromSeedLabel } from '../../src/bitcoin/keys.js';
import { buildBlockDeltaVtxo, type BdcSide } from '../../src/bitcoin/vtxo-scripts.js';
import { BDC_CONTRACT_TYPE, BdcContractHandler, registerBdcContractHandler, type BdcContractParams } from '../../src/bitcoin/bdc-contract-handler.js';
import { InvalidArgumentError } from '../../src/units/errors.js';

const U = keyPairFromSeedLabel('bdc-handler/U').publicKey;
const S = keyPairFromSeedLabel('bdc-handler/S').publicKey;
const X = keyPairFromSeedLabel('bdc-handler/X').publicKey;
const H = 900_000;
const T = 1_800_000_000;
const d = { type: 'blocks' as const, value: 144n };
const params = (side: BdcSide): BdcContractParams => ({ user: U, operator: S, side, targetHeight: H, deadline: T, exitDelay: d });

registerBdcContractHandler();
registerBdcContractHandler(); // idempotent
const handler = contractHandlers.get('hashperp-bdc')!;

const contractOf = (side: BdcSide): Contract => {
  const serialized = handler.serializeParams(params(side));
  return { type: BDC_CONTRACT_TYPE, params: serialized, script: hex.encode(handler.createScript(serialized).pkScript), address: '', state: 'active', createdAt: 0 };
};
/** The contract VTXO after an unroll: confirmed at height 899_000 (its CSV of 144 blocks matures at 899_144). */
const vtxo = { txid: 'aa'.repeat(32), vout: 0, value: 100_000, status: { confirmed: true, block_height: 899_000, block_time: 1_700_000_000 } } as unknown as VirtualCoin;
const ctx = (over: Partial<PathContext>): PathContext => ({ collaborative: false, currentTime: (T - 3600) * 1000, blockHeight: H - 1, vtxo, ...over });
const leafHex = (l: TapLeafScript): string => hex.encode(l[1]);
const expectedLeaf = (side: BdcSide, n: 1 | 2 | 3): string => leafHex(buildBlockDeltaVtxo({ user: U, operator: S, userSide: side, targetHeight: H, deadline: T, exitDelay: d }).leaf(n));
const pick = (side: BdcSide, c: PathContext): PathSelection | null => {
  const contract = contractOf(side);
  return handler.selectPath(handler.createScript(contract.params), contract, c);
};

describe('hashperp-bdc in the SDK contract-handler registry', () => {
  it('registered once under its type; the SDK registry hands back our handler', () => {
    expect(handler).toBe(BdcContractHandler);
    expect(contractHandlers.getRegisteredTypes().filter((t) => t === 'hashperp-bdc')).toHaveLength(1);
  });

  it('params round-trip through the registry; the script is buildBlockDeltaVtxo’s', () => {
    for (const side of ['FAST', 'SLOW'] as const) {
      const s = handler.serializeParams(params(side));
      // exit delay as a BIP-68 sequence, like the SDK's own handlers: 144 blocks = 144
      expect(s).toEqual({ user: hex.encode(U), operator: hex.encode(S), side, targetHeight: '900000', deadline: '1800000000', exitDelay: '144' });
      expect(handler.deserializeParams(s)).toEqual(params(side));
      const v = buildBlockDeltaVtxo({ user: U, operator: S, userSide: side, targetHeight: H, deadline: T, exitDelay: d });
      expect(hex.encode(handler.createScript(s).pkScript)).toBe(hex.encode(v.vtxoScript.pkScript));
    }
    // seconds: 512 × 169 s = 86528 s → BIP-68 type flag 0x400000 | 169
    const sec = handler.serializeParams({ ...params('FAST'), exitDelay: { type: 'seconds', value: 86_528n } });
    expect(sec.exitDelay).toBe(String(0x400000 | 169));
    expect((handler.deserializeParams(sec) as BdcContractParams).exitDelay).toEqual({ type: 'seconds', value: 86_528n });
  });

  it('deserialize is strict and names the field', () => {
    const good = handler.serializeParams(params('FAST'));
    const bad: [Record<string, string>, string][] = [
      [{ ...good, user: '' }, 'user'],
      [{ ...good, user: good.user!.toUpperCase() }, 'user'],
      [{ ...good, operator: 'zz' }, 'operator'],
      [{ ...good, operator: good.user! }, 'user'], // same key on both sides
      [{ ...good, side: 'fast' }, 'side'],
      [{ ...good, targetHeight: '0900000' }, 'targetHeight'],
      [{ ...good, targetHeight: '500000000' }, 'targetHeight'],
      [{ ...good, deadline: '1.8e9' }, 'deadline'],
      [{ ...good, deadline: '500000000' }, 'deadline'], // T − 1 would be a height
      [{ ...good, exitDelay: String(0x80000000 | 144) }, 'exitDelay'], // disable flag
      [{ ...good, exitDelay: String(0x00010000 | 144) }, 'exitDelay'], // bits BIP-68 ignores
      [{ ...good, exitDelay: '0' }, 'exitDelay'],
      [{ ...good, preimage: '00' }, 'preimage'],
    ];
    for (const [p, f] of bad) {
      let err: unknown;
      try {
        handler.deserializeParams(p);
      } catch (e) {
        err = e;
      }
      expect(err, `${f}: ${JSON.stringify(p)}`).toBeInstanceOf(InvalidArgumentError);
      expect((err as InvalidArgumentError).field, JSON.stringify(p)).toBe(f);
    }
    const { deadline: _, ...missing } = good;
    expect(() => handler.deserializeParams(missing)).toThrow(/deadline/);
  });

  it('collaborative: leaf 1 for the user and for the operator, whatever the locks; nobody else', () => {
    for (const side of ['FAST', 'SLOW'] as const) {
      expect(leafHex(pick(side, ctx({ collaborative: true, walletPubKey: hex.encode(U) }))!.leaf)).toBe(expectedLeaf(side, 1));
      expect(leafHex(pick(side, ctx({ collaborative: true, walletDescriptor: `tr(${hex.encode(S)})` }))!.leaf)).toBe(expectedLeaf(side, 1));
      expect(pick(side, ctx({ collaborative: true, walletPubKey: hex.encode(X) }))).toBeNull();
      expect(pick(side, ctx({ collaborative: true }))).toBeNull();
    }
  });

  // [user's side, wallet, expected claim leaf]: the wallet's own side decides the leaf.
  const cases: [BdcSide, 'user' | 'operator', 2 | 3][] = [
    ['FAST', 'user', 2],
    ['FAST', 'operator', 3],
    ['SLOW', 'user', 3],
    ['SLOW', 'operator', 2],
  ];
  const wallet = (w: 'user' | 'operator'): Partial<PathContext> => (w === 'user' ? { walletPubKey: hex.encode(U) } : { walletDescriptor: `tr(${hex.encode(S)})` });

  it.each(cases)('unilateral, user %s, wallet = %s: claim leaf %i only once its CLTV has opened (and the CSV matured)', (side, w, leaf) => {
    const seq = 144; // BIP-68 of 144 blocks
    // Before either lock: block H − 1, MTP an hour before T.
    expect(pick(side, ctx(wallet(w)))).toBeNull();
    // The FAST lock opens with block H; the SLOW lock when MTP reaches T (not T − 1: BIP-113 needs MTP > T − 1).
    const heightOpen = ctx({ ...wallet(w), blockHeight: H });
    const timeClosed = ctx({ ...wallet(w), blockHeight: H + 10, currentTime: T * 1000 - 1 });
    const timeOpen = ctx({ ...wallet(w), blockHeight: H - 1, currentTime: T * 1000 });
    const open = leaf === 2 ? heightOpen : timeOpen;
    const closed = leaf === 2 ? ctx({ ...wallet(w), blockHeight: H - 1, currentTime: (T + 3600) * 1000 }) : timeClosed;
    const p = pick(side, open)!;
    expect(leafHex(p.leaf)).toBe(expectedLeaf(side, leaf));
    expect(p.sequence).toBe(seq);
    expect(pick(side, closed)).toBeNull();
    // The lock is open but the unrolled VTXO is too young for CSV(d): 899_900 + 144 > H.
    expect(pick(side, { ...open, vtxo: { ...vtxo, status: { ...vtxo.status, block_height: 899_900 } } as VirtualCoin })).toBeNull();
    // getAllSpendingPaths lists the claim regardless of locks; getSpendablePaths only when open.
    const contract = contractOf(side);
    const script = handler.createScript(contract.params);
    const all = handler.getAllSpendingPaths(script, contract, ctx({ ...wallet(w), collaborative: true }));
    expect(all.map((x) => leafHex(x.leaf))).toEqual([expectedLeaf(side, 1), expectedLeaf(side, leaf)]);
    expect(handler.getSpendablePaths(script, contract, ctx({ ...wallet(w), collaborative: true })).map((x) => leafHex(x.leaf))).toEqual([expectedLeaf(side, 1)]);
    expect(handler.getSpendablePaths(script, contract, open).map((x) => leafHex(x.leaf))).toEqual([expectedLeaf(side, leaf)]);
    expect(handler.getSpendablePaths(script, contract, closed)).toEqual([]);
  });

  it('an explicit role wins; a stranger or an HD descriptor without walletPubKey has no path', () => {
    const open = ctx({ blockHeight: H + 200, currentTime: T * 1000 });
    expect(leafHex(pick('FAST', { ...open, role: 'operator', walletPubKey: hex.encode(U) })!.leaf)).toBe(expectedLeaf('FAST', 3));
    expect(pick('FAST', { ...open, walletPubKey: hex.encode(X) })).toBeNull();
    expect(pick('FAST', { ...open, walletDescriptor: 'tr([12345678/86h/0h/0h]xpub/0/1)' })).toBeNull();
    expect(leafHex(pick('FAST', { ...open, walletDescriptor: 'tr([12345678/86h/0h/0h]xpub/0/1)', walletPubKey: hex.encode(U) })!.leaf)).toBe(expectedLeaf('FAST', 2));
  });

  it('a script that is not the params’ VTXO is refused', () => {
    const contract = contractOf('FAST');
    const other = handler.createScript(contractOf('SLOW').params);
    expect(() => handler.selectPath(other, contract, ctx({ walletPubKey: hex.encode(U) }))).toThrow(/script/);
  });
});
