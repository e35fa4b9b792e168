/**
 * The /ark codec against the stock SDK: RestArkProvider and RestIndexerProvider from '@arkade-os/sdk'
 * (unmodified) talk to the real HashPerp fastify app over TCP; a recording fake port stands behind the
 * codec. Every method checks both directions: what the SDK sent is what the port received, and what
 * the port returned is what the SDK parsed back.
 *
 * EventSource: Node 24 has none without --experimental-eventsource; the SDK's own tests install the
 * `eventsource` package as the global (test/polyfill.js), and so do these.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { EventSource } from 'eventsource';
import { hex } from '@scure/base';
import {
  ArkError,
  ChainTxType,
  DigestMismatchError,
  Intent,
  ProviderUnavailableError,
  RestArkProvider,
  RestIndexerProvider,
  SettlementEventType,
  isArkError,
  maybeArkError,
  type ArkInfo,
  type ChainTx,
  type CommitmentTx,
  type SettlementEvent,
  type SubscriptionResponse,
  type TxNotification,
  type VirtualCoin,
  type Vtxo,
} from '@arkade-os/sdk';
import type { App } from '../../src/api/app-types.js';
import { createServer } from '../../src/api/server.js';
import { registerArkApi } from '../../src/api/ark/index.js';
import {
  ArkRequestError,
  type ArkIndexerPort,
  type ArkServicePort,
  type Page,
  type PendingTx,
  type RawIntent,
  type TreeTxRef,
  type VtxoQuery,
} from '../../src/operator/ark/ports.js';
import { FakeExchange, FakeIndex } from './fakes.js';

(globalThis as { EventSource?: unknown }).EventSource ??= EventSource;

const T = (c: string): string => c.repeat(64);
const TXID_A = T('a');
const TXID_B = T('b');
const TXID_C = T('c');
const PUBKEY = '02' + '11'.repeat(32);
const PUBKEY2 = '03' + '22'.repeat(32);
const SCRIPT = '5120' + '33'.repeat(32);

// ---------------------------------------------------------------------------------------------
// The recording fake port

type Call = { method: string; args: unknown[] };

/** A stream the test feeds: items pushed are yielded; `end()` finishes it; `fail(e)` throws. */
class Feed<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private error: unknown;
  signal: AbortSignal | undefined;
  returned = false;
  push(...xs: T[]): void {
    this.items.push(...xs);
    this.wake?.();
  }
  end(): void {
    this.ended = true;
    this.wake?.();
  }
  fail(e: unknown): void {
    this.error = e;
    this.wake?.();
  }
  iterate(signal: AbortSignal): AsyncIterable<T> {
    this.signal = signal;
    signal.addEventListener('abort', () => this.wake?.());
    const self = this;
    return (async function* () {
      try {
        for (;;) {
          if (self.items.length > 0) {
            yield self.items.shift() as T;
            continue;
          }
          if (self.error !== undefined) throw self.error;
          if (self.ended || signal.aborted) return;
          await new Promise<void>((r) => (self.wake = r));
        }
      } finally {
        self.returned = true;
      }
    })();
  }
}

class FakeArk implements ArkServicePort {
  calls: Call[] = [];
  info!: ArkInfo;
  fail: Error | undefined;
  events = new Feed<SettlementEvent>();
  txs = new Feed<{ commitmentTx?: TxNotification; arkTx?: TxNotification }>();
  submitResult = { arkTxid: TXID_A, finalArkTx: 'cHNidP8final', signedCheckpointTxs: ['cHNidP8cp1', 'cHNidP8cp2'] };
  pending: PendingTx[] = [{ arkTxid: TXID_B, finalArkTx: 'cHNidP8B', signedCheckpointTxs: ['cHNidP8cpB'] }];
  private rec(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.fail) throw this.fail;
  }
  /** Counted apart from `calls`: the digest guard reads the info before every guarded request. */
  infoReads = 0;
  async getInfo(): Promise<ArkInfo> {
    this.infoReads++;
    return this.info;
  }
  async registerIntent(i: RawIntent): Promise<string> {
    this.rec('registerIntent', i);
    return 'intent-1';
  }
  async deleteIntent(i: RawIntent): Promise<void> {
    this.rec('deleteIntent', i);
  }
  async confirmRegistration(id: string): Promise<void> {
    this.rec('confirmRegistration', id);
  }
  async submitTreeNonces(batchId: string, pubkey: string, nonces: Record<string, string>): Promise<void> {
    this.rec('submitTreeNonces', batchId, pubkey, nonces);
  }
  async submitTreeSignatures(batchId: string, pubkey: string, sigs: Record<string, string>): Promise<void> {
    this.rec('submitTreeSignatures', batchId, pubkey, sigs);
  }
  async submitSignedForfeitTxs(f: string[], c?: string): Promise<void> {
    this.rec('submitSignedForfeitTxs', f, c);
  }
  async submitTx(tx: string, cps: string[]) {
    this.rec('submitTx', tx, cps);
    return this.submitResult;
  }
  async finalizeTx(id: string, cps: string[]): Promise<void> {
    this.rec('finalizeTx', id, cps);
  }
  async getPendingTxs(i: RawIntent): Promise<PendingTx[]> {
    this.rec('getPendingTxs', i);
    return this.pending;
  }
  batchEvents(topics: string[], signal: AbortSignal): AsyncIterable<SettlementEvent> {
    this.rec('batchEvents', topics);
    return this.events.iterate(signal);
  }
  transactions(signal: AbortSignal) {
    this.rec('transactions');
    return this.txs.iterate(signal);
  }
}

