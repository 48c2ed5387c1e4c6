// setup: wire git to this helper, knowing git's rules about helper lists.
import { join } from 'node:path';
import { effectiveHelpers, isOurHelper, isStoreHelper, type ResolvedHelper } from '../credential-helpers.js';
import { parseHostArgument } from '../hosts/host-name.js';
import type { ConfigScope } from '../git-config.js';
import { headlessLastStep } from '../private-bus/report.js';
import { readOwnFile, stateDir, writeFileAtomic } from '../store/index-file.js';
import { moveWindowsState } from '../store/state-move.js';
import { CommandError, UsageError } from '../errors.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import { onPath } from '../platform.js';
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
silently deleted. --yes accepts that offer without asking. It prints the file it
changed and the lines it appended there, as they now stand in that file, then the
helpers git now runs. --undo removes exactly what setup added, and prints it as the
git config commands you could have typed.`,
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
    // What git runs for this URL now, from every config file in git's order.
    const probe = url ?? 'https://github.com';
    const before = effectiveHelpers(await git.entries('^credential\\.'), probe);
    const ours = before.filter((h) => isOurHelper(h.value));
    const others = before.filter((h) => !isOurHelper(h.value));
    const where = url ?? 'every host';
    if (ours.length === 1 && others.length === 0) {
      await context.out(`git already runs git-credential-pat for ${where} (${describe(ours[0]!)}). Nothing changed.\n${nowRuns(before)}`);
      await sayLastStep(context);
      return 0;
    }

    let added: string[];
    if (ours.length === 0 && others.length === 0) {
      added = [HELPER_VALUE];
    } else {
      if (others.length > 0) {
        context.err(
          `git also runs ${others.map((h) => `'${h.value}' (${h.scope} config)`).join(', ')} for ${where}` +
            (others.some((h) => isStoreHelper(h.value)) ? "; 'store' keeps every token it is given in plain text.\n" : '.\n'),
        );
      }
      if (ours.length > 1) {
        context.err(`git runs git-credential-pat ${ours.length} times for ${where} (${ours.map(describe).join('; ')}): every token is stored ${ours.length} times and every notice shown ${ours.length} times.\n`);
      }
      const question = `Reset the helper list for ${where} so that git runs only git-credential-pat?`;
      const accept = values.yes || (context.terminal ? await context.terminal.confirm(question) : false);
      if (accept) {
        added = ['', HELPER_VALUE];
      } else if (ours.length > 0) {
        await context.out(`Nothing changed.\n${nowRuns(before)}`);
        context.err(`note: run setup --yes to reset the list so that git runs only git-credential-pat.\n`);
        return 0;
      } else {
        added = [HELPER_VALUE];
        context.err('note: the other helpers still run first; run setup --yes to reset the list so that git runs only git-credential-pat.\n');
      }
    }

    // At the end of the file, so that nothing further down in it undoes the reset.
    const [, subsection] = /^credential\.(.+)\.helper$/.exec(key) ?? [];
    const entries = added.map((value) => ['helper', value] as const);
    const file = await git.appendSection(scope, 'credential', subsection, entries);
    records.add({ scope, key, added });
    const appended = [`[credential${subsection === undefined ? '' : ` "${subsection}"`}]`, ...entries.map(([k, v]) => `    ${k} =${v === '' ? '' : ` ${v}`}`)];
    await context.out(`Configured git (${scope} config): appended to ${file}\n${appended.map((l) => `  ${l}\n`).join('')}`);

    // Check what git will now run, the way git resolves it, and say so; never claim a fix that did not happen.
    const after = effectiveHelpers(await git.entries('^credential\\.'), probe);
    const oursAfter = after.filter((h) => isOurHelper(h.value));
    const wanted = added[0] === '' ? after.length === 1 && oursAfter.length === 1 : oursAfter.length === 1;
    if (!wanted) {
      const culprits = added[0] === '' ? after.filter((h, i) => i > 0 || !isOurHelper(h.value)) : oursAfter.slice(1);
      throw new CommandError(
        `git still runs ${after.length === 0 ? 'no helper' : after.map((h, i) => `${i + 1}. ${h.value} (${h.scope})`).join(', ')} for ${where}: ` +
          `a config file git reads later overrides the ${scope} config. Fix: ${culprits.map(removal).join('; ') || `git-credential-pat setup --${scope === 'global' ? 'local' : 'global'} --yes`}`,
      );
    }
    await context.out(nowRuns(after));
    if (!onPath('git-credential-pat', context.env, process.platform)) {
      context.err(`warning: git-credential-pat is not on your PATH, so git cannot run it; ${INSTALL_HINT}.\n`);
    }
    await sayLastStep(context);
    return 0;
  },
});

function nowRuns(helpers: readonly ResolvedHelper[]): string {
  return `git now runs: ${helpers.length === 0 ? 'no helper' : helpers.map((h, i) => `${i + 1}. ${h.value}`).join(', ')}\n`;
}

function describe(helper: ResolvedHelper): string {
  return `${helper.key} = ${helper.value}, ${helper.scope} config`;
}

/** The exact command that removes one helper entry git reads. */
function removal(helper: ResolvedHelper): string {
  const pattern = `^${helper.value.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}$`;
  if (!helper.origin.startsWith('file:')) return `drop -c ${helper.key}=${helper.value} (${helper.origin}) from how git is run`;
  return `git config --file ${shellQuote(helper.origin.slice('file:'.length))} --unset ${shellQuote(helper.key)} ${shellQuote(pattern)}`;
}

/** On a headless machine, what is left after git is wired: unlock. */
async function sayLastStep(context: CommandContext): Promise<void> {
  const step = await headlessLastStep(context.env);
  if (step) await context.out(step);
}

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
    moveWindowsState(env);
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
