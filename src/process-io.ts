// The management door's stdio as a person's shell gives it. A reader that stops early
// (`git-credential-pat setup | head -1`) closes the pipe: what is left to say goes
// nowhere, quietly, and the command still finishes what it started, as a command whose
// output nobody reads should. Node would otherwise throw EPIPE from the stream as an
// unhandled 'error' event: a stack trace where the person asked for one line.
import type { Io } from './cli.js';

/** A stream whose reader went away: nothing more is written to it, and no error is raised. */
function closedPipe(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || code === 'ECONNRESET';
}

function quietWriter(stream: NodeJS.WriteStream): (text: string) => Promise<void> {
  let closed = false;
  // The write's own callback reports any other failure; this only keeps Node from throwing.
  stream.on('error', (error) => {
    if (closedPipe(error)) closed = true;
  });
  return (text) =>
    new Promise((resolve, reject) => {
      if (closed) return resolve();
      stream.write(text, (error) => {
        if (!error) return resolve();
        if (!closedPipe(error)) return reject(error);
        closed = true;
        resolve();
      });
    });
}

export function processIo(): Io {
  const stdout = quietWriter(process.stdout);
  const stderr = quietWriter(process.stderr);
  return { stdin: process.stdin, stdout, stderr: (text) => void stderr(text) };
}