class FakeIndexer implements ArkIndexerPort {
  calls: Call[] = [];
  fail: Error | undefined;
  vtxos: Vtxo[] = [];
  page = { current: 1, next: 2, total: 3 };
  tree: TreeTxRef[] = [
    { txid: TXID_A, children: { 0: TXID_B, 1: TXID_C } },
    { txid: TXID_B, children: {} },
  ];
  chain: ChainTx[] = [];
  commitment!: CommitmentTx;
  sub = new Feed<SubscriptionResponse>();
  private rec(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.fail) throw this.fail;
  }
  async getVtxos(q: VtxoQuery) {
    this.rec('getVtxos', q);
    return { vtxos: this.vtxos, page: this.page };
  }
  async getVtxoTree(b: { txid: string; vout: number }, p?: Page) {
    this.rec('getVtxoTree', b, p);
    return { vtxoTree: this.tree, page: this.page };
  }
  async getVtxoTreeLeaves(b: { txid: string; vout: number }, p?: Page) {
    this.rec('getVtxoTreeLeaves', b, p);
    return { leaves: [{ txid: TXID_B, vout: 0 }, { txid: TXID_C, vout: 1 }] };
  }
  async getBatchSweepTransactions(b: { txid: string; vout: number }) {
    this.rec('getBatchSweepTransactions', b);
    return { sweptBy: [TXID_C] };
  }
  async getCommitmentTx(txid: string) {
    this.rec('getCommitmentTx', txid);
    return this.commitment;
  }
  async getCommitmentTxConnectors(txid: string, p?: Page) {
    this.rec('getCommitmentTxConnectors', txid, p);
    return { connectors: this.tree, page: this.page };
  }
  async getCommitmentTxForfeitTxs(txid: string, p?: Page) {
    this.rec('getCommitmentTxForfeitTxs', txid, p);
    return { txids: [TXID_B, TXID_C], page: this.page };
  }
  async getVirtualTxs(txids: string[], p?: Page) {
    this.rec('getVirtualTxs', txids, p);
    return { txs: txids.map((t) => 'cHNidP8' + t.slice(0, 4)), page: this.page };
  }
  async getVtxoChain(o: { txid: string; vout: number }, p?: Page) {
    this.rec('getVtxoChain', o, p);
    return { chain: this.chain };
  }
  async subscribeForScripts(scripts: string[], id?: string) {
    this.rec('subscribeForScripts', scripts, id);
    return id ?? 'sub-1';
  }
  async unsubscribeForScripts(id: string, scripts?: string[]) {
    this.rec('unsubscribeForScripts', id, scripts);
  }
  subscription(id: string, signal: AbortSignal): AsyncIterable<SubscriptionResponse> {
    this.rec('subscription', id);
    if (id === 'unknown') throw new ArkRequestError('SUBSCRIPTION_NOT_FOUND', 'subscription unknown not found', 'subscriptionId', 404);
    return this.sub.iterate(signal);
  }
}

// ---------------------------------------------------------------------------------------------
// Canned, SDK-typed values

const info: ArkInfo = {
  boardingExitDelay: 1024n,
  checkpointTapscript: 'a914deadbeef87',
  deprecatedSigners: [{ cutoffDate: 1_800_000_000n, pubkey: PUBKEY2 }],
  digest: 'digest-1',
  dust: 330n,
  fees: { intentFee: { offchainInput: '0.0', onchainInput: '200.0', offchainOutput: '0.0', onchainOutput: '200.0' }, txFeeRate: '1.0' },
  forfeitAddress: 'bcrt1qforfeit',
  forfeitPubkey: PUBKEY,
  network: 'regtest',
  scheduledSession: {
    duration: 30n,
    fees: { intentFee: { offchainInput: '1.0' }, txFeeRate: '2.0' },
    nextEndTime: 1_765_000_030n,
    nextStartTime: 1_765_000_000n,
    period: 600n,
  },
  serviceStatus: { wallet: 'ready' },
  sessionDuration: 10n,
  signerPubkey: PUBKEY,
  unilateralExitDelay: 512n,
  utxoMaxAmount: -1n,
  utxoMinAmount: 1000n,
  version: 'hashperp-0.1.0',
  vtxoMaxAmount: 9_007_199_254_740_993n, // above 2^53: must survive as a decimal string
  vtxoMinAmount: 330n,
};

const wireVtxo = (n: number, over: Partial<Vtxo> = {}): Vtxo => ({
  outpoint: { txid: T(String(n)), vout: n },
  createdAt: '1765000000',
  expiresAt: '1766000000',
  amount: String(10_000 * n),
  script: SCRIPT,
  isPreconfirmed: false,
  isSwept: false,
  isUnrolled: false,
  isSpent: false,
  spentBy: '',
  commitmentTxids: [TXID_A],
  ...over,
});

/** What the SDK's convertVtxo makes of wireVtxo(n, ...) (written out by hand). */
const coin = (n: number, over: Partial<VirtualCoin> = {}): VirtualCoin => ({
  txid: T(String(n)),
  vout: n,
  value: 10_000 * n,
  status: { confirmed: true, isLeaf: true },
  isSpent: false,
  isSwept: false,
  isPreconfirmed: false,
  commitmentTxIds: [TXID_A],
  expiresAt: new Date(1_766_000_000_000),
  virtualStatus: { state: 'settled', commitmentTxIds: [TXID_A], batchExpiry: 1_766_000_000_000 },
  spentBy: '',
  createdAt: new Date(1_765_000_000_000),
  isUnrolled: false,
  script: SCRIPT,
  ...over,
});

// ---------------------------------------------------------------------------------------------

let app: App;
let base: string;
let ark: FakeArk;
let indexer: FakeIndexer;
let arkSdk: RestArkProvider;
let indexerSdk: RestIndexerProvider;

