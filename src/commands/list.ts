// list: every credential this tool keeps, never the secret itself.
import { describeScopes, table, viewOf, type CredentialView } from '../presentation.js';
import { parse, type Command, type CommandContext } from './context.js';

export const help = `usage: git-credential-pat list [--json]

Lists the credentials kept in your keychain by git-credential-pat: host, username,
token kind, scopes, expiry, when GitHub last confirmed it, and which account is the
host's default (git's credential.<url>.username). Never shows a token.

Examples:
  git-credential-pat list
  git-credential-pat list --json`;

export const list: Command = {
  help,
  async run(args, context) {
    const { values } = parse(args, { json: { type: 'boolean' } });
    if (values.help) return context.out(`${help}\n`).then(() => 0);
    const views = await credentialViews(context);
    if (values.json) {
      await context.out(`${JSON.stringify(views, null, 2)}\n`);
      return 0;
    }
    if (views.length === 0) {
      await context.out('No credentials stored. Add a GitHub token with: git-credential-pat login\n');
      return 0;
    }
    const rows = views.map((v) => [
      `${v.protocol === 'https' ? '' : `${v.protocol}://`}${v.host}${v.path === null ? '' : `/${v.path}`}`,
      `${v.username || '(empty)'}${v.isDefault ? ' (default)' : ''}`,
      v.kind === 'unknown' ? 'other' : v.kind,
      v.checked ? describeScopes(v.scopes) : '-',
      v.expires === null ? '-' : `${v.expires} (${(v.daysLeft ?? 0) < 0 ? 'expired' : `${v.daysLeft}d`})`,
      v.lastValidated?.slice(0, 10) ?? 'never',
    ]);
    await context.out(table(['HOST', 'USERNAME', 'KIND', 'SCOPES', 'EXPIRES', 'VALIDATED'], rows));
    return 0;
  },
};

async function credentialViews(context: CommandContext): Promise<CredentialView[]> {
  const credentials = await context.store().list();
  const defaults = new Map<string, string | undefined>();
  for (const c of credentials) {
    const url = `${c.target.protocol}://${c.target.host}`;
    if (!defaults.has(url)) defaults.set(url, await context.git.getUrlmatch('credential.username', url));
  }
  const now = context.now();
  return credentials
    .map((c) => viewOf(c, now, defaults.get(`${c.target.protocol}://${c.target.host}`) === c.username))
    .sort((a, b) => a.host.localeCompare(b.host) || a.username.localeCompare(b.username));
}

