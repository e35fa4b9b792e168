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
import { createExchange, Exchange, exchangeFactory, type Command, type EngineEvent, type StateMachineFactory } from '../engine/index.js';
import { JournalError, openJournal, ReplicatedSequencer, Sequencer, type Ack, type Journal } from '../journal/index.js';
import type { EngineWorkerData } from './engine-worker.js';

export type EngineListener = (seq: number, command: Command, events: EngineEvent[]) => void;

export interface EngineCoreOptions {
  sqlitePath?: string;
  databaseUrl?: string;
  /** Snapshot every N commands so a restart replays only the tail (default 10,000). */
  snapshotEvery?: number;
  /** Run the journal and sequencer on a worker thread (engine-worker.ts; SQLite commits on its own writer thread). */
  thread?: boolean;
  onError?: (where: string, e: unknown) => void;
}

export class EngineCore {
  private readonly listeners = new Set<EngineListener>();
  private sequencer: Sequencer<Command, EngineEvent> | undefined;
  /**
   * The journal, for reading (event replays of other areas). Only the sequencer appends. In thread
   * mode this is a second, read-side connection to the same database.
   */
  journal!: Journal;
  private link: ReplicatedSequencer<Command, EngineEvent, Exchange> | undefined;
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
    const workerData: EngineWorkerData = { sqlitePath: opts.sqlitePath, databaseUrl: opts.databaseUrl, snapshotEvery: opts.snapshotEvery ?? 10_000 };
    const entry = new URL(import.meta.url.endsWith('.ts') ? './engine-worker.ts' : './engine-worker.js', import.meta.url);
    let core: EngineCore | undefined;
    // Listeners hear each acknowledged command as the replica applies it, in seq order.
    const link = await ReplicatedSequencer.start<Command, EngineEvent, Exchange>(entry, workerData, {
      codec: exchangeFactory,
      restore: (snapshot) => Exchange.restore(snapshot),
      onApplied: (seq, command, events) => core!.deliver(seq, command, events),
    });
    core = new EngineCore(link.machine, onError);
    core.link = link;
    try {
      core.journal = await openJournal({ sqlitePath: opts.sqlitePath, databaseUrl: opts.databaseUrl, mustExist: true });
    } catch (e) {
      await link.close();
      throw e;
    }
    core.journalKind = `${link.kind} (worker thread)`;
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
    return this.link ? this.link.lastSeq : this.sequencer!.lastSeq;
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
