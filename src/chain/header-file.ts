/** .bin header files: consecutive 80-byte wire headers, the first at a height the caller states. */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { HashPerpError } from '../units/errors.js';
import { HEADER_BYTES } from './header.js';

/** Reads a header file; a missing, empty or truncated file is a HashPerpError naming the file and the byte count. */
export function readHeaderFile(path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new HashPerpError(code === 'ENOENT' ? 'file_not_found' : 'file_unreadable', `${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { field: 'file' });
  }
  if (bytes.length === 0) throw new HashPerpError('invalid_header_file', `${path}: empty file, expected ${HEADER_BYTES}-byte headers`, { field: 'file' });
  if (bytes.length % HEADER_BYTES !== 0) {
    const whole = Math.floor(bytes.length / HEADER_BYTES);
    throw new HashPerpError(
      'invalid_header_file',
      `${path}: ${bytes.length} bytes is not a multiple of ${HEADER_BYTES} (${whole} whole headers and ${bytes.length % HEADER_BYTES} bytes of a truncated one)`,
      { field: 'file' },
    );
  }
  return bytes;
}

/** Writes headers atomically (temp file + rename), so a failed import never leaves a partial file. */
export function writeHeaderFile(path: string, headers: readonly Uint8Array[]): void {
  for (const [i, h] of headers.entries())
    if (h.length !== HEADER_BYTES) throw new HashPerpError('invalid_argument', `header ${i}: expected ${HEADER_BYTES} bytes, got ${h.length}`, { field: 'headers' });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, Buffer.concat(headers));
  renameSync(tmp, path);
}
