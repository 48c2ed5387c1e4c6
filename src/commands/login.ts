// login: check a token with its forge and keep it in the keychain.
import { defineCommand, hostOption } from '../cli-spec.js';
import { serviceName } from '../credential.js';
import { CommandError, UsageError } from '../errors.js';
import { expiryJson, parseExpiryDate } from '../expiry.js';
import { checkNewToken, configuredApiUrl, rememberApiUrl } from '../hosts/check.js';
import { chooseForLogin, parseProviderOption } from '../hosts/choose.js';
import { parseHostArgument } from '../hosts/host-name.js';
import type { HostProvider } from '../hosts/provider.js';
import { describeScopes, describeTokenExpiry, kindLabel } from '../presentation.js';
import type { TokenMetadata } from '../store/credential-store.js';
import { checkedToken, MAX_TRIES, readPastedToken, readTokenFromStdin, showTokenPage } from '../token-prompt.js';
import type { ConfigScope } from '../git-config.js';
import { appendHelper, helperState, HELPER_VALUE, setupCommandFor } from '../helper-wiring.js';
import { accountInUse, hostDefault, removeRule, routingRules, type RoutingRule } from '../routing.js';
import type { CommandContext } from './context.js';

export const login = defineCommand({
  description: `
Checks a token with its forge's API and stores it in your keychain for https://HOST
(default github.com), under the token's login (or --username).

The forge is known from the host's name (github.com, gitlab.com, codeberg.org,
bitbucket.org, dev.azure.com), from --provider (recorded as
credential.https://HOST.patProvider), or from one unauthenticated request to the
server. Where the forge's API cannot tell a token's expiry (Bitbucket, Azure DevOps,
generic hosts), give the date it showed with --expires. A generic host's token is
stored unvalidated.

On a terminal without --with-token, it shows where to create a token (scopes filled
in where the forge allows it) and asks for it without echoing, up to 3 times when a
paste is not a token or the forge rejects it. The token is never taken from the
command line.

The new login becomes the account git uses for the host, as with gh: a
credential.https://HOST.username naming another account is changed to it, and login
says how to switch back. When git does not run git-credential-pat for the host,
login says so and gives the setup command; at a terminal it offers to run it.`,
  options: {
    host: hostOption('github.com (default), gitlab.com, codeberg.org, bitbucket.org, dev.azure.com, or your own server'),
    provider: { type: 'string', value: 'NAME', help: 'github, gitlab, gitea, forgejo, bitbucket, azure-devops or generic (recorded for the host)' },
    username: {
      type: 'string',
      value: 'NAME',
      help: "store under this git username instead of the token's login (Bitbucket: your Atlassian account email, which its API wants)",
    },
    expires: { type: 'string', value: 'DATE', help: 'YYYY-MM-DD: the expiry date the forge showed, where its API does not tell it' },
    'with-token': { type: 'boolean', help: 'read the token from standard input (e.g. from a password manager)' },
    'no-verify': { type: 'boolean', help: 'store without asking the forge (needs --username)' },
    json: { type: 'boolean', help: 'print what was stored as JSON on stdout (never the token)' },
  },
  json: {
    shape: 'one object: what was stored, never the token',
    fields: [
      { name: 'provider', help: 'the forge: github, gitlab, gitea, forgejo, bitbucket, azure-devops or generic' },
      { name: 'host', help: 'the host the token is stored for (https://HOST)' },
      { name: 'username', help: 'the git username it is stored under' },
      { name: 'login', help: 'the account the forge named for the token; null when not validated' },
      { name: 'kind', help: "the token's kind from its shape (classic, fine-grained, personal, api-token...) or unknown" },
      { name: 'scopes', help: 'the scopes the forge reported; null when not listable or not checked' },
      { name: 'expires', help: 'expiry date (YYYY-MM-DD, UTC) the forge reported or --expires gave; null when none' },
      { name: 'verified', help: 'whether the forge confirmed the token (false with --no-verify and for generic hosts)' },
      { name: 'service', help: "the keychain item's service name (its account is the username)" },
    ],
  },
  examples: [
    { command: 'git-credential-pat login' },
    { command: 'pass show github/token | git-credential-pat login --with-token' },
    { command: 'git-credential-pat login --host gitlab.example.com --provider gitlab' },
    { command: 'git-credential-pat login --host bitbucket.org --username me@example.com --expires 2026-12-31' },
    { command: 'git-credential-pat login --host git.example.com --provider generic --username me --with-token' },
  ],
  async run({ values }, context) {
    const host = parseHostArgument(values.host ?? 'github.com');
    const named = values.host !== undefined;
    const expiresAt = values.expires === undefined ? undefined : parseExpiryDate(values.expires, context.now());
    const chosen = values.provider === undefined ? undefined : parseProviderOption(values.provider);
    const provider = await chooseForLogin(context, host, chosen, () => configuredApiUrl(context, host, named));

    checkUsername(provider, values.username);
    if (expiresAt !== undefined && provider.expiry !== 'asked') {
      throw new UsageError(
        provider.expiry === 'never' ? `${provider.label} tokens never expire: --expires does not apply` : `${provider.label} tells each token's expiry itself: --expires does not apply`,
      );
    }
    const unvalidated = values['no-verify'] === true || !provider.validate;
    if (!unvalidated && provider.usernameIs === 'api-account' && values.username === undefined) {
      throw new UsageError(`${provider.label} checks an API token only with your Atlassian account email: give it with --username EMAIL`);
    }
    if (unvalidated && values.username === undefined) {
      throw new UsageError(`${values['no-verify'] ? '--no-verify' : `a ${provider.id} host`} needs --username: without asking the forge there is no login to store the token under`);
    }

    const interactive = values['with-token'] !== true;
    const paste = interactive ? await tokenPrompt(context, provider, host) : undefined;
    let token = checkedToken(paste ? await paste.next() : await readTokenFromStdin(context.stdin));
    const target = { protocol: 'https', host };
    const expiry = expiresAt === undefined ? {} : { expiresAt };
    const secretExpiry = expiresAt === undefined ? {} : { passwordExpiryUtc: expiresAt };

    if (unvalidated) {
      const username = values.username!;
      // What the person told us is kept (forge, expiry); nothing says the forge confirmed it.
      const metadata = expiresAt === undefined && provider.id !== 'generic' ? undefined : { provider: provider.id, login: username, scopes: null, ...expiry };
      await context.store().write(target, username, { password: token, ...secretExpiry }, metadata ?? 'drop');
      if (named) await rememberApiUrl(context, host);
      if (values.json) await context.out(loginJson(provider, host, username, token, metadata, false));
      else await context.out(`Stored an unvalidated ${kindLabel(provider, token)} for ${username} on ${host} (not validated with ${provider.label}).\n`);
      await afterLogin(context, host, username, values.json === true);
      return 0;
    }

    const account = provider.usernameIs === 'api-account' ? values.username : undefined;
    let checked = await checkNewToken(context, { host, token, provider, named, account });
    // At a terminal a mistyped or wrong paste gets another try, as at git's prompt (src/guide.ts).
    while (!checked.ok && !checked.retry && paste?.canRetry()) {
      context.terminal!.say(`${checked.reason}. Try again.\n`);
      token = checkedToken(await paste.next());
      checked = await checkNewToken(context, { host, token, provider, named, account });
    }
    if (!checked.ok) throw new CommandError(`${checked.reason}. Nothing was stored${checked.retry ? '; use --no-verify --username NAME to store it anyway' : ''}.`);
    const login = checked.login ?? values.username;
    if (login === undefined) {
      throw new CommandError(`${provider.label} did not say whose token this is (it needs the read_user scope for that); give the git username with --username NAME. Nothing was stored.`);
    }
    const username = provider.usernameIs === 'api-account' ? login : (values.username ?? login);
    const metadata: TokenMetadata = {
      ...checked.metadata,
      login,
      ...(provider.expiry === 'asked' ? expiry : {}),
      ...(account === undefined ? {} : { account }),
    };
    const secret = provider.expiry === 'asked' ? { ...checked.secret, ...secretExpiry } : checked.secret;
    await context.store().write(target, username, secret, metadata);
    if (named) await rememberApiUrl(context, host);

    await context.out(values.json ? loginJson(provider, host, username, token, metadata, true) : summary(provider, host, username, token, metadata, context.now()));
    for (const warning of provider.scopeWarnings(token, metadata.scopes)) context.err(`warning: ${warning}\n`);
    await afterLogin(context, host, username, values.json === true);
    return 0;
  },
});

