// GitHub (github.com, GHE.com data residency, Enterprise Server).
import type { HostProvider } from '../provider.js';
import { githubApiBase, isWellKnownGitHubHost } from './api-url.js';
import { KIND_LABEL, tokenKind } from './token-kind.js';
import { validateToken } from './validate.js';

export const github: HostProvider = {
  id: 'github',
  label: 'GitHub',
  claimsHost: isWellKnownGitHubHost,
  apiBase: githubApiBase,
  validate: validateToken,
  tokenPage(host, machine) {
    const description = encodeURIComponent(`git-credential-pat on ${machine}`);
    return {
      url: `https://${host}/settings/tokens/new?scopes=repo,workflow&description=${description}`,
      note: 'scopes repo and workflow are filled in; pick an expiry date',
    };
  },
  tokenKind(token) {
    const kind = tokenKind(token);
    return kind === 'unknown' ? undefined : { id: kind, label: KIND_LABEL[kind] };
  },
  scopeWarnings(token, scopes) {
    // Classic tokens list their scopes, so the two that break everyday git can be named.
    if (tokenKind(token) !== 'classic' || scopes === null) return [];
    const warnings: string[] = [];
    if (!scopes.includes('repo')) warnings.push("the token lacks the 'repo' scope: cloning, pulling or pushing private repositories will fail");
    if (!scopes.includes('workflow')) warnings.push("the token lacks the 'workflow' scope: pushing changes to .github/workflows will fail");
    return warnings;
  },
  unlistedScopes: 'fine-grained (permissions not listable)',
  expiry: 'reported',
  usernameIs: 'git-username',
  realm: /^GitHub$/i,
};
