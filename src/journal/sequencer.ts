import type { StateMachine, StateMachineFactory } from '../engine/state-machine.js';
import { JournalError, type Journal, type JournalEntry } from './journal.js';
import { replay } from './replay.js';
import { HashPerpError, InvalidArgumentError } from '../units/errors.js';

export interface SequencerOptions {
  /** Largest group committed in one journal transaction. */
  maxGroup?: number;
  /** Take a snapshot once this many commands have been applied since the last one (0 = never). */
  snapshotEvery?: number;
  /**
   * Decode every payload before it is journaled and apply the decoded command (default true).
   * This refuses, before the journal, a command whose payload replay could not decode (one such
   * entry would make the journal unrecoverable) and makes live apply exactly what replay will.
   * It costs one factory.decodeCommand per command. `false` applies the submitted object itself:
   * only for a factory whose codec is proven to round-trip every command the submitters can send
   * (test/journal/codec-roundtrip.test.ts does it for the exchange's and the counter's) and whose
   * submitters never mutate a command after submitting it.
   */
  verifyPayloads?: boolean;
  /** Snapshot failures do not stop trading (the journal alone is enough to recover); they are reported here. */
  onSnapshotError?: (e: unknown) => void;
}

export interface Ack<E> {
  seq: number;
  events: E[];
}

/**
 * Where the outcome of a submitted command goes: for each command exactly one of `ack` (once it is
 * durable and applied; acks come in seq order) or `fail`. `tag` is the caller's own label for the
 * command. A gateway forwarding many commands uses one sink for all of them instead of a promise each.
 * Neither method may throw: they run inside the sequencer's apply loop.
 */
export interface SubmitSink<E> {
  ack(tag: number, seq: number, events: E[]): void;
  fail(tag: number, error: unknown): void;
}

/** The sink behind submit(): one promise per command. */
class PromiseSink<E> implements SubmitSink<E> {
  constructor(
    private readonly resolve: (ack: Ack<E>) => void,
    private readonly reject: (e: unknown) => void,
  ) {}
  ack(_tag: number, seq: number, events: E[]): void {
    this.resolve({ seq, events });
  }
  fail(_tag: number, error: unknown): void {
    this.reject(error);
  }
}

/**
 * A payload is journaled as is and its decode applied, so it must come back from storage unchanged:
 * the backends store UTF-8 text, where a lone surrogate becomes U+FFFD. (Encoders produce
 * well-formed text: JSON.stringify escapes lone surrogates.)
 */
const storable = (payload: string): boolean => (payload as unknown as { isWellFormed(): boolean }).isWellFormed();

interface Pending<C, E> {
  payload: string;
  command: C;
  sink: SubmitSink<E>;
  tag: number;
}

interface InFlight<C, E> {
  group: Pending<C, E>[];
  first: number;
  /** Settles when the append does: undefined once durable, else the error. */
  outcome: Promise<{ error: unknown } | undefined>;
}

/**
 * Numbers commands, journals them in groups and applies them to the state machine.
 *
 * Order of effects: PERSIST, THEN APPLY. A group is appended (and durable) before any of its
 * commands touches the state, so the in-memory state never holds a command the journal lacks;
 * a failed append leaves the state as it was. What is applied is the command decoded from its
 * journal payload — exactly what replay will decode — so a lossy codec cannot make the live
 * state differ from a replay (unless `verifyPayloads: false`, see there).
 *
 * Group commit: every command submitted in the same event-loop turn (and, while an append is in
 * flight, every command submitted meanwhile) joins one group, up to `maxGroup`; so throughput
 * grows with the number of concurrent submitters while each ack still waits for its fsync.
 *
 * Pipelining: when the journal is `pipelined` (SqliteJournal.openThreaded commits on its own
 * thread), the next group's append is issued before the current group is applied, so its fsync
 * overlaps the engine's work; a burst that finds the sequencer idle is split in two for this.
 * Each group is still applied only after its own append resolved.
 *
 * A failed append rejects its group (and, pipelined, the group issued after it, which the journal
 * refuses as non-contiguous). If the journal then shows the group absent, the sequencer
 * carries on (seqs are assigned at group time, so no hole appears). If the outcome cannot be
 * established the sequencer halts: every pending and later submit is rejected, and the owner must
 * reopen (recover from the journal), which restores the one true history.
 */
export class Sequencer<C, E> {
  private queue: Pending<C, E>[] = [];
  private draining: Promise<void> | undefined;
  private appliedSeq: number;
  private lastSnapshotSeq: number;
  private haltReason: JournalError | undefined;
  private closed = false;
  private readonly maxGroup: number;
  private readonly snapshotEvery: number;
  private readonly verifyPayloads: boolean;

