// list: every credential this tool keeps, never the secret itself.
import { providerOfStored } from '../hosts/choose.js';
import { providerById } from '../hosts/registry.js';
import { describeScopes, indexOnly, table, unconfirmedNote, validatedDay, viewOf, type CredentialView } from '../presentation.js';
import { defineCommand } from '../cli-spec.js';
import type { CommandContext } from './context.js';
import { CommandError } from '../errors.js';
import { shownName } from '../shown-text.js';
import type { Inventory } from '../store/credential-store.js';
import { NEVER_VALIDATED, UNKNOWN_KIND } from '../vocabulary.js';
import { GIT_USERNAME } from '../setting-names.js';

export const list = defineCommand({
  description: `
Lists the credentials kept in your keychain by git-credential-pat: host, username,
forge, token kind, scopes, expiry, when the forge last confirmed it, and which account is the
host's default (git's credential.<url>.username). Never shows a token. Where the keychain
can be searched (Linux's Secret Service), it lists every item of ours, also those stored
under another XDG_STATE_HOME, which git is served all the same; elsewhere it says that it
shows only what its index records.`,
  options: {
    json: { type: 'boolean', help: 'print the list as JSON on stdout' },
  },
  json: {
    shape: 'an array of objects, one per credential, sorted by host and username',
    fields: [
      { name: 'provider', help: 'the forge: github, gitlab, gitea, forgejo, bitbucket, azure-devops or generic' },
      { name: 'host', help: 'the host (with :PORT when not the default)' },
      { name: 'protocol', help: 'https, or the protocol git stored it for' },
      { name: 'path', help: 'the repository path it is kept for; null for the whole host' },
      { name: 'username', help: 'the git username' },
      { name: 'kind', help: `the token's kind from its shape (classic, fine-grained, personal, api-token...) or ${UNKNOWN_KIND}` },
      { name: 'login', help: 'the account the forge named when the token was last checked; null if never' },
      { name: 'scopes', help: 'the scopes the forge reported; null when not listable or never checked (see checked)' },
      { name: 'checked', help: 'whether the forge ever confirmed this token' },
      { name: 'expires', help: 'expiry date (YYYY-MM-DD, UTC); null when none is known' },
      { name: 'daysLeft', help: 'whole days until expiry (negative once expired); null when none is known' },
      { name: 'validated', help: `when the forge last confirmed the token (ISO 8601); null if never (the table says ${NEVER_VALIDATED}; generic hosts are never validated)` },
      { name: 'isDefault', help: "whether git's credential.<url>.username names this account for the host" },
      { name: 'inIndex', help: 'false when the item was found in the keychain but this index has no record of it (stored under another XDG_STATE_HOME)' },
    ],
  },
  examples: [{ command: 'git-credential-pat list' }, { command: 'git-credential-pat list --json' }],
  async run({ values }, context) {
    const { views, wholeKeychain, unconfirmed, unreadable } = await credentialViews(context);
    if (unreadable !== undefined) {
      // First, and failing: an empty list here would pass for an empty keychain. The index keeps every row.
      const kept = unconfirmed.length === 0 ? '' : ` ${unconfirmed.length} recorded credential${unconfirmed.length === 1 ? ' stays' : 's stay'} recorded: ${unconfirmed.map((r) => `${shownName(r.username) || '(empty)'} on ${r.target.host}`).join(', ')}.`;
      throw new CommandError(`the keychain cannot be read: ${/[.!?]$/.test(unreadable) ? unreadable : `${unreadable}.`}${kept}`);
    }
    if (!wholeKeychain) context.err(`note: ${indexOnly(context.env)}\n`);
    if (unconfirmed.length > 0) context.err(`note: ${unconfirmedNote(unconfirmed, unreadable)}\n`);
    if (values.json) {
      await context.out(`${JSON.stringify(views, null, 2)}\n`);
      return 0;
    }
    if (views.length === 0) {
      await context.out(
        unconfirmed.length > 0
          ? 'No credential could be read from the keychain now (see the note above).\n'
          : wholeKeychain
            ? 'No credentials stored. Add a token with: git-credential-pat login\n'
            : 'No credentials recorded in the index.\n',
      );
      return 0;
    }
    const rows = views.map((v) => [
      `${v.protocol === 'https' ? '' : `${v.protocol}://`}${v.host}${v.path === null ? '' : `/${v.path}`}`,
      `${v.username || '(empty)'}${v.isDefault ? ' (default)' : ''}${v.inIndex ? '' : ' *'}`,
      v.provider,
      v.kind,
      v.checked ? describeScopes(v.scopes, providerById(v.provider)) : '-',
      v.expires === null ? '-' : `${v.expires} (${(v.daysLeft ?? 0) < 0 ? 'expired' : `${v.daysLeft}d`})`,
      validatedDay(v.validated),
    ]);
    const unindexed = views.some((v) => !v.inIndex)
      ? '* in the keychain but not in this index (stored under another XDG_STATE_HOME?): git is served it all the same, and logout removes it\n'
      : '';
    await context.out(table(['HOST', 'USERNAME', 'FORGE', 'KIND', 'SCOPES', 'EXPIRES', 'VALIDATED'], rows) + unindexed);
    return 0;
  },
});

async function credentialViews(context: CommandContext): Promise<{ views: CredentialView[] } & Omit<Inventory, 'credentials'>> {
  const { credentials, wholeKeychain, unconfirmed, unreadable } = await context.store().inventory();
  const defaults = new Map<string, string | undefined>();
  for (const c of credentials) {
    const url = `${c.target.protocol}://${c.target.host}`;
    if (!defaults.has(url)) defaults.set(url, await context.git.getUrlmatch(GIT_USERNAME, url));
  }
  const now = context.now();
  const views: CredentialView[] = [];
  for (const c of credentials) {
    views.push(viewOf(c, await providerOfStored(context, c), now, defaults.get(`${c.target.protocol}://${c.target.host}`) === c.username));
  }
  views.sort((a, b) => a.host.localeCompare(b.host) || a.username.localeCompare(b.username));
  return { views, wholeKeychain, unconfirmed, ...(unreadable === undefined ? {} : { unreadable }) };
}

