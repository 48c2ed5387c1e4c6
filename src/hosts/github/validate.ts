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
    if (header('x-github-sso') !== undefined) {
      return { state: 'forbidden', reason: 'sso', message: 'an organisation requires SAML single sign-on: authorise the token for it on GitHub' };
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
