// Which stored account git uses for a host: git's own credential.<url>.username rules
// (`use` writes them, `use --owner` for one owner's repositories), read and changed
// through git so every rule git applies is git's. login, logout and use share this,
// so that every account change leaves git's routing true (as gh's auth commands do).
import { credentialKeyUrl, urlMatches } from './credential-helpers.js';
import type { ConfigScope, GitConfig } from './git-config.js';
import type { CredentialStore } from './store/credential-store.js';

export interface RoutingRule {
  /** As git prints it, e.g. `credential.https://github.com/my-org.username`. */
  readonly key: string;
  /** The <url> of the key; '' for a plain credential.username, which applies to every host. */
  readonly url: string;
  /** The owner path of `use --owner` (the URL's first path segment), if any. */
  readonly owner: string | undefined;
  readonly username: string;
  readonly scope: string;
}

const USERNAME_KEYS = '^credential\\..*username$';

/** Every credential.<url>.username git reads that applies to https://HOST or a path under it, in git's order. */
export async function routingRules(git: GitConfig, host: string): Promise<RoutingRule[]> {
  const rules: RoutingRule[] = [];
  for (const entry of await git.entries(USERNAME_KEYS)) {
    const url = credentialKeyUrl(entry.key, 'username');
    if (url === undefined || entry.value === null) continue;
    const owner = ownerOf(url, host);
    if (url !== '' && owner === null) continue;
    rules.push({ key: entry.key, url, owner: owner ?? undefined, username: entry.value, scope: entry.scope });
  }
  return rules;
}

/** undefined: the URL is the host itself; a string: an owner path under it; null: another host. */
function ownerOf(url: string, host: string): string | undefined | null {
  if (urlMatches(url, `https://${host}`)) return undefined;
  const match = /^https:\/\/([^/]+)\/(.+?)\/?$/i.exec(url);
  if (!match || !urlMatches(`https://${match[1]}`, `https://${host}`)) return null;
  return match[2]!;
}

/** The host's default account by git's rules (the last matching host-wide rule), if any. */
export function hostDefault(rules: readonly RoutingRule[]): RoutingRule | undefined {
  return rules.filter((r) => r.owner === undefined).at(-1);
}

/** The git config command that removes one rule (what removeRule runs). */
export function removalCommand(rule: Pick<RoutingRule, 'key' | 'scope'>): string {
  return `git config --${rule.scope} --unset-all ${rule.key}`;
}

/** Removes a rule from the config file it is in; false when that file is not one we write (command line, system). */
export async function removeRule(git: GitConfig, rule: RoutingRule): Promise<boolean> {
  if (rule.scope !== 'global' && rule.scope !== 'local') return false;
  await git.unsetAll(rule.scope as ConfigScope, rule.key);
  return true;
}

/**
 * The account git gets for https://HOST when a request names none, and why: the host
 * default rule when it names a stored account, else the most recently stored (src/helper.ts).
 */
export async function accountInUse(git: GitConfig, store: CredentialStore, host: string): Promise<{ username: string; why: string } | undefined> {
  const target = { protocol: 'https', host };
  const accounts = (await store.accounts(target)).map((a) => a.username);
  if (accounts.length === 0) return undefined;
  const rule = hostDefault(await routingRules(git, host));
  if (rule !== undefined) {
    return accounts.includes(rule.username) ? { username: rule.username, why: `${rule.key} names it` } : undefined;
  }
  if (accounts.length === 1) return { username: accounts[0]!, why: 'the only account stored' };
  const recent = await store.mostRecent(target, accounts);
  return recent === undefined ? undefined : { username: recent, why: `the most recently stored of ${accounts.length}` };
}
