// logout: forget stored tokens.
import { shownName } from '../shown-text.js';
import { serviceName } from '../credential.js';
import { CommandError, UsageError } from '../errors.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import { indexOnly, unconfirmedNote } from '../presentation.js';

export const logout = defineCommand({
  description: `
Removes the matching credentials from your keychain (all hosts and users when no
filter is given). When more than one matches, it asks first on a terminal, and
elsewhere needs --yes. Where the keychain can be searched (Linux's Secret Service),
that includes items of ours that this index does not record (stored under another
XDG_STATE_HOME), which git would otherwise keep using.`,
  options: {
    host: hostOption('only credentials for this host'),
    username: { type: 'string', value: 'NAME', help: 'only credentials for this git username' },
    yes: { type: 'boolean', short: 'y', help: 'remove every match without asking' },
  },
  examples: [{ command: 'git-credential-pat logout --host github.com --username octocat' }, { command: 'git-credential-pat logout --yes' }],
  async run({ values }, context) {
    const host = values.host === undefined ? undefined : parseHostArgument(values.host);
    const store = context.store();
    const { credentials, wholeKeychain, unconfirmed, unreadable } = await store.inventory();
    if (unconfirmed.length > 0) context.err(`note: ${unconfirmedNote(unconfirmed, unreadable)}\n`);
    const matches = credentials.filter(
      (c) => (host === undefined || c.target.host === host) && (values.username === undefined || c.username === values.username),
    );
    if (matches.length === 0) {
      throw new CommandError(wholeKeychain ? 'no stored credential matches' : `no credential matches: ${indexOnly(context.env)}`);
    }
    if (!wholeKeychain && unreadable === undefined) context.err(`note: ${indexOnly(context.env)}\n`);
    const names = matches.map(
      (c) => `${shownName(c.username) || '(empty)'} on ${serviceName(c.target).replace(/^git-credential-pat:/, '')}${c.inIndex === false ? ' (not in this index)' : ''}`,
    );
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
});
