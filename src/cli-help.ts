// Text generated from the command registry and the commands' specs: the top-level
// usage, each command's help, and the "did you mean" for a mistyped command. Pure.
import { COMMANDS, HELPER_ACTIONS, TAGLINE } from './cli-registry.js';
import { HELP_OPTION, type CommandSpec, type OptionSpec, type OptionSpecs } from './cli-spec.js';

export const PROGRAM = 'git-credential-pat';

/** Names a person may type besides the commands. */
export const BUILTINS = ['help', 'version'] as const;

export function topUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), ...BUILTINS.map((b) => b.length));
  const row = (name: string, text: string) => `  ${name.padEnd(width)}  ${text}\n`;
  return (
    `usage: ${PROGRAM} <command> [options]\n\n${TAGLINE}\n\nCommands for you:\n` +
    COMMANDS.map((c) => row(c.name, c.summary)).join('') +
    row('help', "show a command's help: help <command>") +
    row('version', 'show the version (also --version)') +
    `\nRun by git (credential-helper protocol on stdin/stdout):\n  ${HELPER_ACTIONS.join(' | ')}\n` +
    `\nConfigure git to use it:\n  ${PROGRAM} setup          (or: git config --global credential.helper pat)\n` +
    `\n'${PROGRAM} help <command>' or '${PROGRAM} <command> --help' shows a command's options.\n`
  );
}

/** What git's helper actions do, for `help get` and the man page alike. */
export const HELPER_TEXT = `
git runs these with the request on standard input (key=value lines, as
gitcredentials(7) describes) and reads the answer of get on standard output. They
never prompt, except that a get which finds nothing, run by a person at a terminal
for a forge's host (GitHub, GitLab, Gitea, Bitbucket, Azure DevOps, or a host you
logged in to), offers to take a new token (credential.patGuide turns that off). Actions
git may add later are ignored, as the protocol requires.`;

/** `help get`, `help store`, `help erase`: these are git's, not a person's, and the help says so. */
export function helperHelp(action: string): string {
  return (
    `usage: ${PROGRAM} ${HELPER_ACTIONS.join('|')}   (run by git, not by you)\n\n` +
    `${action}: ${HELPER_SUMMARIES[action as (typeof HELPER_ACTIONS)[number]]}\n${HELPER_TEXT}\n\n` +
    `To have git run it: ${PROGRAM} setup   (see '${PROGRAM} setup --help')\n` +
    `To try it by hand: printf 'protocol=https\\nhost=github.com\\n\\n' | git credential fill\n`
  );
}

const HELPER_SUMMARIES: Readonly<Record<(typeof HELPER_ACTIONS)[number], string>> = {
  get: 'git asks for a credential; the matching username and token are printed, or nothing',
  store: 'git reports a credential that worked; it is kept in the keychain',
  erase: 'git reports a credential that was rejected; the matching item is removed (only if it holds that password)',
};

/**
 * Every usage error, from the top level or from a command, in one shape: one line, the
 * program (and command) as prefix, what was wrong, and what to type next. Never the
 * whole usage: the line that says what to type is shorter and is read.
 */
export function usageLine(command: string | undefined, problem: string): string {
  const where = command === undefined ? PROGRAM : `${PROGRAM} ${command}`;
  return `${where}: ${problem}; see '${where} --help'\n`;
}

/** The flags as usage writes them: `--host HOST`, `-y, --yes`. */
export function optionFlags(name: string, option: OptionSpec): string {
  const long = `--${name}${option.type === 'string' ? ` ${option.value ?? 'VALUE'}` : ''}`;
  return option.short ? `-${option.short}, ${long}` : long;
}

export function optionHelp(option: OptionSpec): string {
  const aliases = option.aliases ?? [];
  return aliases.length === 0 ? option.help : `${option.help} (also ${aliases.map((a) => `--${a}`).join(', ')})`;
}

export function synopsis(name: string, spec: CommandSpec<OptionSpecs>): string {
  if (spec.synopsis !== undefined) return `${PROGRAM} ${name} ${spec.synopsis}`;
  const options = Object.entries(spec.options).map(([n, o]) => `[--${n}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}]`);
  return [PROGRAM, name, ...(spec.arguments ?? []), ...options].join(' ');
}

export function commandHelp(name: string, spec: CommandSpec<OptionSpecs>): string {
  const options: Array<[string, string]> = [
    ...Object.entries(spec.options).map(([n, o]): [string, string] => [optionFlags(n, o), optionHelp(o)]),
    [optionFlags('help', HELP_OPTION), HELP_OPTION.help],
  ];
  const width = Math.max(...options.map(([flags]) => flags.length));
  let text = `usage: ${synopsis(name, spec)}\n\n${spec.description.trim()}\n\nOptions:\n`;
  text += options.map(([flags, help]) => `  ${flags.padEnd(width)}  ${help}\n`).join('');
  if (spec.json) {
    const fieldWidth = Math.max(...spec.json.fields.map((f) => f.name.length));
    text += `\nWith --json, prints ${spec.json.shape}:\n`;
    text += spec.json.fields.map((f) => `  ${f.name.padEnd(fieldWidth)}  ${f.help}\n`).join('');
  }
  text += `\nExamples:\n${spec.examples.map((e) => `  ${e.command}${e.comment ? `   # ${e.comment}` : ''}\n`).join('')}`;
  return text;
}

/**
 * The known name closest to what was typed, if it is close enough to be a typo:
 * edit distance with adjacent transpositions counted as one edit (`lgoin` is one
 * away from `login`) up to a third of the word's length, or a prefix of the name.
 */
export function suggestion(typed: string, names: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(typed.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = typed.length >= 3 && name.startsWith(typed) ? 0 : editDistance(typed.toLowerCase(), name);
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, d[i - 2]![j - 2]! + 1);
      d[i]![j] = value;
    }
  }
  return d[a.length]![b.length]!;
}
