// GitLab's self-rotation: POST /personal_access_tokens/self/rotate with the token in
// PRIVATE-TOKEN (16.10+). GitLab revokes the old token the moment it answers, and
// without expires_at the new one lives a week, so the date is always sent. The
// answer is the new token's record: `token`, `expires_at`, `scopes`.
import { apiPost } from '../http.js';
import type { Rotation, TokenCheck } from '../provider.js';
import { gitlabExpiry } from './validate.js';

export async function rotateGitLabToken({ token, apiBase, timeoutMs }: TokenCheck, expiresOn: string): Promise<Rotation> {
  const host = new URL(apiBase).host;
  const result = await apiPost(`${apiBase}/personal_access_tokens/self/rotate`, { header: 'private-token', secret: token }, { expires_at: expiresOn }, timeoutMs);
  switch (result.kind) {
    case 'unusable':
      return { outcome: 'unusable', message: result.message };
    case 'unreachable':
      return { outcome: 'unknown', message: result.message };
    case 'cut':
      return result.status >= 200 && result.status < 300 ? { outcome: 'lost', message: result.message } : { outcome: 'refused', status: result.status, message: result.message };
  }
  const { status, json } = result;
  if (status === 401) return { outcome: 'rejected' };
  if (status === 403) return { outcome: 'forbidden', message: `${host} answered 403 Forbidden${said(json)}` };
  if (status < 200 || status >= 300) return { outcome: 'refused', status, message: `${host} answered ${status}${said(json)}` };
  const answer = (json ?? {}) as { token?: unknown; expires_at?: unknown; scopes?: unknown };
  // A success without a usable token: GitLab has revoked the old one all the same.
  if (typeof answer.token !== 'string' || !/^[\x21-\x7e]+$/.test(answer.token)) {
    return { outcome: 'lost', message: `${host} answered ${status} without a new token in its answer` };
  }
  const expiresAt = gitlabExpiry(answer.expires_at);
  const scopes = Array.isArray(answer.scopes) ? answer.scopes.filter((s): s is string => typeof s === 'string') : null;
  return { outcome: 'rotated', token: answer.token, scopes, ...(expiresAt === undefined ? {} : { expiresAt }) };
}

/** GitLab's own words (`message`, `error`), short and printable; never more than a line. */
function said(json: unknown): string {
  const body = (json ?? {}) as { message?: unknown; error?: unknown; error_description?: unknown };
  const text = [body.message, body.error_description ?? body.error].find((v) => typeof v === 'string' || (typeof v === 'object' && v !== null));
  if (text === undefined) return '';
  const flat = (typeof text === 'string' ? text : JSON.stringify(text)).replace(/[^\x20-\x7e]+/g, ' ').trim().slice(0, 200);
  return flat === '' ? '' : `: ${flat}`;
}
