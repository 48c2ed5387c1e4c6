// The one HTTP client every forge's validation goes through. It refuses a secret that
// cannot be a header value before any header is built, follows no redirect (a token
// goes to the URL it was meant for and nowhere else), and never passes on a library's
// message: those can quote the request, and the request holds the token.

/** How the secret is carried: `Authorization: <scheme> <secret>`, or a header of its own (GitLab's PRIVATE-TOKEN). */
export type Credentials =
  | { readonly header: 'authorization'; readonly scheme: 'token' | 'Bearer'; readonly secret: string }
  | { readonly header: 'authorization'; readonly scheme: 'Basic'; readonly user: string; readonly secret: string }
  | { readonly header: 'private-token'; readonly secret: string };

export type ApiResult =
  | { readonly kind: 'answer'; readonly status: number; readonly header: (name: string) => string | undefined; readonly json: unknown }
  | { readonly kind: 'unusable'; readonly message: string }
  | { readonly kind: 'unreachable'; readonly message: string };

const MAX_BODY_BYTES = 1024 * 1024;

/** Visible ASCII only: anything else (CR, LF, NUL, spaces, non-ASCII) is refused before it nears a header. Pure. */
export function headerSafe(value: string): boolean {
  return /^[\x21-\x7e]+$/.test(value);
}

function headerValue(credentials: Credentials): string {
  if (credentials.header === 'private-token') return credentials.secret;
  if (credentials.scheme === 'Basic') return `Basic ${Buffer.from(`${credentials.user}:${credentials.secret}`).toString('base64')}`;
  return `${credentials.scheme} ${credentials.secret}`;
}

/** GET a JSON API with a token. The host named in messages is the URL's, never anything from the answer. */
export async function apiGet(url: string, credentials: Credentials | undefined, timeoutMs: number): Promise<ApiResult> {
  const result = await apiRequest('GET', url, credentials, timeoutMs);
  return result.kind === 'cut' ? { kind: 'unreachable', message: result.message } : result;
}

/**
 * An answer whose status line came but whose body did not (the connection closed or
 * timed out part-way). For a request that changes something (a rotation) this differs
 * from no answer at all: the server did act.
 */
export type SendResult = ApiResult | { readonly kind: 'cut'; readonly status: number; readonly message: string };

/** POST a JSON body with a token: as apiGet, telling a cut-off answer apart from none. */
export function apiPost(url: string, credentials: Credentials, body: Readonly<Record<string, string>>, timeoutMs: number): Promise<SendResult> {
  return apiRequest('POST', url, credentials, timeoutMs, JSON.stringify(body));
}

async function apiRequest(method: 'GET' | 'POST', url: string, credentials: Credentials | undefined, timeoutMs: number, body?: string): Promise<SendResult> {
  if (credentials && (!headerSafe(credentials.secret) || ('user' in credentials && /[\0-\x1f\x7f:]/.test(credentials.user)))) {
    return { kind: 'unusable', message: 'the token contains spaces, control or non-ASCII characters, so it cannot be sent in an HTTP header' };
  }
  const host = new URL(url).host;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'git-credential-pat' };
  if (credentials) headers[credentials.header] = headerValue(credentials);
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }), redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { kind: 'unreachable', message: failure(error, host, timeoutMs) };
  }
  if (response.status >= 300 && response.status < 400) {
    await response.body?.cancel();
    return { kind: 'unreachable', message: `${host} answered ${response.status} (a redirect, which is not followed with a token)` };
  }
  let text: string | undefined;
  try {
    text = await boundedText(response, MAX_BODY_BYTES);
  } catch (error) {
    return { kind: 'cut', status: response.status, message: `${host} answered ${response.status} but the answer was cut off (${failure(error, host, timeoutMs)})` };
  }
  // Not read is not unanswered: for a request that changes something, the server did act.
  if (text === undefined) return { kind: 'cut', status: response.status, message: `${host} sent an answer larger than ${MAX_BODY_BYTES / 1024 / 1024} MiB, which was not read` };
  const json = parseJson(text);
  return { kind: 'answer', status: response.status, header: (name) => response.headers.get(name) ?? undefined, json };
}

/**
 * The body as text, or undefined once it passes `limit` bytes: reading stops there and
 * the connection is dropped, so a forge (or anything posing as one) that sends
 * gigabytes costs us at most the cap, not the whole body held in memory.
 */
async function boundedText(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body.cancel().catch(() => undefined);
    return undefined;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * What a system error code means for a person, in words: the code itself tells only
 * those who already know. Certificate failures are grouped, since the remedy is one.
 */
const NETWORK_WORDS: Readonly<Record<string, string>> = {
  ENOTFOUND: 'its name does not resolve (no network, a mistyped host, or DNS is down)',
  EAI_AGAIN: 'its name could not be resolved just now (DNS did not answer; check the network)',
  ECONNREFUSED: 'nothing listens there (the server is down, or the address or port is wrong)',
  ECONNRESET: 'the connection was cut (a proxy, a firewall or the server dropped it)',
  ETIMEDOUT: 'the connection timed out (a firewall, or no route to it)',
  EHOSTUNREACH: 'there is no route to it (the network is down or blocks it)',
  ENETUNREACH: 'there is no network route (check the network connection)',
  EPIPE: 'the connection was cut (a proxy, a firewall or the server dropped it)',
  UND_ERR_SOCKET: 'the connection was cut (a proxy, a firewall or the server dropped it)',
  UND_ERR_CONNECT_TIMEOUT: 'the connection timed out (a firewall, or no route to it)',
};

const CERTIFICATE_WORDS =
  "its TLS certificate is not trusted here (a proxy that inspects HTTPS, or a self-signed certificate; give Node that CA with NODE_EXTRA_CA_CERTS=FILE)";

/** A system error code in words; anything we have no words for is still named, so it can be looked up. Pure. */
export function networkWords(code: string | undefined): string {
  if (code === undefined) return 'the request failed before any answer came';
  if (NETWORK_WORDS[code]) return NETWORK_WORDS[code];
  if (/CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|HOSTNAME_MISMATCH|SSL/.test(code)) {
    return code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? 'its TLS certificate is for another name (a proxy, or the wrong host)' : CERTIFICATE_WORDS;
  }
  return `the request failed (${code})`;
}

/** Our own words for a failed request: a timeout, or what the system's error code means. */
function failure(error: unknown, host: string, timeoutMs: number): string {
  const chain: Array<{ name?: unknown; code?: unknown }> = [];
  for (let cause = error; cause && typeof cause === 'object' && chain.length < 5; cause = (cause as { cause?: unknown }).cause) {
    chain.push(cause as { name?: unknown; code?: unknown });
  }
  if (chain.some((c) => c.name === 'TimeoutError' || c.name === 'AbortError')) return `${host} did not answer within ${timeoutMs / 1000} s`;
  // The innermost code is the system's own (undici wraps it in codes of its own).
  const code = chain
    .map((c) => c.code)
    .filter((c): c is string => typeof c === 'string' && /^[A-Z0-9_]+$/.test(c))
    .at(-1);
  return `cannot reach ${host}: ${networkWords(code)}`;
}
