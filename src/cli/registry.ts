import type { Command } from 'commander';
import type { CliIO } from './output.js';

/** Each area of the CLI registers its own subcommands; add a line here for a new area. */
export type Registrar = (program: Command, io: CliIO) => void;

export const registrars: Registrar[] = [];
