/** The shipped mainnet data as a ChainSource (replay, tests, offline use). */
import { loadEmbeddedChain, type EmbeddedChain } from './embedded.js';
import { UnknownHeightError, checkCountArg, checkHeightArg, type ChainSource } from './source.js';

export class EmbeddedSource implements ChainSource {
  readonly name = 'embedded';
  constructor(private readonly chain: EmbeddedChain = loadEmbeddedChain()) {}

  /** The last height of the last contiguous .bin segment: the end of what can be replayed header by header. */
  async tipHeight(): Promise<number> {
    return this.chain.segments[this.chain.segments.length - 1].lastHeight;
  }

  async blockHash(height: number): Promise<string> {
    checkHeightArg('height', height);
    const h = this.chain.hash(height);
    if (h === undefined) throw new UnknownHeightError(this.name, height, 'no shipped header or epoch hash at this height');
    return h;
  }

  async rawHeaders(from: number, count: number): Promise<Uint8Array[]> {
    checkHeightArg('from', from);
    checkCountArg(count);
    const out: Uint8Array[] = [];
    for (let h = from; h < from + count; h++) {
      const raw = this.chain.rawHeader(h);
      if (!raw) throw new UnknownHeightError(this.name, h, 'header not shipped');
      out.push(raw);
    }
    return out;
  }

  async blockFees(height: number): Promise<bigint | undefined> {
    checkHeightArg('height', height);
    return this.chain.feesAt(height);
  }
}
