/**
 * The one definition of what a signed HashPerp request is. Server and client both import this
 * module, so the bytes that get signed cannot drift apart. No Node-only APIs (the web app uses it).
 *
 * Canonical text (UTF-8, '\n'-separated, no trailing newline):
 *   HASHPERP-REQUEST-V1
 *   <METHOD upper case>
 *   <path with query string exactly as sent, e.g. /v1/orders?x=1>
 *   <hex sha256 of the raw body bytes; sha256 of the empty string when there is no body>
 *   <timestamp, integer milliseconds since the Unix epoch>
 *   <nonce, 8..64 chars of [A-Za-z0-9_-]>
 *
 * Account key (BIP-340): signature = schnorr.sign(taggedHash("HashPerp/request", text), sk),
 *   headers x-hp-account (x-only pubkey hex), x-hp-timestamp, x-hp-nonce, x-hp-signature (128 hex).
 * API key: signature = hex HMAC-SHA256(secret bytes, text),
 *   headers x-hp-key (key id), x-hp-timestamp, x-hp-nonce, x-hp-signature (64 hex).
 */
import { schnorr } from '@noble/curves/secp256k1.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes, randomBytes, utf8ToBytes } from '@noble/hashes/utils.js';

export const AUTH_VERSION = 'HASHPERP-REQUEST-V1';
export const AUTH_TAG = 'HashPerp/request';
export const HEADER_ACCOUNT = 'x-hp-account';
export const HEADER_KEY = 'x-hp-key';
export const HEADER_TIMESTAMP = 'x-hp-timestamp';
export const HEADER_NONCE = 'x-hp-nonce';
export const HEADER_SIGNATURE = 'x-hp-signature';
export const NONCE_RE = /^[A-Za-z0-9_-]{8,64}$/;
export const HEX64_RE = /^[0-9a-f]{64}$/;
export const HEX128_RE = /^[0-9a-f]{128}$/;

export interface RequestToSign {
  method: string;
  /** Path plus query string exactly as it goes on the wire. */
  path: string;
  /** Raw body bytes or text; undefined or '' for no body. */
  body?: Uint8Array | string;
  timestampMs: number;
  nonce: string;
}

/**
 * The two hash primitives the format uses. Pure JS (noble) by default so browsers can sign; the
 * server passes node:crypto's (same bytes, several times faster) on its hot path.
 */
export interface HashImpl {
  sha256Hex(data: Uint8Array | string): string;
  hmacSha256Hex(keyHex: string, message: string): string;
}

export const nobleHashes: HashImpl = {
  sha256Hex: (d) => bytesToHex(sha256(typeof d === 'string' ? utf8ToBytes(d) : d)),
  hmacSha256Hex: (k, m) => bytesToHex(hmac(sha256, hexToBytes(k), utf8ToBytes(m))),
};

export function bodyHashHex(body: Uint8Array | string | undefined, h: HashImpl = nobleHashes): string {
  return h.sha256Hex(body ?? '');
}

export function canonicalRequest(r: RequestToSign, h: HashImpl = nobleHashes): string {
  return [AUTH_VERSION, r.method.toUpperCase(), r.path, bodyHashHex(r.body, h), String(r.timestampMs), r.nonce].join('\n');
}

/** BIP-340 tagged hash: sha256(sha256(tag) || sha256(tag) || msg). */
export function taggedHash(tag: string, msg: Uint8Array): Uint8Array {
  const t = sha256(utf8ToBytes(tag));
  return sha256(concatBytes(t, t, msg));
}

export function requestDigest(r: RequestToSign): Uint8Array {
  return taggedHash(AUTH_TAG, utf8ToBytes(canonicalRequest(r)));
}

export function newNonce(): string {
  return bytesToHex(randomBytes(16));
}

export function accountIdOf(secretKey: Uint8Array): string {
  return bytesToHex(schnorr.getPublicKey(secretKey));
}

export function signWithAccountKey(r: RequestToSign, secretKey: Uint8Array): string {
  return bytesToHex(schnorr.sign(requestDigest(r), secretKey));
}

export function verifyAccountSignature(r: RequestToSign, accountHex: string, signatureHex: string): boolean {
  if (!HEX64_RE.test(accountHex) || !HEX128_RE.test(signatureHex)) return false;
  try {
    return schnorr.verify(hexToBytes(signatureHex), requestDigest(r), hexToBytes(accountHex));
  } catch {
    return false; // not a point on the curve, etc.
  }
}

export function signWithApiKey(r: RequestToSign, secretHex: string, h: HashImpl = nobleHashes): string {
  return h.hmacSha256Hex(secretHex, canonicalRequest(r, h));
}

/** Constant-time comparison of two equal-format hex strings. */
export function hexEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return d === 0;
}

export function verifyApiKeySignature(r: RequestToSign, secretHex: string, signatureHex: string, h: HashImpl = nobleHashes): boolean {
  if (!HEX64_RE.test(signatureHex)) return false;
  return hexEqual(signWithApiKey(r, secretHex, h), signatureHex);
}

export type Credentials =
  | { kind: 'account'; secretKey: Uint8Array }
  | { kind: 'apiKey'; keyId: string; secret: string };

/** Headers for one request; the client calls this with its own clock and a fresh nonce. */
export function authHeaders(creds: Credentials, r: RequestToSign): Record<string, string> {
  const common = { [HEADER_TIMESTAMP]: String(r.timestampMs), [HEADER_NONCE]: r.nonce };
  if (creds.kind === 'account') {
    return { ...common, [HEADER_ACCOUNT]: accountIdOf(creds.secretKey), [HEADER_SIGNATURE]: signWithAccountKey(r, creds.secretKey) };
  }
  return { ...common, [HEADER_KEY]: creds.keyId, [HEADER_SIGNATURE]: signWithApiKey(r, creds.secret) };
}
