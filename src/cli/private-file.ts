import { chmodSync, closeSync, constants, openSync, writeSync } from 'node:fs';
import { InvalidArgumentError } from '../units/errors.js';

/** Writes `text` to a new file only its owner reads (0600); never overwrites (exit data and keys may be the only copy). */
export function writePrivateFile(path: string, text: string, field = 'out'): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    throw new InvalidArgumentError(field, `cannot create ${path}: ${(e as Error).message}`);
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  chmodSync(path, 0o600);
}
