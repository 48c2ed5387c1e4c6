// Azure DevOps (dev.azure.com/ORG and ORG.visualstudio.com). A PAT proves itself on
// GET {org}/_apis/connectionData, which names the authenticated user; bad credentials
// may come back as 203 with an HTML sign-in page rather than 401. No PAT can read its own
// scopes or expiry.
import { apiGet } from '../http.js';
import type { HostProvider, TokenCheck, Validation } from '../provider.js';

interface ConnectionData {
  readonly authenticatedUser?: { readonly providerDisplayName?: unknown; readonly properties?: { readonly Account?: { readonly $value?: unknown } } };
}

async function validateAzureToken({ token, apiBase, timeoutMs }: TokenCheck): Promise<Validation> {
  const host = new URL(apiBase).host;
  const result = await apiGet(`${apiBase}/_apis/connectionData`, { header: 'authorization', scheme: 'Basic', user: '', secret: token }, timeoutMs);
  if (result.kind !== 'answer') return { state: result.kind, message: result.message };
  if (result.status === 401 || result.status === 203) return { state: 'revoked' };
  if (result.status !== 200 || result.json === undefined) return { state: 'unreachable', message: `${host} answered ${result.status}` };
  const user = (result.json as ConnectionData).authenticatedUser;
  const account = user?.properties?.Account?.$value;
  const name = typeof account === 'string' && account !== '' ? account : user?.providerDisplayName;
  // The anonymous user is what an unauthenticated request is: the token proved nothing.
  if (typeof name !== 'string' || name === '' || /^anonymous$/i.test(name)) return { state: 'revoked' };
  return { state: 'valid', login: name, scopes: null };
}

function isAzureHost(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'dev.azure.com' || name.endsWith('.visualstudio.com');
}

export const azureDevOps: HostProvider = {
  id: 'azure-devops',
  label: 'Azure DevOps',
  claimsHost: isAzureHost,
  // dev.azure.com needs the organisation: credential.https://dev.azure.com.patApiUrl https://dev.azure.com/ORG
  apiBase: (host) => (host.toLowerCase().endsWith('.visualstudio.com') ? `https://${host.toLowerCase()}` : undefined),
  validate: validateAzureToken,
  tokenPage: (host) => ({
    url: host.toLowerCase().endsWith('.visualstudio.com') ? `https://${host}/_usersSettings/tokens` : 'https://dev.azure.com/ORG/_usersSettings/tokens',
    note: 'put your organisation in place of ORG if the link has one; pick Code (Read & write), and note the expiry date it shows',
  }),
  tokenKind: (token) => (/^[A-Za-z0-9]{76}AZDO[A-Za-z0-9]{4}$/.test(token) ? { id: 'pat', label: 'Azure DevOps personal access token' } : undefined),
  scopeWarnings: () => [],
  unlistedScopes: 'not listable (Azure DevOps tells no PAT its scopes)',
  expiry: 'asked',
  usernameIs: 'git-username',
};
