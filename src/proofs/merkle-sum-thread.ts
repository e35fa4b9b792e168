/**
 * The Merkle sum tree's helper thread (Node only; the browser never builds a tree): one worker, started on
 * first use and kept (unref'd), hashes the right subtree's lower levels while the caller hashes the left.
 * The build stays synchronous: the caller blocks on a shared flag (Atomics.wait) for the worker's part.
 * The worker runs the source of the very functions the caller uses (makeDigestPadded, hashNodes), so both
 * halves hash the same bytes the same way; if the worker does not answer, the caller hashes its part itself.
 */
import { Worker } from 'node:worker_threads';
import { hashNodes, type Level, type SubtreeHelper } from './merkle-sum.js';
import { makeDigestPadded } from './sha256-padded.js';

/** A worker that never answers must not hang a block: past this the caller does the work itself. */
const WAIT_MS = 60_000;

const FLAG_BUSY = 0;
const FLAG_OK = 1;
const FLAG_OVERFLOW = 2;

interface Task {
  levels: readonly Level[];
  first: number;
  flag: Int32Array;
}

/** The worker's body (its source is sent, so it refers to nothing outside but what the prelude defines). */
function workerMain(hashNodesFn: typeof hashNodes, digest: ReturnType<typeof makeDigestPadded>, port: { on(e: 'message', f: (t: Task) => void): void }): void {
  port.on('message', (t) => {
    let ok = true;
    for (let k = 1; k < t.levels.length && ok; k++) ok = hashNodesFn(digest, t.levels[k - 1], t.levels[k], t.first >> k, t.levels[k].n);
    Atomics.store(t.flag, 0, ok ? 1 : 2);
    Atomics.notify(t.flag, 0);
  });
}

// `__name` is what esbuild (tsx, vitest) inserts around named functions when it keeps names; harmless elsewhere.
const SOURCE = `'use strict';
const __name = (f) => f;
const { parentPort } = require('node:worker_threads');
const hashNodes = ${hashNodes.toString()};
const digest = (${makeDigestPadded.toString()})();
(${workerMain.toString()})(hashNodes, digest, parentPort);
`;

let worker: Worker | undefined;

function spawn(): Worker {
  // No execArgv: the eval'd source needs no loader (tsx), and none of the parent's flags.
  const w = new Worker(SOURCE, { eval: true, execArgv: [] });
  w.unref();
  w.on('error', () => {
    if (worker === w) worker = undefined;
  });
  return w;
}

/** The process's tree helper thread. */
export const subtreeThread: SubtreeHelper = {
  start(levels, first) {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    let w: Worker | undefined;
    try {
      w = worker ??= spawn();
      w.postMessage({ levels, first, flag } satisfies Task);
    } catch {
      w = undefined;
    }
    return {
      wait() {
        if (w === undefined) return 'failed';
        if (Atomics.wait(flag, 0, FLAG_BUSY, WAIT_MS) === 'timed-out') {
          // It may still be writing: a new worker next time, and this one stopped.
          if (worker === w) worker = undefined;
          void w.terminate();
          return Atomics.load(flag, 0) === FLAG_BUSY ? 'failed' : Atomics.load(flag, 0) === FLAG_OK ? 'ok' : 'overflow';
        }
        return Atomics.load(flag, 0) === FLAG_OK ? 'ok' : 'overflow';
      },
    };
  },
};
