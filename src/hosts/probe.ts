// The one unauthenticated probe login may send to a server no host name or setting
// explains: a git smart-HTTP request for a repository that cannot exist, whose 401 names
// the forge in its realm (`Basic realm="GitLab"`). Within 2 s, no redirect, no
// credential sent; never during get.

const PROBE_TIMEOUT_MS = 2000;

/** The realm of the host's 401, or undefined (no 401, no realm, no answer in time). */
export async function probeRealm(origin: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<string | undefined> {
  try {
    const response = await fetch(`${origin}/git-credential-pat-probe.git/info/refs?service=git-upload-pack`, {
      redirect: 'manual',
      headers: { 'user-agent': 'git-credential-pat' },
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    if (response.status !== 401) return undefined;
    return parseRealm(response.headers.get('www-authenticate') ?? '');
  } catch {
    return undefined;
  }
}

/** `Basic realm="GitLab"` → GitLab. Pure. */
export function parseRealm(header: string): string | undefined {
  return /\brealm="([^"]*)"/i.exec(header)?.[1];
}
