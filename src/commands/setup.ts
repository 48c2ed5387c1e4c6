// setup: wire git to this helper, knowing git's rules about helper lists.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { effectiveHelpers, isOurHelper } from '../credential-helpers.js';
import { parseHostArgument } from '../hosts/host-name.js';
import type { ConfigScope } from '../git-config.js';
import { readOwnFile, stateDir, writeFileAtomic } from '../store/index-file.js';
import { CommandError, UsageError } from '../errors.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import type { CommandContext } from './context.js';

export const HELPER_VALUE = 'pat';

/** How to get the command on PATH, naming nothing an installed package lacks. */
export const INSTALL_HINT = 'install the package globally (npm install --global git-credential-pat-VERSION.tgz) or add the folder holding git-credential-pat to PATH';

interface SetupRecord {
  scope: ConfigScope;
  key: string;
  /** Values setup added, in order; an empty string is the reset line. */
  added: string[];
}

export const setup = defineCommand({
  synopsis: '[--global|--local|--system] [--host HOST | --all-hosts] [--yes] [--undo]',
  description: `
Configures git to ask git-credential-pat for credentials: for https://github.com by
default, for another host with --host, or for every host with --all-hosts; in your
global git config unless --local or --system. Running it twice changes nothing.

git runs every helper configured for a URL, in order, and tells all of them to
store a credential that worked. When another helper is configured for the same URL
(for example 'store', which keeps tokens in plain text in ~/.git-credentials),
setup says so and offers to put this helper first and reset the list for that URL
(an empty 'helper =' line, as git documents); your settings are kept, never
silently deleted. --yes accepts that offer without asking. --undo removes exactly
what setup added. It prints every change as the git config command you could type.`,
  options: {
    global: { type: 'boolean', help: 'write to your global git config (the default)' },
    local: { type: 'boolean', help: "write to this repository's git config" },
    system: { type: 'boolean', help: 'write to the system git config' },
    host: hostOption('configure https://HOST instead of https://github.com'),
    'all-hosts': { type: 'boolean', help: 'configure every host (credential.helper)' },
    yes: { type: 'boolean', short: 'y', help: 'put this helper first and reset the list without asking' },
    undo: { type: 'boolean', help: 'remove exactly what setup added' },
  },
  examples: [
    { command: 'git-credential-pat setup', comment: 'https://github.com, ~/.gitconfig' },
    { command: 'git-credential-pat setup --host ghe.example.com' },
    { command: 'git-credential-pat setup --all-hosts --yes' },
    { command: 'git-credential-pat setup --undo' },
  ],
  async run({ values }, context) {
    const scopes = (['global', 'local', 'system'] as const).filter((s) => values[s]);
    if (scopes.length > 1) throw new UsageError('choose one of --global, --local, --system');
    if (values.host !== undefined && values['all-hosts']) throw new UsageError('choose --host or --all-hosts, not both');
    const scope: ConfigScope = scopes[0] ?? 'global';
    const url = values['all-hosts'] ? undefined : `https://${parseHostArgument(values.host ?? 'github.com')}`;
    const key = url === undefined ? 'credential.helper' : `credential.${url}.helper`;
    const records = new SetupRecords(context.env);

    if (values.undo) return undo(context, records, scope, key);

    const git = context.git;
    const mine = await git.getAll(scope, key);
    const resolved = effectiveHelpers(await git.entries('^credential\\.'), url ?? 'https://github.com');
    if (resolved[0] && isOurHelper(resolved[0].value) && mine.some(isOurHelper)) {
      await context.out(`git already asks git-credential-pat first for ${url ?? 'every host'} (${key}). Nothing changed.\n`);
      return 0;
    }
    const others = resolved.filter((h) => !isOurHelper(h.value));
    const lines: string[] = [];
    let added: string[];
    if (others.length === 0 && !mine.some(isOurHelper)) {
      await git.add(scope, key, HELPER_VALUE);
      lines.push(command(scope, ['--add', key, HELPER_VALUE]));
      added = [HELPER_VALUE];
    } else {
      context.err(
        `git also runs ${others.map((h) => `'${h.value}' (${h.scope} config)`).join(', ')} for ${url ?? 'every host'}` +
          (others.some((h) => /^store\b|credential-store/.test(h.value)) ? "; 'store' keeps every token it is given in plain text.\n" : '.\n'),
      );
      const accept = values.yes || (context.terminal ? await context.terminal.confirm(`Put git-credential-pat first and reset the helper list for ${url ?? 'every host'}?`) : false);
      if (accept) {
        const rest = mine.filter((v) => !isOurHelper(v) && v !== '');
        if (mine.length > 0) {
          await git.unsetAll(scope, key);
          lines.push(command(scope, ['--unset-all', key]));
        }
        for (const value of ['', HELPER_VALUE, ...rest]) {
          await git.add(scope, key, value);
          lines.push(command(scope, ['--add', key, value]));
        }
        added = ['', HELPER_VALUE];
      } else {
        if (mine.some(isOurHelper)) {
          await context.out(`git-credential-pat is configured but another helper answers first. Nothing changed; run setup --yes to put it first.\n`);
          return 0;
        }
        await git.add(scope, key, HELPER_VALUE);
        lines.push(command(scope, ['--add', key, HELPER_VALUE]));
        added = [HELPER_VALUE];
        context.err('note: the other helpers still answer first; run setup --yes to put git-credential-pat first.\n');
      }
    }
    records.add({ scope, key, added });
    await context.out(`Configured git (${scope} config):\n${lines.map((l) => `  ${l}\n`).join('')}`);
    if (!onPath('git-credential-pat', context.env)) {
      context.err(`warning: git-credential-pat is not on your PATH, so git cannot run it; ${INSTALL_HINT}.\n`);
    }
    return 0;
  },
});

