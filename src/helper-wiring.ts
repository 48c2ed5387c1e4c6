// Whether git runs this helper for a host, by git's own rules, and the one change that
// makes it: shared by setup, and by login (which checks after storing a token).
import { effectiveHelpers, isOurHelper, type ResolvedHelper } from './credential-helpers.js';
import type { ConfigScope, GitConfig } from './git-config.js';
import { SetupRecords } from './setup-records.js';

/** How git is told to run this tool: `pat` makes git run git-credential-pat. */
export const HELPER_VALUE = 'pat';

export interface HelperState {
  readonly url: string;
  /** Every helper git runs for the URL, in order. */
  readonly helpers: readonly ResolvedHelper[];
  readonly ours: readonly ResolvedHelper[];
  readonly others: readonly ResolvedHelper[];
}

export async function helperState(git: GitConfig, url: string): Promise<HelperState> {
  const helpers = effectiveHelpers(await git.entries('^credential\\.'), url);
  return { url, helpers, ours: helpers.filter((h) => isOurHelper(h.value)), others: helpers.filter((h) => !isOurHelper(h.value)) };
}

/** The setup command that wires git to this helper for https://HOST. */
export function setupCommandFor(host: string): string {
  return `git-credential-pat setup${host === 'github.com' ? '' : ` --host ${host}`}`;
}

/**
 * Appends `[credential "URL"] helper = pat` (or `[credential]` for every host) at the end
 * of the scope's file and records it for `setup --undo`; returns the file.
 */
export async function appendHelper(git: GitConfig, env: NodeJS.ProcessEnv, scope: ConfigScope, url: string | undefined, added: readonly string[]): Promise<string> {
  const entries = added.map((value) => ['helper', value] as const);
  const file = await git.appendSection(scope, 'credential', url, entries);
  new SetupRecords(env).add({ scope, key: url === undefined ? 'credential.helper' : `credential.${url}.helper`, added: [...added] });
  return file;
}
