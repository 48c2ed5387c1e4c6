// Settings that decide where a host's token is sent (credential.<url>.patApiUrl,
// credential.<url>.patProvider) count only when written for exactly that host:
// an unscoped or wildcard one would hand every matching host's token to one place.
// They count only from the config files that are the person's own (system, global,
// and `git -c`), as git reads settings a repository must not decide (safe.directory,
// protected config): a repository's .git/config, or a file it includes, could
// otherwise point github.com's API at any server and collect the token on `status`.
import { credentialKeyUrl, urlMatches, type ConfigEntry } from '../credential-helpers.js';
import { ApiUrlError } from './api-url.js';

/** git's protected configuration: the files that are the person's, not a repository's. */
const PROTECTED_SCOPES: ReadonlySet<string> = new Set(['system', 'global', 'command']);

/** The value set for exactly https://HOST (the last one git reads wins), or undefined. Throws when a broader setting would apply. Pure. */
export function hostSetting(entries: readonly ConfigEntry[], name: string, host: string): string | undefined {
  const exact = `https://${host}`;
  let value: string | undefined;
  for (const entry of entries) {
    const url = credentialKeyUrl(entry.key, name);
    if (url === undefined || entry.value === null) continue;
    const forHost = url.replace(/\/$/, '').replace(/^https:\/\/[^/]+/i, (origin) => origin.replace(/[A-Z]/g, (c) => c.toLowerCase())) === exact;
    if (!PROTECTED_SCOPES.has(entry.scope)) {
      if (forHost || url === '' || urlMatches(url, exact)) {
        throw new ApiUrlError(
          `${entry.key} is set in ${entry.origin} (${entry.scope} config), which a repository can write: where a token goes is taken only from your own config; if you meant it, set it there: git config --global credential.https://${host}.${name} VALUE`,
        );
      }
      continue;
    }
    if (forHost) {
      value = entry.value;
    } else if (url === '' || urlMatches(url, exact)) {
      throw new ApiUrlError(
        `${entry.key} (${entry.origin}) would apply to more than one host; a token goes only to its own host's API, so set it per host: git config --global credential.https://${host}.${name} VALUE`,
      );
    }
  }
  return value === '' ? undefined : value;
}
