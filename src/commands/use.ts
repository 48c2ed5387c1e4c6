// use: pick which stored account git uses for a host, or for one owner's repositories.
import { CommandError, UsageError } from '../errors.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { defineCommand, hostOption } from '../cli-spec.js';

export const use = defineCommand({
  arguments: ['LOGIN'],
  description: `
Makes LOGIN the account git uses for https://HOST/OWNER/ (or, without --owner, the
host's default account) by setting git's own credential.<url>.username in your global
git config. git then asks for that user's token; no credential.useHttpPath needed.`,
  options: {
    owner: { type: 'string', value: 'OWNER', help: "only for this user's or organisation's repositories" },
    host: hostOption('github.com (default) or another host'),
  },
  examples: [{ command: 'git-credential-pat use octocat-at-work --owner my-company' }, { command: 'git-credential-pat use octocat' }],
  async run({ values, positionals }, context) {
    const login = positionals[0];
    if (!login) throw new UsageError('which account? usage: git-credential-pat use LOGIN [--owner OWNER] [--host HOST]');
    const host = parseHostArgument(values.host ?? 'github.com');
    if (values.owner !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(values.owner)) {
      throw new UsageError('--owner takes a GitHub user or organisation name');
    }
    if (!(await context.store().read({ protocol: 'https', host }, login))) {
      throw new CommandError(`no token is stored for ${login} on ${host}; add one first: git-credential-pat login --host ${host}`);
    }
    const url = `https://${host}${values.owner === undefined ? '' : `/${values.owner}`}`;
    const key = `credential.${url}.username`;
    await context.git.setGlobal(key, login);
    await context.out(`git config --global ${key} ${login}\n`);
    return 0;
  },
});
