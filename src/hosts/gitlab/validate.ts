// GitLab: GET /personal_access_tokens/self (any scope, 15.5+) tells the token's scopes,
// expiry date and state; GET /user names the account, but only with read_user, read_api
// or api. Tokens travel in GitLab's own PRIVATE-TOKEN header (some deployments refuse
// Bearer).
import { apiGet } from '../http.js';
import type { TokenCheck, Validation } from '../provider.js';

interface SelfAnswer {
  readonly scopes?: unknown;
  readonly expires_at?: unknown;
  readonly active?: unknown;
  readonly revoked?: unknown;
  readonly created_at?: unknown;
}

export async function validateGitLabToken({ token, apiBase, timeoutMs }: TokenCheck): Promise<Validation> {
  const host = new URL(apiBase).host;
  const credentials = { header: 'private-token', secret: token } as const;
  const self = await apiGet(`${apiBase}/personal_access_tokens/self`, credentials, timeoutMs);
  if (self.kind !== 'answer') return { state: self.kind, message: self.message };
  if (self.status === 401) return { state: 'revoked' };
  if (self.status === 400) return { state: 'unreachable', message: `${host} says this is not a personal access token (400)` };
  if (self.status === 403) return { state: 'forbidden', reason: 'other', message: `${host} answered 403 Forbidden` };
  if (self.status !== 200) return { state: 'unreachable', message: `${host} answered ${self.status}` };
  const answer = (self.json ?? {}) as SelfAnswer;
  if (answer.revoked === true || answer.active === false) return { state: 'revoked' };
  const scopes = Array.isArray(answer.scopes) ? answer.scopes.filter((s): s is string => typeof s === 'string') : null;
  const expiresAt = gitlabExpiry(answer.expires_at);

  const user = await apiGet(`${apiBase}/user`, credentials, timeoutMs);
  if (user.kind !== 'answer') return { state: user.kind, message: user.message };
  let login: string | undefined;
  if (user.status === 200) {
    const username = (user.json as { username?: unknown } | undefined)?.username;
    // A 200 that names nobody is a broken answer, not an account called "".
    if (typeof username !== 'string' || username === '') return { state: 'unreachable', message: `${host} answered without naming the token's account` };
    login = username;
  } else if (user.status !== 403) {
    return { state: 'unreachable', message: `${host} answered ${user.status} for the token's user` };
  }
  const createdMs = typeof answer.created_at === 'string' ? Date.parse(answer.created_at) : Number.NaN;
  const createdAt = Number.isNaN(createdMs) ? undefined : Math.floor(createdMs / 1000);
  return { state: 'valid', login, scopes, ...(expiresAt === undefined ? {} : { expiresAt }), ...(createdAt === undefined ? {} : { createdAt }) };
}

/** `expires_at` is a date; the token dies at 00:00 UTC on it. Pure. */
export function gitlabExpiry(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : ms / 1000;
}
