// token: the one command that prints a token, for scripts (gh's `auth token`):
// GH_TOKEN=$(git-credential-pat token). Only to stdout; every message goes to stderr
// and names no secret.
import { parseHostArgument } from '../hosts/host-name.js';
import { get } from '../helper.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import { CommandError, UsageError } from '../errors.js';
import { GIT_USERNAME } from '../setting-names.js';

export const token = defineCommand({
  description: `
Prints the token git would get for https://HOST (default github.com) to standard
output, followed by a newline, and nothing else: the account named by --username,
else the one git's credential.<url>.username picks, else the most recently stored.
An expired token is not printed. Only stored tokens count: the environment-token
fallback never answers here. This is the one command that shows a token; keep its
output out of logs.`,
  options: {
    host: hostOption('github.com (default) or another host'),
    username: { type: 'string', value: 'NAME', aliases: ['user'], help: "this account's token" },
  },
  examples: [
    { command: 'GH_TOKEN=$(git-credential-pat token) gh repo list' },
    { command: 'git-credential-pat token --hostname ghe.example.com --user me-at-work' },
  ],
  async run({ values }, context) {
    const host = parseHostArgument(values.host ?? 'github.com');
    if (values.username === '') throw new UsageError('--username needs a name');
    const url = `https://${host}`;
    const username = values.username ?? (await context.git.getUrlmatch(GIT_USERNAME, url));
    const query = { target: { protocol: 'https', host }, ...(username === undefined ? {} : { username }) };
    const { answer, notices } = await get(context.store(), query, context.now());
    for (const notice of notices) context.err(`git-credential-pat: ${notice}\n`);
    if (!answer) {
      if (notices.length > 0) return 1;
      throw new CommandError(`no token is stored for ${username === undefined ? '' : `${username} on `}${host}; add one with: git-credential-pat login${host === 'github.com' ? '' : ` --host ${host}`}`);
    }
    await context.out(`${answer.secret.password}\n`);
    return 0;
  },
});
