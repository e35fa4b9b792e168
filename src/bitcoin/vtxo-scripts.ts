import {
  VtxoScript,
  MultisigTapscript,
  CSVMultisigTapscript,
  ConditionCSVMultisigTapscript,
  type RelativeTimelock,
  type TapLeafScript,
} from '@arkade-os/sdk';
import { Script, TaprootControlBlock, p2tr, Address } from '@scure/btc-signer';
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { hex } from '@scure/base';
import { InvalidArgumentError } from '../units/errors.js';
import { assertHeight, assertRelative, assertUnixTime, cltvCondition } from './timelocks.js';
import { parseXOnly } from './keys.js';
import type { BtcNetwork } from './networks.js';

export type BdcSide = 'FAST' | 'SLOW';

/** One block-delta position: user U against operator S, "height H is mined before time T". */
export interface BlockDeltaTerms {
  /** x-only key of the user U. */
  user: Uint8Array;
  /** x-only key of the operator S. */
  operator: Uint8Array;
  /** The side U took; S holds the other one. */
  userSide: BdcSide;
  /** H: FAST wins once this height is reached. */
  targetHeight: number;
  /** T (UNIX seconds): SLOW wins once the median time past passes it. */
  deadline: number;
  /** d: CSV of every unilateral leaf. */
  exitDelay: RelativeTimelock;
}

/** Leaf names in the order of DESIGN.md's block-delta table (index 0 = leaf 1). */
export type BdcLeafName = 'cooperative' | 'unilateral-claim-fast' | 'unilateral-claim-slow';

export const BDC_LEAF_NAMES: readonly BdcLeafName[] = ['cooperative', 'unilateral-claim-fast', 'unilateral-claim-slow'];

export interface BlockDeltaVtxo {
  terms: BlockDeltaTerms;
  fastParty: Uint8Array;
  slowParty: Uint8Array;
  /** nLockTime that opens leaf 2: H (a tx locked to H is final in block H + 1, i.e. once block H exists). */
  fastLockTime: number;
  /** nLockTime that opens leaf 3: T − 1, final once the MTP is ≥ T (BIP-113: final when MTP > nLockTime). */
  slowLockTime: number;
  /** The three tapscripts in the order of DESIGN.md's table (index 0 = leaf 1). */
  scripts: Uint8Array[];
  vtxoScript: VtxoScript;
  /** Control block + script of leaf n (1..3). */
  leaf(n: 1 | 2 | 3): TapLeafScript;
}

export function validateTerms(t: BlockDeltaTerms): BlockDeltaTerms {
  const user = parseXOnly('user', t.user);
  const operator = parseXOnly('operator', t.operator);
  if (hex.encode(user) === hex.encode(operator)) throw new InvalidArgumentError('user', 'must differ from the operator key');
  if (t.userSide !== 'FAST' && t.userSide !== 'SLOW') throw new InvalidArgumentError('userSide', 'expected FAST or SLOW');
  assertHeight('targetHeight', t.targetHeight);
  assertUnixTime('deadline', t.deadline);
  assertUnixTime('deadline', t.deadline - 1);
  assertRelative('exitDelay', t.exitDelay);
  return { ...t, user, operator };
}

/** The engine's header rule says SLOW wins once MTP ≥ T; a time CLTV at T − 1 opens at exactly that block. */
export function slowLockTime(deadline: number): number {
  return deadline - 1;
}

/**
 * The block-delta contract VTXO of DESIGN.md (user U against operator S, "height H before time T"):
 *
 * | leaf | script | use |
 * |---|---|---|
 * | 1 | U + S | everything offchain: settle, transfer, swap, renew |
 * | 2 | CSV(d) + CLTV(H) + FAST party | unilateral claim of the FAST side |
 * | 3 | CSV(d) + CLTV(T − 1) + SLOW party | unilateral claim of the SLOW side |
 *
 * No leaf lets S spend alone without the exit delay d: leaf 1 needs U, and S's own claim leaf (2 or 3,
 * whichever side S holds) carries the same CSV(d) as the user's. Each leaf has exactly one key set, so
 * nothing collapses when S holds a side (the unsafe table had "CLTV + winner + S", which was S alone).
 * The key path is the SDK's unspendable NUMS point. Built from the SDK's tapscript templates so its
 * decoders (and arkd's) recognise every leaf; the CLTV rides in ConditionCSVMultisig's condition
 * (`<n> CLTV` leaves n on the stack for the template's VERIFY).
 */