async function undo(context: CommandContext, records: SetupRecords, scope: ConfigScope, key: string): Promise<number> {
  const mine = records.take(scope, key);
  if (mine.length === 0) throw new CommandError(`setup added nothing to ${key} in the ${scope} config; nothing to undo`);
  const current = await context.git.getAll(scope, key);
  const remaining = [...current];
  for (const value of mine.flatMap((r) => r.added)) {
    const at = remaining.findIndex((v) => (value === '' ? v === '' : isOurHelper(v)));
    if (at >= 0) remaining.splice(at, 1);
  }
  const lines = [command(scope, ['--unset-all', key])];
  await context.git.unsetAll(scope, key);
  for (const value of remaining) {
    await context.git.add(scope, key, value);
    lines.push(command(scope, ['--add', key, value]));
  }
  await context.out(`Removed what setup added (${scope} config):\n${lines.map((l) => `  ${l}\n`).join('')}`);
  return 0;
}

/** What setup did, so --undo can take back exactly that. Kept beside the index. */
class SetupRecords {
  private readonly path: string;

  constructor(env: NodeJS.ProcessEnv) {
    this.path = join(stateDir(env), 'setup.json');
  }

  add(record: SetupRecord): void {
    writeFileAtomic(this.path, JSON.stringify([...this.all(), record], null, 1) + '\n');
  }

  take(scope: ConfigScope, key: string): SetupRecord[] {
    const all = this.all();
    const taken = all.filter((r) => r.scope === scope && r.key === key);
    writeFileAtomic(this.path, JSON.stringify(all.filter((r) => !taken.includes(r)), null, 1) + '\n');
    return taken;
  }

  private all(): SetupRecord[] {
    try {
      const parsed = JSON.parse(readOwnFile(this.path) ?? '[]') as unknown;
      return Array.isArray(parsed) ? (parsed as SetupRecord[]) : [];
    } catch {
      return [];
    }
  }
}

/** The git config command a person would type for one change. */
function command(scope: ConfigScope, args: readonly string[]): string {
  return ['git', 'config', `--${scope}`, ...args.map(shellQuote)].join(' ');
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

export function onPath(program: string, env: NodeJS.ProcessEnv): boolean {
  const extensions = process.platform === 'win32' ? ['.cmd', '.exe', ''] : [''];
  for (const dir of (env.PATH ?? '').split(delimiter).filter(Boolean)) {
    for (const ext of extensions) {
      try {
        accessSync(join(dir, program + ext), constants.X_OK);
        return true;
      } catch {
        // Not here.
      }
    }
  }
  return false;
}

