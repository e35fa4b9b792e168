/**
 * One Ark batch on loopback, from the first intent to BatchFinalized (never part of the test run):
 *   npm run bench:ark -- [--n 100] [--baseline 10] [--repeat 3] [--client-threads 2] [--json]
 * The real ArkOperator over an EmbeddedLedger (in-memory chain), arkd's REST API (registerArkApi) on a
 * fastify app on 127.0.0.1, and N protocol-level participants (bench/ark-client.ts: the SDK's
 * RestArkProvider, Batch.join, Intent.create, SingleKey and buildForfeitTx; a lighter MuSig2 tree
 * signer than the SDK's, see there why). Two scenarios per run:
 *   board: N boarding outputs (funded on the ledger, confirmed) into one batch;
 *   renew: the N VTXOs that batch created renewed into a new one (N forfeits, N connectors).
 * Each is run with N and with the baseline size, K times; the tables print the median of each figure.
 * The operator's phases come from its onPhase hook (off unless given), summed over the batch:
 *   intent.verify               registerIntent, all intents (proof + prevouts + policy)
 *   tree.build                  VTXO tree + connector tree + commitment tx (includes commitment.build)
 *   musig.setup                 TreeSigningSession: KeyAgg + tweak + sighash per node, operator nonces
 *   musig.nonces                SubmitTreeNonces handling; the last one aggregates nonces and signs S's shares
 *   musig.verifyPartialSigs     SubmitTreeSignatures: every user partial signature verified
 *   musig.aggregate             the BIP340 signatures, each checked against its sighash
 *   forfeits.verify / boarding.verify   SubmitSignedForfeitTxs: forfeit txs, boarding signatures
 *   commitment.sign / .broadcast, forfeits.cosign, outcome, store.commit
 *   wait.*                      wall time of each phase waiting on the participants (their work + the wire)
 * End to end: from the first registerIntent request to the last participant's BatchFinalized.
 */
import Fastify from 'fastify';
import { EventSource } from 'eventsource';
import { schnorr } from '@noble/curves/secp256k1.js';
import { Worker } from 'node:worker_threads';
import { DefaultVtxo } from '@arkade-os/sdk';
import { registerArkApi } from '../src/api/ark/index.js';
import { ArkIndexer } from '../src/operator/ark/ark-indexer.js';
import { ArkOperator } from '../src/operator/ark/ark-operator.js';
import { REGTEST_ARK_PARAMS, type ArkParams } from '../src/operator/ark/ark-params.js';
import { ArkStore } from '../src/operator/ark/ark-store.js';
import { EmbeddedLedger } from '../src/operator/ark/embedded-ledger.js';
import { operatorKeys } from '../src/operator/ark/operator-keys.js';
import { walletTimelock } from '../src/operator/ark/intent.js';
import { hex } from '@scure/base';
import type { FromWorker, ToWorker, WireParticipant } from './ark-wire.js';

(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v <= 0) throw new Error(`${name} needs a positive whole number`);
  return v;
}
const N = arg('--n', 100);
const BASE = arg('--baseline', 10);
const REPEAT = arg('--repeat', 3);
const THREADS = arg('--client-threads', 2);
const json = process.argv.includes('--json');

const params: ArkParams = {
  ...REGTEST_ARK_PARAMS,
  // the bench ticks the session itself once every intent is in; phases get room for a slow machine
  timing: { sessionSeconds: 3600, phaseTimeoutMs: 300_000 },
};
const keys = operatorKeys({ signer: schnorr.utils.randomSecretKey(), forfeit: schnorr.utils.randomSecretKey(), wallet: schnorr.utils.randomSecretKey() }, 'regtest');
const ledger = new EmbeddedLedger();
for (let i = 0; i < 20; i++) ledger.fund(keys.walletScript, 10_000_000_000n);
ledger.mine();
const store = ArkStore.memory();
let phases = new Map<string, number>();
const operator = new ArkOperator({
  params,
  keys,
  chain: ledger,
  store,
  version: 'bench',
  maxIntentsPerBatch: 1024,
  onPhase: (name, ms) => phases.set(name, (phases.get(name) ?? 0) + ms),
});
const indexer = new ArkIndexer(store, operator);
const app = Fastify({ logger: false });
await registerArkApi(app, { service: operator, indexer });
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
if (addr === null || typeof addr === 'string') throw new Error('no TCP address');

const serverX = keys.signerXOnly;
const boardingTimelock = walletTimelock(params.boardingExitDelay);
const exitTimelock = walletTimelock(params.unilateralExitDelay);
const workerData = {
  url: `http://127.0.0.1:${addr.port}/ark`,
  serverX: hex.encode(serverX),
  boarding: { type: boardingTimelock.type, value: String(boardingTimelock.value) },
  exit: { type: exitTimelock.type, value: String(exitTimelock.value) },
  forfeitOutputScript: hex.encode(keys.forfeitOutputScript),
  forfeitXOnly: hex.encode(keys.forfeitXOnly),
};

