// Guided token creation at git's prompt: when get finds nothing for a GitHub host
// and a person is at the terminal, explain what GitHub wants, show where to make a
// token, read it hidden, check it exactly as login does, store it, and answer git.
// Bundled on its own (dist/guide.cjs): the common get never loads it.
import { closeSync, openSync, writeSync } from 'node:fs';
import tty from 'node:tty';
import confirm from '@inquirer/confirm';
import password from '@inquirer/password';
import { checkWithGitHub, tokenCreationUrl } from './commands/login.js';
import type { Target } from './credential.js';
import { isWellKnownGitHubHost } from './github/api-url.js';
import { gitConfig, type GitConfig } from './git-config.js';
import type { Answer } from './helper.js';
import type { CredentialStore } from './store/credential-store.js';
import { terminalPresent } from './terminal-present.js';
import { browserOpener, openInBrowser } from './terminal.js';

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

/** github.com, GHE.com hosts, hosts someone logged in to, and hosts with a configured API URL. */
async function isGitHubHost(host: string, git: GitConfig, store: CredentialStore): Promise<boolean> {
  if (isWellKnownGitHubHost(host)) return true;
  if ((await git.getUrlmatch('credential.patApiUrl', `https://${host}`)) !== undefined) return true;
  return (await store.list()).some((c) => c.target.host === host && c.metadata !== undefined);
}

/** Talks to the person on /dev/tty (never stdout: that belongs to git). Undefined: give git nothing. */
export async function guide(request: GuideRequest, deps: GuideDeps): Promise<Answer | undefined> {
  const git = deps.git ?? gitConfig(deps.env);
  const context = { env: deps.env, git, now: deps.now ?? Date.now };
  const screen = openSync('/dev/tty', 'w');
  const output = { write: (text: string) => void writeSync(screen, text) };
  const host = request.target.host;
  try {
    const url = tokenCreationUrl(host);
    output.write(
      `\ngit-credential-pat: ${host} needs a personal access token, not your password.\n` +
        `Create one here (scopes repo and workflow are filled in; pick an expiry date):\n\n  ${url}\n\n`,
    );
    const opener = browserOpener(deps.env);
    if (opener && (await ask((io) => confirm({ message: 'Open it in your browser?', default: true }, io)))) openInBrowser(opener, url);
    for (let attempt = 1; attempt <= MAX_TRIES; attempt++) {
      const token = (await ask((io) => password({ message: 'Paste the token (it will not be shown):' }, io)))?.trim();
      if (!token) return undefined;
      if (/\s/.test(token)) {
        output.write('That has spaces or line breaks in it; paste only the token.\n');
        continue;
      }
      const checked = await checkWithGitHub(context, host, token);
      if (checked.ok) {
        const username = request.username || checked.metadata.login;
        await deps.store.write({ protocol: 'https', host }, username, checked.secret, checked.metadata);
        output.write(`Stored in your keychain for ${checked.metadata.login} on ${host}; git goes on.\n`);
        return { username, secret: checked.secret };
      }
      output.write(`${checked.reason}.${attempt < MAX_TRIES && !checked.retry ? ' Try again.' : ''}\n`);
      if (checked.retry) return undefined;
    }
    return undefined;
  } finally {
    closeSync(screen);
  }
}

type PromptIo = { input: tty.ReadStream; output: tty.WriteStream };

/**
 * A prompt's answer; undefined on Ctrl-C or a closed terminal. Each prompt gets its
 * own terminal streams: the prompt library ends its output stream when it is done.
 */
async function ask<T>(prompt: (io: PromptIo) => Promise<T>): Promise<T | undefined> {
  const input = new tty.ReadStream(openSync('/dev/tty', 'r'));
  const output = new tty.WriteStream(openSync('/dev/tty', 'w'));
  for (const stream of [input, output]) stream.on('error', () => {});
  try {
    return await prompt({ input, output });
  } catch {
    return undefined;
  } finally {
    input.destroy();
    output.destroy();
  }
}

/** The door's entry: guide when a person can be asked, else give git nothing. */
export async function guideIfInteractive(request: GuideRequest, env: NodeJS.ProcessEnv, store: CredentialStore): Promise<Answer | undefined> {
  const git = gitConfig(env);
  if (!(await mayGuide(request, env, git, store))) return undefined;
  return guide(request, { env, store, git });
}
