// Guided token creation at git's prompt: when get finds nothing for a GitHub host
// and a person is at the terminal, explain what GitHub wants, show where to make a
// token, read it hidden, check it exactly as login does, store it, and answer git.
// Bundled on its own (dist/guide.cjs): the common get never loads it.
import type { Target } from './credential.js';
import { checkNewToken } from './hosts/check.js';
import { providerClaiming, providerFor } from './hosts/registry.js';
import { gitConfig, type GitConfig } from './git-config.js';
import type { Answer } from './helper.js';
import type { CredentialStore } from './store/credential-store.js';
import { terminalPresent } from './terminal-present.js';
import { openTtyTerminal } from './terminal.js';
import { readPastedToken, showTokenPage } from './token-prompt.js';

export const MAX_TRIES = 3;

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

const FALSE = /^(false|no|off|0|never)$/i;

/**
 * Only for a person: /dev/tty opens, git may prompt (GIT_TERMINAL_PROMPT,
 * credential.interactive), and the feature is on (credential.patGuide). Everyone
 * else (IDEs, CI, cron, git's test suites) sees get exactly as silent as before.
 */
export async function mayGuide(request: GuideRequest, env: NodeJS.ProcessEnv, git: GitConfig, store: CredentialStore): Promise<boolean> {
  const { target } = request;
  if (target.protocol !== 'https' || env.GIT_TERMINAL_PROMPT === '0') return false;
  if (!terminalPresent()) return false;
  const url = `https://${target.host}`;
  const [interactive, enabled] = await Promise.all([git.getUrlmatch('credential.interactive', url), git.getUrlmatch('credential.patGuide', url)]);
  if ((interactive !== undefined && FALSE.test(interactive)) || (enabled !== undefined && FALSE.test(enabled))) return false;
  return isGitHubHost(target.host, git, store);
}

/** Hosts a forge claims by name, hosts someone logged in to, and hosts with a configured API URL. */
async function isGitHubHost(host: string, git: GitConfig, store: CredentialStore): Promise<boolean> {
  if (providerClaiming(host)) return true;
  if ((await git.getUrlmatch('credential.patApiUrl', `https://${host}`)) !== undefined) return true;
  return (await store.list()).some((c) => c.target.host === host && c.metadata !== undefined);
}

/** Talks to the person on /dev/tty (never stdout: that belongs to git). Undefined: give git nothing. */
export async function guide(request: GuideRequest, deps: GuideDeps): Promise<Answer | undefined> {
  const git = deps.git ?? gitConfig(deps.env);
  const context = { env: deps.env, git, now: deps.now ?? Date.now };
  const terminal = openTtyTerminal();
  const host = request.target.host;
  await showTokenPage(terminal, providerFor(host), host, deps.env);
  for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
    const pasted = await readPastedToken(terminal);
    if (!pasted) return undefined;
    if ('problem' in pasted) {
      terminal.say(`${pasted.problem}.\n`);
      continue;
    }
    const checked = await checkNewToken(context, host, pasted.token);
    if (checked.ok) {
      const username = request.username || checked.metadata.login;
      await deps.store.write({ protocol: 'https', host }, username, checked.secret, checked.metadata);
      terminal.say(`Stored in your keychain for ${checked.metadata.login} on ${host}; git goes on.\n`);
      return { username, secret: checked.secret };
    }
    terminal.say(`${checked.reason}.${attempt < MAX_TRIES && !checked.retry ? ' Try again.' : ''}\n`);
    if (checked.retry) return undefined;
  }
  return undefined;
}

/** The door's entry: guide when a person can be asked, else give git nothing. */
export async function guideIfInteractive(request: GuideRequest, env: NodeJS.ProcessEnv, store: CredentialStore): Promise<Answer | undefined> {
  const git = gitConfig(env);
  if (!(await mayGuide(request, env, git, store))) return undefined;
  return guide(request, { env, store, git });
}
