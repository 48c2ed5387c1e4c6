// login: validate a token against GitHub and keep it in the keychain.
import { serviceName } from '../credential.js';
import { CommandError, UsageError } from '../errors.js';
import { describeExpiry } from '../expiry.js';
import { checkNewToken } from '../hosts/check.js';
import { parseHostArgument } from '../hosts/host-name.js';
import type { HostProvider } from '../hosts/provider.js';
import { providerFor } from '../hosts/registry.js';
import { describeScopes, kindLabel } from '../presentation.js';
import type { TokenMetadata } from '../store/credential-store.js';
import { checkedToken, readPastedToken, readTokenFromStdin, showTokenPage } from '../token-prompt.js';
import { parse, type Command, type CommandContext } from './context.js';

export const help = `usage: git-credential-pat login [--host HOST] [--username NAME] [--with-token] [--no-verify]

Checks a GitHub token against the GitHub API and stores it in your keychain for
https://HOST (default github.com), under the token's login (or --username).

  --host HOST      github.com (default), a GHE.com host, or a GitHub Enterprise Server host
  --username NAME  store under this git username instead of the token's login
  --with-token     read the token from standard input (e.g. from a password manager)
  --no-verify      store without asking GitHub (needs --username)

On a terminal without --with-token, it shows where to create a token (scopes repo
and workflow filled in) and asks for it without echoing. The token is never taken
from the command line.

Examples:
  git-credential-pat login
  pass show github/token | git-credential-pat login --with-token
  git-credential-pat login --host ghe.example.com --username me-at-work`;

export const login: Command = {
  help,
  async run(args, context) {
    const { values } = parse(args, {
      host: { type: 'string' },
      username: { type: 'string' },
      'with-token': { type: 'boolean' },
      'no-verify': { type: 'boolean' },
    });
    if (values.help) return context.out(`${help}\n`).then(() => 0);
    const host = parseHostArgument(values.host ?? 'github.com');
    if (values.username !== undefined && !/^[^\s:/@]+$/.test(values.username)) {
      throw new UsageError('--username takes a plain user name (no spaces, ":", "/" or "@")');
    }
    if (values['no-verify'] && values.username === undefined) {
      throw new UsageError('--no-verify needs --username: without asking GitHub there is no login to store the token under');
    }

    const provider = providerFor(host);
    const token = checkedToken(values['with-token'] ? await readTokenFromStdin(context.stdin) : await promptForToken(context, provider, host));
    const target = { protocol: 'https', host };

    if (values['no-verify']) {
      const username = values.username!;
      await context.store().write(target, username, { password: token }, 'drop');
      await context.out(`Stored an unverified ${kindLabel(provider, token)} for ${username} on ${host} (not checked with ${provider.label}).\n`);
      return 0;
    }

    const checked = await checkNewToken(context, host, token);
    if (!checked.ok) throw new CommandError(`${checked.reason}. Nothing was stored${checked.retry ? '; use --no-verify --username NAME to store it anyway' : ''}.`);
    const { metadata, secret } = checked;
    const username = values.username ?? metadata.login;
    await context.store().write(target, username, secret, metadata);

    await context.out(summary(provider, host, username, token, metadata, context.now()));
    for (const warning of provider.scopeWarnings(token, metadata.scopes)) context.err(`warning: ${warning}\n`);
    return 0;
  },
};

function summary(provider: HostProvider, host: string, username: string, token: string, metadata: TokenMetadata, nowMs: number): string {
  const as = username === metadata.login ? metadata.login : `${metadata.login} (stored as ${username})`;
  const lines = [
    `Logged in to ${host} as ${as}.`,
    `  token    ${kindLabel(provider, token)}`,
    `  scopes   ${describeScopes(metadata.scopes)}`,
    `  expires  ${describeExpiry(metadata.expiresAt, nowMs)}`,
    `Stored in your keychain as ${serviceName({ protocol: 'https', host })} (account ${username}).`,
  ];
  return `${lines.join('\n')}\n`;
}

async function promptForToken(context: CommandContext, provider: HostProvider, host: string): Promise<string> {
  const terminal = context.terminal;
  if (!terminal) throw new UsageError('no token given: run this on a terminal, or pipe the token in with --with-token');
  await showTokenPage(terminal, provider, host, context.env);
  const pasted = await readPastedToken(terminal);
  if (pasted === undefined) throw new CommandError('no token entered; nothing was stored');
  if ('problem' in pasted) throw new UsageError(pasted.problem);
  return pasted.token;
}
