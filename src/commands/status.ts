// status: ask each forge about every stored token, all at once.
import { defineCommand, hostOption } from '../cli-spec.js';
import { EXPIRY_WARNING_DAYS } from '../expiry.js';
import { checkableCredentials, recheckStored } from '../hosts/check.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { table } from '../presentation.js';
import { CommandError } from '../errors.js';
import { KeychainUnavailableError } from '../store/credential-store.js';

export const status = defineCommand({
  description: `
Checks every stored forge token (GitHub, GitLab, Gitea, Forgejo, Bitbucket, Azure
DevOps; generic hosts are not validated) against its host's API, in parallel, and
reports each as valid, expiring (within ${EXPIRY_WARNING_DAYS} days), expired, revoked, or unverified
(the forge answered 403 or could not be reached: that says nothing about the token,
which is kept). Exits 0 when every token is valid or expiring (an expiring token
still works: rotate --expiring or a new login renews it, and cron can rely on the 0),
1 when any is expired, revoked or unverified.`,
  options: {
    host: hostOption('only tokens for this host'),
    json: { type: 'boolean', help: 'print the reports as JSON on stdout' },
  },
  json: {
    shape: 'an array of objects, one per token checked',
    fields: [
      { name: 'provider', help: 'the forge: github, gitlab, gitea, forgejo, bitbucket or azure-devops' },
      { name: 'host', help: 'the host the token is stored for' },
      { name: 'username', help: 'the git username it is stored under' },
      { name: 'login', help: 'the account the forge named for it; null when it did not answer' },
      { name: 'scopes', help: 'the scopes the forge reported; null when not listable or unknown' },
      { name: 'expires', help: 'expiry date (YYYY-MM-DD, UTC); null when none is known' },
      { name: 'validated', help: 'when the forge last confirmed the token (ISO 8601); null when never' },
      { name: 'state', help: 'valid, expiring, expired, revoked or unverified' },
      { name: 'detail', help: 'what the forge said, in words' },
    ],
  },
  examples: [{ command: 'git-credential-pat status' }, { command: 'git-credential-pat status --host github.com --json' }],
  async run({ values }, context) {
    const host = values.host === undefined ? undefined : parseHostArgument(values.host);
    const store = context.store();
    const stored = await store.list().catch((error: unknown) => {
      // First, and failing: "no tokens stored" here would pass for an empty keychain.
      if (error instanceof KeychainUnavailableError) throw new CommandError(`the keychain cannot be read: ${error.message}`);
      throw error;
    });
    const credentials = (await checkableCredentials(context, stored)).map((c) => c.credential).filter((c) => host === undefined || c.target.host === host);
    let done = 0;
    const progress = () => context.terminal?.progress(`checking ${done}/${credentials.length} token${credentials.length === 1 ? '' : 's'}...`);
    progress();
    const reports = await Promise.all(
      credentials.map(async (credential) => {
        const report = await recheckStored(context, credential);
        done++;
        progress();
        return report;
      }),
    );
    if (context.terminal) context.terminal.progress('');

    if (values.json) {
      await context.out(`${JSON.stringify(reports, null, 2)}\n`);
    } else if (reports.length === 0) {
      await context.out(`No forge tokens stored${host ? ` for ${host}` : ''}. Add one with: git-credential-pat login\n`);
    } else {
      await context.out(table(['HOST', 'USERNAME', 'FORGE', 'STATE', 'DETAIL'], reports.map((r) => [r.host, r.username, r.provider, r.state, r.detail])));
    }
    return reports.every((r) => r.state === 'valid' || r.state === 'expiring') ? 0 : 1;
  },
});
