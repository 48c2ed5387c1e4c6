// Settings that decide where a host's token is sent (credential.<url>.patApiUrl,
// credential.<url>.patProvider) count only when written for exactly that host:
// an unscoped or wildcard one would hand every matching host's token to one place.
import { credentialKeyUrl, urlMatches, type ConfigEntry } from '../credential-helpers.js';
import { ApiUrlError } from './api-url.js';

/** The value set for exactly https://HOST (the last one git reads wins), or undefined. Throws when a broader setting would apply. Pure. */
export function hostSetting(entries: readonly ConfigEntry[], name: string, host: string): string | undefined {
  const exact = `https://${host}`;
  let value: string | undefined;
  for (const entry of entries) {
    const url = credentialKeyUrl(entry.key, name);
    if (url === undefined || entry.value === null) continue;
    if (url.replace(/\/$/, '').replace(/^https:\/\/[^/]+/i, (origin) => origin.replace(/[A-Z]/g, (c) => c.toLowerCase())) === exact) {
      value = entry.value;
    } else if (url === '' || urlMatches(url, exact)) {
      throw new ApiUrlError(
        `${entry.key} (${entry.origin}) would apply to more than one host; a token goes only to its own host's API, so set it per host: git config --global credential.https://${host}.${name} VALUE`,
      );
    }
  }
  return value === '' ? undefined : value;
}
