// use: pick which stored account git uses for a host, or for one owner's repositories.
import { CommandError, UsageError } from '../errors.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { parse, type Command } from './context.js';

export const help = `usage: git-credential-pat use LOGIN [--owner OWNER] [--host HOST]

Makes LOGIN the account git uses for https://HOST/OWNER/ (or, without --owner, the
host's default account) by setting git's own credential.<url>.username in your global
git config. git then asks for that user's token; no credential.useHttpPath needed.

Examples:
  git-credential-pat use octocat-at-work --owner my-company
  git-credential-pat use octocat`;

export const use: Command = {
  help,
  async run(args, context) {
    const { values, positionals } = parse(args, { owner: { type: 'string' }, host: { type: 'string' } }, 1);
    if (values.help) return context.out(`${help}\n`).then(() => 0);
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
};
