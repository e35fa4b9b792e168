/**
 * The Ark operator's published parameters (arkd's GetInfo) and the timing of its batches.
 * Delays below 512 are blocks, from 512 on seconds (BIP-68 as arkd and the SDK read them); seconds
 * must be multiples of 512. Regtest uses arkd's own regtest values so the SDK's expectations hold.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { hex } from '@scure/base';
import type { ArkInfo } from '@arkade-os/sdk';
import { InvalidArgumentError } from '../../units/errors.js';

export interface ArkTiming {
  /** Seconds between batch starts (arkd's session duration). */
  sessionSeconds: number;
  /** Milliseconds each phase waits for users (confirm, nonces, signatures, forfeits) before failing the batch. */
  phaseTimeoutMs: number;
}

export interface ArkParams {
  network: 'bitcoin' | 'regtest' | 'signet' | 'mutinynet' | 'testnet';
  /** VTXO unilateral exit delay (CSV), blocks (<512) or seconds. */
  unilateralExitDelay: bigint;
  /** Boarding output exit delay (CSV). */
  boardingExitDelay: bigint;
  /** Checkpoint exit delay for the operator's unroll leaf (CSV). */
  checkpointExitDelay: bigint;
  /** Batch (VTXO tree) expiry: after it the operator may sweep the batch output (CSV). */
  vtxoTreeExpiry: bigint;
  dust: bigint;
  utxoMinAmount: bigint;
  /** -1: unlimited. */
  utxoMaxAmount: bigint;
  vtxoMinAmount: bigint;
  vtxoMaxAmount: bigint;
  timing: ArkTiming;
}

export const REGTEST_ARK_PARAMS: ArkParams = {
  network: 'regtest',
  unilateralExitDelay: 20n,
  boardingExitDelay: 30n,
  checkpointExitDelay: 10n,
  vtxoTreeExpiry: 40n,
  dust: 330n,
  utxoMinAmount: 330n,
  utxoMaxAmount: -1n,
  vtxoMinAmount: 330n,
  vtxoMaxAmount: -1n,
  timing: { sessionSeconds: 2, phaseTimeoutMs: 15_000 },
};

/** Mainnet-like values for the embedded demo: one day to exit, thirty days to board, a week per batch. */
export const DEFAULT_ARK_PARAMS: ArkParams = {
  network: 'bitcoin',
  unilateralExitDelay: 86_528n, // 169 × 512 s, just over a day
  boardingExitDelay: 2_592_256n, // 5063 × 512 s, thirty days
  checkpointExitDelay: 86_528n,
  vtxoTreeExpiry: 604_672n, // 1181 × 512 s, a week
  dust: 330n,
  utxoMinAmount: 330n,
  utxoMaxAmount: -1n,
  vtxoMinAmount: 330n,
  vtxoMaxAmount: -1n,
  timing: { sessionSeconds: 5, phaseTimeoutMs: 20_000 },
};

export function checkDelay(field: string, v: bigint): bigint {
  if (v <= 0n) throw new InvalidArgumentError(field, `${field} must be positive`);
  if (v >= 512n && v % 512n !== 0n) throw new InvalidArgumentError(field, `${field} in seconds must be a multiple of 512 (BIP-68), got ${v}`);
  if (v < 512n && v > 65_535n) throw new InvalidArgumentError(field, `${field} exceeds BIP-68's 16-bit range`);
  return v;
}

export interface InfoKeys {
  /** Compressed (33-byte) hex. */
  signerPubkey: string;
  forfeitPubkey: string;
  forfeitAddress: string;
  checkpointTapscript: string;
}

/** arkd's GetInfo, with a digest over everything else so a client notices when any of it changes. */
/** The fee rate is not part of it: a digest that moved with the mempool would refuse clients needlessly. */
export function arkInfo(p: ArkParams, keys: InfoKeys, version: string): ArkInfo {
  const body = {
    boardingExitDelay: p.boardingExitDelay,
    checkpointTapscript: keys.checkpointTapscript,
    deprecatedSigners: [],
    dust: p.dust,
    fees: { intentFee: {}, txFeeRate: '' },
    forfeitAddress: keys.forfeitAddress,
    forfeitPubkey: keys.forfeitPubkey,
    network: p.network,
    serviceStatus: {},
    sessionDuration: BigInt(p.timing.sessionSeconds),
    signerPubkey: keys.signerPubkey,
    unilateralExitDelay: p.unilateralExitDelay,
    utxoMaxAmount: p.utxoMaxAmount,
    utxoMinAmount: p.utxoMinAmount,
    version,
    vtxoMaxAmount: p.vtxoMaxAmount,
    vtxoMinAmount: p.vtxoMinAmount,
  };
  const canonical = JSON.stringify(body, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const digest = hex.encode(sha256(new TextEncoder().encode(canonical)));
  return { ...body, digest } as ArkInfo;
}
