import { Command, CommanderError } from 'commander';
import { HashPerpError } from '../units/errors.js';
import { CliExit, processIO, type CliIO } from './output.js';
import { registrars } from './registry.js';

export function buildProgram(io: CliIO): Command {
  const program = new Command('hashperp')
    .description('HashPerp: hashrate derivatives settled by proof of work')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .showHelpAfterError(false);
  for (const register of registrars) register(program, io);
  return program;
}

/** Runs the CLI; returns the exit code instead of exiting so tests can call it in-process. */
export async function main(argv: string[], io: CliIO = processIO): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof CliExit) {
      if (e.message) io.err(e.message);
      return e.exitCode;
    }
    if (e instanceof HashPerpError) {
      io.err(`error: ${e.message}`);
      return 1;
    }
    io.err(`error: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
