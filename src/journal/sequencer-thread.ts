/**
 * A Sequencer (with its journal and state machine) on a worker thread, and the link to it from the
 * thread that receives commands (the gateway). The gateway encodes each command, and the sequencer
 * thread journals that payload as is and applies its decode (Sequencer.submitPayloads), which is
 * what replay will apply. Fsyncs and the engine then cost the gateway nothing; on two cores the
 * gateway's work (requests, encoding) runs beside the engine's.
 *
 * Protocol (structured clone), one message per event-loop turn each way:
 *   gateway → sequencer: {type:'submit', firstId, body, lens}   payloads of ids firstId, firstId+1, …
 *                           concatenated into `body`, their UTF-16 lengths in `lens` (one string to
 *                           clone however many commands)
 *                        {type:'close'}
 *   sequencer → gateway: {type:'ready', snapshot, lastSeq, kind}
 *                        {type:'acks', runs}                      [firstId, firstSeq, count, …] in seq order
 *                        {type:'errors', errors}                  [id, code, message, halted][]
 *                        {type:'closed', lastSeq, stateHash}  |  {type:'fatal', message}
 * Acks of commands sent together are contiguous runs, so an ack costs a few numbers, not a message.
 */
import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker, type MessagePort } from 'node:worker_threads';
import { HashPerpError } from '../units/errors.js';
import { JournalError, type Journal } from './journal.js';
import type { StateMachine, StateMachineFactory } from '../engine/state-machine.js';
import type { Ack, Sequencer, SubmitSink } from './sequencer.js';

type ToSequencer = { type: 'submit'; firstId: number; body: string; lens: Uint32Array } | { type: 'close' };
type ErrorRow = [id: number, code: string, message: string, halted: boolean];
type FromSequencer =
  | { type: 'ready'; snapshot: string; lastSeq: number; kind: string }
  | { type: 'acks'; runs: number[] }
  | { type: 'errors'; errors: ErrorRow[] }
  | { type: 'closed'; lastSeq: number; stateHash: string }
  | { type: 'fatal'; message: string };

/** What the sequencer thread reports once it has recovered its state from the journal. */
export interface SequencerReady {
  /** The state machine's snapshot at `lastSeq` (the gateway may keep a replica from it). */
  snapshot: string;
  lastSeq: number;
  /** The journal backend, for reports. */
  kind: string;
}

// ───────────── the sequencer's side ─────────────

/** Acks posted in one message at most: a large group is reported in pieces as it is applied. */
const ACK_CHUNK = 512;

/**
 * Serves `sequencer` (opened over `journal`) to the gateway on `port`, until the gateway sends
 * close: then the sequencer drains, the journal closes, and `closed` reports the final state hash.
 */
