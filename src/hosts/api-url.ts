// Where a forge's REST API lives for a host: the provider's rule, or what git config
// says for that host (credential.<url>.patApiUrl). Pure.
import { UsageError } from '../errors.js';

/** A configured API URL that cannot be used. A setting the person fixes, so a usage error. */
export class ApiUrlError extends UsageError {
  override readonly name = 'ApiUrlError';
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** An API root from configuration: https, or http on a loopback address only; no user info. */
export function checkedApiUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ApiUrlError(`the API URL override ${JSON.stringify(value)} is not a URL`);
  }
  if (url.username || url.password) throw new ApiUrlError('the API URL override must not carry a user name or password');
  if (url.protocol === 'http:' && !LOOPBACK.has(url.hostname)) {
    throw new ApiUrlError(`the API URL override must use https:// (plain http:// is allowed only for 127.0.0.1, ::1 or localhost): ${url.origin}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ApiUrlError(`the API URL override must use https://: ${url.origin}`);
  return url.href.replace(/\/+$/, '');
}
