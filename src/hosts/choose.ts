// Which forge a host runs: its name (github.com, gitlab.com...), else what git config
// records for exactly that host (credential.https://HOST.patProvider, written by
// `login --provider` or by the probe), else, during login only, one unauthenticated
// probe. Otherwise GitHub, as before forges were told apart (Enterprise Server).
import type { CommandContext } from '../commands/context.js';
import { UsageError } from '../errors.js';
import { github } from './github/index.js';
import { hostSetting } from './host-settings.js';
import { probeRealm } from './probe.js';
import type { HostProvider, ProviderId } from './provider.js';
import type { StoredCredential } from '../store/credential-store.js';
import { isProviderId, providerById, providerByRealm, providerClaiming, recognisedKind } from './registry.js';
import { PAT_PROVIDER } from '../setting-names.js';

const PROVIDER_SETTING = PAT_PROVIDER;

type Config = Pick<CommandContext, 'git'>;

/** What git config says for exactly this host, if anything. */
export async function configuredProvider(context: Config, host: string): Promise<HostProvider | undefined> {
  const value = hostSetting(await context.git.entries(`^credential\\..*${PROVIDER_SETTING.toLowerCase()}$`), PROVIDER_SETTING, host);
  if (value === undefined) return undefined;
  if (!isProviderId(value)) throw new UsageError(`credential.https://${host}.${PROVIDER_SETTING} is ${JSON.stringify(value)}; it takes ${providerList()}`);
  return providerById(value);
}

/** For commands that must not touch the network to decide (status, list, doctor, import, the guide). */
export async function providerFor(context: Config, host: string): Promise<HostProvider> {
  return providerClaiming(host) ?? (await configuredProvider(context, host)) ?? github;
}

/**
 * The forge of a stored credential: what was recorded at login, else the host's name or
 * git config, else a forge whose token shape it has; metadata written before forges
 * were told apart was GitHub's. Anything else is a generic host's.
 */
export async function providerOfStored(context: Config, credential: StoredCredential): Promise<HostProvider> {
  const recorded = credential.metadata?.provider;
  if (recorded !== undefined && isProviderId(recorded)) return providerById(recorded);
  const host = credential.target.host;
  const known = providerClaiming(host) ?? (await configuredProvider(context, host).catch(() => undefined));
  if (known) return known;
  if (credential.metadata !== undefined) return github;
  return recognisedKind(credential.secret.password)?.provider ?? providerById('generic');
}

function providerList(): string {
  return 'github, gitlab, gitea, forgejo, bitbucket, azure-devops or generic';
}

export function parseProviderOption(value: string): ProviderId {
  if (!isProviderId(value)) throw new UsageError(`--provider takes ${providerList()}, not ${JSON.stringify(value)}`);
  return value;
}

/**
 * For login: --provider (recorded), the host's name, git config, then one probe of the
 * server that would get the API call (the configured API URL's origin, else
 * https://HOST), recorded when its realm names a forge. Otherwise GitHub Enterprise
 * Server, as an unknown host has always been.
 */
export async function chooseForLogin(
  context: Pick<CommandContext, 'git' | 'env'>,
  host: string,
  named: ProviderId | undefined,
  apiUrl: () => Promise<string | undefined>,
): Promise<HostProvider> {
  if (named !== undefined) {
    await record(context, host, named);
    return providerById(named);
  }
  const known = providerClaiming(host) ?? (await configuredProvider(context, host));
  if (known) return known;
  const configured = await apiUrl();
  const realm = await probeRealm(configured === undefined ? `https://${host}` : new URL(configured).origin);
  const found = realm === undefined ? undefined : providerByRealm(realm);
  if (!found) return github;
  await record(context, host, found.id);
  return found;
}

async function record(context: Config, host: string, id: ProviderId): Promise<void> {
  if (providerClaiming(host)?.id === id) return;
  const current = await configuredProvider(context, host).catch(() => undefined);
  if (current?.id !== id) await context.git.setGlobal(`credential.https://${host}.${PROVIDER_SETTING}`, id);
}
