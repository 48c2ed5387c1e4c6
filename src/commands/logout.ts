// logout: forget stored tokens.
import { serviceName } from '../credential.js';
import { CommandError, UsageError } from '../errors.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { parse, type Command } from './context.js';

export const help = `usage: git-credential-pat logout [--host HOST] [--username NAME] [--yes]

Removes the matching credentials from your keychain (all hosts and users when no
filter is given). When more than one matches, it asks first on a terminal, and
elsewhere needs --yes.

Examples:
  git-credential-pat logout --host github.com --username octocat
  git-credential-pat logout --yes`;

export const logout: Command = {
  help,
  async run(args, context) {
    const { values } = parse(args, { host: { type: 'string' }, username: { type: 'string' }, yes: { type: 'boolean', short: 'y' } });
    if (values.help) return context.out(`${help}\n`).then(() => 0);
    const host = values.host === undefined ? undefined : parseHostArgument(values.host);
    const store = context.store();
    const matches = (await store.list()).filter(
      (c) => (host === undefined || c.target.host === host) && (values.username === undefined || c.username === values.username),
    );
    if (matches.length === 0) throw new CommandError('no stored credential matches');
    const names = matches.map((c) => `${c.username || '(empty)'} on ${serviceName(c.target).replace(/^git-credential-pat:/, '')}`);
    if (matches.length > 1 && !values.yes) {
      if (!context.terminal) throw new UsageError(`${matches.length} credentials match; add --yes to remove them all`);
      context.terminal.say(`This removes ${matches.length} credentials:\n${names.map((n) => `  ${n}\n`).join('')}`);
      if (!(await context.terminal.confirm('Remove them?'))) throw new CommandError('nothing was removed');
    }
    for (const [i, c] of matches.entries()) {
      await store.remove(c.target, c.username);
      await context.out(`Removed ${names[i]}\n`);
    }
    return 0;
  },
};
