/** What a CLI command module exports: it adds its commands to the program. */
import type { Command } from 'commander';
import type { CliIO } from './output.js';

export type Registrar = (program: Command, io: CliIO) => void;
