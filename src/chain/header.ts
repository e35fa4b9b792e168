import { hash as nodeHash } from 'node:crypto';
import { InvalidArgumentError } from '../units/errors.js';
import { invalidField } from '../units/checks.js';

/** Bitcoin block header in its 80-byte wire form (little-endian fields). */
export interface BlockHeader {
  version: number;
  /** Previous block hash, display (big-endian) hex. */
  prevHash: string;
  /** Merkle root, display (big-endian) hex. */
  merkleRoot: string;
  time: number;
  bits: number;
  nonce: number;
}

export const HEADER_BYTES = 80;

/** double-SHA256 in internal byte order (as hashed, not reversed). */
export function sha256d(data: Uint8Array): Uint8Array {
  // node:crypto's one-shot hash is native and several times faster than a JS SHA-256 on the hot path
  // of verifying every shipped header.
  const first = nodeHash('sha256', data, 'buffer');
  return new Uint8Array(nodeHash('sha256', first, 'buffer'));
}

export function reverseHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).reverse().toString('hex');
}

export function hexToReversedBytes(field: string, hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw invalidField(field, '64 hex characters', hex);
  return new Uint8Array(Buffer.from(hex, 'hex').reverse());
}

/** Block hash of a raw header, display hex. */
export function headerHash(raw: Uint8Array): string {
  return reverseHex(sha256d(raw));
}

export function decodeHeader(raw: Uint8Array): BlockHeader {
  if (raw.length !== HEADER_BYTES) throw new InvalidArgumentError('header', `expected ${HEADER_BYTES} bytes, got ${raw.length}`);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return {
    version: v.getInt32(0, true),
    prevHash: reverseHex(raw.subarray(4, 36)),
    merkleRoot: reverseHex(raw.subarray(36, 68)),
    time: v.getUint32(68, true),
    bits: v.getUint32(72, true),
    nonce: v.getUint32(76, true),
  };
}

export function encodeHeader(h: BlockHeader): Uint8Array {
  const raw = new Uint8Array(HEADER_BYTES);
  const v = new DataView(raw.buffer);
  v.setInt32(0, h.version, true);
  raw.set(hexToReversedBytes('prevHash', h.prevHash), 4);
  raw.set(hexToReversedBytes('merkleRoot', h.merkleRoot), 36);
  v.setUint32(68, h.time, true);
  v.setUint32(72, h.bits, true);
  v.setUint32(76, h.nonce, true);
  return raw;
}
