/**
 * bench/ark.ts's participants on their own thread: on a deployment they are other machines, so
 * their CPU (intent proofs, MuSig2 shares, boarding and forfeit signatures) should not queue behind
 * the operator's on one event loop. Everything they send still goes over HTTP to the operator.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EventSource } from 'eventsource';
import { hex } from '@scure/base';
import { DefaultVtxo, RestArkProvider, SingleKey, type RelativeTimelock } from '@arkade-os/sdk';
import { clearSharedCaches, extendedCoin, join, prepare, type Participant, type Prepared } from './ark-client.js';
import { sweepRootOf, type ToWorker, type WireParticipant } from './ark-wire.js';

(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const init = workerData as { url: string; serverX: string; boarding: { type: 'blocks' | 'seconds'; value: string }; exit: { type: 'blocks' | 'seconds'; value: string }; forfeitOutputScript: string; forfeitXOnly: string };
const provider = new RestArkProvider(init.url);
const serverPubKey = hex.decode(init.serverX);
const tl = (t: { type: 'blocks' | 'seconds'; value: string }): RelativeTimelock => ({ type: t.type, value: BigInt(t.value) });
const forfeitOutputScript = hex.decode(init.forfeitOutputScript);
const forfeitXOnly = hex.decode(init.forfeitXOnly);

function participant(w: WireParticipant): Participant {
  const identity = SingleKey.fromHex(w.secret);
  const pubKey = hex.decode(w.pubKey);
  const vtxo = new DefaultVtxo.Script({ pubKey, serverPubKey, csvTimelock: tl(init.exit) });
  const boarding = new DefaultVtxo.Script({ pubKey, serverPubKey, csvTimelock: tl(init.boarding) });
  return {
    identity,
    outputScript: vtxo.pkScript,
    amount: BigInt(w.amount),
    coins: w.coins.map((c) => {
      const s = c.boarding ? boarding : vtxo;
      return { coin: extendedCoin(c.txid, c.vout, BigInt(c.value), s.encode(), s.forfeit()), boarding: c.boarding };
    }),
  };
}

let prepared: Prepared[] = [];
parentPort!.on('message', (m: ToWorker) => {
  void (async () => {
    try {
      if (m.type === 'prepare') {
        clearSharedCaches();
        prepared = await Promise.all(m.participants.map((w) => prepare(participant(w), provider)));
        parentPort!.postMessage({ type: 'prepared' });
      } else {
        const cpu0 = process.threadCpuUsage();
        await Promise.all(
          prepared.map(async (c) => {
            c.intentId = await provider.registerIntent(c.intent);
          }),
        );
        parentPort!.postMessage({ type: 'registered' });
        const txids = await Promise.all(prepared.map((c) => join(c, provider, forfeitOutputScript, forfeitXOnly, sweepRootOf)));
        const cpu = process.threadCpuUsage(cpu0);
        parentPort!.postMessage({ type: 'done', txids, cpuMs: (cpu.user + cpu.system) / 1000 });
      }
    } catch (e) {
      parentPort!.postMessage({ type: 'error', message: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  })();
});
