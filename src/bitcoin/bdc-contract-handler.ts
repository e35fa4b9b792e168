/**
 * The block-delta contract as a contract type of the SDK's contract-handler registry
 * (`contractHandlers`, @arkade-os/sdk 0.4.56), so a stock wallet's ContractManager can hold, watch and
 * pick spending paths for a HashPerp position VTXO: type `hashperp-bdc`, the VtxoScript of
 * buildBlockDeltaVtxo (leaf 1 = U + S; leaf 2 = CSV(d) + CLTV(H) + FAST party; leaf 3 = CSV(d) +
 * CLTV(T − 1) + SLOW party).
 *
 * Paths: collaborative → leaf 1 for either party. Unilateral → the wallet's own claim leaf (its role,
 * user or operator, from `context.role`, `walletDescriptor` or `walletPubKey`; its side from the
 * params), with `sequence` = BIP-68 of d, spendable once its CLTV has opened and the CSV has matured.
 *
 * LIMITATION of the SDK 0.4.56 (read before using the unilateral path): `PathSelection` carries no
 * lockTime, and `Unroll.completeUnroll` / `prepareUnrollTransaction` never set nLockTime (they take the
 * path from getAllSpendingPaths, then build `new Transaction({ version: 2 })`), so a claim the SDK builds
 * through leaf 2 or 3 has nLockTime 0 and fails the leaf's OP_CHECKLOCKTIMEVERIFY. The SDK cannot
 * complete a CLTV leaf claim: HashPerp's claim transaction must set nLockTime itself (H for leaf 2,
 * T − 1 for leaf 3: BlockDeltaVtxo.fastLockTime / slowLockTime) with an input sequence below
 * 0xffffffff, which the BIP-68 sequence here already is. Without a contract row for the VTXO the SDK
 * falls back to the tap tree's exit leaves and may even pick the other party's claim leaf.
 */
import { contractHandlers, isCsvSpendable, sequenceToTimelock, timelockToSequence, type Contract, type ContractHandler, type PathContext, type PathSelection, type VtxoScript, type RelativeTimelock } from '@arkade-os/sdk';
import { hex } from '@scure/base';
import { InvalidArgumentError } from '../units/errors.js';
import { buildBlockDeltaVtxo, type BdcSide, type BlockDeltaVtxo } from './vtxo-scripts.js';
import { parseXOnly } from './keys.js';

export const BDC_CONTRACT_TYPE = 'hashperp-bdc';

/** Typed parameters; `side` is the user's side (S holds the other), `deadline` is T itself. */
export interface BdcContractParams {
  user: Uint8Array;
  operator: Uint8Array;
  side: BdcSide;
  targetHeight: number;
  deadline: number;
  exitDelay: RelativeTimelock;
}

export type BdcRole = 'user' | 'operator';

const FIELDS = ['user', 'operator', 'side', 'targetHeight', 'deadline', 'exitDelay'] as const;

function field(params: Record<string, string>, name: (typeof FIELDS)[number]): string {
  const v = params[name];
  if (typeof v !== 'string' || v === '') throw new InvalidArgumentError(name, 'missing');
  return v;
}

