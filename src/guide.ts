// Guided token creation at git's prompt: when get finds nothing for a GitHub host
// and a person is at the terminal, explain what GitHub wants, show where to make a
// token, read it hidden, check it exactly as login does, store it, and answer git.
// Bundled on its own (dist/guide.cjs): the common get never loads it.
import type { Target } from './credential.js';
import { checkNewToken } from './hosts/check.js';
import { configuredProvider, providerFor } from './hosts/choose.js';
import { providerClaiming } from './hosts/registry.js';
import { parseExpiryDate } from './expiry.js';
import { gitConfig, type GitConfig } from './git-config.js';
import type { Answer } from './helper.js';
import type { CredentialStore } from './store/credential-store.js';
import { terminalPromptAllowed } from './git-boolean.js';
import { isHostName } from './hosts/host-name.js';
import { hostSetting } from './hosts/host-settings.js';
import { terminalPresent } from './terminal-present.js';
import { openTtyTerminal, type Terminal } from './terminal.js';
import { MAX_TRIES, readPastedToken, showTokenPage } from './token-prompt.js';
import { GIT_INTERACTIVE, PAT_API_URL, PAT_GUIDE } from './setting-names.js';

export { MAX_TRIES };

export interface GuideRequest {
  readonly target: Target;
  readonly username?: string;
}

export interface GuideDeps {
  readonly env: NodeJS.ProcessEnv;
  readonly store: CredentialStore;
  readonly git?: GitConfig;
  readonly now?: () => number;
}

/**
 * Only for a person: the host is a plain host[:port] (git hands over what a URL's
 * %2f decodes to), /dev/tty opens, git may prompt (GIT_TERMINAL_PROMPT and
 * credential.interactive, read by git's boolean rules), and the feature is on
 * (credential.patGuide). Everyone else (IDEs, CI, cron, git's test suites) sees get
 * exactly as silent as before.
 */
export async function mayGuide(
  request: GuideRequest,
  env: NodeJS.ProcessEnv,
  git: GitConfig,
  store: CredentialStore,
  hasTerminal: () => boolean = terminalPresent,
): Promise<boolean> {
  const { target } = request;
  if (target.protocol !== 'https' || !isHostName(target.host)) return false;
  if (!terminalPromptAllowed(env) || !hasTerminal()) return false;
  const url = `https://${target.host}`;
  const [interactive, enabled] = await Promise.all([git.getUrlmatchBool(GIT_INTERACTIVE, url), git.getUrlmatchBool(PAT_GUIDE, url)]);
  // Unset means yes, as in git; a value git refuses means no.
  if (interactive === false || interactive === 'invalid' || enabled === false || enabled === 'invalid') return false;
  return isForgeHost(target.host, git, store);
}

/** Hosts a forge claims by name, hosts someone logged in to, and hosts with a configured API URL. */
async function isForgeHost(host: string, git: GitConfig, store: CredentialStore): Promise<boolean> {
  if (providerClaiming(host)) return true;
  if (await configuredProvider({ git }, host).catch(() => undefined)) return true;
  try {
    if (hostSetting(await git.entries(`^credential\\..*${PAT_API_URL.toLowerCase()}$`), PAT_API_URL, host) !== undefined) return true;
  } catch {
    // A setting for more than one host names no forge for this one.
    return false;
  }
  return (await store.list()).some((c) => c.target.host === host && c.metadata !== undefined);
}

/** Talks to the person on /dev/tty (never stdout: that belongs to git). Undefined: give git nothing. */
export async function guide(request: GuideRequest, deps: GuideDeps): Promise<Answer | undefined> {
  const git = deps.git ?? gitConfig(deps.env);
  const context = { env: deps.env, git, now: deps.now ?? Date.now };
  const terminal = openTtyTerminal();
  const host = request.target.host;
  // Nothing forge-specific happens for a host that is not one (evil.example/x.ghe.com).
  if (!isHostName(host)) return undefined;
  const provider = await providerFor(context, host);
  if (!provider.validate) return undefined;
  await showTokenPage(terminal, provider, host, deps.env);
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const pasted = await readPastedToken(terminal);
    if (!pasted) return undefined;
    if ('problem' in pasted) {
      terminal.say(`${pasted.problem}.\n`);
      continue;
    }
    const account = provider.usernameIs === 'api-account' ? await terminal.promptLine(`Your ${provider.label} account email (its API checks the token with it):`) : undefined;
    const checked = await checkNewToken(context, { host, token: pasted.token, provider, account });
    if (checked.ok) {
      const login = checked.login ?? request.username;
      if (login === undefined) {
        terminal.say(`${provider.label} did not say whose token this is: give it the read_user scope, or run git-credential-pat login --host ${host} --username NAME.\n`);
        return undefined;
      }
      const expiresAt = provider.expiry === 'asked' ? await askExpiry(terminal, provider.label, context.now()) : undefined;
      const username = provider.usernameIs === 'api-account' ? login : request.username || login;
      const secret = expiresAt === undefined ? checked.secret : { ...checked.secret, passwordExpiryUtc: expiresAt };
      const metadata = { ...checked.metadata, login, ...(expiresAt === undefined ? {} : { expiresAt }), ...(account === undefined ? {} : { account }) };
      await deps.store.write({ protocol: 'https', host }, username, secret, metadata);
      terminal.say(`Stored in your keychain for ${login} on ${host}; git goes on.\n`);
      return { username, secret };
    }
    terminal.say(`${checked.reason}.${attempt < MAX_TRIES && !checked.retry ? ' Try again.' : ''}\n`);
    if (checked.retry) return undefined;
  }
  return undefined;
}

/** The date the forge showed, where its API will not tell it; empty: none given. */
async function askExpiry(terminal: Terminal, label: string, nowMs: number): Promise<number | undefined> {
  for (;;) {
    const answer = await terminal.promptLine(`The expiry date ${label} showed for it (YYYY-MM-DD; Enter if none):`);
    if (answer === undefined) return undefined;
    try {
      return parseExpiryDate(answer, nowMs);
    } catch (error) {
      terminal.say(`${(error as Error).message.replace(/^--expires/, 'the date')}.\n`);
    }
  }
}

/** The door's entry: guide when a person can be asked, else give git nothing. */
export async function guideIfInteractive(request: GuideRequest, env: NodeJS.ProcessEnv, store: CredentialStore): Promise<Answer | undefined> {
  const git = gitConfig(env);
  if (!(await mayGuide(request, env, git, store))) return undefined;
  return guide(request, { env, store, git });
}
