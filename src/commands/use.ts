// use: pick which stored account git uses for a host, or for one owner's repositories;
// without an account, show that routing; with --clear, remove it.
import { CommandError, UsageError } from '../errors.js';
import { parseHostArgument } from '../hosts/host-name.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import { accountInUse, removalCommand, removeRule, routingRules, type RoutingRule } from '../routing.js';
import type { CommandContext } from './context.js';

export const use = defineCommand({
  arguments: ['LOGIN'],
  synopsis: '[LOGIN] [--owner OWNER] [--host HOST] [--clear]',
  description: `
Makes LOGIN the account git uses for https://HOST/OWNER/ (or, without --owner, the
host's default account) by setting git's own credential.<url>.username in your global
git config. git then asks for that user's token; no credential.useHttpPath needed.

Without LOGIN it shows the routing for the host: the default account, every --owner
rule, and which account git uses when a request names none. --clear removes the
host's routing (with --owner, only that owner's rule); git then uses the most
recently stored account.`,
  options: {
    owner: { type: 'string', value: 'OWNER', help: "only for this user's or organisation's repositories" },
    host: hostOption('github.com (default) or another host'),
    clear: { type: 'boolean', help: "remove the host's routing (with --owner, only that rule)" },
  },
  examples: [
    { command: 'git-credential-pat use octocat-at-work --owner my-company' },
    { command: 'git-credential-pat use octocat' },
    { command: 'git-credential-pat use', comment: 'show the routing for github.com' },
    { command: 'git-credential-pat use --clear --owner my-company' },
  ],
  async run({ values, positionals }, context) {
    const login = positionals[0];
    const host = parseHostArgument(values.host ?? 'github.com');
    if (values.owner !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(values.owner)) {
      throw new UsageError('--owner takes a user or organisation name');
    }
    if (values.clear) {
      if (login !== undefined) throw new UsageError('--clear takes no account: git-credential-pat use --clear [--owner OWNER] [--host HOST]');
      return clear(context, host, values.owner);
    }
    if (login === undefined) return show(context, host, values.owner);
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

function describeRule(rule: RoutingRule): string {
  const where = rule.url === '' ? 'every host' : rule.owner === undefined ? 'default' : `${rule.owner}/`;
  return `  ${where.padEnd(14)} ${rule.username}   (${rule.key}, ${rule.scope} config)\n`;
}

async function show(context: CommandContext, host: string, owner: string | undefined): Promise<number> {
  const rules = (await routingRules(context.git, host)).filter((r) => owner === undefined || r.owner === owner);
  const lines = [`Routing for https://${host}${owner === undefined ? '' : ` (owner ${owner})`}:\n`];
  lines.push(...(rules.length === 0 ? ['  no rule: git uses the most recently stored account\n'] : rules.map(describeRule)));
  const inUse = await accountInUse(context.git, context.store(), host);
  if (owner === undefined) {
    lines.push(inUse ? `git uses ${inUse.username} when a request names no account (${inUse.why}).\n` : `git gets no stored token for ${host} when a request names no account.\n`);
  }
  await context.out(lines.join(''));
  return 0;
}

async function clear(context: CommandContext, host: string, owner: string | undefined): Promise<number> {
  // A plain credential.username is not this host's alone: it is left, and named.
  const all = await routingRules(context.git, host);
  const rules = all.filter((r) => r.url !== '' && (owner === undefined || r.owner === owner));
  if (rules.length === 0) throw new CommandError(`no routing rule for https://${host}${owner === undefined ? '' : `/${owner}`}; nothing to clear`);
  for (const rule of rules) {
    if (await removeRule(context.git, rule)) await context.out(`${removalCommand(rule)}\n`);
    else context.err(`not removed: ${rule.key} is set in the ${rule.scope} config; remove it there\n`);
  }
  const inUse = await accountInUse(context.git, context.store(), host);
  if (inUse) await context.out(`git now uses ${inUse.username} for ${host} (${inUse.why}).\n`);
  return 0;
}
