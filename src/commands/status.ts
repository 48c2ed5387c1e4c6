// status: ask GitHub about every stored token, all at once.
import { EXPIRY_WARNING_DAYS } from '../expiry.js';
import { recheckStored } from '../hosts/check.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { isForgeCredential, table } from '../presentation.js';
import { parse, type Command } from './context.js';

export const help = `usage: git-credential-pat status [--host HOST] [--json]

Checks every stored GitHub token against its host's API, in parallel, and reports
each as valid, expiring (within ${EXPIRY_WARNING_DAYS} days), expired, revoked, or unverified (GitHub
answered 403 or could not be reached: that says nothing about the token, which is
kept). Exits non-zero when any token is not valid.

Examples:
  git-credential-pat status
  git-credential-pat status --host github.com --json`;

export const status: Command = {
  help,
  async run(args, context) {
    const { values } = parse(args, { host: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return context.out(`${help}\n`).then(() => 0);
    const host = values.host === undefined ? undefined : parseHostArgument(values.host);
    const store = context.store();
    const credentials = (await store.list()).filter((c) => isForgeCredential(c) && (host === undefined || c.target.host === host));
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
      await context.out(`No GitHub tokens stored${host ? ` for ${host}` : ''}. Add one with: git-credential-pat login\n`);
    } else {
      await context.out(table(['HOST', 'USERNAME', 'STATE', 'DETAIL'], reports.map((r) => [r.host, r.username, r.state, r.detail])));
    }
    return reports.every((r) => r.state === 'valid' || r.state === 'expiring') ? 0 : 1;
  },
};
