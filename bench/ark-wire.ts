/** What bench/ark.ts and its participant thread say to each other (plain data across the thread boundary). */
import { tapLeafHash } from '@scure/btc-signer/payment.js';
import { CSVMultisigTapscript } from '@arkade-os/sdk';

export interface WireParticipant {
  /** The user's key (hex secret, x-only public): its boarding and VTXO scripts are rebuilt from it. */
  secret: string;
  pubKey: string;
  amount: string;
  coins: { txid: string; vout: number; value: string; boarding: boolean }[];
}

export type ToWorker = { type: 'prepare'; participants: WireParticipant[] } | { type: 'go' };
export type FromWorker = { type: 'prepared' } | { type: 'registered' } | { type: 'done'; txids: string[]; cpuMs: number } | { type: 'error'; message: string };

/** What the wallet derives from BatchStarted.batchExpiry and the info's forfeit key. */
export const sweepRootOf = (expiry: bigint, forfeitXOnly: Uint8Array): Uint8Array =>
  tapLeafHash(CSVMultisigTapscript.encode({ timelock: { value: expiry, type: expiry >= 512n ? 'seconds' : 'blocks' }, pubkeys: [forfeitXOnly] }).script);