function checkUsername(provider: HostProvider, username: string | undefined): void {
  if (username === undefined) return;
  if (provider.usernameIs === 'api-account') {
    if (!/^[^\s:/@]+@[^\s:/@]+$/.test(username)) throw new UsageError(`--username takes your Atlassian account email for ${provider.label}`);
  } else if (!/^[^\s:/@]+$/.test(username)) {
    throw new UsageError('--username takes a plain user name (no spaces, ":", "/" or "@")');
  }
}

function summary(provider: HostProvider, host: string, username: string, token: string, metadata: TokenMetadata, nowMs: number): string {
  const as = username === metadata.login ? metadata.login : `${metadata.login} (stored as ${username})`;
  const lines = [
    `Logged in to ${host} (${provider.label}) as ${as}.`,
    `  token    ${kindLabel(provider, token)}`,
    `  scopes   ${describeScopes(metadata.scopes, provider)}`,
    `  expires  ${describeTokenExpiry(provider, metadata.expiresAt, nowMs)}`,
    `Stored in your keychain as ${serviceName({ protocol: 'https', host })} (account ${username}).`,
  ];
  return `${lines.join('\n')}\n`;
}

/** --json: the fields the spec documents, in that order. */
function loginJson(provider: HostProvider, host: string, username: string, token: string, metadata: TokenMetadata | undefined, verified: boolean): string {
  const view = {
    provider: provider.id,
    host,
    username,
    login: verified ? (metadata?.login ?? null) : null,
    kind: provider.tokenKind(token)?.id ?? 'unknown',
    scopes: metadata?.scopes ?? null,
    expires: expiryJson(metadata?.expiresAt),
    verified,
    service: serviceName({ protocol: 'https', host }),
  };
  return `${JSON.stringify(view, null, 2)}\n`;
}

