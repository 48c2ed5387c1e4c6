// A secret piped on stdin (a token for login, a keyring password for unlock): read
// whole, capped so a wrong pipe cannot eat memory, never echoed anywhere.
import { UsageError } from './errors.js';

/** Stdin up to `maxBytes`, with one final line ending removed (echo and password managers add one). */
export async function readSecretFromStdin(stdin: NodeJS.ReadableStream, what: 'token' | 'password', maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > maxBytes) throw new UsageError(`standard input is too large to be a ${what}`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
