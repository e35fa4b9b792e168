/**
 * Server side of request signing: checks the headers, the time window, the nonce and the
 * signature, in that order (cheap checks first, so junk never reaches Schnorr verification).
 * Every refusal is a 401 whose code says why.
 */
import { unauthorized } from '../errors.js';
import type { ApiKeyScope } from '../schemas.js';
import type { ApiKeyStore } from './api-keys.js';
import {
  HEADER_ACCOUNT,
  HEADER_KEY,
  HEADER_NONCE,
  HEADER_SIGNATURE,
  HEADER_TIMESTAMP,
  HEX64_RE,
  NONCE_RE,
  verifyAccountSignature,
  verifyApiKeySignature,
  type RequestToSign,
} from './message.js';
import { nodeHashes } from './node-hashes.js';
import type { Clock, NonceStore } from './nonce-store.js';
import { ApiError } from '../errors.js';

export interface Principal {
  account: string;
  via: 'account' | 'apiKey';
  keyId?: string;
  /** The rate-limit key: the API key when used, else the account. */
  limitKey: string;
}

export interface IncomingSigned {
  method: string;
  url: string;
  rawBody: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface AuthOptions {
  /** Accept API keys with this scope; undefined = account key only. */
  apiKeyScope?: ApiKeyScope;
}

function header(h: IncomingSigned['headers'], name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? undefined : v;
}

export class Authenticator {
  constructor(
    private readonly clock: Clock,
    private readonly nonces: NonceStore,
    private readonly apiKeys: ApiKeyStore,
    /** Refuse timestamps before this (the server's start) when used nonces do not survive a restart. */
    private readonly notBeforeMs?: number,
  ) {}

  get windowMs(): number {
    return this.nonces.windowMs;
  }

  authenticate(req: IncomingSigned, opts: AuthOptions = {}): Principal {
    const account = header(req.headers, HEADER_ACCOUNT);
    const keyId = header(req.headers, HEADER_KEY);
    const ts = header(req.headers, HEADER_TIMESTAMP);
    const nonce = header(req.headers, HEADER_NONCE);
    const sig = header(req.headers, HEADER_SIGNATURE);
    if (account === undefined && keyId === undefined) throw unauthorized('missing_credentials', `send ${HEADER_ACCOUNT} (account key) or ${HEADER_KEY} (API key)`, HEADER_ACCOUNT);
    if (account !== undefined && keyId !== undefined) throw unauthorized('ambiguous_credentials', `send either ${HEADER_ACCOUNT} or ${HEADER_KEY}, not both`, HEADER_KEY);
    if (ts === undefined || !/^[0-9]{1,16}$/.test(ts)) throw unauthorized('bad_timestamp', `${HEADER_TIMESTAMP} must be integer milliseconds since the epoch`, HEADER_TIMESTAMP);
    if (nonce === undefined || !NONCE_RE.test(nonce)) throw unauthorized('bad_nonce', `${HEADER_NONCE} must be 8-64 characters of [A-Za-z0-9_-]`, HEADER_NONCE);
    if (sig === undefined || sig.length === 0) throw unauthorized('missing_signature', `${HEADER_SIGNATURE} is required`, HEADER_SIGNATURE);
    const timestampMs = Number(ts);
    const skew = timestampMs - this.clock.nowMs();
    if (Math.abs(skew) > this.nonces.windowMs) {
      throw unauthorized('stale_timestamp', `timestamp is ${skew} ms from server time; the window is ±${this.nonces.windowMs} ms`, HEADER_TIMESTAMP);
    }
    if (this.notBeforeMs !== undefined && timestampMs < this.notBeforeMs) {
      throw unauthorized('stale_timestamp', `timestamp is from before the server started (${this.notBeforeMs}); sign again with the current time`, HEADER_TIMESTAMP);
    }
    const toSign: RequestToSign = { method: req.method, path: req.url, body: req.rawBody, timestampMs, nonce };

    let principal: Principal;
    if (account !== undefined) {
      if (!HEX64_RE.test(account)) throw unauthorized('bad_account', `${HEADER_ACCOUNT} must be a 64-hex-digit x-only public key (lower case)`, HEADER_ACCOUNT);
      if (!verifyAccountSignature(toSign, account, sig)) throw unauthorized('bad_signature', 'the Schnorr signature does not verify for this request', HEADER_SIGNATURE);
      principal = { account, via: 'account', limitKey: 'a:' + account };
    } else {
      const rec = this.apiKeys.get(keyId!);
      if (rec === undefined) throw unauthorized('unknown_api_key', 'no such API key (revoked or never created)', HEADER_KEY);
      if (!verifyApiKeySignature(toSign, rec.secret, sig, nodeHashes)) throw unauthorized('bad_signature', 'the HMAC signature does not verify for this request', HEADER_SIGNATURE);
      if (opts.apiKeyScope === undefined) throw new ApiError('account_key_required', 'this action must be signed with the account key, not an API key', HEADER_KEY);
      if (!rec.scopes.includes(opts.apiKeyScope)) throw new ApiError('scope_missing', `this API key lacks the '${opts.apiKeyScope}' scope`, HEADER_KEY);
      principal = { account: rec.account, via: 'apiKey', keyId: rec.keyId, limitKey: 'k:' + rec.keyId };
    }
    // Only a verified request consumes its nonce: junk cannot fill the store or burn real nonces.
    let used: ReturnType<NonceStore['use']>;
    try {
      used = this.nonces.use(principal.limitKey, nonce);
    } catch {
      throw new ApiError('journal_unavailable', 'the nonce could not be recorded; retry shortly');
    }
    if (used === 'replayed') throw unauthorized('replayed_nonce', 'this nonce was already used within the window', HEADER_NONCE);
    if (used === 'full') throw new ApiError('nonce_store_full', 'too many signed requests in the window; retry shortly');
    return principal;
  }
}
