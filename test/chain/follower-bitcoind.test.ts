/**
 * A real reorg on a real bitcoind -regtest (BITCOIND_RPC_URL, set by .ci/run): mine, invalidateblock,
 * mine a longer branch, and follow it; then invalidate a block already sent to the engine.
 * Blocks are mined with generateblock and no transactions, so the invalidations only ever drop this
 * test's own empty blocks (the node may be shared with other suites). Assertions are by hash, not by
 * absolute height, so blocks mined concurrently by others do not break them.
 */
import { describe, expect, it } from 'vitest';
import { BitcoindSource } from '../../src/chain/bitcoind-source.js';
import { ChainFollower, type CommandEvent, type FollowerEvent, type ReorgEvent } from '../../src/chain/follower.js';
import { REGTEST } from '../../src/chain/params.js';
import { BitcoindRpc } from '../../src/chain/rpc-client.js';

const url = process.env.BITCOIND_RPC_URL;

describe('ChainFollower on a real bitcoind -regtest', () => {
  if (!url) {
    it.skip('skipped: BITCOIND_RPC_URL is not set (.ci/run starts bitcoind -regtest and sets it)', () => {});
    console.log('[chain follower] real bitcoind reorg test skipped: BITCOIND_RPC_URL is not set');
    return;
  }

  it('follows a reorg made with invalidateblock, sends only buried blocks of the winning branch, and halts on a deep one', async () => {
    const rpc = new BitcoindRpc(url);
    const descriptor = async (script: string) => (await rpc.call<{ descriptor: string }>('getdescriptorinfo', [`raw(${script})`])).descriptor;
    // Different coinbase outputs per branch: a block identical to an invalidated one would be refused as invalid.
    const [outA, outB, outC] = await Promise.all(['51', '52', '53'].map(descriptor));
    const mine = async (n: number, out: string): Promise<string[]> => {
      const hashes: string[] = [];
      for (let i = 0; i < n; i++) hashes.push((await rpc.call<{ hash: string }>('generateblock', [out, []])).hash);
      return hashes;
    };
    const tip0 = await rpc.call<number>('getblockcount');
    if (tip0 < 20) await mine(20 - tip0, outA);

    const source = new BitcoindSource(rpc);
    const follower = new ChainFollower({ source, params: REGTEST, confirmations: 1, startHeight: await source.tipHeight(), indexPrice: (i) => BigInt(i.height) });
    const events: FollowerEvent[] = [];
    follower.on((e) => events.push(e));
    const poll = async () => {
      let r = await follower.pollOnce();
      while (r.status === 'ok' && r.more) r = await follower.pollOnce();
      return r;
    };
    const sent = () => events.filter((e): e is CommandEvent => e.kind === 'command').map((e) => e.command);

    expect((await poll()).status).toBe('ok');
    const a = await mine(3, outA);
    expect((await poll()).status).toBe('ok');
    expect(sent().map((c) => c.hash)).toEqual(expect.arrayContaining(a.slice(0, 2)));
    expect(sent().map((c) => c.hash)).not.toContain(a[2]); // at the tip: not buried yet

    // Shallow reorg: a[2] is replaced by a longer branch b.
    await rpc.call('invalidateblock', [a[2]]);
    const b = await mine(2, outB);
    expect((await poll()).status).toBe('ok');
    const reorg = events.find((e): e is ReorgEvent => e.kind === 'reorg');
    expect(reorg?.fork.hash).toBe(a[1]);
    expect(reorg?.disconnected.map((d) => d.hash)).toContain(a[2]);
    expect(reorg?.connected.slice(0, 2).map((c) => c.hash)).toEqual(b);
    expect(sent().map((c) => c.hash)).not.toContain(a[2]);
    expect(sent().map((c) => c.hash)).toContain(b[0]);
    const header = await rpc.call<{ height: number; time: number; mediantime: number }>('getblockheader', [b[0]]);
    expect(sent().find((c) => c.hash === b[0])).toMatchObject({ height: header.height, time: header.time, mtp: header.mediantime });

    // Deep reorg: invalidate a block the engine already has.
    const confirmed = follower.status().confirmed!;
    await rpc.call('invalidateblock', [confirmed.hash]);
    await mine(4, outC);
    const r = await poll();
    expect(r.status).toBe('halted');
    expect(r.error).toMatchObject({ code: 'deep_reorg', height: confirmed.height });
    expect(events[events.length - 1].kind).toBe('halted');
  });
});
