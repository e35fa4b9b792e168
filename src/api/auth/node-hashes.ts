/** node:crypto implementations of the signing format's hashes, for the server's hot path (not for browsers). */
import { createHash, createHmac } from 'node:crypto';
import type { HashImpl } from './message.js';

export const nodeHashes: HashImpl = {
  sha256Hex: (d) => createHash('sha256').update(d).digest('hex'),
  hmacSha256Hex: (k, m) => createHmac('sha256', Buffer.from(k, 'hex')).update(m, 'utf8').digest('hex'),
};
