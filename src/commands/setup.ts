// setup: wire git to this helper, knowing git's rules about helper lists.
import { credentialKeyUrl, isOurHelper, isStoreHelper, type ResolvedHelper } from '../credential-helpers.js';
import { appendHelper, helperState, HELPER_VALUE } from '../helper-wiring.js';
import { parseHostArgument } from '../hosts/host-name.js';
import type { ConfigScope, GitConfig } from '../git-config.js';
import { headlessLastStep } from '../private-bus/report.js';
import { SetupRecords } from '../setup-records.js';
import { CommandError, UsageError } from '../errors.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import { onPath } from '../platform.js';
import type { CommandContext } from './context.js';


/** How to get the command on PATH, naming nothing an installed package lacks. */
export const INSTALL_HINT = 'install the package globally (npm install --global git-credential-pat-VERSION.tgz) or add the folder holding git-credential-pat to PATH';

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
    // What git runs now, from every config file in git's order: for one URL, or for
    // every kind of host when the helper is to serve them all.
    const probes = url === undefined ? await everyHostKind(git) : [url];
    const before = await Promise.all(probes.map((p) => helperState(git, p)));
    const main = before[0]!;
    const where = url ?? 'every host';
    if (before.every((b) => b.ours.length === 1 && b.others.length === 0)) {
      await context.out(`git already runs git-credential-pat for ${where} (${describe(main.ours[0]!)}). Nothing changed.\n${nowRuns(main.helpers)}`);
      await sayLastStep(context);
      return 0;
    }

    // For every host, a URL that runs it from its own credential.<url>.helper would run it
    // twice beside credential.helper; for one URL, running it more than once is the problem.
    const others = unique(before.flatMap((b) => b.others));
    const doubled = before.filter((b) => (url === undefined ? b.ours.some((h) => credentialKeyUrl(h.key, 'helper') !== '') : b.ours.length > 1));
    // What an earlier setup added for one host is replaced by the entry for every host,
    // which covers it: nothing the person wrote is touched.
    const ownEarlier =
      url === undefined &&
      others.length === 0 &&
      doubled.length > 0 &&
      doubled.every((b) => b.ours.length === 1 && b.ours[0]!.scope === scope && records.recorded(scope, b.ours[0]!.key).length > 0);
    let added: string[];
    if (ownEarlier) {
      for (const key of new Set(doubled.map((b) => b.ours[0]!.key))) {
        const lines = await takeBack(context, records, scope, key);
        await context.out(`Replaced what setup added for one host (${scope} config):\n${lines.map((l) => `  ${l}\n`).join('')}`);
      }
      added = [HELPER_VALUE];
    } else if (others.length === 0 && doubled.length === 0) {
      added = [HELPER_VALUE];
    } else {
      if (others.length > 0) {
        context.err(
          `git also runs ${others.map((h) => `'${h.value}' (${h.scope} config)`).join(', ')} for ${where}` +
            (others.some((h) => isStoreHelper(h.value)) ? "; 'store' keeps every token it is given in plain text.\n" : '.\n'),
        );
      }
      for (const b of doubled) {
        context.err(
          url === undefined
            ? `git already runs git-credential-pat for ${b.url} (${b.ours.map(describe).join('; ')}): adding it for every host would run it ${b.ours.length + 1} times there, storing every token and showing every notice that many times.\n`
            : `git runs git-credential-pat ${b.ours.length} times for ${where} (${b.ours.map(describe).join('; ')}): every token is stored ${b.ours.length} times and every notice shown ${b.ours.length} times.\n`,
        );
      }
      const question = `Reset the helper list for ${where} so that git runs only git-credential-pat?`;
      const accept = values.yes || (context.terminal ? await context.terminal.confirm(question) : false);
      if (accept) {
        added = ['', HELPER_VALUE];
      } else if (before.some((b) => b.ours.length > 0)) {
        await context.out(`Nothing changed.\n${nowRuns(main.helpers)}`);
        context.err(`note: run git-credential-pat setup${url === undefined ? ' --all-hosts' : ''} --yes to reset the list so that git runs only git-credential-pat.\n`);
        return 0;
      } else {
        added = [HELPER_VALUE];
        context.err('note: the other helpers still run first; run setup --yes to reset the list so that git runs only git-credential-pat.\n');
      }
    }

    // At the end of the file, so that nothing further down in it undoes the reset.
    const file = await appendHelper(git, context.env, scope, url, added);
    const appended = [`[credential${url === undefined ? '' : ` "${url}"`}]`, ...added.map((v) => `    helper =${v === '' ? '' : ` ${v}`}`)];
    await context.out(`Configured git (${scope} config): appended to ${file}\n${appended.map((l) => `  ${l}\n`).join('')}`);

    // Check what git will now run, the way git resolves it, for every URL probed, and say
    // so; never claim a fix that did not happen.
    for (const probe of probes) {
      const { helpers: after, ours: oursAfter } = await helperState(git, probe);
      const wanted = added[0] === '' ? after.length === 1 && oursAfter.length === 1 : oursAfter.length === 1;
      if (wanted) continue;
      const culprits = added[0] === '' ? after.filter((h, i) => i > 0 || !isOurHelper(h.value)) : oursAfter.slice(1);
      throw new CommandError(
        `git still runs ${after.length === 0 ? 'no helper' : after.map((h, i) => `${i + 1}. ${h.value} (${h.scope})`).join(', ')} for ${probe}: ` +
          `a config file git reads later overrides the ${scope} config. Fix: ${culprits.map(removal).join('; ') || `git-credential-pat setup --${scope === 'global' ? 'local' : 'global'} --yes`}`,
      );
    }
    const after = (await helperState(git, main.url)).helpers;
    await context.out(nowRuns(after));
    if (!onPath('git-credential-pat', context.env, process.platform)) {
      context.err(`warning: git-credential-pat is not on your PATH, so git cannot run it; ${INSTALL_HINT}.\n`);
    }
    await sayLastStep(context);
    return 0;
  },
});