  constructor(
    private readonly journal: Journal,
    private readonly factory: StateMachineFactory<C, E>,
    private readonly machine: StateMachine<C, E>,
    lastSeq: number,
    private readonly opts: SequencerOptions = {},
  ) {
    this.appliedSeq = lastSeq;
    this.lastSnapshotSeq = lastSeq;
    this.maxGroup = Math.max(1, opts.maxGroup ?? 8192);
    this.snapshotEvery = Math.max(0, opts.snapshotEvery ?? 0);
    this.verifyPayloads = opts.verifyPayloads !== false;
  }

  /** Recovers the state from the journal (latest snapshot + replay) and returns a sequencer continuing it. */
  static async open<C, E>(journal: Journal, factory: StateMachineFactory<C, E>, opts: SequencerOptions = {}): Promise<Sequencer<C, E>> {
    const r = await replay(journal, factory);
    const last = await journal.lastSeq();
    if (last !== r.lastSeq) throw new JournalError('journal_corrupt', `replay stopped at seq ${r.lastSeq} but the journal ends at ${last}`);
    const s = new Sequencer(journal, factory, r.machine, r.lastSeq, opts);
    s.lastSnapshotSeq = r.snapshotSeq;
    return s;
  }

  /** Seq of the last command that is both durable and applied. */
  get lastSeq(): number {
    return this.appliedSeq;
  }

  /** Set once the sequencer has stopped accepting commands after an unresolvable journal failure. */
  get halted(): JournalError | undefined {
    return this.haltReason;
  }

  stateHash(): string {
    return this.machine.stateHash();
  }

  snapshot(): string {
    return this.machine.snapshot();
  }

