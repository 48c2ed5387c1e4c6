// login: validate a token against GitHub and keep it in the keychain.
import { hostname } from 'node:os';
import { parseHostArgument } from '../github/api-url.js';
import { daysLeft, formatDate } from '../github/expiration.js';
import { KIND_LABEL, tokenKind } from '../github/token-kind.js';
import { validateToken } from '../github/validate.js';
import { serviceName, type Secret } from '../credential.js';
import type { TokenMetadata } from '../store/credential-store.js';
import { browserOpener, openInBrowser } from '../terminal.js';
import { apiBaseFor, CommandError, parse, UsageError, type Command, type CommandContext } from './context.js';

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

const MAX_TOKEN_BYTES = 64 * 1024;

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

    const token = checkedToken(values['with-token'] ? await readToken(context.stdin) : await promptForToken(context, host));
    const target = { protocol: 'https', host };

    if (values['no-verify']) {
      const username = values.username!;
      await context.store().write(target, username, { password: token }, 'drop');
      await context.out(`Stored an unverified ${KIND_LABEL[tokenKind(token)]} for ${username} on ${host} (not checked with GitHub).\n`);
      return 0;
    }

    const checked = await checkWithGitHub(context, host, token);
    if (!checked.ok) throw new CommandError(`${checked.reason}. Nothing was stored${checked.retry ? '; use --no-verify --username NAME to store it anyway' : ''}.`);
    const { metadata, secret } = checked;
    const username = values.username ?? metadata.login;
    await context.store().write(target, username, secret, metadata);

    await context.out(summary(host, username, token, metadata, context.now()));
    for (const warning of scopeWarnings(token, metadata.scopes)) context.err(`warning: ${warning}\n`);
    return 0;
  },
};

function summary(host: string, username: string, token: string, metadata: TokenMetadata, nowMs: number): string {
  const kind = tokenKind(token);
  const as = username === metadata.login ? metadata.login : `${metadata.login} (stored as ${username})`;
  const lines = [
    `Logged in to ${host} as ${as}.`,
    `  token    ${KIND_LABEL[kind]}`,
    `  scopes   ${describeScopes(metadata.scopes)}`,
    `  expires  ${describeExpiry(metadata.expiresAt, nowMs)}`,
    `Stored in your keychain as ${serviceName({ protocol: 'https', host })} (account ${username}).`,
  ];
  return `${lines.join('\n')}\n`;
}

export type Checked =
  | { readonly ok: true; readonly metadata: TokenMetadata; readonly secret: Secret }
  | { readonly ok: false; readonly reason: string; readonly retry: boolean };

/** What GitHub says about a token, as metadata and the secret to keep; or why it cannot be kept. */
export async function checkWithGitHub(context: Pick<CommandContext, 'env' | 'git' | 'now'>, host: string, token: string): Promise<Checked> {
  const result = await validateToken(token, await apiBaseFor(context, host));
  switch (result.state) {
    case 'revoked':
      return { ok: false, reason: 'GitHub rejected the token (401 Bad credentials): it is mistyped, expired or revoked', retry: false };
    case 'forbidden':
      return { ok: false, reason: `the token could not be checked: ${result.message}`, retry: true };
    case 'unreachable':
      return { ok: false, reason: result.message, retry: true };
  }
  const expiry = result.expiresAt === undefined ? {} : { expiresAt: result.expiresAt };
  return {
    ok: true,
    metadata: { login: result.login, scopes: result.scopes, ...expiry, lastValidated: context.now() },
    secret: { password: token, ...(result.expiresAt === undefined ? {} : { passwordExpiryUtc: result.expiresAt }) },
  };
}

export function describeScopes(scopes: readonly string[] | null | undefined): string {
  if (scopes === undefined) return 'unknown (not checked)';
  if (scopes === null) return 'fine-grained (permissions not listable)';
  return scopes.length === 0 ? 'none' : scopes.join(', ');
}

export function describeExpiry(expiresAt: number | undefined, nowMs: number): string {
  if (expiresAt === undefined) return 'no expiry date';
  const days = daysLeft(expiresAt, nowMs);
  if (expiresAt * 1000 <= nowMs) return `${formatDate(expiresAt)} (expired)`;
  return `${formatDate(expiresAt)} (${days === 0 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`} left)`;
}

/** Classic tokens list their scopes, so the two that break everyday git can be named. */
export function scopeWarnings(token: string, scopes: readonly string[] | null): string[] {
  if (tokenKind(token) !== 'classic' || scopes === null) return [];
  const warnings: string[] = [];
  if (!scopes.includes('repo')) warnings.push("the token lacks the 'repo' scope: cloning, pulling or pushing private repositories will fail");
  if (!scopes.includes('workflow')) warnings.push("the token lacks the 'workflow' scope: pushing changes to .github/workflows will fail");
  return warnings;
}

/** Stdin, up to a sane size, with one final line ending removed (echo and password managers add one). */
async function readToken(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += buffer.length;
    if (size > MAX_TOKEN_BYTES) throw new UsageError('standard input is too large to be a token');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function checkedToken(token: string): string {
  if (token === '') throw new UsageError('the token is empty');
  if (/\s/.test(token)) throw new UsageError('the token contains spaces or line breaks; give only the token itself');
  if (/[\0-\x1f\x7f]/.test(token)) throw new UsageError('the token contains control characters');
  return token;
}

export function tokenCreationUrl(host: string, machine = hostname()): string {
  const description = encodeURIComponent(`git-credential-pat on ${machine}`);
  return `https://${host}/settings/tokens/new?scopes=repo,workflow&description=${description}`;
}

async function promptForToken(context: CommandContext, host: string): Promise<string> {
  const terminal = context.terminal;
  if (!terminal) throw new UsageError('no token given: run this on a terminal, or pipe the token in with --with-token');
  const url = tokenCreationUrl(host);
  terminal.say(`GitHub wants a personal access token, not your password. Create one here\n(scopes repo and workflow are filled in; pick an expiry date):\n\n  ${url}\n\n`);
  const opener = browserOpener(context.env);
  if (opener && (await terminal.confirm('Open it in your browser?'))) openInBrowser(opener, url);
  const token = await terminal.promptHidden('Paste the token (it will not be shown):');
  if (token === undefined) throw new CommandError('no token entered; nothing was stored');
  return token.trim();
}