function decimal(params: Record<string, string>, name: 'targetHeight' | 'deadline' | 'exitDelay'): number {
  const v = field(params, name);
  if (!/^(0|[1-9][0-9]*)$/.test(v) || !Number.isSafeInteger(Number(v))) throw new InvalidArgumentError(name, `expected a decimal integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

function xOnly(params: Record<string, string>, name: 'user' | 'operator'): Uint8Array {
  const v = field(params, name);
  if (!/^[0-9a-f]{64}$/.test(v)) throw new InvalidArgumentError(name, 'expected 64 lowercase hex digits (x-only key)');
  return parseXOnly(name, v);
}

function exitDelayOf(params: Record<string, string>): RelativeTimelock {
  const sequence = decimal(params, 'exitDelay');
  if (sequence > 0xffffffff) throw new InvalidArgumentError('exitDelay', 'a BIP-68 sequence is 32 bits');
  let t: RelativeTimelock;
  try {
    t = sequenceToTimelock(sequence);
  } catch (e) {
    throw new InvalidArgumentError('exitDelay', `not a BIP-68 relative timelock: ${(e as Error).message}`);
  }
  // A sequence that does not round-trip carries bits BIP-68 ignores: refuse rather than drop them.
  if (timelockToSequence(t) !== sequence) throw new InvalidArgumentError('exitDelay', `sequence ${sequence} is not the canonical BIP-68 encoding of ${t.value} ${t.type}`);
  return t;
}

/** Strict: exactly the six fields, each canonical, and terms buildBlockDeltaVtxo accepts; errors name the field. */
export function deserializeBdcParams(params: Record<string, string>): BdcContractParams {
  const extra = Object.keys(params).find((k) => !(FIELDS as readonly string[]).includes(k));
  if (extra !== undefined) throw new InvalidArgumentError(extra, `not a ${BDC_CONTRACT_TYPE} parameter (expected ${FIELDS.join(', ')})`);
  const user = xOnly(params, 'user');
  const operator = xOnly(params, 'operator');
  const side = field(params, 'side');
  if (side !== 'FAST' && side !== 'SLOW') throw new InvalidArgumentError('side', `expected FAST or SLOW, got ${JSON.stringify(side)}`);
  const p: BdcContractParams = { user, operator, side, targetHeight: decimal(params, 'targetHeight'), deadline: decimal(params, 'deadline'), exitDelay: exitDelayOf(params) };
  vtxoOf(p); // the terms themselves (keys differ, H a height, T − 1 a time, d in range): named errors
  return p;
}

export function serializeBdcParams(p: BdcContractParams): Record<string, string> {
  vtxoOf(p);
  return {
    user: hex.encode(p.user),
    operator: hex.encode(p.operator),
    side: p.side,
    targetHeight: String(p.targetHeight),
    deadline: String(p.deadline),
    exitDelay: String(timelockToSequence(p.exitDelay)),
  };
}

const vtxoOf = (p: BdcContractParams): BlockDeltaVtxo =>
  buildBlockDeltaVtxo({ user: p.user, operator: p.operator, userSide: p.side, targetHeight: p.targetHeight, deadline: p.deadline, exitDelay: p.exitDelay });

/** The x-only key of a static `tr(<key>)` descriptor or a bare hex key; undefined for HD descriptors. */
function rawKey(value: string): string | undefined {
  const m = /^tr\(([0-9a-fA-F]{64})\)$/.exec(value);
  if (m) return m[1]!.toLowerCase();
  if (/^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  return undefined;
}

/** The wallet's role, as the SDK's resolveRole does for VHTLC: explicit role, else descriptor, else pubkey. */
export function bdcRole(params: BdcContractParams, context: PathContext): BdcRole | undefined {
  if (context.role === 'user' || context.role === 'operator') return context.role;
  const match = (k: string | undefined): BdcRole | undefined => (k === hex.encode(params.user) ? 'user' : k === hex.encode(params.operator) ? 'operator' : undefined);
  if (context.walletDescriptor !== undefined) {
    const k = rawKey(context.walletDescriptor);
    if (k !== undefined) return match(k);
    return context.walletPubKey !== undefined ? match(rawKey(context.walletPubKey)) : undefined;
  }
  return context.walletPubKey !== undefined ? match(rawKey(context.walletPubKey)) : undefined;
}

/** The claim leaf of a role (2 for the FAST party, 3 for the SLOW party). */
export function claimLeafOf(params: BdcContractParams, role: BdcRole): 2 | 3 {
  const side: BdcSide = role === 'user' ? params.side : params.side === 'FAST' ? 'SLOW' : 'FAST';
  return side === 'FAST' ? 2 : 3;
}

/**
 * Whether the claim leaf's CLTV has opened. Leaf 2 (nLockTime H): once block H exists, the next block
 * being H + 1 > H (the SDK's isCltvSatisfied reads it the same way). Leaf 3 (nLockTime T − 1): once
 * the median time past is ≥ T (BIP-113: final when MTP > nLockTime); the SDK's isCltvSatisfied would
 * accept one second early, so T is compared here. `context.currentTime` should be the chain tip's MTP
 * (in ms), not the wall clock: MTP lags wall time by about an hour, so a wall-clock caller would offer
 * a claim the network refuses as non-final.
 */
export function claimLockOpen(params: BdcContractParams, leaf: 2 | 3, context: PathContext): boolean {
  if (leaf === 2) return context.blockHeight !== undefined && context.blockHeight >= params.targetHeight;
  return Math.floor(context.currentTime / 1000) >= params.deadline;
}

interface Resolved {
  params: BdcContractParams;
  vtxo: BlockDeltaVtxo;
  role: BdcRole | undefined;
}

function resolve(script: VtxoScript, contract: Contract, context: PathContext): Resolved {
  const params = deserializeBdcParams(contract.params);
  const vtxo = vtxoOf(params);
  if (hex.encode(vtxo.vtxoScript.pkScript) !== hex.encode(script.pkScript)) throw new InvalidArgumentError('script', 'is not the block-delta VTXO of the contract params');
  return { params, vtxo, role: bdcRole(params, context) };
}

function claimPath(r: Resolved, role: BdcRole): PathSelection {
  const leaf = claimLeafOf(r.params, role);
  return { leaf: r.vtxo.leaf(leaf), sequence: timelockToSequence(r.params.exitDelay) };
}

function spendableClaim(r: Resolved, role: BdcRole, context: PathContext): PathSelection | undefined {
  const path = claimPath(r, role);
  const leaf = claimLeafOf(r.params, role);
  return claimLockOpen(r.params, leaf, context) && isCsvSpendable(context, path.sequence) ? path : undefined;
}

export const BdcContractHandler: ContractHandler<BdcContractParams, VtxoScript> = {
  type: BDC_CONTRACT_TYPE,

  createScript(params: Record<string, string>): VtxoScript {
    return vtxoOf(deserializeBdcParams(params)).vtxoScript;
  },

  serializeParams: serializeBdcParams,
  deserializeParams: deserializeBdcParams,

  selectPath(script, contract, context) {
    const r = resolve(script, contract, context);
    if (!r.role) return null;
    if (context.collaborative) return { leaf: r.vtxo.leaf(1) };
    return spendableClaim(r, r.role, context) ?? null;
  },

  /** Every path the wallet has, timelocks unchecked: leaf 1 with the server, and its own claim leaf. */
  getAllSpendingPaths(script, contract, context) {
    const r = resolve(script, contract, context);
    if (!r.role) return [];
    return [...(context.collaborative ? [{ leaf: r.vtxo.leaf(1) }] : []), claimPath(r, r.role)];
  },

  getSpendablePaths(script, contract, context) {
    const r = resolve(script, contract, context);
    if (!r.role) return [];
    const claim = spendableClaim(r, r.role, context);
    return [...(context.collaborative ? [{ leaf: r.vtxo.leaf(1) }] : []), ...(claim ? [claim] : [])];
  },
};

/** Registers the handler with the SDK's global registry; calling it again is a no-op. */
export function registerBdcContractHandler(): void {
  const existing = contractHandlers.get(BDC_CONTRACT_TYPE);
  if (existing === (BdcContractHandler as ContractHandler<unknown>)) return;
  if (existing) throw new InvalidArgumentError('type', `another contract handler is registered as ${BDC_CONTRACT_TYPE}`);
  contractHandlers.register(BdcContractHandler as ContractHandler<unknown>);
}
