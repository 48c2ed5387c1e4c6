// Which REST API serves a GitHub host. Pure.

/** github.com → api.github.com; GHE.com data residency (`*.ghe.com`) → api.HOST; any other host is Enterprise Server → https://HOST/api/v3. */
export function githubApiBase(host: string): string {
  const name = host.toLowerCase();
  if (name === 'github.com') return 'https://api.github.com';
  if (name.endsWith('.ghe.com')) return `https://api.${name}`;
  return `https://${name}/api/v3`;
}

/** Hosts we treat as GitHub without being told: github.com and GHE.com data-residency hosts. */
export function isWellKnownGitHubHost(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'github.com' || name.endsWith('.ghe.com');
}
