/**
 * The investor's consent to a rollover with the same counterparty: a BIP-340 signature by the investor's
 * account key over the signed-request format of src/api/auth/message.ts, for the pseudo-request
 * POST /v1/forwards/rollover/consent whose body is the canonical JSON of the new terms. The miner sends it
 * with the rollover; the server checks it before the engine sees `investorSigned: true`. Replaying a consent
 * is harmless: a contract can be rolled once. Browser-safe (noble only).
 */
import { signWithAccountKey, verifyAccountSignature, type RequestToSign } from '../auth/message.js';

export const CONSENT_PATH = '/v1/forwards/rollover/consent';

export interface RolloverTerms { contractId: number; market: string; price: number; qty?: number }
export interface RolloverConsent { timestampMs: number; nonce: string; signature: string }

/** The exact bytes the investor signs: keys in this order, qty null when the old quantity is kept. */
export function consentBody(t: RolloverTerms): string {
  return JSON.stringify({ contractId: t.contractId, market: t.market, price: t.price, qty: t.qty ?? null });
}

function toSign(t: RolloverTerms, timestampMs: number, nonce: string): RequestToSign {
  return { method: 'POST', path: CONSENT_PATH, body: consentBody(t), timestampMs, nonce };
}

export function signRolloverConsent(investorSecretKey: Uint8Array, t: RolloverTerms, timestampMs: number, nonce: string): RolloverConsent {
  return { timestampMs, nonce, signature: signWithAccountKey(toSign(t, timestampMs, nonce), investorSecretKey) };
}

/** Whether `investor` (x-only hex) signed these terms, within `windowMs` of `nowMs`. */
export function verifyRolloverConsent(investor: string, t: RolloverTerms, c: RolloverConsent, nowMs: number, windowMs = 600_000): 'ok' | 'stale' | 'bad_signature' {
  if (Math.abs(c.timestampMs - nowMs) > windowMs) return 'stale';
  return verifyAccountSignature(toSign(t, c.timestampMs, c.nonce), investor, c.signature) ? 'ok' : 'bad_signature';
}
