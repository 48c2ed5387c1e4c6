// logout: forget stored tokens.
import { shownName } from '../shown-text.js';
import { serviceName } from '../credential.js';
import { CommandError, UsageError } from '../errors.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import { indexOnly, unconfirmedNote } from '../presentation.js';
import { accountInUse, removalCommand, removeRule, routingRules } from '../routing.js';
import type { CommandContext } from './context.js';

export const logout = defineCommand({
  description: `
Removes the matching credentials from your keychain (all hosts and users when no
filter is given). When more than one matches, it asks first on a terminal, and
elsewhere needs --yes. Where the keychain can be searched (Linux's Secret Service),
that includes items of ours that this index does not record (stored under another
XDG_STATE_HOME), which git would otherwise keep using.

It also removes the routing that named a removed account (credential.<url>.username,
as 'use' and 'use --owner' set it), and when another account stays stored for that
host, says which one git uses now.`,
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
      if (unreadable !== undefined) throw new CommandError(`the keychain cannot be read: ${unreadable}`);
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
    const gone = new Map<string, Set<string>>();
    for (const c of matches) if (c.target.protocol === 'https') gone.set(c.target.host, (gone.get(c.target.host) ?? new Set()).add(c.username));
    for (const [goneHost, usernames] of gone) await unroute(context, goneHost, usernames);
    return 0;
  },
});

/**
 * Routing that names an account no longer stored would send git asking for it and
 * getting nothing, although another account is there: it goes too (as gh's logout
 * switches). A plain credential.username is every host's, so it is only named.
 */
async function unroute(context: CommandContext, host: string, usernames: ReadonlySet<string>): Promise<void> {
  const store = context.store();
  const still = new Set((await store.accounts({ protocol: 'https', host })).map((a) => a.username));
  for (const rule of await routingRules(context.git, host)) {
    if (!usernames.has(rule.username) || still.has(rule.username)) continue;
    if (rule.url !== '' && (await removeRule(context.git, rule))) await context.out(`Removed the routing: ${removalCommand(rule)}\n`);
    else context.err(`note: ${rule.key} (${rule.scope} config) still names ${rule.username}; remove it: ${removalCommand(rule)}\n`);
  }
  const inUse = await accountInUse(context.git, store, host);
  if (inUse) await context.out(`git now uses ${inUse.username} for ${host} (${inUse.why}); another: git-credential-pat use LOGIN --host ${host}\n`);
}
