// argv to command; the only place that decides the exit code.
import { BUILTINS, commandHelp, helperHelp, PROGRAM, suggestion, topUsage, usageLine } from './cli-help.js';
import { COMMANDS, findCommand, HELPER_ACTIONS } from './cli-registry.js';
import { parseCommandArgs, type CommandSpec, type OptionSpecs } from './cli-spec.js';
import type { CommandContext } from './commands/context.js';
import { describeFailure } from './door.js';
import { CommandError, UsageError } from './errors.js';
import { redact } from './trace.js';
import type { CredentialStore } from './store/credential-store.js';
import type { Terminal } from './terminal.js';
import { discoverPrivateBus } from './private-bus/discover.js';
import { openKeychainStore } from './store/keychain.js';
import { secretServiceReader } from './store/secret-service-reader.js';
import { VERSION } from './version.js';

export { exitProcess } from './exit.js';
export { manPage } from './cli-man.js';
export { processIo } from './process-io.js';

export interface Io {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => void;
  env?: NodeJS.ProcessEnv;
  openStore?: () => CredentialStore;
  /** The person's terminal, for callers that run main() in-process; otherwise found from the process's own stdio. */
  terminal?: Terminal | undefined;
}

const EXIT_USAGE = 2;

export async function main(argv: readonly string[], io: Io): Promise<number> {
  const [action, ...rest] = argv;
  try {
    if (action === undefined) {
      io.stderr(topUsage());
      return EXIT_USAGE;
    }
    if ((HELPER_ACTIONS as readonly string[]).includes(action)) {
      // The launcher sends these to dist/door.cjs; this path serves direct callers.
      await (await import('./door.js')).door(action as (typeof HELPER_ACTIONS)[number]);
      return 0;
    }
    if (action === '--version' || action === 'version') {
      if (rest.length > 0) return unexpected(io, rest[0]!);
      await io.stdout(`${PROGRAM} ${VERSION}\n`);
      return 0;
    }
    if (action === '--help' || action === '-h' || action === 'help') {
      if (rest.length === 0) {
        await io.stdout(topUsage());
        return 0;
      }
      const [name, ...extra] = rest;
      if (extra.length > 0) return unexpected(io, extra[0]!);
      if ((BUILTINS as readonly string[]).includes(name!)) {
        await io.stdout(topUsage());
        return 0;
      }
      if ((HELPER_ACTIONS as readonly string[]).includes(name!)) {
        await io.stdout(helperHelp(name!));
        return 0;
      }
      const entry = findCommand(name!);
      if (!entry) return unknown(io, name!);
      await io.stdout(commandHelp(entry.name, await entry.load()));
      return 0;
    }
    const entry = findCommand(action);
    if (entry) return await runCommand(entry.name, await entry.load(), rest, io);
    // git may add helper operations, and a helper must ignore the ones it does not
    // know. git passes exactly one argument and never a terminal on stdin: anything
    // else was typed by a person, who deserves to hear about the typo.
    if (rest.length === 0 && !action.startsWith('-') && io.stdin.isTTY !== true) return 0;
    return unknown(io, action);
  } catch (error) {
    io.stderr(redact(`${PROGRAM}: ${describeFailure(error)}\n`));
    return 1;
  }
}

function unknown(io: Io, typed: string): number {
  const kind = typed.startsWith('-') ? 'option' : 'command';
  const names = [...COMMANDS.map((c) => c.name), ...HELPER_ACTIONS, ...BUILTINS];
  const near = typed.startsWith('-') ? undefined : suggestion(typed, names);
  io.stderr(usageLine(undefined, `unknown ${kind} '${typed}'${near ? ` (did you mean '${near}'?)` : ''}`));
  return EXIT_USAGE;
}

function unexpected(io: Io, argument: string): number {
  io.stderr(usageLine(undefined, `unexpected argument '${argument}'`));
  return EXIT_USAGE;
}

async function runCommand(name: string, spec: CommandSpec<OptionSpecs>, args: readonly string[], io: Io): Promise<number> {
  try {
    const parsed = parseCommandArgs(spec, args);
    if (parsed.help) {
      await io.stdout(commandHelp(name, spec));
      return 0;
    }
    return await spec.run(parsed, await commandContext(io));
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(redact(usageLine(name, error.message)));
      return EXIT_USAGE;
    }
    if (error instanceof CommandError) {
      io.stderr(redact(`${PROGRAM} ${name}: ${error.message}\n`));
      return 1;
    }
    throw error;
  }
}

/**
 * As the door opens it (src/door.ts): the private bus of unlock first, then on Linux our
 * own Secret Service client on that bus, which is also the only way list and logout
 * can search the keychain for items no index names.
 */
function openStore(env: NodeJS.ProcessEnv): CredentialStore {
  discoverPrivateBus(env);
  return openKeychainStore(env, undefined, process.platform === 'linux' ? secretServiceReader(env) : undefined);
}

async function commandContext(io: Io): Promise<CommandContext> {
  const [{ gitConfig }, { openTerminal }] = await Promise.all([import('./git-config.js'), import('./terminal.js')]);
  const env = io.env ?? process.env;
  return {
    env,
    stdin: io.stdin,
    out: io.stdout,
    // Messages to a person never carry a token: every forge's shapes and every secret
    // this process holds are redacted, whatever wrote the line.
    err: (text) => io.stderr(redact(text)),
    terminal: 'terminal' in io ? io.terminal : openTerminal(),
    store: io.openStore ?? (() => openStore(env)),
    git: gitConfig(env),
    now: Date.now,
  };
}
