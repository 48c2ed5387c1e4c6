// argv to command; the only place that decides the exit code.
import type { Command, CommandContext } from './commands/context.js';
import { describeFailure } from './door.js';
import { CommandError, UsageError } from './errors.js';
import type { CredentialStore } from './store/credential-store.js';
import { openKeychainStore } from './store/keychain.js';

export { exitProcess } from './exit.js';

export const VERSION = '0.1.0';

// Loaded only when asked for: the helper door (get/store/erase) must not pay for them.
const COMMANDS: Record<string, () => Promise<Command>> = {
  login: async () => (await import('./commands/login.js')).login,
  list: async () => (await import('./commands/list.js')).list,
  logout: async () => (await import('./commands/logout.js')).logout,
  status: async () => (await import('./commands/status.js')).status,
  use: async () => (await import('./commands/use.js')).use,
  setup: async () => (await import('./commands/setup.js')).setup,
  doctor: async () => (await import('./commands/doctor.js')).doctor,
  import: async () => (await import('./commands/import.js')).importCommand,
};

const USAGE = `usage: git-credential-pat <command> [options]

Your GitHub tokens, in your OS keychain, handed to git when it asks.

Commands for you:
  login     check a GitHub token and store it (--host, --username, --with-token)
  list      show stored credentials: host, user, kind, scopes, expiry (never the token)
  logout    remove stored tokens
  status    check every stored token with GitHub: valid, expiring, expired, revoked
  use       pick the account git uses for a host or an owner's repositories
  setup     configure git to use this helper (--host, --all-hosts, --undo)
  doctor    check git's helper configuration, the keychain and stored tokens
  import    move tokens from ~/.git-credentials or GitHub CLI's hosts.yml into the keychain

Run by git (credential-helper protocol on stdin/stdout):
  get | store | erase

Configure git to use it:
  git config --global credential.helper pat
  git config --global credential.https://github.com.helper pat   (one host only)

'git-credential-pat <command> --help' shows a command's options; --version the version.`;

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  openStore?: () => CredentialStore;
}

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [action, ...rest] = argv;
  try {
    switch (action) {
      case 'get':
      case 'store':
      case 'erase':
        // The launcher sends these to dist/door.cjs; this path serves direct callers.
        await (await import('./door.js')).door(action);
        return 0;
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
    }
    const load = COMMANDS[action];
    // git may add helper operations; helpers must ignore the ones they do not know.
    if (!load) return 0;
    return await runCommand(action, await load(), rest, io);
  } catch (error) {
    io.stderr(`git-credential-pat: ${describeFailure(error)}\n`);
    return 1;
  }
}

async function runCommand(name: string, command: Command, args: readonly string[], io: Io): Promise<number> {
  const [{ gitConfig }, { openTerminal }] = await Promise.all([import('./git-config.js'), import('./terminal.js')]);
  const env = io.env ?? process.env;
  const context: CommandContext = {
    env,
    stdin: io.stdin,
    out: io.stdout,
    err: io.stderr,
    terminal: openTerminal(),
    store: io.openStore ?? (() => openKeychainStore(env)),
    git: gitConfig(env),
    now: Date.now,
  };
  try {
    return await command.run(args, context);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`git-credential-pat ${name}: ${error.message} (see --help)\n`);
      return 2;
    }
    if (error instanceof CommandError) {
      io.stderr(`git-credential-pat ${name}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

