/**
 * bench:chain — verify every shipped mainnet header (all .bin segments) with the full rule set and
 * embedded context, and print {"headers", "seconds", "headersPerSecond"}. A naive baseline (bigint
 * comparison, one hash at a time, no threads) is measured in the same run for comparison.
 *
 *   npm run bench:chain -- [--json] [--threads N] [--no-baseline]
 */
import { availableParallelism } from 'node:os';
import { embeddedContext, loadEmbeddedChain } from '../src/chain/embedded.js';
import { HASH_BYTES, hashHeadersParallel } from '../src/chain/hash-all.js';
import { HEADER_BYTES, headerHash, reverseHex } from '../src/chain/header.js';
import { targetOf } from '../src/chain/target.js';
import { verifyHeaders } from '../src/chain/validate.js';

const args = process.argv.slice(2);
const json = args.includes('--json');
const threadsArg = args.indexOf('--threads');
const threads = threadsArg >= 0 ? Number(args[threadsArg + 1]) : availableParallelism();
const withBaseline = !args.includes('--no-baseline');

const dataDir = loadEmbeddedChain().dataDir;

interface Run {
  headers: number;
  seconds: number;
  /** CPU time of all threads: on a shared machine wall time also measures the neighbours. */
  cpuSeconds: number;
}

const cpuSince = (c: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(c);
  return (d.user + d.system) / 1e6;
};

async function fast(): Promise<Run> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const chain = loadEmbeddedChain(dataDir);
  const buffers = chain.segments.map((s) => chain.segmentBuffer(s));
  // One hashing job over all segments so the worker threads start once.
  const all = Buffer.concat(buffers);
  const hashes = await hashHeadersParallel(all, threads);
  const ctx = embeddedContext(chain);
  let headers = 0;
  let off = 0;
  for (const [i, s] of chain.segments.entries()) {
    const n = buffers[i].length / HEADER_BYTES;
    const r = verifyHeaders(buffers[i], s.firstHeight, { context: ctx, hashes: hashes.subarray(off * HASH_BYTES, (off + n) * HASH_BYTES) });
    if (!r.valid) throw new Error(`segment ${s.firstHeight}..${s.lastHeight}: ${r.failure?.message}`);
    headers += r.verified;
    off += n;
  }
  return { headers, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSince(c0) };
}

/** What a straightforward implementation does: decode, hash, compare as bigint, check the link by hex. */
function naive(): Run {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const chain = loadEmbeddedChain(dataDir);
  let headers = 0;
  for (const s of chain.segments) {
    const buf = chain.segmentBuffer(s);
    let prev: string | undefined;
    for (let off = 0; off < buf.length; off += HEADER_BYTES) {
      const raw = buf.subarray(off, off + HEADER_BYTES);
      const hash = headerHash(raw);
      if (BigInt('0x' + hash) > targetOf(raw.readUInt32LE(72))) throw new Error(`pow at offset ${off}`);
      if (prev !== undefined && reverseHex(raw.subarray(4, 36)) !== prev) throw new Error(`link at offset ${off}`);
      prev = hash;
      headers++;
    }
  }
  return { headers, seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSince(c0) };
}

await fast(); // warm-up: JIT, file cache
const run = await fast();
const result: Record<string, unknown> = {
  headers: run.headers,
  seconds: Number(run.seconds.toFixed(3)),
  headersPerSecond: Math.round(run.headers / run.seconds),
  cpuSeconds: Number(run.cpuSeconds.toFixed(3)),
  threads,
};
if (withBaseline) {
  const b = naive();
  result.baseline = {
    name: 'naive: one thread, bigint target compare, hex link compare (pow + links only)',
    headers: b.headers,
    seconds: Number(b.seconds.toFixed(3)),
    cpuSeconds: Number(b.cpuSeconds.toFixed(3)),
    headersPerSecond: Math.round(b.headers / b.seconds),
  };
}
if (json) console.log(JSON.stringify(result));
else {
  console.log(`verified ${run.headers} headers in ${run.seconds.toFixed(3)} s (${result.headersPerSecond} headers/s, ${threads} threads)`);
  if (withBaseline) console.log(`baseline: ${JSON.stringify(result.baseline)}`);
}
