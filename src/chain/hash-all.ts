/**
 * Block hashes of many concatenated 80-byte headers at once: 32 bytes per header, internal byte order.
 * Hashing dominates header verification, so the parallel form splits it over worker threads.
 */
import { hash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { HEADER_BYTES } from './header.js';

export const HASH_BYTES = 32;

export function hashHeaders(headers: Uint8Array, out: Uint8Array = new Uint8Array(Math.floor(headers.length / HEADER_BYTES) * HASH_BYTES)): Uint8Array {
  const n = Math.floor(headers.length / HEADER_BYTES);
  for (let i = 0; i < n; i++) {
    const first = hash('sha256', headers.subarray(i * HEADER_BYTES, (i + 1) * HEADER_BYTES), 'buffer');
    out.set(hash('sha256', first, 'buffer'), i * HASH_BYTES);
  }
  return out;
}

// Plain JS evaluated in the worker, so it runs the same from src/ under tsx and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { hash } = require('node:crypto');
const { input, output, from, to } = workerData;
const headers = new Uint8Array(input);
const out = new Uint8Array(output);
for (let i = from; i < to; i++) {
  const first = hash('sha256', headers.subarray(i * 80, i * 80 + 80), 'buffer');
  out.set(hash('sha256', first, 'buffer'), i * 32);
}
parentPort.postMessage(true);
`;

/**
 * hashHeaders over `threads` worker threads (default: available cores). Worth it from ~20k headers;
 * below that the worker start-up costs more than it saves, so it hashes in-thread.
 */
export async function hashHeadersParallel(headers: Uint8Array, threads = availableParallelism()): Promise<Uint8Array> {
  const n = Math.floor(headers.length / HEADER_BYTES);
  if (threads <= 1 || n < 20_000) return hashHeaders(headers);
  const input = new SharedArrayBuffer(n * HEADER_BYTES);
  new Uint8Array(input).set(headers.subarray(0, n * HEADER_BYTES));
  const output = new SharedArrayBuffer(n * HASH_BYTES);
  const per = Math.ceil(n / threads);
  const jobs: Promise<void>[] = [];
  for (let t = 0; t < threads; t++) {
    const from = t * per;
    const to = Math.min(n, from + per);
    if (from >= to) break;
    jobs.push(
      new Promise<void>((resolveJob, reject) => {
        const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { input, output, from, to }, execArgv: [] });
        let done = false;
        w.once('message', () => {
          done = true;
          resolveJob();
          void w.terminate();
        });
        w.once('error', reject);
        w.once('exit', (code) => {
          if (!done) reject(new Error(`hash worker exited with code ${code} before finishing`));
        });
      }),
    );
  }
  await Promise.all(jobs);
  return new Uint8Array(output);
}