/**
 * URLs standing for every kind of host: one that no config names, each forge's own
 * host, and every URL some credential.<url>.helper names (a `*` label made concrete).
 */
async function everyHostKind(git: GitConfig): Promise<string[]> {
  const named = (await git.entries('^credential\\..*helper$'))
    .map((e) => credentialKeyUrl(e.key, 'helper'))
    .filter((u): u is string => u !== undefined && /^https?:\/\//i.test(u))
    .map((u) => u.replace(/\*/g, 'x'));
  const forges = ['github.com', 'gitlab.com', 'codeberg.org', 'gitea.com', 'bitbucket.org', 'dev.azure.com'].map((h) => `https://${h}`);
  return [...new Set(['https://any-host.invalid', ...forges, ...named])];
}

function unique(helpers: readonly ResolvedHelper[]): ResolvedHelper[] {
  return helpers.filter((h, i) => helpers.findIndex((o) => o.key === h.key && o.value === h.value && o.origin === h.origin) === i);
}

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
  if (records.recorded(scope, key).length === 0) throw new CommandError(`setup added nothing to ${key} in the ${scope} config; nothing to undo`);
  const lines = await takeBack(context, records, scope, key);
  await context.out(`Removed what setup added (${scope} config):\n${lines.map((l) => `  ${l}\n`).join('')}`);
  return 0;
}

/** Removes exactly what setup added to one key, keeping every other value in order; returns the commands run. */
async function takeBack(context: CommandContext, records: SetupRecords, scope: ConfigScope, key: string): Promise<string[]> {
  const mine = records.take(scope, key);
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
  return lines;
}

/** The git config command a person would type for one change. */
function command(scope: ConfigScope, args: readonly string[]): string {
  return ['git', 'config', `--${scope}`, ...args.map(shellQuote)].join(' ');
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
