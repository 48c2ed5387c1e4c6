// A secret piped on stdin (a token for login, a keyring password for unlock): read
// whole, capped so a wrong pipe cannot eat memory, never echoed anywhere.
import { UsageError } from './errors.js';

/** Stdin up to `maxBytes`, with one final line ending removed (echo and password managers add one). */
export async function readSecretFromStdin(stdin: NodeJS.ReadableStream, what: 'token' | 'password', maxBytes: number): Promise<string> {
  return (await readSecretBytesFromStdin(stdin, what, maxBytes)).toString('utf8');
}

/**
 * The same as bytes, exactly as piped: decoding as UTF-8 would fold every invalid
 * sequence into U+FFFD, so passwords of different bytes would become one.
 */
export async function readSecretBytesFromStdin(stdin: NodeJS.ReadableStream, what: 'token' | 'password', maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new UsageError(`standard input is too large to be a ${what}`);
    chunks.push(buffer);
  }
  const bytes = Buffer.concat(chunks);
  const end = bytes.at(-1) === 0x0a ? (bytes.at(-2) === 0x0d ? bytes.length - 2 : bytes.length - 1) : bytes.length;
  return bytes.subarray(0, end);
}
