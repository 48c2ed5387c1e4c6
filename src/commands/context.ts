// What every management command gets: its I/O, the store, git's config, the clock.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors.js';
import type { GitConfig } from '../git-config.js';
import type { CredentialStore } from '../store/credential-store.js';
import type { Terminal } from '../terminal.js';

export interface CommandContext {
  readonly env: NodeJS.ProcessEnv;
  readonly stdin: NodeJS.ReadableStream;
  readonly out: (text: string) => Promise<void>;
  readonly err: (text: string) => void;
  /** Present only when a person is at a terminal. */
  readonly terminal: Terminal | undefined;
  readonly store: () => CredentialStore;
  readonly git: GitConfig;
  readonly now: () => number;
}

export interface Command {
  readonly help: string;
  run(args: readonly string[], context: CommandContext): Promise<number>;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util's strict parser: unknown flags and stray arguments are errors, not guesses. */
export function parse<O extends Options>(args: readonly string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args: [...args], options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: positionals > 0 });
    if (parsed.positionals.length > positionals) throw new UsageError(`unexpected argument '${parsed.positionals[positionals]}'`);
    return parsed;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError((error as Error).message.split('\n')[0]!.replace(/\. To specify a positional.*$/, ''));
  }
}