export function serveSequencer<C, E>(port: MessagePort, sequencer: Sequencer<C, E>, journal: Journal): void {
  let runs: number[] = [];
  let acked = 0;
  let errors: ErrorRow[] = [];
  let lastId = -2;
  let lastSeq = -2;
  let scheduled = false;
  const flush = (): void => {
    scheduled = false;
    if (runs.length > 0) port.postMessage({ type: 'acks', runs } satisfies FromSequencer);
    if (errors.length > 0) port.postMessage({ type: 'errors', errors } satisfies FromSequencer);
    runs = [];
    errors = [];
    acked = 0;
    lastId = lastSeq = -2;
  };
  const later = (): void => {
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const sink: SubmitSink<E> = {
    ack(id, seq) {
      if (id === lastId + 1 && seq === lastSeq + 1) runs[runs.length - 1]!++;
      else runs.push(id, seq, 1);
      lastId = id;
      lastSeq = seq;
      // Mid-group as well: the gateway answers (and its submitters send more) while the rest of the group is applied.
      if (++acked >= ACK_CHUNK) flush();
      else later();
    },
    fail(id, e) {
      // Acks already made go first, so the gateway sees outcomes in the order they happened.
      if (runs.length > 0) flush();
      const code = e instanceof HashPerpError ? e.code : 'engine_fault';
      errors.push([id, code, e instanceof Error ? e.message : String(e), sequencer.halted !== undefined]);
      later();
    },
  };
  port.on('message', (m: ToSequencer) => {
    if (m.type === 'close') {
      void sequencer
        .close()
        .then(() => journal.close())
        .then(
          () => port.postMessage({ type: 'closed', lastSeq: sequencer.lastSeq, stateHash: sequencer.stateHash() } satisfies FromSequencer),
          (e: unknown) => port.postMessage({ type: 'fatal', message: e instanceof Error ? e.message : String(e) } satisfies FromSequencer),
        );
      return;
    }
    const { firstId, body, lens } = m;
    const payloads: string[] = new Array<string>(lens.length);
    let off = 0;
    for (let i = 0; i < lens.length; i++) payloads[i] = body.slice(off, (off += lens[i]!));
    sequencer.submitPayloads(payloads, sink, firstId);
  });
  port.postMessage({ type: 'ready', snapshot: sequencer.snapshot(), lastSeq: sequencer.lastSeq, kind: journal.kind } satisfies FromSequencer);
}

// ───────────── the gateway's side ─────────────

/** What the gateway does with each command's outcome; `item` is what it passed to send. Must not throw. */
export interface LinkHandlers<T> {
  ack(item: T, seq: number): void;
  fail(item: T, error: JournalError): void;
}

/**
 * The gateway's end: `send` queues an encoded command, one message per event-loop turn carries the
 * queue to the sequencer thread, and each outcome comes back to the handlers, acks in seq order
 * (checked: a gap halts the link, since a gateway replica would diverge).
 */
export class SequencerLink<T> {
  private nextId = 1;
  private readonly pending = new Map<number, T>();
  private outbox: string[] = [];
  private outboxFirstId = 1;
  private scheduled = false;
  private haltReason: JournalError | undefined;
  private closing: { resolve: (m: { lastSeq: number; stateHash: string }) => void; reject: (e: JournalError) => void } | undefined;
  private idle: (() => void)[] = [];
  /** Seq of the last acknowledged command. */
  lastSeq: number;

  private constructor(
    private readonly worker: Worker,
    readonly ready: SequencerReady,
    private readonly handlers: LinkHandlers<T>,
  ) {
    this.lastSeq = ready.lastSeq;
    worker.on('message', (m: FromSequencer) => {
      if (m.type === 'acks') this.onAcks(m.runs);
      else if (m.type === 'errors') for (const [id, code, message, halted] of m.errors) this.onError(id, code, message, halted);
      else if (m.type === 'closed') this.closing?.resolve({ lastSeq: m.lastSeq, stateHash: m.stateHash });
      else if (m.type === 'fatal') this.haltAll(new JournalError('engine_fault', `sequencer thread failed: ${m.message}`));
      if (this.pending.size === 0) for (const f of this.idle.splice(0)) f();
    });
    worker.on('error', (e) => this.haltAll(new JournalError('engine_fault', `sequencer thread failed: ${e.message}`)));
    worker.on('exit', (code) => this.haltAll(new JournalError('engine_fault', `sequencer thread exited (code ${code}); restart to recover from the journal`)));
  }

  /**
   * Starts `entry` (a module that opens its journal and sequencer and calls serveSequencer) on a
   * worker thread with `workerData`, and waits until it has recovered its state.
   */
  static async start<T>(entry: URL, workerData: unknown, handlers: LinkHandlers<T>): Promise<SequencerLink<T>> {
    const worker = startModuleWorker(entry, workerData);
    const ready = await new Promise<SequencerReady>((resolve, reject) => {
      const onMsg = (m: FromSequencer): void => {
        worker.off('message', onMsg);
        worker.off('error', reject);
        if (m.type === 'ready') resolve({ snapshot: m.snapshot, lastSeq: m.lastSeq, kind: m.kind });
        else reject(new HashPerpError('journal_unavailable', m.type === 'fatal' ? m.message : 'sequencer thread failed to start'));
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    return new SequencerLink(worker, ready, handlers);
  }

  /** Set once the sequencer stopped on a failure only a restart (replay) can resolve. */
  get halted(): JournalError | undefined {
    return this.haltReason;
  }

  /** How busy the sequencer thread's event loop has been since it started (Worker.performance). */
  eventLoopUtilization(): EventLoopUtilization {
    return this.worker.performance.eventLoopUtilization();
  }

  /** Queues one encoded command; its outcome goes to the handlers (at once, failed, when halted). */
  send(payload: string, item: T): void {
    if (this.haltReason) {
      this.handlers.fail(item, this.haltReason);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, item);
    if (this.outbox.length === 0) this.outboxFirstId = id;
    this.outbox.push(payload);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.post());
    }
  }

  private post(): void {
    this.scheduled = false;
    const batch = this.outbox;
    this.outbox = [];
    if (batch.length === 0 || this.haltReason) return;
    const lens = new Uint32Array(batch.length);
    for (let i = 0; i < batch.length; i++) lens[i] = batch[i]!.length;
    this.worker.postMessage({ type: 'submit', firstId: this.outboxFirstId, body: batch.join(''), lens } satisfies ToSequencer);
  }

  private onAcks(runs: number[]): void {
    for (let r = 0; r < runs.length; r += 3) {
      const firstId = runs[r]!;
      const firstSeq = runs[r + 1]!;
      const count = runs[r + 2]!;
      for (let i = 0; i < count; i++) {
        const item = this.pending.get(firstId + i);
        if (item === undefined) continue;
        this.pending.delete(firstId + i);
        const seq = firstSeq + i;
        if (seq !== this.lastSeq + 1) {
          this.haltAll(new JournalError('engine_fault', `sequencer thread acknowledged seq ${seq} after ${this.lastSeq}`));
          this.handlers.fail(item, this.haltReason!);
          return;
        }
        this.lastSeq = seq;
        this.handlers.ack(item, seq);
      }
    }
  }

  private onError(id: number, code: string, message: string, halted: boolean): void {
    const item = this.pending.get(id);
    if (item === undefined) return;
    this.pending.delete(id);
    const err = new JournalError(code as 'journal_unavailable', message);
    if (halted) this.haltReason ??= err;
    this.handlers.fail(item, err);
  }

  private haltAll(err: JournalError): void {
    this.closing?.reject(err);
    this.haltReason ??= err;
    const items = [...this.pending.values()];
    this.pending.clear();
    this.outbox = [];
    for (const item of items) this.handlers.fail(item, err);
    for (const f of this.idle.splice(0)) f();
  }

  /** Waits until every command sent so far is acknowledged or failed. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    await new Promise<void>((res) => this.idle.push(res));
  }

  /** Drains, closes the sequencer and its journal, stops the thread; returns the final seq and state hash. */
  async close(): Promise<{ lastSeq: number; stateHash: string }> {
    await this.flush();
    const closed = new Promise<{ lastSeq: number; stateHash: string }>((resolve, reject) => (this.closing = { resolve, reject }));
    this.worker.postMessage({ type: 'close' } satisfies ToSequencer);
    try {
      return await closed;
    } finally {
      this.closing = undefined;
      await this.worker.terminate();
    }
  }
}

/** What a replicated gateway needs of the machine's factory: the codec, and a replica from the thread's snapshot. */
export interface ReplicaOptions<C, E, M extends StateMachine<C, E>> {
  codec: Pick<StateMachineFactory<C, E>, 'encodeCommand' | 'decodeCommand'>;
  restore(snapshot: string): M;
  /** Called with every command the replica applied, in seq order, before its submitter hears of it. Must not throw. */
  onApplied?(seq: number, command: C, events: E[]): void;
}

interface Submitted<C, E> {
  command: C;
  resolve: (a: Ack<E>) => void;
  reject: (e: unknown) => void;
}

/**
 * A sequencer thread seen through a replica of its machine on the gateway's thread (the server's
 * layout): submit encodes the command and sends the payload; once it is acknowledged the replica
 * applies the payload's decode, which is what the sequencer applied and what replay will, in seq
 * order. The machine is deterministic, so the replica is the state and reads never cross threads.
 */
export class ReplicatedSequencer<C, E, M extends StateMachine<C, E>> {
  /** Set if the replica threw applying an acknowledged command: it is suspect from then on. */
  private fault: JournalError | undefined;

  private constructor(
    private readonly link: SequencerLink<Submitted<C, E>>,
    /** Read-only use: only acknowledged commands change it. */
    readonly machine: M,
    private readonly codec: ReplicaOptions<C, E, M>['codec'],
  ) {}

  static async start<C, E, M extends StateMachine<C, E>>(entry: URL, workerData: unknown, opts: ReplicaOptions<C, E, M>): Promise<ReplicatedSequencer<C, E, M>> {
    let self: ReplicatedSequencer<C, E, M> | undefined;
    const link = await SequencerLink.start<Submitted<C, E>>(entry, workerData, {
      ack: (p, seq) => {
        const r = self!;
        if (r.fault) return p.reject(r.fault);
        let events: E[];
        try {
          events = r.machine.apply(p.command, seq);
        } catch (e) {
          // A restart replays the journal; until then nothing is served from a suspect replica.
          r.fault = new JournalError('engine_fault', `engine threw on seq ${seq}: ${e instanceof Error ? e.message : String(e)}`);
          return p.reject(r.fault);
        }
        opts.onApplied?.(seq, p.command, events);
        p.resolve({ seq, events });
      },
      fail: (p, e) => p.reject(e),
    });
    self = new ReplicatedSequencer(link, opts.restore(link.ready.snapshot), opts.codec);
    return self;
  }

  /** Journals (durably, on the sequencer thread) and applies one command; resolves with its seq and the replica's events. */
  submit(command: C): Promise<Ack<E>> {
    if (this.fault) return Promise.reject(this.fault);
    let payload: string;
    let decoded: C;
    try {
      payload = this.codec.encodeCommand(command);
      decoded = this.codec.decodeCommand(payload);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise((resolve, reject) => this.link.send(payload, { command: decoded, resolve, reject }));
  }

  /** The journal backend the thread reported. */
  get kind(): string {
    return this.link.ready.kind;
  }

  get lastSeq(): number {
    return this.link.lastSeq;
  }

  get halted(): JournalError | undefined {
    return this.fault ?? this.link.halted;
  }

  flush(): Promise<void> {
    return this.link.flush();
  }

  close(): Promise<{ lastSeq: number; stateHash: string }> {
    return this.link.close();
  }
}

/**
 * A worker running the ES module at `entry`. Compiled, that is the .js beside this file; from source
 * (tsx, vitest) the worker first registers tsx, since a worker does not inherit a loader hook.
 */
export function startModuleWorker(entry: URL, workerData: unknown): Worker {
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL('data:text/javascript,' + encodeURIComponent(boot)), { workerData });
}
