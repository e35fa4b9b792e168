/** Where CLI commands write: injectable so tests run commands in-process. */
export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export const processIO: CliIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
};

/** JSON with bigints as decimal strings (money stays exact on the wire). */
export function toJson(v: unknown, indent = 2): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), indent);
}

/** Thrown by a command to end with a message and a non-zero exit code. */
export class CliExit extends Error {
  constructor(readonly exitCode: number, message: string) {
    super(message);
  }
}
