// GitLab (gitlab.com and self-managed).
import type { HostProvider } from '../provider.js';
import { rotateGitLabToken } from './rotate.js';
import { GITLAB_MAX_LIFETIME_DAYS, GITLAB_ROTATION_SCOPES } from './rotation-scopes.js';
import { validateGitLabToken } from './validate.js';

const GIT_SCOPES = ['read_repository', 'write_repository'];

export const gitlab: HostProvider = {
  id: 'gitlab',
  label: 'GitLab',
  claimsHost: (host) => host.toLowerCase() === 'gitlab.com',
  apiBase: (host) => `https://${host.toLowerCase()}/api/v4`,
  validate: validateGitLabToken,
  tokenPage(host, machine) {
    const name = encodeURIComponent(`git-credential-pat on ${machine}`);
    return {
      url: `https://${host}/-/user_settings/personal_access_tokens?name=${name}&scopes=${[...GIT_SCOPES, 'read_user'].join(',')}`,
      note: 'scopes read_repository, write_repository and read_user are filled in; pick an expiry date',
    };
  },
  tokenKind: (token) => (/(^|-)glpat-/.test(token) ? { id: 'personal', label: 'GitLab personal access token' } : undefined),
  scopeWarnings(_token, scopes) {
    if (scopes === null || scopes.includes('api')) return [];
    return GIT_SCOPES.filter((scope) => !scopes.includes(scope)).map(
      (scope) => `the token lacks the '${scope}' scope: ${scope === 'read_repository' ? 'cloning and pulling' : 'pushing'} will fail`,
    );
  },
  unlistedScopes: 'not listed',
  expiry: 'reported',
  usernameIs: 'git-username',
  realm: /^GitLab$/i,
  selfRotation: { scopes: GITLAB_ROTATION_SCOPES, maxDays: GITLAB_MAX_LIFETIME_DAYS, rotate: rotateGitLabToken },
};
