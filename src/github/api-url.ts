// Which REST API serves a GitHub host. Pure.

export class ApiUrlError extends Error {
  override readonly name = 'ApiUrlError';
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/**
 * github.com → api.github.com; GHE.com data residency (`*.ghe.com`) → api.HOST;
 * anything else is GitHub Enterprise Server → https://HOST/api/v3. An override
 * (env or git config) wins; it must be https, or http on a loopback address only.
 */
export function apiBaseUrl(host: string, override?: string): string {
  if (override !== undefined && override !== '') return checkedOverride(override);
  const name = host.toLowerCase();
  if (name === 'github.com') return 'https://api.github.com';
  if (name.endsWith('.ghe.com')) return `https://api.${name}`;
  return `https://${name}/api/v3`;
}

function checkedOverride(value: string): string {
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

/** Hosts we treat as GitHub without being told: github.com and GHE.com data-residency hosts. */
export function isWellKnownGitHubHost(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'github.com' || name.endsWith('.ghe.com');
}

/** `--host` takes a bare host[:port]: no scheme, path, user or whitespace. Lower-cased. */
export function parseHostArgument(value: string): string {
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(value) || value.startsWith('.') || value.startsWith('-')) {
    throw new ApiUrlError(`--host takes a host name such as github.com or ghe.example.com:8443, not ${JSON.stringify(value)}`);
  }
  return value.toLowerCase();
}
