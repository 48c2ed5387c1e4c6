// Every forge git-credential-pat knows. A new forge is a folder and one line here.
import { github } from './github/index.js';
import type { HostProvider, ProviderId } from './provider.js';

const PROVIDERS: readonly HostProvider[] = [github];

export function providerById(id: ProviderId): HostProvider {
  const provider = PROVIDERS.find((p) => p.id === id);
  if (!provider) throw new Error(`no provider ${id}`);
  return provider;
}

/** The forge a host belongs to by its name alone, if any. */
export function providerClaiming(host: string): HostProvider | undefined {
  return PROVIDERS.find((p) => p.claimsHost(host));
}

/** Until other forges are known, every host is GitHub's (Enterprise Server) when none claims it. */
export function providerFor(host: string): HostProvider {
  return providerClaiming(host) ?? github;
}
