// The environment-token fallback, as GitHub's own CLI reads tokens: when the keychain
// has nothing (CI runners, containers, machines without a Secret Service), `get` may
// answer https://github.com from GH_TOKEN or GITHUB_TOKEN, and https://$GH_HOST from
// GH_ENTERPRISE_TOKEN or GITHUB_ENTERPRISE_TOKEN. Off unless git config turns it on
// (credential.patEnvFallback), so a token exported for gh is never sent by surprise.
import type { Target } from './credential.js';
import { elapsed, type Trace } from './trace.js';
import { nowMs } from './clock.js';
import { PAT_ENV_FALLBACK } from './setting-names.js';

export interface EnvToken {
  readonly token: string;
  /** The variable it came from, for the trace. */
  readonly source: string;
}

const GITHUB_VARIABLES = ['GH_TOKEN', 'GITHUB_TOKEN'] as const;
const ENTERPRISE_VARIABLES = ['GH_ENTERPRISE_TOKEN', 'GITHUB_ENTERPRISE_TOKEN'] as const;

/**
 * The variables that may hold a token for this target, first wins. Only https, only
 * github.com (no port) or exactly $GH_HOST: a github.com token must never reach
 * another host, nor an enterprise token github.com.
 */
export function envTokenVariables(target: Target, env: NodeJS.ProcessEnv): readonly string[] {
  if (target.protocol !== 'https') return [];
  if (target.host === 'github.com') return GITHUB_VARIABLES;
  const ghHost = env.GH_HOST?.toLowerCase();
  return ghHost && ghHost !== 'github.com' && target.host === ghHost ? ENTERPRISE_VARIABLES : [];
}

/** Every non-empty token the environment holds for this target, first wins. Pure. */
export function envTokens(target: Target, env: NodeJS.ProcessEnv): EnvToken[] {
  return envTokenVariables(target, env).flatMap((source) => {
    const token = env[source];
    return token ? [{ token, source }] : [];
  });
}

/** The token the fallback would answer with for this target, if any. Pure. */
export function envToken(target: Target, env: NodeJS.ProcessEnv): EnvToken | undefined {
  return envTokens(target, env)[0];
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
