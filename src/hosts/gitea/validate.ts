// Gitea and Forgejo: GET /user with `Authorization: token <t>` names the account, if the
// token has read:user. No endpoint lists a token's scopes, and tokens never expire.
import { apiGet } from '../http.js';
import type { TokenCheck, Validation } from '../provider.js';

export async function validateGiteaToken({ token, apiBase, timeoutMs }: TokenCheck): Promise<Validation> {
  const host = new URL(apiBase).host;
  const result = await apiGet(`${apiBase}/user`, { header: 'authorization', scheme: 'token', secret: token }, timeoutMs);
  if (result.kind !== 'answer') return { state: result.kind, message: result.message };
  if (result.status === 401) return { state: 'revoked' };
  if (result.status === 403) {
    return { state: 'forbidden', reason: 'scope', message: `${host} answered 403: the token needs the read:user scope so its account can be learned` };
  }
  if (result.status !== 200) return { state: 'unreachable', message: `${host} answered ${result.status}` };
  const login = (result.json as { login?: unknown } | undefined)?.login;
  if (typeof login !== 'string' || login === '') return { state: 'unreachable', message: `${host} answered without naming the token's account` };
  return { state: 'valid', login, scopes: null };
}