  /**
   * Resolves once the command is durable in the journal and applied, with its seq and events.
   * Rejects (and nothing is applied) when it cannot be encoded or its group's append fails.
   */
  submit(command: C): Promise<Ack<E>> {
    const refused = this.refusal();
    if (refused) return refused;
    let payload: string;
    let journaled: C;
    try {
      payload = this.factory.encodeCommand(command);
      if (typeof payload !== 'string') throw new JournalError('journal_conflict', 'submit: the command encodes to no payload');
      journaled = this.verifyPayloads ? this.factory.decodeCommand(payload) : command;
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<Ack<E>>((resolve, reject) => this.enqueue(payload, journaled, new PromiseSink(resolve, reject), 0));
  }

  /**
   * Like submit, for a command that arrives already encoded (a gateway or thread that received the
   * payload): journals `payload` exactly and applies factory.decodeCommand(payload), which is what
   * replay will apply; so it needs no encode and its one decode is the verification. Rejects (and
   * journals nothing) when the payload cannot be decoded.
   */
  submitPayload(payload: string): Promise<Ack<E>> {
    const refused = this.refusal();
    if (refused) return refused;
    let command: C;
    try {
      command = this.decodePayload(payload);
    } catch (e) {
      return Promise.reject(e);
    }
    return new Promise<Ack<E>>((resolve, reject) => this.enqueue(payload, command, new PromiseSink(resolve, reject), 0));
  }

  /**
   * submitPayload for a batch, without a promise per command: payloads[i] is reported to `sink`
   * under tag firstTag + i. A payload that cannot be decoded fails at once (nothing journaled for
   * it; invalid_argument unless the codec's own error has a code); the others join the queue in
   * order, as if submitted one by one.
   */
  submitPayloads(payloads: readonly string[], sink: SubmitSink<E>, firstTag = 0): void {
    const refused = this.refusalError();
    for (let i = 0; i < payloads.length; i++) {
      const payload = payloads[i]!;
      if (refused) {
        sink.fail(firstTag + i, refused);
        continue;
      }
      let command: C;
      try {
        command = this.decodePayload(payload);
      } catch (e) {
        sink.fail(firstTag + i, e instanceof HashPerpError ? e : new InvalidArgumentError('command', `cannot be decoded: ${e instanceof Error ? e.message : String(e)}`));
        continue;
      }
      this.enqueue(payload, command, sink, firstTag + i);
    }
  }

  /** What a payload is applied as: its decode, once it is known to be storable exactly. Throws the codec's error. */
  private decodePayload(payload: string): C {
    if (typeof payload !== 'string') throw new JournalError('journal_conflict', 'submitPayload: the payload is not a string');
    if (!storable(payload)) throw new InvalidArgumentError('command', 'payload is not well-formed UTF-16 (a lone surrogate would not survive storage)');
    return this.factory.decodeCommand(payload);
  }

  private refusalError(): JournalError | undefined {
    if (this.haltReason) return this.haltReason;
    if (this.closed) return new JournalError('journal_closed', 'sequencer is closed');
    return undefined;
  }

  private refusal(): Promise<never> | undefined {
    const e = this.refusalError();
    return e ? Promise.reject(e) : undefined;
  }

  private enqueue(payload: string, command: C, sink: SubmitSink<E>, tag: number): void {
    this.queue.push({ payload, command, sink, tag });
    if (!this.draining) {
      this.draining = new Promise<void>((done) => setImmediate(() => void this.drain().finally(done)));
    }
  }

  /** Waits until every command submitted so far is acknowledged or rejected. */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  /** Stops accepting commands and waits for the ones in flight. The journal stays open (its owner closes it). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async drain(): Promise<void> {
    // Groups whose append was issued, oldest first. One at a time, unless the journal is pipelined:
    // then the next group's commit (on the journal's thread) overlaps applying this one.
    const inFlight: InFlight<C, E>[] = [];
    const depth = this.journal.pipelined === true ? 2 : 1;
    let assigned = this.appliedSeq;
    try {
      while (!this.haltReason) {
        while (this.queue.length > 0 && inFlight.length < depth) {
          // Pipelined and idle: split a burst in two, so that the second half commits while the first is applied.
          const take = depth > 1 && inFlight.length === 0 ? Math.ceil(this.queue.length / 2) : this.queue.length;
          const group = this.queue.splice(0, Math.min(this.maxGroup, take));
          const first = assigned + 1;
          assigned += group.length;
          const entries: JournalEntry[] = new Array<JournalEntry>(group.length);
          for (let i = 0; i < group.length; i++) entries[i] = { seq: first + i, payload: group[i]!.payload };
          inFlight.push({ group, first, outcome: this.journal.append(entries).then(() => undefined, (e: unknown) => ({ error: e })) });
        }
        const head = inFlight.shift();
        if (!head) break;
        const failed = await head.outcome;
        if (failed) {
          await this.afterFailedAppend(head, inFlight.splice(0), failed.error);
          assigned = this.appliedSeq;
          continue;
        }
        const { group, first } = head;
        for (let i = 0; i < group.length; i++) {
          const p = group[i]!;
          const seq = first + i;
          let events: E[];
          try {
            events = this.machine.apply(p.command, seq);
          } catch (e) {
            // The engine promised never to throw; its state is now suspect, so stop rather than diverge.
            this.halt(new JournalError('engine_fault', `engine threw on seq ${seq} (state machine fault): ${e instanceof Error ? e.message : String(e)}`));
            this.appliedSeq = seq;
            for (const q of group.slice(i)) q.sink.fail(q.tag, this.haltReason);
            await this.rejectInFlight(inFlight.splice(0));
            return;
          }
          this.appliedSeq = seq;
          p.sink.ack(p.tag, seq, events);
        }
        await this.maybeSnapshot();
      }
    } finally {
      if (inFlight.length > 0) await this.rejectInFlight(inFlight.splice(0));
      this.draining = undefined;
      if (this.haltReason) this.rejectQueued();
    }
  }

  /**
   * `head`'s append failed; `later` were issued after it (pipelined). If the journal ends just
   * before head and every later group failed too (as it must, finding a hole before it), nothing
   * was written: reject them all and carry on. Otherwise the outcome cannot be established: halt.
   */
  private async afterFailedAppend(head: InFlight<C, E>, later: InFlight<C, E>[], cause: unknown): Promise<void> {
    const laterFailed = (await Promise.all(later.map((g) => g.outcome))).every((o) => o !== undefined);
    const why = cause instanceof Error ? cause.message : String(cause);
    let last: number | undefined;
    try {
      last = await this.journal.lastSeq();
    } catch {
      last = undefined;
    }
    const groups = [head, ...later];
    if (last === head.first - 1 && laterFailed) {
      const err = cause instanceof JournalError ? cause : new JournalError('journal_unavailable', `journal append failed: ${why}`);
      for (const g of groups) for (const p of g.group) p.sink.fail(p.tag, err);
      return;
    }
    const end = groups[groups.length - 1]!;
    this.halt(new JournalError('journal_unavailable', `journal append of seqs ${head.first}..${end.first + end.group.length - 1} failed and its outcome is unknown (${why}); sequencer halted, reopen to recover`));
    for (const g of groups) for (const p of g.group) p.sink.fail(p.tag, this.haltReason);
  }

  /** After a halt: groups still in flight are not applied, whatever their outcome (reopen recovers them). */
  private async rejectInFlight(groups: InFlight<C, E>[]): Promise<void> {
    await Promise.all(groups.map((g) => g.outcome));
    for (const g of groups) for (const p of g.group) p.sink.fail(p.tag, this.haltReason ?? new JournalError('journal_closed', 'sequencer stopped'));
  }

  private async maybeSnapshot(): Promise<void> {
    if (this.snapshotEvery === 0 || this.appliedSeq - this.lastSnapshotSeq < this.snapshotEvery) return;
    const seq = this.appliedSeq;
    const state = this.machine.snapshot();
    this.lastSnapshotSeq = seq;
    try {
      await this.journal.saveSnapshot(seq, state);
    } catch (e) {
      this.opts.onSnapshotError?.(e);
    }
  }

  private halt(reason: JournalError): void {
    this.haltReason ??= reason;
  }

  private rejectQueued(): void {
    const q = this.queue;
    this.queue = [];
    for (const p of q) p.sink.fail(p.tag, this.haltReason);
  }
}
