// login: validate a token against GitHub and keep it in the keychain.
import { serviceName } from '../credential.js';
import { CommandError, UsageError } from '../errors.js';
import { describeExpiry, expiryJson } from '../expiry.js';
import { checkNewToken } from '../hosts/check.js';
import { parseHostArgument } from '../hosts/host-name.js';
import type { HostProvider } from '../hosts/provider.js';
import { providerFor } from '../hosts/registry.js';
import { describeScopes, kindLabel } from '../presentation.js';
import type { TokenMetadata } from '../store/credential-store.js';
import { checkedToken, readPastedToken, readTokenFromStdin, showTokenPage } from '../token-prompt.js';
import { defineCommand, hostOption } from '../cli-spec.js';
import type { CommandContext } from './context.js';

export const login = defineCommand({
  description: `
Checks a GitHub token against the GitHub API and stores it in your keychain for
https://HOST (default github.com), under the token's login (or --username).

On a terminal without --with-token, it shows where to create a token (scopes repo
and workflow filled in) and asks for it without echoing. The token is never taken
from the command line.`,
  options: {
    host: hostOption('github.com (default), a GHE.com host, or a GitHub Enterprise Server host'),
    username: { type: 'string', value: 'NAME', help: "store under this git username instead of the token's login" },
    'with-token': { type: 'boolean', help: 'read the token from standard input (e.g. from a password manager)' },
    'no-verify': { type: 'boolean', help: 'store without asking GitHub (needs --username)' },
    json: { type: 'boolean', help: 'print what was stored as JSON on stdout (never the token)' },
  },
  json: {
    shape: 'one object: what was stored, never the token',
    fields: [
      { name: 'host', help: 'the host the token is stored for (https://HOST)' },
      { name: 'username', help: 'the git username it is stored under' },
      { name: 'login', help: 'the account the host named for the token; null with --no-verify' },
      { name: 'kind', help: "the token's kind from its prefix: classic, fine-grained, oauth, user-to-server, installation, refresh, app or unknown" },
      { name: 'scopes', help: 'the classic scopes the host reported; null when not listable (fine-grained) or not checked' },
      { name: 'expires', help: 'expiry date (YYYY-MM-DD, UTC) the host reported; null when none or not checked' },
      { name: 'verified', help: 'whether the host confirmed the token (false with --no-verify)' },
      { name: 'service', help: "the keychain item's service name (its account is the username)" },
    ],
  },
  examples: [
    { command: 'git-credential-pat login' },
    { command: 'pass show github/token | git-credential-pat login --with-token' },
    { command: 'git-credential-pat login --host ghe.example.com --username me-at-work' },
  ],
  async run({ values }, context) {
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
      if (values.json) await context.out(loginJson(provider, host, username, token, undefined));
      else await context.out(`Stored an unverified ${kindLabel(provider, token)} for ${username} on ${host} (not checked with ${provider.label}).\n`);
      return 0;
    }

    const checked = await checkNewToken(context, host, token);
    if (!checked.ok) throw new CommandError(`${checked.reason}. Nothing was stored${checked.retry ? '; use --no-verify --username NAME to store it anyway' : ''}.`);
    const { metadata, secret } = checked;
    const username = values.username ?? metadata.login;
    await context.store().write(target, username, secret, metadata);

    await context.out(values.json ? loginJson(provider, host, username, token, metadata) : summary(provider, host, username, token, metadata, context.now()));
    for (const warning of provider.scopeWarnings(token, metadata.scopes)) context.err(`warning: ${warning}\n`);
    return 0;
  },
});

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

/** --json: the fields the spec documents, in that order; undefined metadata means not verified. */
function loginJson(provider: HostProvider, host: string, username: string, token: string, metadata: TokenMetadata | undefined): string {
  const view = {
    host,
    username,
    login: metadata?.login ?? null,
    kind: provider.tokenKind(token)?.id ?? 'unknown',
    scopes: metadata?.scopes ?? null,
    expires: expiryJson(metadata?.expiresAt),
    verified: metadata !== undefined,
    service: serviceName({ protocol: 'https', host }),
  };
  return `${JSON.stringify(view, null, 2)}\n`;
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
