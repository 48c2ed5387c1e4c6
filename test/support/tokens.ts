// Tokens shaped like GitHub's, fresh for every call, so a leak test can never pass
// because the value happened to appear nowhere.
import { randomInt } from 'node:crypto';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[randomInt(BASE62.length)];
  return out;
}

/** Every kind GitHub issues, at the lengths GitHub issues them. */
export function githubTokens(): Record<string, string> {
  return {
    classic: `ghp_${base62(36)}`,
    'fine-grained': `github_pat_${base62(22)}_${base62(59)}`,
    oauth: `gho_${base62(36)}`,
    'user-to-server': `ghu_${base62(36)}`,
    'server-to-server': `ghs_${base62(36)}`,
    refresh: `ghr_${base62(76)}`,
  };
}

/** A refresh token, for oauth_refresh_token. */
export function refreshToken(): string {
  return `ghr_${base62(76)}`;
}