/** A participants' thread and the one answer it owes next. */
class ClientThread {
  private readonly worker = new Worker(new URL('./ark-worker.ts', import.meta.url), { workerData });
  private pending: ((m: FromWorker) => void) | undefined;
  constructor() {
    this.worker.on('message', (m: FromWorker) => {
      if (m.type === 'error') {
        console.error(m.message);
        process.exit(1);
      }
      const p = this.pending;
      this.pending = undefined;
      p?.(m);
    });
    this.worker.on('error', (e) => {
      console.error(e);
      process.exit(1);
    });
  }
  ask(m: ToWorker | undefined): Promise<FromWorker> {
    return new Promise((r) => {
      this.pending = r;
      if (m) this.worker.postMessage(m);
    });
  }
  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
const threads = Array.from({ length: THREADS }, () => new ClientThread());

const AMOUNT = 100_000n;

interface User {
  secret: string;
  pubKey: string;
  vtxoScript: InstanceType<typeof DefaultVtxo.Script>;
}

function newUsers(n: number): User[] {
  const out: User[] = [];
  for (let i = 0; i < n; i++) {
    const sk = schnorr.utils.randomSecretKey();
    const pubKey = schnorr.getPublicKey(sk);
    out.push({ secret: hex.encode(sk), pubKey: hex.encode(pubKey), vtxoScript: new DefaultVtxo.Script({ pubKey, serverPubKey: serverX, csvTimelock: exitTimelock }) });
  }
  return out;
}

/** Boarding outputs on the ledger, confirmed: one per user. */
function boardingParticipants(users: User[]): WireParticipant[] {
  const out: WireParticipant[] = [];
  for (const u of users) {
    const boarding = new DefaultVtxo.Script({ pubKey: hex.decode(u.pubKey), serverPubKey: serverX, csvTimelock: boardingTimelock });
    const o = ledger.fund(boarding.pkScript, AMOUNT);
    out.push({ secret: u.secret, pubKey: u.pubKey, amount: String(AMOUNT), coins: [{ txid: o.txid, vout: o.vout, value: String(AMOUNT), boarding: true }] });
  }
  ledger.mine();
  return out;
}

/** Each user's unspent VTXOs (from the operator's store, as the indexer would list them), renewed to the same script. */
function renewalParticipants(users: User[]): WireParticipant[] {
  return users.map((u) => {
    const vtxos = store.vtxosByScript(hex.encode(u.vtxoScript.pkScript)).filter((v) => v.spentBy === '' && !v.swept);
    if (vtxos.length === 0) throw new Error('a user has no VTXO to renew');
    const amount = vtxos.reduce((s, v) => s + v.amount, 0n);
    return { secret: u.secret, pubKey: u.pubKey, amount: String(amount), coins: vtxos.map((v) => ({ txid: v.txid, vout: v.vout, value: String(v.amount), boarding: false })) };
  });
}

interface Measure {
  n: number;
  scenario: string;
  e2eMs: number;
  /** CPU time over the same span: the operator's thread (operator + HTTP server), the participants' thread. */
  operatorCpuMs: number;
  clientCpuMs: number;
  registerMs: number;
  batchMs: number;
  prepareMs: number;
  phases: Record<string, number>;
}

async function runBatch(scenario: string, ps: WireParticipant[]): Promise<Measure> {
  const t0 = performance.now();
  const shares = threads.map((_, i) => ps.filter((_, j) => j % threads.length === i));
  const prepared = await Promise.all(threads.map((t, i) => t.ask({ type: 'prepare', participants: shares[i]! })));
  if (prepared.some((m) => m.type !== 'prepared')) throw new Error('worker out of step');
  const prepareMs = performance.now() - t0;
  phases = new Map();
  const cpu0 = process.threadCpuUsage();
  const start = performance.now();
  const registered = await Promise.all(threads.map((t) => t.ask({ type: 'go' })));
  if (registered.some((m) => m.type !== 'registered')) throw new Error('worker out of step');
  const registeredAt = performance.now();
  const doneP = Promise.all(threads.map((t) => t.ask(undefined)));
  const tick = operator.tick();
  const done = await doneP;
  const end = performance.now();
  const cpu = process.threadCpuUsage(cpu0);
  await tick;
  const txids: string[] = [];
  let clientCpuMs = 0;
  for (const d of done) {
    if (d.type !== 'done') throw new Error('worker out of step');
    txids.push(...d.txids);
    clientCpuMs += d.cpuMs;
  }
  if (new Set(txids).size !== 1) throw new Error(`participants saw ${new Set(txids).size} commitment txs`);
  const batch = store.batch(txids[0]!);
  if (!batch) throw new Error('the batch was not stored');
  const want = ps.length;
  if (batch.totalOutputVtxos !== want) throw new Error(`the batch created ${batch.totalOutputVtxos} VTXOs, expected ${want}`);
  if (scenario === 'renew' && batch.forfeitTxids.length !== want) throw new Error(`${batch.forfeitTxids.length} forfeits, expected ${want}`);
  if (!ledger.tx(txids[0]!)) throw new Error('the commitment tx is not on the ledger');
  ledger.mine();
  return { n: ps.length, scenario, e2eMs: end - start, operatorCpuMs: (cpu.user + cpu.system) / 1000, clientCpuMs, registerMs: registeredAt - start, batchMs: end - registeredAt, prepareMs, phases: Object.fromEntries(phases) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const results: Measure[] = [];
for (let r = 0; r < REPEAT; r++) {
  for (const n of [BASE, N]) {
    const users = newUsers(n);
    const board = await runBatch('board', boardingParticipants(users));
    const renew = await runBatch('renew', renewalParticipants(users));
    results.push(board, renew);
    if (!json) console.error(`run ${r + 1}/${REPEAT} n=${n}: board ${board.e2eMs.toFixed(0)} ms, renew ${renew.e2eMs.toFixed(0)} ms`);
  }
}

const ORDER = [
  'intent.verify',
  'wait.confirmations',
  'tree.build',
  'commitment.build',
  'tree.flatten',
  'musig.setup',
  'wait.nonces',
  'musig.nonces',
  'wait.signatures',
  'musig.verifyPartialSigs',
  'musig.aggregate',
  'wait.forfeits',
  'forfeits.verify',
  'boarding.verify',
  'commitment.sign',
  'commitment.broadcast',
  'forfeits.cosign',
  'outcome',
  'store.commit',
];
const groups = new Map<string, Measure[]>();
for (const m of results) {
  const k = `${m.scenario} n=${m.n}`;
  groups.set(k, [...(groups.get(k) ?? []), m]);
}
const summary: Record<string, Record<string, number>> = {};
for (const [k, ms] of groups) {
  const row: Record<string, number> = {
    'end-to-end': median(ms.map((m) => m.e2eMs)),
    'CPU: operator thread (operator + HTTP)': median(ms.map((m) => m.operatorCpuMs)),
    'CPU: participants threads (sum)': median(ms.map((m) => m.clientCpuMs)),
    'register (HTTP, all intents)': median(ms.map((m) => m.registerMs)),
    'batch (tick → last BatchFinalized)': median(ms.map((m) => m.batchMs)),
  };
  for (const p of ORDER) if (ms.some((m) => p in m.phases)) row[p] = median(ms.map((m) => m.phases[p] ?? 0));
  const musig = ['musig.setup', 'musig.nonces', 'musig.verifyPartialSigs', 'musig.aggregate'];
  row['= MuSig2 total (operator CPU)'] = median(ms.map((m) => musig.reduce((s, p) => s + (m.phases[p] ?? 0), 0)));
  row['client prep (intents signed, streams opened; not in e2e)'] = median(ms.map((m) => m.prepareMs));
  summary[k] = row;
}
if (json) {
  console.log(JSON.stringify({ n: N, baseline: BASE, repeat: REPEAT, medianMs: summary }, null, 2));
} else {
  const cols = [...groups.keys()].sort((a, b) => (a.split(' ')[0]! === b.split(' ')[0]! ? Number(a.split('=')[1]) - Number(b.split('=')[1]) : a < b ? -1 : 1));
  const present = new Set(cols.flatMap((c) => Object.keys(summary[c]!)));
  const head = Object.keys(summary[cols[0]!]!).slice(0, 5);
  const names = [...head, ...ORDER.filter((p) => present.has(p)), ...[...present].filter((p) => !head.includes(p) && !ORDER.includes(p))];
  const w = Math.max(...names.map((s) => s.length));
  console.log(`Ark batch on loopback, median of ${REPEAT} runs, ms (ratio = n=${N} / n=${BASE})`);
  const scen = [...new Set(cols.map((c) => c.split(' ')[0]!))];
  console.log(''.padEnd(w) + scen.map((s) => [`${s} n=${BASE}`, `${s} n=${N}`, 'ratio'].map((h) => h.padStart(14)).join('')).join(''));
  for (const name of names) {
    let line = name.padEnd(w);
    for (const s of scen) {
      const a = summary[`${s} n=${BASE}`]?.[name];
      const b = summary[`${s} n=${N}`]?.[name];
      line += (a === undefined ? '-' : a.toFixed(1)).padStart(14) + (b === undefined ? '-' : b.toFixed(1)).padStart(14) + (a && b ? (b / a).toFixed(1) + '×' : '-').padStart(14);
    }
    console.log(line);
  }
}
for (const t of threads) await t.terminate();
await operator.stop();
await app.close();
store.close();