export function buildBlockDeltaVtxo(terms: BlockDeltaTerms): BlockDeltaVtxo {
  const t = validateTerms(terms);
  const U = t.user;
  const S = t.operator;
  const fastParty = t.userSide === 'FAST' ? U : S;
  const slowParty = t.userSide === 'FAST' ? S : U;
  const fastLockTime = t.targetHeight;
  const slow = slowLockTime(t.deadline);
  const scripts = [
    MultisigTapscript.encode({ pubkeys: [U, S] }).script,
    ConditionCSVMultisigTapscript.encode({ conditionScript: cltvCondition(fastLockTime), timelock: t.exitDelay, pubkeys: [fastParty] }).script,
    ConditionCSVMultisigTapscript.encode({ conditionScript: cltvCondition(slow), timelock: t.exitDelay, pubkeys: [slowParty] }).script,
  ];
  const vtxoScript = new VtxoScript(scripts);
  return {
    terms: t,
    fastParty,
    slowParty,
    fastLockTime,
    slowLockTime: slow,
    scripts,
    vtxoScript,
    leaf(n: 1 | 2 | 3) {
      if (n !== 1 && n !== 2 && n !== 3) throw new InvalidArgumentError('leaf', `expected 1..3, got ${String(n)}`);
      return vtxoScript.findLeaf(hex.encode(scripts[n - 1]!));
    },
  };
}

/** The default Ark VTXO: forfeit leaf (owner + S) and unilateral exit leaf (CSV(d) + owner). */
export function buildPlainVtxo(owner: Uint8Array, operator: Uint8Array, exitDelay: RelativeTimelock): { vtxoScript: VtxoScript; forfeit: TapLeafScript; exit: TapLeafScript; scripts: Uint8Array[] } {
  const o = parseXOnly('owner', owner);
  const s = parseXOnly('operator', operator);
  assertRelative('exitDelay', exitDelay);
  const scripts = [MultisigTapscript.encode({ pubkeys: [o, s] }).script, CSVMultisigTapscript.encode({ timelock: exitDelay, pubkeys: [o] }).script];
  const vtxoScript = new VtxoScript(scripts);
  return { vtxoScript, scripts, forfeit: vtxoScript.findLeaf(hex.encode(scripts[0]!)), exit: vtxoScript.findLeaf(hex.encode(scripts[1]!)) };
}

export function taprootAddress(vtxoScript: VtxoScript, network: BtcNetwork): string {
  return Address(network).encode({ type: 'tr', pubkey: vtxoScript.tweakedPublicKey });
}

export interface ExportedLeaf {
  leaf: number;
  name: string;
  script: string;
  asm: string;
  leafVersion: number;
  leafHash: string;
  controlBlock: string;
}

export interface ExportedVtxo {
  kind: 'block-delta' | 'plain';
  terms?: { user: string; operator: string; userSide: BdcSide; targetHeight: number; deadline: number; exitDelay: { type: string; value: string } };
  internalKey: string;
  outputKey: string;
  scriptPubKey: string;
  address: string;
  tapTree: string;
  leaves: ExportedLeaf[];
}

export function scriptAsm(script: Uint8Array): string {
  return Script.decode(script)
    .map((op) => (op instanceof Uint8Array ? hex.encode(op) : typeof op === 'number' ? String(op) : `OP_${op}`))
    .join(' ');
}

/** Everything an auditor needs to check the address: leaves, control blocks, internal and output keys. */
export function exportVtxo(vtxoScript: VtxoScript, network: BtcNetwork, names: readonly string[], bdc?: BlockDeltaTerms): ExportedVtxo {
  const leaves = vtxoScript.scripts.map((script, i): ExportedLeaf => {
    const [cb] = vtxoScript.findLeaf(hex.encode(script));
    // The control block's first byte is the leaf version OR the output key's parity (BIP-341: c[0] & 0xfe).
    const leafVersion = cb.version & 0xfe;
    return {
      leaf: i + 1,
      name: names[i] ?? `leaf-${i + 1}`,
      script: hex.encode(script),
      asm: scriptAsm(script),
      leafVersion,
      leafHash: hex.encode(tapLeafHash(script, leafVersion)),
      controlBlock: hex.encode(TaprootControlBlock.encode(cb)),
    };
  });
  const [firstCb] = vtxoScript.findLeaf(hex.encode(vtxoScript.scripts[0]!));
  return {
    kind: bdc ? 'block-delta' : 'plain',
    ...(bdc
      ? {
          terms: {
            user: hex.encode(bdc.user),
            operator: hex.encode(bdc.operator),
            userSide: bdc.userSide,
            targetHeight: bdc.targetHeight,
            deadline: bdc.deadline,
            exitDelay: { type: bdc.exitDelay.type, value: bdc.exitDelay.value.toString() },
          },
        }
      : {}),
    internalKey: hex.encode(firstCb.internalKey),
    outputKey: hex.encode(vtxoScript.tweakedPublicKey),
    scriptPubKey: hex.encode(vtxoScript.pkScript),
    address: taprootAddress(vtxoScript, network),
    tapTree: hex.encode(vtxoScript.encode()),
    leaves,
  };
}

export function exportBlockDeltaVtxo(v: BlockDeltaVtxo, network: BtcNetwork): ExportedVtxo {
  return exportVtxo(v.vtxoScript, network, BDC_LEAF_NAMES, v.terms);
}

/** Key-path-only P2TR for a single key (funding and payout addresses of the regtest flow). */
export function p2trKeyOnly(pub: Uint8Array, network?: BtcNetwork): { script: Uint8Array; address: string; tweakedPubkey: Uint8Array } {
  const p = p2tr(pub, undefined, network);
  return { script: p.script, address: p.address!, tweakedPubkey: p.tweakedPubkey };
}
