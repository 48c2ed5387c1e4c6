// The environment-token fallback, as each forge's own CLI and CI read tokens: when the
// keychain has nothing (CI runners, containers, machines without a Secret Service),
// `get` may answer from the environment. GitHub: https://github.com from GH_TOKEN or
// GITHUB_TOKEN, https://$GH_HOST from GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN.
// GitLab: https://gitlab.com and https://$GITLAB_HOST (glab's variables) from
// GITLAB_TOKEN; inside GitLab CI also the CI server's own host, from GITLAB_TOKEN and
// then CI_JOB_TOKEN (whose username must be gitlab-ci-token). Gitea: https://gitea.com
// and the host of $GITEA_SERVER_URL from GITEA_TOKEN. Each token only for its own
// forge's hosts. Off unless git config turns it on (credential.patEnvFallback), so a
// token exported for a forge's CLI is never sent by surprise. Pure, and tiny: it is
// part of the door's bundle, and read only after the keychain had no answer.
import type { Target } from './credential.js';
import { elapsed, type Trace } from './trace.js';
import { nowMs } from './clock.js';
import { PAT_ENV_FALLBACK } from './setting-names.js';

export interface EnvToken {
  readonly token: string;
  /** The variable it came from, for the trace. */
  readonly source: string;
  /** The username the forge requires with this token (CI_JOB_TOKEN: gitlab-ci-token); absent: any. */
  readonly username?: string;
  /** What to answer as the username when git named none. */
  readonly defaultUsername: string;
  /** Whose token it is, for the trace. */
  readonly forge: string;
}

interface EnvSource {
  readonly variable: string;
  readonly username?: string;
  readonly defaultUsername: string;
  readonly forge: string;
}

const github = (variable: string): EnvSource => ({ variable, defaultUsername: 'x-access-token', forge: 'GitHub' });
// GitLab takes any non-empty username with a personal token; oauth2 also serves OAuth tokens.
const gitlab = (variable: string): EnvSource => ({ variable, defaultUsername: 'oauth2', forge: 'GitLab' });
const GITHUB = [github('GH_TOKEN'), github('GITHUB_TOKEN')];
const ENTERPRISE = [github('GH_ENTERPRISE_TOKEN'), github('GITHUB_ENTERPRISE_TOKEN')];
const GITLAB = [gitlab('GITLAB_TOKEN')];
const GITLAB_JOB: EnvSource = { variable: 'CI_JOB_TOKEN', username: 'gitlab-ci-token', defaultUsername: 'gitlab-ci-token', forge: 'GitLab' };
// Current Gitea ignores the username beside a token (FORGES.md).
const GITEA: readonly EnvSource[] = [{ variable: 'GITEA_TOKEN', defaultUsername: 'x-access-token', forge: 'Gitea' }];

/** Every variable this fallback may read a token from: the trace never shows their values. */
export const ENV_TOKEN_VARIABLES = [...GITHUB, ...ENTERPRISE, ...GITLAB, GITLAB_JOB, ...GITEA].map((s) => s.variable);

/** host[:port] of a variable that may hold a host or an https URL; undefined for anything else. */
function hostOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // Another scheme (http://) matches nowhere: its `:` is no port.
  const match = /^(?:https:\/\/)?([^/\s:@]+(?::\d+)?)\/?$/i.exec(value.trim());
  return match ? match[1]!.toLowerCase().replace(/:443$/, '') : undefined;
}

/** The GitLab CI server's host, only inside a GitLab CI job. */
function gitlabCiHost(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GITLAB_CI !== 'true') return undefined;
  return hostOf(env.CI_SERVER_FQDN) ?? hostOf(env.CI_SERVER_URL) ?? hostOf(env.CI_SERVER_HOST);
}

function sourcesFor(target: Target, env: NodeJS.ProcessEnv): readonly EnvSource[] {
  if (target.protocol !== 'https') return [];
  const host = target.host;
  if (host === 'github.com') return GITHUB;
  const ghHost = env.GH_HOST?.toLowerCase();
  if (ghHost && ghHost !== 'github.com' && host === ghHost) return ENTERPRISE;
  const ciHost = gitlabCiHost(env);
  if (ciHost !== undefined && host === ciHost) return [...GITLAB, GITLAB_JOB];
  if (host === 'gitlab.com' || host === hostOf(env.GITLAB_HOST)) return GITLAB;
  if (host === 'gitea.com' || host === hostOf(env.GITEA_SERVER_URL)) return GITEA;
  return [];
}

/**
 * The variables that may hold a token for this target, first wins. Only https, only
 * the exact host (and port) each forge's variables name: a github.com token must never
 * reach another host, nor an enterprise, GitLab or Gitea token github.com.
 */
export function envTokenVariables(target: Target, env: NodeJS.ProcessEnv): readonly string[] {
  return sourcesFor(target, env).map((s) => s.variable);
}

/** Every non-empty token the environment holds for this target, first wins. Pure. */
export function envTokens(target: Target, env: NodeJS.ProcessEnv): EnvToken[] {
  return sourcesFor(target, env).flatMap(({ variable, username, defaultUsername, forge }) => {
    const token = env[variable];
    return token ? [{ token, source: variable, defaultUsername, forge, ...(username === undefined ? {} : { username }) }] : [];
  });
}

/** The token the fallback would answer with for this target (and the request's username, if any), if any. Pure. */
export function envToken(target: Target, env: NodeJS.ProcessEnv, username?: string): EnvToken | undefined {
  // A token bound to one username never answers a request for another: git would swap users.
  return envTokens(target, env).find((t) => username === undefined || t.username === undefined || t.username === username);
}

export const ENV_FALLBACK_KEY = PAT_ENV_FALLBACK;

/**
 * `git config --type=bool --get-urlmatch credential.patEnvFallback https://HOST`, so it
 * can be set per host (credential.https://github.com.patEnvFallback) or for all.
 * Anything but a clear `true` (unset, invalid, git missing or slow) means off.
 */
export async function envFallbackEnabled(host: string, env: NodeJS.ProcessEnv, trace?: Trace): Promise<boolean> {
  const start = nowMs();
  // Loaded only here: child_process drags in net and more, which the common get never
  // needs. getBuiltinModule (Node 20.16+) also spares this CommonJS bundle the ESM loader.
  const { execFile } = process.getBuiltinModule?.('node:child_process') ?? (await import('node:child_process'));
  const url = `https://${host}`;
  const enabled = await new Promise<boolean>((resolve) => {
    execFile('git', ['config', '--type=bool', '--get-urlmatch', ENV_FALLBACK_KEY, url], { env, timeout: 5000 }, (error, stdout) => {
      resolve(!error && stdout.trim() === 'true');
    });
  });
  trace?.(`git config --get-urlmatch ${ENV_FALLBACK_KEY} ${url}: ${enabled ? 'true' : 'not true'} (${elapsed(start)})`);
  return enabled;
}
