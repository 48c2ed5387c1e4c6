// What every management command gets: its I/O, the store, git's config, the clock.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { apiBaseUrl } from '../github/api-url.js';
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

/** Bad arguments: exit 2 with the message and a pointer to --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A failure the person can act on: exit 1 with the message. */
export class CommandError extends Error {
  override readonly name = 'CommandError';
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

/**
 * The REST API for a host: GIT_CREDENTIAL_PAT_API_URL, then git's
 * `credential.<url>.patApiUrl`, then GitHub's own rule for the host.
 */
export async function apiBaseFor(context: Pick<CommandContext, 'env' | 'git'>, host: string): Promise<string> {
  const fromEnv = context.env.GIT_CREDENTIAL_PAT_API_URL;
  const override = fromEnv || (await context.git.getUrlmatch('credential.patApiUrl', `https://${host}`));
  return apiBaseUrl(host, override);
}
