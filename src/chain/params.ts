/** Consensus parameters the header rules depend on (Bitcoin Core's chainparams.cpp). */
import { invalidField } from '../units/checks.js';
import { assertSafeInteger } from '../units/errors.js';
import { MAINNET_POW_LIMIT, MAINNET_POW_LIMIT_BITS, REGTEST_POW_LIMIT, targetOf, targetToBits } from './target.js';

export interface ChainParams {
  readonly name: 'mainnet' | 'regtest';
  readonly powLimit: bigint;
  readonly powLimitBits: number;
  /** false on regtest (fPowNoRetargeting): every block keeps the previous bits. */
  readonly retargeting: boolean;
  readonly genesisHash: string;
  /** Heights from which a header's version must be at least 2 / 3 / 4 (BIP34 / BIP66 / BIP65). */
  readonly bip34Height: number;
  readonly bip66Height: number;
  readonly bip65Height: number;
  /** Blocks between subsidy halvings (nSubsidyHalvingInterval): 210,000 on mainnet, 150 on regtest. */
  readonly halvingInterval: number;
}

/** Blocks per difficulty epoch (retarget interval, DifficultyAdjustmentInterval): the one definition. */
export const EPOCH_INTERVAL = 2016;
export const TARGET_TIMESPAN = 14 * 24 * 60 * 60; // 1,209,600 s
export const MEDIAN_TIME_SPAN = 11;

export const MAINNET: ChainParams = Object.freeze({
  name: 'mainnet',
  powLimit: MAINNET_POW_LIMIT,
  powLimitBits: MAINNET_POW_LIMIT_BITS,
  retargeting: true,
  genesisHash: '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f',
  bip34Height: 227931,
  bip66Height: 363725,
  bip65Height: 388381,
  halvingInterval: 210_000,
});

export const REGTEST: ChainParams = Object.freeze({
  name: 'regtest',
  powLimit: REGTEST_POW_LIMIT,
  powLimitBits: 0x207fffff,
  retargeting: false,
  genesisHash: '0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206',
  bip34Height: 1,
  bip66Height: 1,
  bip65Height: 1,
  halvingInterval: 150,
});

/**
 * Core's retarget (CalculateNextWorkRequired) from a whole-second epoch timespan: clamped to [¼, 4] ×
 * TARGET_TIMESPAN, target × timespan / TARGET_TIMESPAN, capped at powLimit, rounded through compact bits.
 */
export function retargetBits(prevBits: number, timespanS: number, powLimit: bigint): number {
  let span = timespanS;
  if (span < TARGET_TIMESPAN / 4) span = TARGET_TIMESPAN / 4;
  if (span > TARGET_TIMESPAN * 4) span = TARGET_TIMESPAN * 4;
  let target = (targetOf(prevBits) * BigInt(span)) / BigInt(TARGET_TIMESPAN);
  if (target > powLimit) target = powLimit;
  return targetToBits(target);
}

/** The first block subsidy, 50 BTC in sat. */
export const INITIAL_SUBSIDY_SAT = 5_000_000_000n;

/** Block subsidy in sat (Core's GetBlockSubsidy): 50 BTC halved every params.halvingInterval blocks, zero from the 64th halving. */
export function subsidy(height: number, params: ChainParams = MAINNET): bigint {
  assertSafeInteger('height', height, 0);
  const halvings = Math.floor(height / params.halvingInterval);
  return halvings >= 64 ? 0n : INITIAL_SUBSIDY_SAT >> BigInt(halvings);
}

export function chainParams(network: string): ChainParams {
  if (network === 'mainnet') return MAINNET;
  if (network === 'regtest') return REGTEST;
  throw invalidField('network', 'mainnet or regtest', network);
}

/**
 * Regtest's genesis header (Bitcoin Core chainparams.cpp: mainnet's coinbase, time 1296688602, bits
 * 0x207fffff, nonce 2). Its hash is REGTEST.genesisHash; tests mine regtest chains on top of it.
 */
export const REGTEST_GENESIS_HEADER = Object.freeze({
  version: 1,
  prevHash: '0'.repeat(64),
  merkleRoot: '4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b',
  time: 1296688602,
  bits: 0x207fffff,
  nonce: 2,
});
