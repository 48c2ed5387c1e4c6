// Asks GitHub who a token belongs to: GET /user with `Authorization: token <t>`, the
// scheme GitHub documents for personal access tokens, whatever the token looks like.
// Only a 401 means the token is dead; a 403 (scope, SAML SSO, rate limit) or a
// network failure says nothing about it.
import { apiGet } from '../http.js';
import type { TokenCheck, Validation } from '../provider.js';
import { parseTokenExpiration } from './expiration.js';

export async function validateToken({ token, apiBase, timeoutMs }: TokenCheck): Promise<Validation> {
  const host = new URL(apiBase).host;
  const result = await apiGet(`${apiBase}/user`, { header: 'authorization', scheme: 'token', secret: token }, timeoutMs);
  if (result.kind !== 'answer') return { state: result.kind, message: result.message };
  const { status, header, json } = result;
  if (status === 401) return { state: 'revoked' };
  if (status === 403) {
    if (header('x-ratelimit-remaining') === '0') return { state: 'forbidden', reason: 'rate-limited', message: `${host} rate limit reached; try again later` };
    const sso = header('x-github-sso');
    if (sso !== undefined) {
      const url = ssoAuthorisationUrl(sso);
      return {
        state: 'forbidden',
        reason: 'sso',
        message: url
          ? `an organisation requires SAML single sign-on; authorise the token for it at ${url}`
          : "an organisation requires SAML single sign-on; authorise the token for it on GitHub (Settings, Developer settings, the token's Configure SSO)",
      };
    }
    return { state: 'forbidden', reason: 'other', message: `${host} answered 403 Forbidden` };
  }
  if (status !== 200) return { state: 'unreachable', message: `${host} answered ${status}` };
  const login = (json as { login?: unknown } | undefined)?.login;
  // An answer that names no account is no answer: storing under "" would hand git an empty username.
  if (typeof login !== 'string' || login === '') return { state: 'unreachable', message: `${host} answered without naming the token's account` };
  const expiresAt = parseTokenExpiration(header('github-authentication-token-expiration'));
  return { state: 'valid', login, scopes: parseScopes(header('x-oauth-scopes')), ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/** Classic tokens list their scopes; fine-grained ones send no header at all (null: not listable). */
export function parseScopes(header: string | undefined): string[] | null {
  if (header === undefined) return null;
  return header
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * GitHub's `X-GitHub-SSO: required; url=https://github.com/orgs/ORG/sso?authorization_request=…`
 * (gh prints the same URL). Only a plain https URL of visible characters is passed on: the
 * header reaches a person's terminal, so nothing in it may be a control sequence. Pure.
 */
export function ssoAuthorisationUrl(header: string): string | undefined {
  const [state, ...params] = header.split(';').map((part) => part.trim());
  if (state?.toLowerCase() !== 'required') return undefined;
  const url = params.find((p) => p.toLowerCase().startsWith('url='))?.slice(4);
  if (!url || !/^https:\/\/[\x21-\x7e]+$/.test(url)) return undefined;
  try {
    return new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
