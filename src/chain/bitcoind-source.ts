/** bitcoind JSON-RPC as a ChainSource: getblockcount, getblockhash, getblockheader (raw), getblockstats. */
import { headerHash, HEADER_BYTES } from './header.js';
import { BitcoindRpc, RpcError } from './rpc-client.js';
import { SourceDataError, UnknownHeightError, checkHeightArg, checkRangeBelowTip, type ChainSource } from './source.js';

const BATCH = 500;
/** RPC_INVALID_PARAMETER: what getblockhash answers for a height above the tip. */
const RPC_INVALID_PARAMETER = -8;

export class BitcoindSource implements ChainSource {
  readonly name = 'bitcoind';
  private readonly rpc: BitcoindRpc;

  constructor(rpc: BitcoindRpc | string) {
    this.rpc = typeof rpc === 'string' ? new BitcoindRpc(rpc) : rpc;
  }

  async tipHeight(): Promise<number> {
    return this.rpc.call<number>('getblockcount');
  }

  async blockHash(height: number): Promise<string> {
    checkHeightArg('height', height);
    try {
      return await this.rpc.call<string>('getblockhash', [height]);
    } catch (e) {
      if (e instanceof RpcError && e.rpcCode === RPC_INVALID_PARAMETER) throw new UnknownHeightError(this.name, height, e.rpcMessage);
      throw e;
    }
  }

  async rawHeaders(from: number, count: number): Promise<Uint8Array[]> {
    await checkRangeBelowTip(this, from, count);
    const out: Uint8Array[] = [];
    for (let start = from; start < from + count; start += BATCH) {
      const n = Math.min(BATCH, from + count - start);
      const heights = Array.from({ length: n }, (_, i) => start + i);
      let hashes: string[];
      try {
        hashes = await this.rpc.batch<string>(heights.map((h) => ({ method: 'getblockhash', params: [h] })));
      } catch (e) {
        if (e instanceof RpcError && e.rpcCode === RPC_INVALID_PARAMETER && e.index !== undefined) throw new UnknownHeightError(this.name, heights[e.index], e.rpcMessage);
        throw e;
      }
      const hexes = await this.rpc.batch<string>(hashes.map((hash) => ({ method: 'getblockheader', params: [hash, false] })));
      hexes.forEach((hex, i) => {
        const raw = new Uint8Array(Buffer.from(hex, 'hex'));
        if (raw.length !== HEADER_BYTES || headerHash(raw) !== hashes[i])
          throw new SourceDataError(this.name, `height ${heights[i]}: header ${hex.slice(0, 16)}… does not hash to ${hashes[i]}`);
        out.push(raw);
      });
    }
    return out;
  }

  async blockFees(height: number): Promise<bigint | undefined> {
    checkHeightArg('height', height);
    try {
      const stats = await this.rpc.call<{ totalfee?: number }>('getblockstats', [height, ['totalfee']]);
      return stats.totalfee === undefined ? undefined : BigInt(stats.totalfee);
    } catch (e) {
      if (e instanceof RpcError && e.rpcCode === RPC_INVALID_PARAMETER) throw new UnknownHeightError(this.name, height, e.rpcMessage);
      throw e;
    }
  }
}
