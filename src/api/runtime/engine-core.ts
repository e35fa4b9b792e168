/**
 * The live engine: a journal, the sequencer over it, and the Exchange the API reads.
 * Opening replays the journal, so a restart continues at the same stateHash and chain tip.
 * Everything that changes state goes through `submit`; every acknowledged command's events are
 * handed to the listeners (feeds, the demo market maker) in seq order.
 *
 * Two modes, one contract:
 * - in-process (default): the Sequencer runs here and `exchange` is its own machine.
 * - `thread: true`: journal + sequencer run on a worker thread (engine-worker.ts), so fsyncs do not
 *   stall HTTP. This thread keeps a replica Exchange, restored from the worker's snapshot at open
 *   and fed every acknowledged command in seq order, decoded from the same payload the journal
 *   stores (what replay will apply). The engine is deterministic, so the replica is the state.
 */
import { Worker } from 'node:worker_threads';
import { createExchange, Exchange, exchangeFactory, type Command, type EngineEvent, type StateMachineFactory } from '../../engine/index.js';
import { JournalError, openJournal, Sequencer, type Ack, type Journal } from '../../journal/index.js';
import { HashPerpError } from '../../units/errors.js';

export type EngineListener = (seq: number, command: Command, events: EngineEvent[]) => void;

export interface EngineCoreOptions {
  sqlitePath?: string;
  databaseUrl?: string;
  /** Snapshot every N commands so a restart replays only the tail (default 10,000). */
  snapshotEvery?: number;
  /** Run the journal and sequencer on a worker thread (needs the compiled .js, or tsx in execArgv). */
  thread?: boolean;
  onError?: (where: string, e: unknown) => void;
}

interface Pending {
  command: Command;
  resolve: (a: Ack<EngineEvent>) => void;
  reject: (e: unknown) => void;
}

/** The worker's side, seen from here. */
class WorkerLink {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private outbox: [number, string][] = [];
  private scheduled = false;
  halted: JournalError | undefined;
  private closing: (() => void) | undefined;
  private idle: (() => void)[] = [];

  constructor(
    private readonly worker: Worker,
    private readonly replica: Exchange,
    public appliedSeq: number,
    private readonly deliver: (seq: number, command: Command, events: EngineEvent[]) => void,
  ) {
    worker.on('message', (m: { type: string; acks?: [number, number][]; errors?: [number, string, string, boolean][] }) => {
      if (m.type === 'acks') for (const [id, seq] of m.acks!) this.ack(id, seq);
      else if (m.type === 'errors') for (const [id, code, message, halted] of m.errors!) this.fail(id, code, message, halted);
      else if (m.type === 'closed') this.closing?.();
      if (this.pending.size === 0) for (const f of this.idle.splice(0)) f();
    });
    worker.on('error', (e) => this.haltAll(new JournalError('engine_fault', `engine worker failed: ${e.message}`)));
    worker.on('exit', (code) => {
      if (this.closing === undefined) this.haltAll(new JournalError('engine_fault', `engine worker exited (code ${code}); restart to recover from the journal`));
    });
  }

  submit(command: Command): Promise<Ack<EngineEvent>> {
    if (this.halted) return Promise.reject(this.halted);
    let payload: string;
    let decoded: Command;
    try {
      payload = exchangeFactory.encodeCommand(command);
      decoded = exchangeFactory.decodeCommand(payload);
    } catch (e) {
      return Promise.reject(e);
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { command: decoded, resolve, reject });
      this.outbox.push([id, payload]);
      if (!this.scheduled) {
        this.scheduled = true;
        // One message per event-loop turn: a burst of requests crosses the thread boundary once.
        setImmediate(() => {
          this.scheduled = false;
          const batch = this.outbox;
          this.outbox = [];
          this.worker.postMessage({ type: 'submit', batch });
        });
      }
    });
  }

  private ack(id: number, seq: number): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    if (seq !== this.appliedSeq + 1) {
      this.haltAll(new JournalError('engine_fault', `engine worker acknowledged seq ${seq} after ${this.appliedSeq}`));
      p.reject(this.halted);
      return;
    }
    let events: EngineEvent[];
    try {
      events = this.replica.apply(p.command, seq);
    } catch (e) {
      this.haltAll(new JournalError('engine_fault', `engine threw on seq ${seq}: ${e instanceof Error ? e.message : String(e)}`));
      p.reject(this.halted);
      return;
    }
    this.appliedSeq = seq;
    this.deliver(seq, p.command, events);
    p.resolve({ seq, events });
  }

  private fail(id: number, code: string, message: string, halted: boolean): void {
    const p = this.pending.get(id);
    if (p === undefined) return;
    this.pending.delete(id);
    const err = new JournalError(code as 'journal_unavailable', message);
    if (halted) this.halted ??= err;
    p.reject(err);
  }

  private haltAll(err: JournalError): void {
    this.halted ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    for (const f of this.idle.splice(0)) f();
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    await new Promise<void>((res) => this.idle.push(res));
  }

  async close(): Promise<void> {
    await this.flush();
    const closed = new Promise<void>((res) => (this.closing = res));
    this.worker.postMessage({ type: 'close' });
    await closed;
    await this.worker.terminate();
  }
}

