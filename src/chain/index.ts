/** The chain area's public surface: headers you can trust, and where they come from. */
export * from './header.js';
export * from './target.js';
export * from './params.js';
export * from './embedded.js';
export * from './hash-all.js';
export * from './header-file.js';
export * from './validate.js';
export * from './source.js';
export { EmbeddedSource } from './embedded-source.js';
export { BitcoindSource } from './bitcoind-source.js';
export { EsploraSource } from './esplora-source.js';
export { BitcoindRpc, RpcError } from './rpc-client.js';

import { hashHeadersParallel } from './hash-all.js';
import { verifyHeaders, type VerificationReport, type VerifyOptions } from './validate.js';

/** verifyHeaders with the hashing spread over worker threads (worth it from ~20k headers). */
export async function verifyHeadersParallel(headers: Uint8Array, startHeight: number, opts: Omit<VerifyOptions, 'hashes'> = {}): Promise<VerificationReport> {
  return verifyHeaders(headers, startHeight, { ...opts, hashes: await hashHeadersParallel(headers) });
}
export * from './follower.js';
export * from './paced-source.js';
