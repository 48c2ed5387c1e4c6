// Any other HTTPS host: stored as given, never sent to an API, shown as not validated.
import type { HostProvider } from '../provider.js';

export const generic: HostProvider = {
  id: 'generic',
  label: 'a generic host',
  claimsHost: () => false,
  apiBase: () => undefined,
  tokenPage: () => undefined,
  tokenKind: () => undefined,
  scopeWarnings: () => [],
  unlistedScopes: 'unknown (not validated)',
  expiry: 'asked',
  usernameIs: 'git-username',
};
