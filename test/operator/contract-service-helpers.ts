import { hex } from '@scure/base';
import { keyPairFromSeedLabel, type KeyPair } from '../../src/bitcoin/keys.js';
import type { BdcPositionOpened, BdcPositionSettled, BdcPositionTransferred, BdcSeriesSettled } from '../../src/engine/products/bdc/events.js';

/** Fixed operator secret for the tests (never for real funds). */
export const OPERATOR_SECRET = '11'.repeat(32);
export const H = 900_000;
export const T = 1_800_000_000;
export const SERIES = `BDC-${H}-${T}`;
export const user = (label: string): KeyPair => keyPairFromSeedLabel(`contract-service/${label}`);
export const pub = (k: KeyPair): string => hex.encode(k.publicKey);

export function opened(positionId: string, account: string, side: 'FAST' | 'SLOW', amountSat = 100_000, over: Partial<BdcPositionOpened> = {}): BdcPositionOpened {
  return { type: 'BdcPositionOpened', positionId, series: SERIES, height: H, deadline: T, side, account, contracts: amountSat / 10_000, amountSat, stakeSat: amountSat / 2, ...over };
}

export function transferred(positionId: string, from: string, to: string, side: 'FAST' | 'SLOW', amountSat = 100_000): BdcPositionTransferred {
  return { type: 'BdcPositionTransferred', positionId, series: SERIES, height: H, deadline: T, side, from, to, contracts: amountSat / 10_000, amountSat };
}

export function settled(positionId: string, account: string, side: 'FAST' | 'SLOW', won: boolean, amountSat = 100_000): BdcPositionSettled {
  return { type: 'BdcPositionSettled', positionId, series: SERIES, account, side, won, payoutMsat: won ? BigInt(amountSat) * 1000n : 0n };
}

export function seriesSettled(winner: 'FAST' | 'SLOW'): BdcSeriesSettled {
  return { type: 'BdcSeriesSettled', series: SERIES, winner, decidedAtHeight: H, decidedAtHash: 'ab'.repeat(32), mtp: T - 3600, parentMtp: T - 3700, paidMsat: 100_000_000n, positions: 1 };
}
