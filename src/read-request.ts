// git's request, read from a file descriptor without stream machinery: the door's
// first step, and the benchmark's "our own parts only" get's.
import { readSync } from 'node:fs';
import { RequestReader } from './request-reader.js';

/**
 * Reads git's request from a file descriptor: up to a blank line or EOF, whichever
 * comes first (never waiting for more). What we keep is capped; long lines of
 * attributes we never use are read past, not held (src/request-reader.ts).
 */
export function readRequestSync(fd: number): Uint8Array {
  const reader = new RequestReader();
  const chunk = Buffer.allocUnsafe(64 * 1024);
  for (;;) {
    let count: number;
    try {
      count = readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') break;
      throw error;
    }
    if (count === 0 || reader.push(chunk.subarray(0, count))) break;
  }
  return reader.finish();
}
