// Asks GitHub who a token belongs to: GET /user. Only a 401 means the token is dead;
// a 403 (scope, SAML SSO, rate limit) or a network failure says nothing about it.
import { createTokenAuth } from '@octokit/auth-token';
import { request } from '@octokit/request';
import type { Validation } from '../provider.js';
import { parseTokenExpiration } from './expiration.js';

export async function validateToken(token: string, apiBase: string, timeoutMs: number): Promise<Validation> {
  const auth = createTokenAuth(token);
  try {
    const response = await request('GET /user', {
      baseUrl: apiBase,
      request: { hook: auth.hook, signal: AbortSignal.timeout(timeoutMs) },
      headers: { 'user-agent': 'git-credential-pat' },
    });
    const headers = response.headers as Record<string, string | undefined>;
    const expiresAt = parseTokenExpiration(headers['github-authentication-token-expiration']);
    return {
      state: 'valid',
      login: String((response.data as { login?: unknown }).login ?? ''),
      scopes: parseScopes(headers['x-oauth-scopes']),
      ...(expiresAt === undefined ? {} : { expiresAt }),
    };
  } catch (error) {
    return classifyFailure(error, apiBase, timeoutMs);
  }
}

/** Classic tokens list their scopes; fine-grained ones send no header at all (null: not listable). */
export function parseScopes(header: string | undefined): string[] | null {
  if (header === undefined) return null;
  return header
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function classifyFailure(error: unknown, apiBase: string, timeoutMs: number): Validation {
  const e = error as { status?: number; name?: string; response?: { headers?: Record<string, string | undefined>; data?: unknown } };
  const host = new URL(apiBase).host;
  if (causes(error).some((c) => c.name === 'TimeoutError' || c.name === 'AbortError')) {
    return { state: 'unreachable', message: `${host} did not answer within ${timeoutMs / 1000} s` };
  }
  if (e.status === 401) return { state: 'revoked' };
  if (e.status === 403) {
    const headers = e.response?.headers ?? {};
    if (headers['x-ratelimit-remaining'] === '0') {
      return { state: 'forbidden', reason: 'rate-limited', message: `${host} rate limit reached; try again later` };
    }
    if (headers['x-github-sso'] !== undefined) {
      return { state: 'forbidden', reason: 'sso', message: 'an organisation requires SAML single sign-on: authorise the token for it on GitHub' };
    }
    return { state: 'forbidden', reason: 'other', message: `${host} answered 403 Forbidden` };
  }
  if (typeof e.status === 'number' && e.response) {
    return { state: 'unreachable', message: `${host} answered ${e.status}` };
  }
  return { state: 'unreachable', message: `cannot reach ${host} (${networkReason(error)})` };
}

/** The error and its causes, outermost first. */
function causes(error: unknown): Array<{ name?: string; code?: unknown; message?: string }> {
  const chain: Array<{ name?: string; code?: unknown; message?: string }> = [];
  for (let cause = error; cause && typeof cause === 'object' && chain.length < 5; cause = (cause as { cause?: unknown }).cause) {
    chain.push(cause as { name?: string });
  }
  return chain;
}

/** The network error's code (ECONNREFUSED, ENOTFOUND...) or its innermost message; never the request, which holds the token. */
function networkReason(error: unknown): string {
  const chain = causes(error);
  const code = chain.find((c) => typeof c.code === 'string')?.code;
  if (typeof code === 'string') return code;
  return chain.at(-1)?.message?.split('\n', 1)[0] || 'network error';
}
