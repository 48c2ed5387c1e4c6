// The helper door: git's get/store/erase, bundled on its own (dist/door.cjs) so the
// hot path loads one file, the keychain binding, and nothing else: no stream
// machinery (stdin and stdout are plain file descriptors), no GitHub code.
import { readSync, writeSync } from 'node:fs';
import { credentialOf, queryOf } from './credential.js';
import { exitProcess } from './exit.js';
import { erase, formatAnswer, get, store } from './helper.js';
import { formatAttributes, MAX_REQUEST_BYTES, parseAttributes, ProtocolError } from './protocol.js';
import { KeychainUnavailableError, type CredentialStore } from './store/credential-store.js';
import { openKeychainStore } from './store/keychain.js';

export type HelperAction = 'get' | 'store' | 'erase';

export interface DoorIo {
  readonly request: Uint8Array;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly store: () => CredentialStore;
}

export async function runHelperAction(action: HelperAction, io: DoorIo): Promise<number> {
  try {
    const attributes = parseAttributes(io.request);
    if (action === 'get') {
      const query = queryOf(attributes);
      if (!query) return 0;
      const { answer, notices } = await get(io.store(), query);
      for (const notice of notices) io.stderr(`git-credential-pat: ${notice}\n`);
      if (answer) io.stdout(formatAttributes(formatAnswer(answer)));
    } else if (action === 'store') {
      const credential = credentialOf(attributes);
      if (credential) await store(io.store(), credential);
    } else {
      const query = queryOf(attributes);
      if (query) await erase(io.store(), query);
    }
    return 0;
  } catch (error) {
    io.stderr(`git-credential-pat: ${describeFailure(error)}\n`);
    return 1;
  }
}

/** One line, no stack: messages never include attribute values or tokens, so no secret can surface here. */
export function describeFailure(error: unknown): string {
  if (error instanceof ProtocolError) return `invalid input from git: ${error.message}`;
  if (error instanceof KeychainUnavailableError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] || 'unexpected error';
}

/**
 * Reads git's request from a file descriptor: up to a blank line or EOF, whichever
 * comes first (never waiting for more), and never more than the limit.
 */
export function readRequestSync(fd: number, limit = MAX_REQUEST_BYTES): Uint8Array {
  const chunks: Buffer[] = [];
  let size = 0;
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
    if (count === 0) break;
    chunks.push(Buffer.from(chunk.subarray(0, count)));
    size += count;
    const sofar = Buffer.concat(chunks);
    const end = blankLineEnd(sofar);
    if (end >= 0) return sofar.subarray(0, end);
    if (size > limit) throw new ProtocolError(`request larger than ${limit} bytes`);
    chunks.splice(0, chunks.length, sofar);
  }
  return Buffer.concat(chunks);
}

/** The offset just past the first empty line, or -1. */
function blankLineEnd(buffer: Buffer): number {
  if (buffer[0] === 0x0a) return 1;
  const at = buffer.indexOf('\n\n');
  return at < 0 ? -1 : at + 2;
}

/** Entry point of dist/door.cjs. */
export async function door(action: HelperAction): Promise<void> {
  const write = (fd: number) => (text: string) => {
    writeSync(fd, text);
  };
  let code: number;
  try {
    code = await runHelperAction(action, {
      request: readRequestSync(0),
      stdout: write(1),
      stderr: write(2),
      store: () => openKeychainStore(),
    });
  } catch (error) {
    write(2)(`git-credential-pat: ${describeFailure(error)}\n`);
    code = 1;
  }
  exitProcess(code);
}
