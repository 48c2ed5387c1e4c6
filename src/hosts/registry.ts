// Every forge git-credential-pat knows. A new forge is a folder and one line here.
import { azureDevOps } from './azure-devops/index.js';
import { bitbucket } from './bitbucket/index.js';
import { generic } from './generic/index.js';
import { github } from './github/index.js';
import { forgejo, gitea } from './gitea/index.js';
import { gitlab } from './gitlab/index.js';
import { isHostName } from './host-name.js';
import { PROVIDER_IDS, type HostProvider, type ProviderId, type TokenKind } from './provider.js';

const PROVIDERS: Readonly<Record<ProviderId, HostProvider>> = {
  github,
  gitlab,
  gitea,
  forgejo,
  bitbucket,
  'azure-devops': azureDevOps,
  generic,
};

export function providerById(id: ProviderId): HostProvider {
  return PROVIDERS[id];
}

export function isProviderId(value: string): value is ProviderId {
  return (PROVIDER_IDS as readonly string[]).includes(value);
}

/** The forge a plain host[:port] belongs to by its name alone, if any. */
export function providerClaiming(host: string): HostProvider | undefined {
  if (!isHostName(host)) return undefined;
  return Object.values(PROVIDERS).find((p) => p.claimsHost(host));
}

/** What kind of token this is by its shape, and whose, if any forge recognises it. */
export function recognisedKind(token: string): { readonly provider: HostProvider; readonly kind: TokenKind } | undefined {
  for (const provider of Object.values(PROVIDERS)) {
    const kind = provider.tokenKind(token);
    if (kind) return { provider, kind };
  }
  return undefined;
}

/** The forge whose 401 realm this is, if any. */
export function providerByRealm(realm: string): HostProvider | undefined {
  return Object.values(PROVIDERS).find((p) => p.realm?.test(realm));
}
