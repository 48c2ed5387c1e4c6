// Gitea and Forgejo (Codeberg runs Forgejo): one API, two names.
import type { HostProvider, ProviderId } from '../provider.js';
import { validateGiteaToken } from './validate.js';

function giteaLike(id: ProviderId, label: string, hosts: readonly string[]) {
  return {
    id,
    label,
    claimsHost: (host) => hosts.includes(host.toLowerCase()),
    apiBase: (host) => `https://${host.toLowerCase()}/api/v1`,
    validate: validateGiteaToken,
    tokenPage: (host) => ({
      url: `https://${host}/user/settings/applications`,
      note: 'nothing can be filled in: under "Generate new token" pick repository read and write, and user read',
    }),
    // 40 hex characters, no prefix: nothing to recognise (the trace redacts it by value).
    tokenKind: () => undefined,
    scopeWarnings: () => [],
    unlistedScopes: `not listable (${label} tells no token its scopes)`,
    expiry: 'never',
    usernameIs: 'git-username',
  } satisfies HostProvider;
}

// Forgejo's 401 realm still says Gitea, so a probe finds "gitea": the same API either way.
export const gitea: HostProvider = { ...giteaLike('gitea', 'Gitea', []), realm: /^Gitea( \(Basic Auth\))?$/i };
export const forgejo: HostProvider = giteaLike('forgejo', 'Forgejo', ['codeberg.org']);
