// Bitbucket Cloud with Atlassian API tokens. The REST API wants the Atlassian account's
// email with the token (Basic email:token) and answers with the Bitbucket username, which
// is what git sends. No endpoint tells a token its scopes or expiry.
import { apiGet } from '../http.js';
import type { HostProvider, TokenCheck, Validation } from '../provider.js';

async function validateBitbucketToken({ token, apiBase, timeoutMs, account }: TokenCheck): Promise<Validation> {
  const host = new URL(apiBase).host;
  if (!account) return { state: 'unusable', message: 'Bitbucket checks an API token only with your Atlassian account email, and none was given for it' };
  const result = await apiGet(`${apiBase}/user`, { header: 'authorization', scheme: 'Basic', user: account, secret: token }, timeoutMs);
  if (result.kind !== 'answer') return { state: result.kind, message: result.message };
  if (result.status === 401) return { state: 'revoked' };
  if (result.status === 403) return { state: 'forbidden', reason: 'scope', message: `${host} answered 403: the token needs the read:user:bitbucket scope` };
  if (result.status !== 200) return { state: 'unreachable', message: `${host} answered ${result.status}` };
  const username = (result.json as { username?: unknown } | undefined)?.username;
  if (typeof username !== 'string' || username === '') return { state: 'unreachable', message: `${host} answered without naming the token's account` };
  return { state: 'valid', login: username, scopes: null };
}

export const bitbucket: HostProvider = {
  id: 'bitbucket',
  label: 'Bitbucket',
  claimsHost: (host) => host.toLowerCase() === 'bitbucket.org',
  apiBase: (host) => (host.toLowerCase() === 'bitbucket.org' ? 'https://api.bitbucket.org/2.0' : undefined),
  validate: validateBitbucketToken,
  tokenPage: () => ({
    url: 'https://id.atlassian.com/manage-profile/security/api-tokens',
    note: 'nothing can be filled in: "Create API token with scopes", pick Bitbucket, then read:repository:bitbucket, write:repository:bitbucket and read:user:bitbucket, and note the expiry date it shows',
  }),
  tokenKind: (token) =>
    token.startsWith('ATATT') ? { id: 'api-token', label: 'Atlassian API token' } : token.startsWith('ATBB') ? { id: 'app-password', label: 'Bitbucket app password (retired in 2026)' } : undefined,
  scopeWarnings: () => [],
  unlistedScopes: 'not listable (Bitbucket tells no token its scopes)',
  expiry: 'asked',
  usernameIs: 'api-account',
  realm: /^Atlassian Bitbucket$/i,
};
