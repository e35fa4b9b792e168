// src/engine/state-machine.ts  (the engine engineer creates this file FIRST, exactly like this)
/** A deterministic state machine: the same commands in the same order give the same state, bit for bit. */
export interface StateMachine<C, E> {
  /** Applies one sequenced command. Never throws for a bad command: returns a rejection event instead. */
  apply(command: C, seq: number): E[];
  /** Hex SHA-256 of the canonical snapshot. */
  stateHash(): string;
  /** Canonical serialisation of the whole state (deterministic key order; bigint as decimal strings). */
  snapshot(): string;
}
export interface StateMachineFactory<C, E> {
  create(): StateMachine<C, E>;
  restore(snapshot: string): StateMachine<C, E>;
  encodeCommand(c: C): string;   // journal payload
  decodeCommand(s: string): C;
}
// src/engine/index.ts will export `exchangeFactory: StateMachineFactory<Command, EngineEvent>` (the real engine).
