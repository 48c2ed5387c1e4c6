// argv to command; the only place that decides the exit code.
import { credentialOf, queryOf } from './credential.js';
import { erase, formatAnswer, get, store } from './helper.js';
import { formatAttributes, parseAttributes, ProtocolError } from './protocol.js';
import { readRequest } from './read-request.js';
import { KeychainUnavailableError, type CredentialStore } from './store/credential-store.js';
import { openKeychainStore } from './store/keychain.js';

export { exitProcess } from './exit.js';

export const VERSION = '0.1.0';

const USAGE = `usage: git-credential-pat <get|store|erase>   (run by git; see README)
       git-credential-pat --version | --help

Configure git to use it:
  git config --global credential.helper pat
  git config --global credential.https://github.com.helper pat   (one host only)`;

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => void;
  openStore?: () => CredentialStore;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [action, ...rest] = argv;
  try {
    switch (action) {
      case 'get':
      case 'store':
      case 'erase':
        return await helperAction(action, rest, io);
      case '--version':
      case 'version':
        await io.stdout(`git-credential-pat ${VERSION}\n`);
        return 0;
      case '--help':
      case '-h':
      case 'help':
        await io.stdout(`${USAGE}\n`);
        return 0;
      case undefined:
        io.stderr(`${USAGE}\n`);
        return 2;
      default:
        // git may add operations; helpers must ignore the ones they do not know.
        return 0;
    }
  } catch (error) {
    io.stderr(`git-credential-pat: ${describe(error)}\n`);
    return 1;
  }
}

async function helperAction(action: 'get' | 'store' | 'erase', _rest: readonly string[], io: Io): Promise<number> {
  const attributes = parseAttributes(await readRequest(io.stdin));
  const openStore = io.openStore ?? (() => openKeychainStore());
  if (action === 'get') {
    const query = queryOf(attributes);
    if (!query) return 0;
    const { answer, notices } = await get(openStore(), query);
    for (const notice of notices) io.stderr(`git-credential-pat: ${notice}\n`);
    if (answer) await io.stdout(formatAttributes(formatAnswer(answer)));
    return 0;
  }
  if (action === 'store') {
    const credential = credentialOf(attributes);
    if (credential) await store(openStore(), credential);
    return 0;
  }
  const query = queryOf(attributes);
  if (query) await erase(openStore(), query);
  return 0;
}

/** One line, no stack: messages never include attribute values, so no secret can surface here. */
function describe(error: unknown): string {
  if (error instanceof ProtocolError) return `invalid input from git: ${error.message}`;
  if (error instanceof KeychainUnavailableError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n', 1)[0] ?? 'unexpected error';
}
