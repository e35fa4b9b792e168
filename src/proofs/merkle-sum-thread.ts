/**
 * The Merkle sum tree's helper thread (Node only; the browser never builds a tree): one worker, started on
 * first use and kept (unref'd), hashes part of the leaves and the right subtree's lower levels while the
 * caller hashes the rest. The build stays synchronous: the caller blocks on a shared flag (Atomics.wait).
 * The worker runs the source of the very functions the caller uses (runTask, hashLeaves, hashNodes,
 * paddedBuffer, makeDigestPadded), so both threads hash the same bytes the same way; if the worker fails
 * or does not answer, the caller does its part itself.
 */
import { Worker } from 'node:worker_threads';
import { hashLeaves, hashNodes, runTask, type HashHelper, type HelperTask } from './merkle-sum.js';
import { makeDigestPadded, paddedBuffer } from './sha256-padded.js';

/** A worker that never answers must not hang a block forever: past this the caller does the work itself. */
const WAIT_MS = 30_000;

const BUSY = 0;
const OK = 1;
const OVERFLOW = 2;
const FAILED = 3;

type Message = HelperTask & { flag: Int32Array };

/** The worker's body (its source is sent: it refers to nothing outside its parameters). */
function workerMain(run: typeof runTask, h: Parameters<typeof runTask>[1], port: { on(e: 'message', f: (m: Message) => void): void }): void {
  port.on('message', (m) => {
    let r = 3;
    try {
      r = run(m, h) ? 1 : 2;
    } finally {
      Atomics.store(m.flag, 0, r);
      Atomics.notify(m.flag, 0);
    }
  });
}

// `__name` is what esbuild (tsx, vitest) inserts around named functions when it keeps names; harmless elsewhere.
const SOURCE = `'use strict';
const __name = (f) => f;
const { parentPort } = require('node:worker_threads');
const hashers = {
  digest: (${makeDigestPadded.toString()})(),
  pad: ${paddedBuffer.toString()},
  leaves: ${hashLeaves.toString()},
  nodes: ${hashNodes.toString()},
};
(${workerMain.toString()})(${runTask.toString()}, hashers, parentPort);
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
export const hashThread: HashHelper = {
  start(task) {
    const flag = new Int32Array(new SharedArrayBuffer(4));
    let w: Worker | undefined;
    try {
      w = worker ??= spawn();
      w.postMessage({ ...task, flag } satisfies Message);
    } catch {
      w = undefined;
    }
    return {
      wait() {
        if (w === undefined) return 'failed';
        if (Atomics.wait(flag, 0, BUSY, WAIT_MS) === 'timed-out') {
          // It may still be writing (the same bytes the caller will): stopped, and a new one next time.
          if (worker === w) worker = undefined;
          void w.terminate();
        }
        const r = Atomics.load(flag, 0);
        return r === OK ? 'ok' : r === OVERFLOW ? 'overflow' : 'failed';
      },
    };
  },
};
