/**
 * A regtest chain in memory that a test can extend and reorg: real 80-byte headers that pass the
 * project's header rules (PoW under regtest's limit, links, constant bits, MTP, version), starting
 * from Bitcoin Core's regtest genesis header.
 */
import { encodeHeader, headerHash, type BlockHeader } from '../../src/chain/header.js';
import { REGTEST, REGTEST_GENESIS_HEADER } from '../../src/chain/params.js';
import { UnknownHeightError, type ChainSource } from '../../src/chain/source.js';
import { targetOf } from '../../src/chain/target.js';

const GENESIS: BlockHeader = { ...REGTEST_GENESIS_HEADER };

export function mine(prev: Uint8Array, salt: number): Uint8Array {
  const prevTime = new DataView(prev.buffer, prev.byteOffset).getUint32(68, true);
  const target = targetOf(REGTEST.powLimitBits);
  const merkleRoot = salt.toString(16).padStart(64, '0');
  for (let nonce = 0; ; nonce++) {
    const raw = encodeHeader({ version: 0x20000000, prevHash: headerHash(prev), merkleRoot, time: prevTime + 600, bits: REGTEST.powLimitBits, nonce });
    if (BigInt('0x' + headerHash(raw)) <= target) return raw;
  }
}

export class StubChain implements ChainSource {
  readonly name = 'bitcoind';
  headers: Uint8Array[] = [encodeHeader(GENESIS)];
  private salt = 1;

  constructor() {
    if (headerHash(this.headers[0]) !== REGTEST.genesisHash) throw new Error('stub: regtest genesis does not hash to its known hash');
  }

  /** Mines `n` blocks on the tip. */
  extend(n: number): void {
    for (let i = 0; i < n; i++) this.headers.push(mine(this.headers[this.headers.length - 1], this.salt++));
  }

  /** Replaces everything above `forkHeight` with `n` new blocks; returns the disconnected hashes. */
  reorg(forkHeight: number, n: number): string[] {
    const gone = this.headers.slice(forkHeight + 1).map(headerHash);
    this.headers = this.headers.slice(0, forkHeight + 1);
    this.extend(n);
    return gone;
  }

  hashAt(h: number): string {
    return headerHash(this.headers[h]);
  }

  async tipHeight(): Promise<number> {
    return this.headers.length - 1;
  }
  async blockHash(height: number): Promise<string> {
    const raw = this.headers[height];
    if (raw === undefined) throw new UnknownHeightError(this.name, height);
    return headerHash(raw);
  }
  async rawHeaders(from: number, count: number): Promise<Uint8Array[]> {
    return Array.from({ length: count }, (_, i) => {
      const raw = this.headers[from + i];
      if (raw === undefined) throw new UnknownHeightError(this.name, from + i);
      return raw;
    });
  }
  async blockFees(): Promise<bigint | undefined> {
    return 0n;
  }
}