beforeAll(async () => {
  ark = new FakeArk();
  indexer = new FakeIndexer();
  // The app's per-IP limit would throttle the property tests' hundreds of requests (it has its own test below).
  const roomy = { capacity: 1_000_000, refillPerSec: 1_000_000 };
  app = await createServer({ exchange: new FakeExchange(), index: new FakeIndex(), rateLimits: { perKey: roomy, cancelPerKey: roomy, perIp: roomy } });
  await registerArkApi(app, { service: ark, indexer, heartbeatMs: 100 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no address');
  base = `http://127.0.0.1:${addr.port}/ark`;
  arkSdk = new RestArkProvider(base);
  indexerSdk = new RestIndexerProvider(base);
});

afterAll(async () => {
  app.server.closeAllConnections(); // streams a failed test left open must not hold close() forever
  await app.close();
});

beforeEach(() => {
  ark.calls = [];
  indexer.calls = [];
  ark.fail = undefined;
  indexer.fail = undefined;
  ark.info = info;
});

const post = (path: string, body: string, contentType = 'application/json') =>
  fetch(base + path, { method: 'POST', headers: { 'content-type': contentType }, body });

/**
 * The first `n` items of an SDK stream, or what came within `ms` (then the signal aborts, so a codec
 * bug fails the test with a diff instead of hanging it). Leaving closes the SDK's EventSource.
 */
async function take<T>(open: (signal: AbortSignal) => AsyncIterableIterator<T>, n: number, ms = 5000): Promise<T[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const got: T[] = [];
  try {
    for await (const x of open(ac.signal)) {
      got.push(x);
      if (got.length === n) break;
    }
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return got;
}

/** Reads a raw SSE response until `until` holds for the text so far, then disconnects. */
async function readSse(path: string, until: (text: string) => boolean): Promise<{ text: string; headers: Headers }> {
  const ac = new AbortController();
  const res = await fetch(base + path, { headers: { accept: 'text/event-stream' }, signal: ac.signal });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  try {
    while (!until(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value, { stream: true });
    }
  } finally {
    ac.abort();
  }
  return { text, headers: res.headers };
}

// ---------------------------------------------------------------------------------------------

describe('ArkService through the stock RestArkProvider', () => {
  it('getInfo: every field, bigints included, reads back exactly', async () => {
    expect(await arkSdk.getInfo()).toEqual(info);
  });

  it('getInfo without a scheduled session reads back undefined', async () => {
    ark.info = { ...info, scheduledSession: undefined };
    const got = await arkSdk.getInfo();
    expect(got.scheduledSession).toBeUndefined();
    expect(got).toEqual(ark.info);
  });

  const register: Intent.RegisterMessage = {
    type: 'register',
    onchain_output_indexes: [1],
    valid_at: 1_765_000_000,
    expire_at: 1_765_000_600,
    cosigners_public_keys: [PUBKEY, PUBKEY2],
  };

  it('registerIntent: the port gets the proof and the exact message string the SDK signed', async () => {
    const id = await arkSdk.registerIntent({ proof: 'cHNidP8proof', message: register });
    expect(id).toBe('intent-1');
    expect(ark.calls).toEqual([{ method: 'registerIntent', args: [{ proof: 'cHNidP8proof', message: Intent.encodeMessage(register) }] }]);
  });

  it('deleteIntent and getPendingTxs pass the encoded message; pending txs read back', async () => {
    const del: Intent.DeleteMessage = { type: 'delete', expire_at: 1_765_000_600 };
    await arkSdk.deleteIntent({ proof: 'cHNidP8del', message: del });
    const pend: Intent.GetPendingTxMessage = { type: 'get-pending-tx', expire_at: 1_765_000_600 };
    expect(await arkSdk.getPendingTxs({ proof: 'cHNidP8pend', message: pend })).toEqual(ark.pending);
    expect(ark.calls).toEqual([
      { method: 'deleteIntent', args: [{ proof: 'cHNidP8del', message: Intent.encodeMessage(del) }] },
      { method: 'getPendingTxs', args: [{ proof: 'cHNidP8pend', message: Intent.encodeMessage(pend) }] },
    ]);
  });

  it('confirmRegistration passes the intent id', async () => {
    await arkSdk.confirmRegistration('intent-1');
    expect(ark.calls).toEqual([{ method: 'confirmRegistration', args: ['intent-1'] }]);
  });

  it('submitTreeNonces: the port gets txid → hex public nonce', async () => {
    const n1 = new Uint8Array(66).fill(7);
    const n2 = new Uint8Array(66).fill(9);
    await arkSdk.submitTreeNonces('batch-1', PUBKEY, new Map([[TXID_A, { pubNonce: n1 }], [TXID_B, { pubNonce: n2 }]]));
    expect(ark.calls).toEqual([{ method: 'submitTreeNonces', args: ['batch-1', PUBKEY, { [TXID_A]: hex.encode(n1), [TXID_B]: hex.encode(n2) }] }]);
  });

  it('submitTreeSignatures: the port gets txid → hex partial signature', async () => {
    const s = new Uint8Array(32).fill(5);
    const partial = { s, R: new Uint8Array(33), encode: () => s };
    await arkSdk.submitTreeSignatures('batch-1', PUBKEY, new Map([[TXID_C, partial]]) as never);
    expect(ark.calls).toEqual([{ method: 'submitTreeSignatures', args: ['batch-1', PUBKEY, { [TXID_C]: hex.encode(s) }] }]);
  });

  it('submitSignedForfeitTxs with and without the commitment tx', async () => {
    await arkSdk.submitSignedForfeitTxs(['cHNidP8f1', 'cHNidP8f2'], 'cHNidP8commit');
    await arkSdk.submitSignedForfeitTxs(['cHNidP8f3']);
    await arkSdk.submitSignedForfeitTxs([], 'cHNidP8commit2');
    expect(ark.calls).toEqual([
      { method: 'submitSignedForfeitTxs', args: [['cHNidP8f1', 'cHNidP8f2'], 'cHNidP8commit'] },
      { method: 'submitSignedForfeitTxs', args: [['cHNidP8f3'], undefined] },
      { method: 'submitSignedForfeitTxs', args: [[], 'cHNidP8commit2'] },
    ]);
  });

  it('submitTx and finalizeTx', async () => {
    expect(await arkSdk.submitTx('cHNidP8ark', ['cHNidP8c1', 'cHNidP8c2'])).toEqual(ark.submitResult);
    await arkSdk.finalizeTx(TXID_A, ['cHNidP8c1final']);
    expect(ark.calls).toEqual([
      { method: 'submitTx', args: ['cHNidP8ark', ['cHNidP8c1', 'cHNidP8c2']] },
      { method: 'finalizeTx', args: [TXID_A, ['cHNidP8c1final']] },
    ]);
  });
});

describe("arkd's digest guard", () => {
  it('a request built against stale server info is refused with DIGEST_MISMATCH; the SDK refetches and tells its listeners', async () => {
    const sdk = new RestArkProvider(base);
    await sdk.getInfo();
    await sdk.confirmRegistration('i1'); // same digest: passes
    ark.info = { ...info, digest: 'digest-2', signerPubkey: PUBKEY2 };
    const seen: ArkInfo[] = [];
    sdk.onServerInfoChanged((i) => seen.push(i));
    const err = await sdk.submitTx('cHNidP8stale', []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DigestMismatchError);
    expect(seen).toEqual([ark.info]);
    expect(ark.calls).toEqual([{ method: 'confirmRegistration', args: ['i1'] }]); // the stale submitTx never reached the port
    await sdk.submitTx('cHNidP8fresh', []); // rebuilt under the fresh digest: passes
    expect(ark.calls[1]).toEqual({ method: 'submitTx', args: ['cHNidP8fresh', []] });
  });

  it('the refusal carries arkd’s metadata; no header means no check', async () => {
    const res = await fetch(base + '/v1/batch/ack', { method: 'POST', headers: { 'content-type': 'application/json', 'x-digest': 'old' }, body: '{"intentId":"x"}' });
    expect(res.status).toBe(400);
    const e = maybeArkError(new Error(await res.text()));
    expect(e?.name).toBe('DIGEST_MISMATCH');
    expect(e?.code).toBe(49);
    expect(e?.metadata).toEqual({ expected_digest: 'digest-1', got_digest: 'old' });
    expect((await post('/v1/batch/ack', '{"intentId":"x"}')).status).toBe(200);
    expect(ark.calls).toEqual([{ method: 'confirmRegistration', args: ['x'] }]);
  });
});

describe('settlement events over SSE through the stock getEventStream', () => {
  const nonces = new Map([
    [PUBKEY, { pubNonce: new Uint8Array(66).fill(1) }],
    [PUBKEY2, { pubNonce: new Uint8Array(66).fill(2) }],
  ]);
  const all: SettlementEvent[] = [
    { type: SettlementEventType.StreamStarted, id: 'listener-1' },
    { type: SettlementEventType.BatchStarted, id: 'b1', intentIdHashes: ['h1', 'h2'], batchExpiry: 9_007_199_254_740_993n },
    { type: SettlementEventType.TreeSigningStarted, id: 'b1', cosignersPublicKeys: [PUBKEY, PUBKEY2], unsignedCommitmentTx: 'cHNidP8unsigned' },
    { type: SettlementEventType.TreeTx, id: 'b1', topic: [PUBKEY], batchIndex: 0, chunk: { txid: TXID_A, tx: 'cHNidP8tree', children: { 0: TXID_B, 1: TXID_C } } },
    { type: SettlementEventType.TreeNonces, id: 'b1', topic: [PUBKEY], txid: TXID_A, nonces },
    { type: SettlementEventType.TreeSignature, id: 'b1', topic: [PUBKEY], batchIndex: 1, txid: TXID_B, signature: 'ab'.repeat(64) },
    { type: SettlementEventType.BatchFinalization, id: 'b1', commitmentTx: 'cHNidP8commit' },
    { type: SettlementEventType.BatchFinalized, id: 'b1', commitmentTxid: TXID_C },
    { type: SettlementEventType.BatchFailed, id: 'b2', reason: 'not enough participants' },
  ];

  it('every event type reads back equal; topics reach the port; leaving aborts the port', async () => {
    ark.events = new Feed();
    ark.events.push(...all);
    const got = await take((signal) => arkSdk.getEventStream(signal, [PUBKEY, `${TXID_A}:0`]), all.length);
    expect(got).toEqual(all);
    expect(ark.calls).toEqual([{ method: 'batchEvents', args: [[PUBKEY, `${TXID_A}:0`]] }]);
    await vi.waitFor(() => expect(ark.events.signal?.aborted).toBe(true));
    await vi.waitFor(() => expect(ark.events.returned).toBe(true));
  });

  it('no topics: the SDK sends none and the port gets an empty list', async () => {
    ark.events = new Feed();
    ark.events.push(all[0]);
    expect(await take((signal) => arkSdk.getEventStream(signal, []), 1)).toEqual([all[0]]);
    expect(ark.calls).toEqual([{ method: 'batchEvents', args: [[]] }]);
  });

  it('heartbeats in a silence are skipped by the SDK: only events come out', async () => {
    ark.events = new Feed();
    ark.events.push(all[0]);
    setTimeout(() => ark.events.push(all[1]), 350); // > 3 heartbeats (100 ms) in between
    expect(await take((signal) => arkSdk.getEventStream(signal, []), 2)).toEqual([all[0], all[1]]);
  });

  it("raw framing is arkd's gateway's: unwrapped data lines, heartbeats in silence, EOS at the end", async () => {
    ark.events = new Feed();
    ark.events.push(all[0]);
    const { text, headers } = await readSse('/v1/batch/events?topics=x&topics=y', (t) => t.includes('{"heartbeat":{}}'));
    expect(headers.get('content-type')).toBe('text/event-stream');
    expect(text.startsWith('data: {"streamStarted":{"id":"listener-1"}}\n\n')).toBe(true);
    expect(text).toContain('data: {"heartbeat":{}}\n\n');
    expect(text).not.toContain('result');

    ark.events = new Feed();
    ark.events.push(all[1]);
    ark.events.end();
    const ended = await readSse('/v1/batch/events', () => false);
    expect(ended.text).toBe(
      'data: {"batchStarted":{"id":"b1","intentIdHashes":["h1","h2"],"batchExpiry":"9007199254740993"}}\n\n' + 'id: EOS\nevent: EOS\ndata: \n\n',
    );
  });

  it("a port failure mid-stream is a 'failure' event in arkd's error shape, then the end", async () => {
    ark.events = new Feed();
    ark.events.push(all[0]);
    ark.events.fail(new ArkRequestError('SIGNING_SESSION_TIMED_OUT', 'too slow'));
    const { text } = await readSse('/v1/batch/events', () => false);
    const [, failure] = text.split('\n\n');
    expect(failure.startsWith('event: failure\ndata: ')).toBe(true);
    const err = maybeArkError(new Error(failure.slice('event: failure\ndata: '.length)));
    expect(err?.name).toBe('SIGNING_SESSION_TIMED_OUT');
  });
});

describe('server shutdown', () => {
  it('closing the server ends open streams with EOS instead of waiting for clients forever', async () => {
    const port = new FakeArk();
    port.events.push({ type: SettlementEventType.StreamStarted, id: 'l' });
    const own = await createServer({ exchange: new FakeExchange(), index: new FakeIndex() });
    await registerArkApi(own, { service: port, indexer });
    await own.listen({ host: '127.0.0.1', port: 0 });
    const res = await fetch(`http://127.0.0.1:${(own.server.address() as { port: number }).port}/ark/v1/batch/events`);
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let text = dec.decode((await reader.read()).value);
    const closed = own.close().then(() => 'closed');
    const timeout = new Promise((r) => setTimeout(() => r('timeout'), 3000));
    expect(await Promise.race([closed, timeout])).toBe('closed');
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += dec.decode(value);
    }
    expect(text).toBe('data: {"streamStarted":{"id":"l"}}\n\nid: EOS\nevent: EOS\ndata: \n\n');
    await vi.waitFor(() => expect(port.events.signal?.aborted).toBe(true));
  });
});

describe('transactions over SSE through the stock getTransactionsStream', () => {
  it('commitment and Ark tx notifications read back equal', async () => {
    const commitmentTx: TxNotification = {
      txid: TXID_A,
      tx: 'cHNidP8commit',
      spentVtxos: [wireVtxo(1, { isSpent: true, spentBy: TXID_B, settledBy: TXID_A })],
      spendableVtxos: [wireVtxo(2), wireVtxo(3, { isPreconfirmed: true, arkTxid: TXID_C })],
    };
    const arkTx: TxNotification = {
      txid: TXID_B,
      tx: 'cHNidP8ark',
      spentVtxos: [wireVtxo(4)],
      spendableVtxos: [],
      checkpointTxs: { [`${TXID_C}:0`]: { txid: TXID_A, tx: 'cHNidP8cp' } },
    };
    ark.txs = new Feed();
    ark.txs.push({ commitmentTx }, { arkTx });
    const got = await take((signal) => arkSdk.getTransactionsStream(signal), 2);
    expect(got).toEqual([{ commitmentTx }, { arkTx }]);
    await vi.waitFor(() => expect(ark.txs.signal?.aborted).toBe(true));
  });
});

describe('IndexerService through the stock RestIndexerProvider', () => {
  it('getVtxos by scripts: every filter and the page reach the port; vtxos read back as the SDK converts them', async () => {
    indexer.vtxos = [
      wireVtxo(1),
      wireVtxo(2, { isPreconfirmed: true, arkTxid: TXID_C, assets: [{ assetId: 'asset-1', amount: '5' }] }),
      wireVtxo(3, { isSpent: true, spentBy: TXID_B, settledBy: TXID_A }),
    ];
    const got = await indexerSdk.getVtxos({ scripts: [SCRIPT, '0014' + '44'.repeat(20)], spendableOnly: true, after: 100, before: 200, pageIndex: 2, pageSize: 50 });
    expect(indexer.calls).toEqual([
      {
        method: 'getVtxos',
        args: [{ scripts: [SCRIPT, '0014' + '44'.repeat(20)], spendableOnly: true, after: 100, before: 200, page: { index: 2, size: 50 } }],
      },
    ]);
    expect(got.page).toEqual(indexer.page);
    expect(got.vtxos).toEqual([
      coin(1),
      coin(2, {
        isPreconfirmed: true,
        status: { confirmed: false, isLeaf: false },
        virtualStatus: { state: 'preconfirmed', commitmentTxIds: [TXID_A], batchExpiry: 1_766_000_000_000 },
        arkTxId: TXID_C,
        assets: [{ assetId: 'asset-1', amount: 5n }],
      }),
      coin(3, {
        isSpent: true,
        spentBy: TXID_B,
        settledBy: TXID_A,
        virtualStatus: { state: 'spent', commitmentTxIds: [TXID_A], batchExpiry: 1_766_000_000_000 },
      }),
    ]);
  });

  it('getVtxos by outpoints, with the state filters the SDK sends as false', async () => {
    indexer.vtxos = [];
    await indexerSdk.getVtxos({ outpoints: [{ txid: TXID_A, vout: 0 }, { txid: TXID_B, vout: 7 }], renewableOnly: true, spentOnly: false });
    expect(indexer.calls[0].args[0]).toEqual({
      outpoints: [{ txid: TXID_A, vout: 0 }, { txid: TXID_B, vout: 7 }],
      spentOnly: false,
      renewableOnly: true,
    });
  });

  it('vtxo tree, leaves, sweep txs, connectors, forfeit txs with pages', async () => {
    const b = { txid: TXID_A, vout: 1 };
    expect(await indexerSdk.getVtxoTree(b, { pageIndex: 0, pageSize: 10 })).toEqual({ vtxoTree: indexer.tree, page: indexer.page });
    expect(await indexerSdk.getVtxoTreeLeaves(b)).toEqual({ leaves: [{ txid: TXID_B, vout: 0 }, { txid: TXID_C, vout: 1 }] });
    expect(await indexerSdk.getBatchSweepTransactions(b)).toEqual({ sweptBy: [TXID_C] });
    expect(await indexerSdk.getCommitmentTxConnectors(TXID_B, { pageIndex: 3 })).toEqual({ connectors: indexer.tree, page: indexer.page });
    expect(await indexerSdk.getCommitmentTxForfeitTxs(TXID_B, { pageSize: 4 })).toEqual({ txids: [TXID_B, TXID_C], page: indexer.page });
    expect(indexer.calls).toEqual([
      { method: 'getVtxoTree', args: [b, { index: 0, size: 10 }] },
      { method: 'getVtxoTreeLeaves', args: [b, undefined] },
      { method: 'getBatchSweepTransactions', args: [b] },
      { method: 'getCommitmentTxConnectors', args: [TXID_B, { index: 3, size: 0 }] },
      { method: 'getCommitmentTxForfeitTxs', args: [TXID_B, { index: 0, size: 4 }] },
    ]);
  });

  it('commitment tx, virtual txs, vtxo chain', async () => {
    indexer.commitment = {
      startedAt: '1765000000',
      endedAt: '1765000030',
      batches: { '0': { totalOutputAmount: '50000', totalOutputVtxos: 3, expiresAt: '1766000000', swept: false } },
      totalInputAmount: '60000',
      totalInputVtxos: 2,
      totalOutputAmount: '50000',
      totalOutputVtxos: 3,
    };
    indexer.chain = [
      { txid: TXID_A, expiresAt: '1766000000', type: ChainTxType.ARK, spends: [TXID_B] },
      { txid: TXID_B, expiresAt: '1766000000', type: ChainTxType.CHECKPOINT, spends: [TXID_C] },
      { txid: TXID_C, expiresAt: '0', type: ChainTxType.COMMITMENT, spends: [] },
    ];
    expect(await indexerSdk.getCommitmentTx(TXID_C)).toEqual(indexer.commitment);
    expect(await indexerSdk.getVirtualTxs([TXID_A, TXID_B], { pageIndex: 1, pageSize: 2 })).toEqual({ txs: ['cHNidP8aaaa', 'cHNidP8bbbb'], page: indexer.page });
    expect(await indexerSdk.getVtxoChain({ txid: TXID_A, vout: 2 })).toEqual({ chain: indexer.chain });
    expect(indexer.calls).toEqual([
      { method: 'getCommitmentTx', args: [TXID_C] },
      { method: 'getVirtualTxs', args: [[TXID_A, TXID_B], { index: 1, size: 2 }] },
      { method: 'getVtxoChain', args: [{ txid: TXID_A, vout: 2 }, undefined] },
    ]);
    // Longer than fastify's 100-character path-parameter limit: 40 txids in one path segment.
    const many = Array.from({ length: 40 }, (_, i) => i.toString(16).padStart(64, '0'));
    expect((await indexerSdk.getVirtualTxs(many)).txs).toHaveLength(40);
    expect(indexer.calls[3].args).toEqual([many, undefined]);
  });

  it('subscribe, extend, unsubscribe some and all', async () => {
    expect(await indexerSdk.subscribeForScripts([SCRIPT])).toBe('sub-1');
    expect(await indexerSdk.subscribeForScripts([SCRIPT], 'sub-9')).toBe('sub-9');
    await indexerSdk.unsubscribeForScripts('sub-9', [SCRIPT]);
    await indexerSdk.unsubscribeForScripts('sub-9');
    expect(indexer.calls).toEqual([
      { method: 'subscribeForScripts', args: [[SCRIPT], undefined] },
      { method: 'subscribeForScripts', args: [[SCRIPT], 'sub-9'] },
      { method: 'unsubscribeForScripts', args: ['sub-9', [SCRIPT]] },
      { method: 'unsubscribeForScripts', args: ['sub-9', undefined] },
    ]);
  });

  it('the subscription stream reads back the port’s events', async () => {
    const events: SubscriptionResponse[] = [
      {
        txid: TXID_A,
        scripts: [SCRIPT],
        newVtxos: [coin(1), coin(2, { arkTxId: TXID_C, assets: [{ assetId: 'asset-1', amount: 7n }] })],
        spentVtxos: [
          coin(3, { isSpent: true, spentBy: TXID_B, settledBy: TXID_A, virtualStatus: { state: 'spent', commitmentTxIds: [TXID_A], batchExpiry: 1_766_000_000_000 } }),
        ],
        sweptVtxos: [],
        tx: 'cHNidP8tx',
        checkpointTxs: { [`${TXID_B}:0`]: { txid: TXID_C, tx: 'cHNidP8cp' } },
      },
      {
        scripts: [SCRIPT],
        // A block-height expiry (arkd sends heights below the SDK's plausible-timestamp floor as such).
        newVtxos: [coin(5, { expiresAt: undefined, expiresAtHeight: 850_000, virtualStatus: { state: 'settled', commitmentTxIds: [TXID_A], batchExpiry: 850_000_000 } })],
        spentVtxos: [],
        sweptVtxos: [],
      },
      { scripts: [SCRIPT], newVtxos: [], spentVtxos: [], sweptVtxos: [coin(4, { isSwept: true, status: { confirmed: false, isLeaf: true }, virtualStatus: { state: 'swept', commitmentTxIds: [TXID_A], batchExpiry: 1_766_000_000_000 } })] },
    ];
    indexer.sub = new Feed();
    indexer.sub.push(...events);
    const got = await take((signal) => indexerSdk.getSubscription('sub-1', signal), events.length);
    expect(got).toEqual(events);
    expect(indexer.calls).toEqual([{ method: 'subscription', args: ['sub-1'] }]);
    await vi.waitFor(() => expect(indexer.sub.signal?.aborted).toBe(true));
  });

  it('an unknown subscription is refused before the stream opens', async () => {
    const res = await fetch(base + '/v1/indexer/script/subscription/unknown', { headers: { accept: 'text/event-stream' } });
    expect(res.status).toBe(404);
    expect(maybeArkError(new Error(await res.text()))?.name).toBe('SUBSCRIPTION_NOT_FOUND');
  });

  it('assets: every asset is unknown, and the SDK says it failed', async () => {
    await expect(indexerSdk.getAssetDetails('asset-1')).rejects.toThrow(/Failed to fetch asset details/);
  });
});

describe('errors in arkd’s shape', () => {
  it('a port refusal reaches the SDK as an ArkError with its name and code', async () => {
    ark.fail = new ArkRequestError('INVALID_INTENT_PROOF', 'signature does not verify', 'intent.proof');
    const err = await arkSdk
      .registerIntent({ proof: 'cHNidP8x', message: { type: 'register', onchain_output_indexes: [], valid_at: 0, expire_at: 0, cosigners_public_keys: [] } })
      .catch((e: unknown) => e);
    expect(isArkError(err)).toBe(true);
    const a = err as ArkError;
    expect(a.name).toBe('INVALID_INTENT_PROOF');
    expect(a.code).toBe(23);
    // arkd's ErrorImpl.Error(): "NAME (code): cause", in the status and in the details alike.
    expect(a.message).toBe('INVALID_INTENT_PROOF (23): signature does not verify');
    expect(a.metadata).toEqual({ field: 'intent.proof' });
    expect(ark.calls.map((c) => c.method)).toEqual(['registerIntent']);
  });

  it('a refusal rendered as HTTP 500 (gRPC INTERNAL) stays a terminal ArkError, not a retryable outage', async () => {
    ark.fail = new ArkRequestError('SIGNING_SESSION_TIMED_OUT', 'batch b1 timed out');
    const res = await post('/v1/batch/ack', JSON.stringify({ intentId: 'x' }));
    expect(res.status).toBe(500);
    const err = await arkSdk.confirmRegistration('x').catch((e: unknown) => e);
    expect(err).not.toBeInstanceOf(ProviderUnavailableError);
    expect(isArkError(err)).toBe(true);
    expect((err as ArkError).name).toBe('SIGNING_SESSION_TIMED_OUT');
  });

  it('the SDK branches on VTXO_ALREADY_SPENT from submitTx', async () => {
    ark.fail = new ArkRequestError('VTXO_ALREADY_SPENT', `vtxo ${TXID_A}:0 already spent`);
    const err = await arkSdk.submitTx('cHNidP8', []).catch((e: unknown) => e);
    expect(isArkError(err, 'VTXO_ALREADY_SPENT')).toBe(true);
  });

  it('a port fault is a bare 500 that leaks nothing', async () => {
    ark.fail = new Error('db password is hunter2');
    const res = await post('/v1/batch/ack', JSON.stringify({ intentId: 'x' }));
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text)).toEqual({ code: 13, message: 'internal error', details: [] });
  });

  const intentBody = { intent: { proof: 'cHNidP8', message: '{}' } };
  const nonces = { [TXID_A]: 'ab'.repeat(66) };
  const sigs = { [TXID_A]: 'ab'.repeat(32) };
  /** Every POST route, a valid body, and malformed variants with the field each must name. */
  const cases: { path: string; valid: unknown; bad: [unknown, string][] }[] = [
    {
      path: '/v1/batch/registerIntent',
      valid: intentBody,
      bad: [[{}, 'intent'], [{ intent: { proof: 'x' } }, 'intent.message'], [{ intent: { proof: 1, message: 'm' } }, 'intent.proof'], [{ intent: 'x' }, 'intent'], [{ ...intentBody, extra: 1 }, 'extra']],
    },
    { path: '/v1/batch/deleteIntent', valid: intentBody, bad: [[{ intent: null }, 'intent'], [{ intent: { proof: 'p', message: {} } }, 'intent.message']] },
    { path: '/v1/tx/pending', valid: intentBody, bad: [[{ intent: { proof: '', message: 'm' } }, 'intent.proof'], [[], 'body']] },
    { path: '/v1/batch/ack', valid: { intentId: 'i' }, bad: [[{ intentId: 5 }, 'intentId'], [{ intent_id: 'i' }, 'intent_id'], [{}, 'intentId']] },
    {
      path: '/v1/batch/tree/submitNonces',
      valid: { batchId: 'b', pubkey: PUBKEY, treeNonces: nonces },
      bad: [
        [{ batchId: 'b', pubkey: PUBKEY, treeNonces: { [TXID_A]: 'ab'.repeat(65) } }, `treeNonces.${TXID_A}`],
        [{ batchId: 'b', pubkey: PUBKEY, treeNonces: { [TXID_A]: 7 } }, `treeNonces.${TXID_A}`],
        [{ batchId: 'b', pubkey: 'zz', treeNonces: nonces }, 'pubkey'],
        [{ pubkey: PUBKEY, treeNonces: nonces }, 'batchId'],
        [{ batchId: 'b', pubkey: PUBKEY, treeNonces: [] }, 'treeNonces'],
      ],
    },
    {
      path: '/v1/batch/tree/submitSignatures',
      valid: { batchId: 'b', pubkey: PUBKEY, treeSignatures: sigs },
      bad: [
        [{ batchId: 'b', pubkey: PUBKEY, treeSignatures: { [TXID_A]: 'xy'.repeat(32) } }, `treeSignatures.${TXID_A}`],
        [{ batchId: 'b', pubkey: PUBKEY, treeSignatures: {} }, 'treeSignatures'],
      ],
    },
    {
      path: '/v1/batch/submitForfeitTxs',
      valid: { signedForfeitTxs: ['f'] },
      bad: [[{}, 'signedForfeitTxs'], [{ signedForfeitTxs: 'f' }, 'signedForfeitTxs'], [{ signedForfeitTxs: ['f', 2] }, 'signedForfeitTxs[1]'], [{ signedCommitmentTx: 1 }, 'signedCommitmentTx']],
    },
    { path: '/v1/tx/submit', valid: { signedArkTx: 't', checkpointTxs: [] }, bad: [[{ checkpointTxs: [] }, 'signedArkTx'], [{ signedArkTx: 't', checkpointTxs: [null] }, 'checkpointTxs[0]']] },
    { path: '/v1/tx/finalize', valid: { arkTxid: TXID_A, finalCheckpointTxs: [] }, bad: [[{ arkTxid: true }, 'arkTxid'], [{ arkTxid: 'a', finalCheckpointTxs: {} }, 'finalCheckpointTxs']] },
    { path: '/v1/indexer/script/subscribe', valid: { scripts: [SCRIPT] }, bad: [[{ scripts: [] }, 'scripts'], [{ scripts: ['nothex'] }, 'scripts[0]'], [{}, 'scripts'], [{ scripts: [SCRIPT], subscriptionId: 3 }, 'subscriptionId']] },
    { path: '/v1/indexer/script/unsubscribe', valid: { subscriptionId: 's' }, bad: [[{ scripts: [SCRIPT] }, 'subscriptionId'], [{ subscriptionId: 's', scripts: 'x' }, 'scripts']] },
  ];

  for (const c of cases) {
    it(`POST ${c.path}: malformed bodies are 400 INVALID_REQUEST naming the field; the port never sees them`, async () => {
      const ok = await post(c.path, JSON.stringify(c.valid));
      expect(ok.status, await ok.clone().text()).toBe(200);
      ark.calls = [];
      indexer.calls = [];
      const raw: [string, string, string][] = [
        ['{"intent":', 'body', 'application/json'],
        ['null', 'body', 'application/json'],
        ['[1,2]', 'body', 'application/json'],
        ['"text"', 'body', 'application/json'],
        ...c.bad.map(([b, f]): [string, string, string] => [JSON.stringify(b), f, 'application/json']),
      ];
      for (const [body, field, type] of raw) {
        const res = await post(c.path, body, type);
        const text = await res.text();
        expect(res.status, `${body} → ${text}`).toBe(400);
        const parsed = JSON.parse(text) as { code: number; details: { name: string; metadata: { field: string } }[] };
        expect(parsed.code).toBe(3);
        expect(parsed.details[0].name).toBe('INVALID_REQUEST');
        expect(parsed.details[0].metadata.field, body).toBe(field);
        expect(maybeArkError(new Error(text))?.name).toBe('INVALID_REQUEST');
      }
      expect(ark.calls).toEqual([]);
      expect(indexer.calls).toEqual([]);
    });
  }

  it('no JSON value on any POST route makes a 500: each is answered 200 or 400, and only a 200 reaches the port', async () => {
    const paths = cases.map((c) => c.path);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.oneof(fc.jsonValue(), fc.record({ intent: fc.jsonValue(), intentId: fc.jsonValue(), scripts: fc.jsonValue() }, { requiredKeys: [] })), async (path, body) => {
        ark.calls = [];
        indexer.calls = [];
        const res = await app.inject({ method: 'POST', url: '/ark' + path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) });
        expect([200, 400]).toContain(res.statusCode);
        const reached = ark.calls.length + indexer.calls.length;
        expect(reached).toBe(res.statusCode === 200 ? 1 : 0);
        if (res.statusCode === 400) expect(maybeArkError(new Error(res.body))?.name).toBe('INVALID_REQUEST');
      }),
      { numRuns: 300 },
    );
  });

  it('no query string on the GET routes makes a 500', async () => {
    const routes = ['/v1/indexer/vtxos', `/v1/indexer/batch/${TXID_A}/0/tree`, `/v1/indexer/commitmentTx/${TXID_A}/forfeitTxs`, `/v1/indexer/vtxo/${TXID_A}/1/chain`];
    const key = fc.constantFrom('scripts', 'outpoints', 'spendableOnly', 'spentOnly', 'renewableOnly', 'after', 'before', 'page.index', 'page.size', 'x');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.array(fc.tuple(key, fc.oneof(fc.string(), fc.constantFrom('true', 'false', '0', '1', SCRIPT, `${TXID_A}:0`)))), async (route, pairs) => {
        const res = await app.inject({ method: 'GET', url: `/ark${route}?${new URLSearchParams(pairs).toString()}` });
        expect([200, 400]).toContain(res.statusCode);
      }),
      { numRuns: 300 },
    );
  });

  it('a body of the wrong content type is refused in the same shape', async () => {
    const res = await post('/v1/batch/ack', '{"intentId":"x"}', 'text/plain');
    expect(res.status).toBe(415);
    expect(maybeArkError(new Error(await res.text()))?.name).toBe('INVALID_REQUEST');
    expect(ark.calls).toEqual([]);
  });

  it('a body over the default 64 KiB app limit is accepted (signed PSBTs are large) up to the route limit', async () => {
    const big = 'cHNidP8' + 'A'.repeat(200_000);
    expect((await post('/v1/tx/submit', JSON.stringify({ signedArkTx: big, checkpointTxs: [] }))).status).toBe(200);
    expect(ark.calls[0].args[0]).toBe(big);
  });

  it('query strings are strict: booleans, integers, outpoints, one filter family', async () => {
    const q = async (qs: string) => {
      const res = await fetch(`${base}/v1/indexer/vtxos?${qs}`);
      const body = await res.text();
      return { status: res.status, field: (JSON.parse(body) as { details: { metadata: { field: string } }[] }).details[0]?.metadata.field };
    };
    expect(await q(`scripts=${SCRIPT}&spendableOnly=1`)).toEqual({ status: 400, field: 'spendableOnly' });
    expect(await q(`scripts=${SCRIPT}&page.index=1e3`)).toEqual({ status: 400, field: 'page.index' });
    expect(await q(`scripts=${SCRIPT}&page.size=-1`)).toEqual({ status: 400, field: 'page.size' });
    expect(await q(`scripts=${SCRIPT}&after= 5`)).toEqual({ status: 400, field: 'after' });
    expect(await q(`outpoints=${TXID_A}`)).toEqual({ status: 400, field: 'outpoints[0]' });
    expect(await q(`outpoints=${TXID_A}:x`)).toEqual({ status: 400, field: 'outpoints[0]' });
    expect(await q(`scripts=${SCRIPT}&outpoints=${TXID_A}:0`)).toEqual({ status: 400, field: 'outpoints' });
    expect(await q(`scripts=${SCRIPT}&spendableOnly=true&spentOnly=true`)).toEqual({ status: 400, field: 'spentOnly' });
    expect(await q(`scripts=${SCRIPT}&after=5&before=5`)).toEqual({ status: 400, field: 'before' });
    expect(await q('')).toEqual({ status: 400, field: 'scripts' });
    expect(indexer.calls).toEqual([]);
    const bad = await fetch(`${base}/v1/indexer/batch/${TXID_A.toUpperCase()}/0/tree`);
    expect(bad.status).toBe(400);
    const badVout = await fetch(`${base}/v1/indexer/vtxo/${TXID_A}/01/chain`);
    expect(badVout.status).toBe(400);
    expect(indexer.calls).toEqual([]);
  });

  it("the app's per-IP rate limit stays a retryable outage for the SDK (no arkd details), with retry-after", async () => {
    const tight = await createServer({
      exchange: new FakeExchange(),
      index: new FakeIndex(),
      rateLimits: { perKey: { capacity: 100, refillPerSec: 100 }, cancelPerKey: { capacity: 100, refillPerSec: 100 }, perIp: { capacity: 1, refillPerSec: 0.001 } },
    });
    await registerArkApi(tight, { service: ark, indexer });
    await tight.listen({ host: '127.0.0.1', port: 0 });
    try {
      const addr = tight.server.address() as { port: number };
      const sdk = new RestArkProvider(`http://127.0.0.1:${addr.port}/ark`);
      await sdk.getInfo();
      const res = await fetch(`http://127.0.0.1:${addr.port}/ark/v1/batch/ack`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"intentId":"x"}' });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(maybeArkError(new Error(await res.text()))).toBeUndefined();
      const err = await sdk.confirmRegistration('x').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ProviderUnavailableError);
    } finally {
      await tight.close();
    }
  });

  it('an unknown /ark route is a 404 in arkd’s shape, the rest of the app keeps its own', async () => {
    const res = await fetch(`${base}/v1/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { code: number }).code).toBe(5);
    const other = await fetch(base.replace('/ark', '') + '/v1/nope');
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