/** The hidden prompt at a terminal: up to MAX_TRIES pastes in all, each checked for shape. */
async function tokenPrompt(context: CommandContext, provider: HostProvider, host: string): Promise<{ next(): Promise<string>; canRetry(): boolean }> {
  const terminal = context.terminal;
  if (!terminal) throw new UsageError('no token given: run this on a terminal, or pipe the token in with --with-token');
  await showTokenPage(terminal, provider, host, context.env);
  let tries = 0;
  return {
    canRetry: () => tries < MAX_TRIES,
    async next() {
      for (;;) {
        tries++;
        const pasted = await readPastedToken(terminal);
        if (pasted === undefined) throw new CommandError('no token entered; nothing was stored');
        if (!('problem' in pasted)) return pasted.token;
        if (tries >= MAX_TRIES) throw new UsageError(`${pasted.problem}; nothing was stored`);
        terminal.say(`${pasted.problem}. Try again.\n`);
      }
    },
  };
}

/**
 * After a token is stored: the new login becomes the account git uses for the host (as
 * gh's auth login does), and git must actually ask us for that host (as gh's login
 * offers to set git up). Said on stdout, or stderr beside --json.
 */
async function afterLogin(context: CommandContext, host: string, username: string, json: boolean): Promise<void> {
  const say = async (text: string) => (json ? context.err(text) : context.out(text));
  const rules = await routingRules(context.git, host);
  const rule = hostDefault(rules);
  if (rule !== undefined && rule.username !== username) {
    // A plain credential.username is every host's, and a system or command-line one not ours to change: named, not touched.
    if (rule.url !== '' && (await setRule(context, rule, username))) {
      await say(`git now uses ${username} for ${host} (${rule.key} named ${rule.username}); switch back: git-credential-pat use ${rule.username} --host ${host}\n`);
    } else {
      await say(`git still uses ${rule.username} for ${host} (${rule.key}, ${rule.scope} config); switch: git-credential-pat use ${username} --host ${host}\n`);
    }
  } else if (rule === undefined) {
    // Without a rule git takes the most recently stored account, and storing a token again
    // keeps an account's place: a returning login is made the host's default explicitly.
    const inUse = await accountInUse(context.git, context.store(), host);
    if (inUse && inUse.username !== username) {
      const key = `credential.https://${host}.username`;
      await context.git.setGlobal(key, username);
      await say(`git now uses ${username} for ${host} (git config --global ${key} ${username}; it used ${inUse.username}, ${inUse.why}); switch back: git-credential-pat use ${inUse.username} --host ${host}\n`);
    }
  }
  for (const owner of rules.filter((r) => r.owner !== undefined && r.username !== username)) {
    await say(`${owner.owner}/ repositories still use ${owner.username} (${owner.key}); change: git-credential-pat use ${username} --owner ${owner.owner} --host ${host}\n`);
  }
  await checkWiring(context, host, say);
}

async function setRule(context: CommandContext, rule: RoutingRule, username: string): Promise<boolean> {
  if (!(await removeRule(context.git, rule))) return false;
  await context.git.add(rule.scope as ConfigScope, rule.key, username);
  return true;
}

/** A token git never asks for is no use: say so, give the fix, and at a terminal offer to run it. */
async function checkWiring(context: CommandContext, host: string, say: (text: string) => Promise<void>): Promise<void> {
  const url = `https://${host}`;
  const state = await helperState(context.git, url);
  if (state.ours.length > 0) return;
  const fix = setupCommandFor(host);
  const runs = state.helpers.length === 0 ? 'no credential helper' : state.helpers.map((h) => `'${h.value}'`).join(', ');
  context.err(`warning: git does not ask git-credential-pat for ${url} (it runs ${runs}), so git will not use this token. Fix: ${fix}\n`);
  // With other helpers in the way, setup itself asks how to order them.
  if (!context.terminal || state.others.length > 0) return;
  if (!(await context.terminal.confirm(`Run it now (adds credential.${url}.helper = ${HELPER_VALUE} to your global git config)?`))) return;
  const file = await appendHelper(context.git, context.env, 'global', url, [HELPER_VALUE]);
  const after = await helperState(context.git, url);
  await say(after.ours.length > 0 ? `Configured git: appended credential.${url}.helper = ${HELPER_VALUE} to ${file}\n` : `git still does not run git-credential-pat for ${url}; see: git-credential-pat doctor --host ${host}\n`);
}