export class EngineCore {
  private readonly listeners = new Set<EngineListener>();
  private sequencer: Sequencer<Command, EngineEvent> | undefined;
  /**
   * The journal, for reading (event replays of other areas). Only the sequencer appends. In thread
   * mode this is a second, read-side connection to the same database.
   */
  journal!: Journal;
  private link: WorkerLink | undefined;
  /** 'sqlite' | 'postgres', and whether the journal runs on a worker thread. */
  journalKind = '';

  private constructor(
    /** Read-only use: views for the API. Only committed commands change it. */
    readonly exchange: Exchange,
    private readonly onError: (where: string, e: unknown) => void,
  ) {}

  static async open(opts: EngineCoreOptions): Promise<EngineCore> {
    const onError = opts.onError ?? (() => {});
    if (opts.thread) return EngineCore.openThreaded(opts, onError);
    const journal = await openJournal({ sqlitePath: opts.sqlitePath, databaseUrl: opts.databaseUrl });
    // The sequencer owns its machine; this factory keeps a handle on it for the read path.
    let machine: Exchange | undefined;
    const factory: StateMachineFactory<Command, EngineEvent> = {
      ...exchangeFactory,
      create: () => (machine = createExchange()),
      restore: (s) => (machine = Exchange.restore(s)),
    };
    try {
      const sequencer = await Sequencer.open(journal, factory, { snapshotEvery: opts.snapshotEvery ?? 10_000, onSnapshotError: (e) => onError('snapshot', e) });
      if (machine === undefined) throw new Error('engine: the sequencer built no state machine');
      const core = new EngineCore(machine, onError);
      core.sequencer = sequencer;
      core.journal = journal;
      core.journalKind = journal.kind;
      return core;
    } catch (e) {
      await journal.close();
      throw e;
    }
  }

  private static async openThreaded(opts: EngineCoreOptions, onError: (where: string, e: unknown) => void): Promise<EngineCore> {
    const workerData = { sqlitePath: opts.sqlitePath, databaseUrl: opts.databaseUrl, snapshotEvery: opts.snapshotEvery ?? 10_000 };
    let worker: Worker;
    if (import.meta.url.endsWith('.ts')) {
      // Running from source (tsx, vitest): the worker registers tsx itself, then loads the .ts module.
      const tsx = import.meta.resolve('tsx/esm/api');
      const target = new URL('./engine-worker.ts', import.meta.url).href;
      const boot = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(target)});`;
      worker = new Worker(new URL('data:text/javascript,' + encodeURIComponent(boot)), { workerData });
    } else {
      worker = new Worker(new URL('./engine-worker.js', import.meta.url), { workerData });
    }
    const ready = await new Promise<{ snapshot: string; lastSeq: number; kind: string }>((resolve, reject) => {
      const onMsg = (m: { type: string; snapshot?: string; lastSeq?: number; kind?: string; message?: string }): void => {
        worker.off('message', onMsg);
        worker.off('error', reject);
        if (m.type === 'ready') resolve({ snapshot: m.snapshot!, lastSeq: m.lastSeq!, kind: m.kind! });
        else reject(new HashPerpError('journal_unavailable', m.message ?? 'engine worker failed to start'));
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
    }).catch(async (e: unknown) => {
      await worker.terminate();
      throw e;
    });
    const core = new EngineCore(Exchange.restore(ready.snapshot), onError);
    core.link = new WorkerLink(worker, core.exchange, ready.lastSeq, (seq, c, ev) => core.deliver(seq, c, ev));
    try {
      core.journal = await openJournal({ sqlitePath: opts.sqlitePath, databaseUrl: opts.databaseUrl, mustExist: true });
    } catch (e) {
      await core.link.close();
      throw e;
    }
    core.journalKind = `${ready.kind} (worker thread)`;
    return core;
  }

  private deliver(seq: number, command: Command, events: EngineEvent[]): void {
    for (const l of this.listeners) {
      try {
        l(seq, command, events);
      } catch (e) {
        this.onError('engine listener', e);
      }
    }
  }

  /** Journals (durably) and applies one command; resolves with its seq and events. */
  async submit(command: Command): Promise<Ack<EngineEvent>> {
    if (this.link) return this.link.submit(command);
    const ack = await this.sequencer!.submit(command);
    this.deliver(ack.seq, command, ack.events);
    return ack;
  }

  on(listener: EngineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get lastSeq(): number {
    return this.link ? this.link.appliedSeq : this.sequencer!.lastSeq;
  }

  /** Set once the journal failed in a way only a restart (replay) can resolve. */
  get halted(): JournalError | undefined {
    return this.link ? this.link.halted : this.sequencer!.halted;
  }

  /** Waits until every command submitted so far is acknowledged or rejected. */
  async flush(): Promise<void> {
    if (this.link) await this.link.flush();
    else await this.sequencer!.flush();
  }

  stateHash(): string {
    return this.exchange.stateHash();
  }

  /** The last block the engine has processed (height -1 before the first). */
  chainTip(): { height: number; hash: string } {
    return this.exchange.chainTip();
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.link) {
      await this.link.close();
      await this.journal.close();
      return;
    }
    await this.sequencer!.close();
    await this.journal.close();
  }
}
