// A fake GitHub REST API on plain HTTP 127.0.0.1 that answers GET /user (and
// the GitHub Enterprise Server form GET /api/v3/user) with the status codes,
// headers and bodies real GitHub sends, so the tool's token checks can be
// tested without the network. Tokens are only ever used as Map keys: they are
// never logged, recorded or echoed back.
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface FakeToken {
  login: string;
  /** Classic tokens: the X-OAuth-Scopes header value, e.g. ['repo', 'workflow']; undefined = no header at all (fine-grained tokens send none). */
  scopes?: string[];
  /** Sent as GitHub-Authentication-Token-Expiration, verbatim, e.g. '2026-12-31 12:00:00 UTC' or '2026-10-07 19:07:53 -0700'. */
  expiration?: string;
  /** Answer with this status instead of 200 (e.g. 403 for SAML SSO, 500). */
  status?: number;
  /** 403 with X-RateLimit-Remaining: 0 and GitHub's rate-limit JSON body. */
  rateLimited?: boolean;
  /** Wait this long before answering (to exercise client timeouts). */
  delayMs?: number;
}

export interface FakeGitHubApi {
  /** http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  /** Mutable: tests add/remove/rotate tokens at run time. */
  tokens: Map<string, FakeToken>;
  /** One entry per request. `authScheme` is the scheme word exactly as sent; never holds the token. */
  requests: Array<{ method: string; path: string; authScheme: string | undefined; tokenKnown: boolean }>;
  /** Closes promptly, including keep-alive connections and delayed responses. */
  close(): Promise<void>;
}

type Headers = Record<string, string>;

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

const REST_DOCS = 'https://docs.github.com/rest';

const badCredentials: Reply = {
  status: 401,
  headers: {},
  body: { message: 'Bad credentials', documentation_url: REST_DOCS, status: '401' },
};

const notFound: Reply = {
  status: 404,
  headers: {},
  body: { message: 'Not Found', documentation_url: REST_DOCS, status: '404' },
};

// GitHub ids are stable per account; derive one from the login so tests that
// rotate a token for the same login see the same id.
function userId(login: string): number {
  return createHash('sha256').update(login).digest().readUInt32BE(0) % 1e9 + 1;
}

// Only "<scheme> <credentials>" yields a scheme: a bare header value may itself
// be a token and must not end up in `requests`.
function parseAuth(header: string | undefined): { scheme: string; token: string } | undefined {
  const m = /^\s*(\S+)\s+(\S+)\s*$/.exec(header ?? '');
  if (!m?.[1] || !m[2]) return undefined;
  return { scheme: m[1], token: m[2] };
}

function replyFor(token: FakeToken): Reply {
  if (token.rateLimited) {
    return {
      status: 403,
      headers: {
        'X-RateLimit-Limit': '5000',
        'X-RateLimit-Remaining': '0',
        'X-RateLimit-Used': '5000',
        'X-RateLimit-Reset': String(Math.floor(Date.now() / 1000) + 3600),
        'X-RateLimit-Resource': 'core',
      },
      body: {
        message: 'API rate limit exceeded for user ID 1.',
        documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
        status: '403',
      },
    };
  }
  const status = token.status ?? 200;
  if (status === 403) {
    return {
      status,
      headers: { 'X-GitHub-SSO': 'required; url=https://github.com/orgs/x/sso?authorization_request=abc' },
      body: {
        message:
          'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
        documentation_url:
          'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
        status: '403',
      },
    };
  }
  if (status === 401) return badCredentials;
  if (status >= 500) return { status, headers: {}, body: { message: 'Server Error' } };
  if (status !== 200) {
    return {
      status,
      headers: {},
      body: { message: http.STATUS_CODES[status] ?? 'Error', documentation_url: REST_DOCS, status: String(status) },
    };
  }

  const headers: Headers = {
    'X-Accepted-OAuth-Scopes': '',
    'X-RateLimit-Limit': '5000',
    'X-RateLimit-Remaining': '4999',
    'X-RateLimit-Used': '1',
    'X-RateLimit-Resource': 'core',
  };
  // GitHub omits the header for fine-grained tokens but sends it empty for a
  // classic token without scopes; clients tell the two apart by its presence.
  if (token.scopes) headers['X-OAuth-Scopes'] = token.scopes.join(', ');
  if (token.expiration !== undefined) headers['GitHub-Authentication-Token-Expiration'] = token.expiration;
  const { login } = token;
  const id = userId(login);
  return {
    status,
    headers,
    body: {
      login,
      id,
      node_id: `U_fake${id}`,
      avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
      url: `https://api.github.com/users/${login}`,
      html_url: `https://github.com/${login}`,
      type: 'User',
      site_admin: false,
      name: null,
    },
  };
}

export async function startFakeGitHubApi(tokens?: Record<string, FakeToken>): Promise<FakeGitHubApi> {
  const tokenMap = new Map<string, FakeToken>(Object.entries(tokens ?? {}));
  const requests: FakeGitHubApi['requests'] = [];

  function handle(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const method = req.method ?? 'GET';
    // The query string is left out of `requests`: clients have put tokens there
    // (the old ?access_token= form).
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const auth = parseAuth(req.headers.authorization);
    const token =
      auth && /^(token|bearer)$/i.test(auth.scheme) ? tokenMap.get(auth.token) : undefined;
    requests.push({ method, path, authScheme: auth?.scheme, tokenKnown: token !== undefined });

    let reply: Reply;
    if (method !== 'GET' || (path !== '/user' && path !== '/api/v3/user')) reply = notFound;
    else if (!token) reply = badCredentials;
    else reply = replyFor(token);

    const send = (): void => {
      res.writeHead(reply.status, {
        'Content-Type': 'application/json; charset=utf-8',
        'X-GitHub-Media-Type': 'github.v3; format=json',
        ...reply.headers,
      });
      res.end(JSON.stringify(reply.body));
    };
    const delay = token?.delayMs ?? 0;
    if (delay <= 0) return send();
    const timer = setTimeout(send, delay);
    // Fires when the client gives up or close() drops the connection, so no
    // timer outlives the response it was for.
    res.once('close', () => clearTimeout(timer));
  }

  const server = http.createServer(handle);
  const port = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}`,
    tokens: tokenMap,
    requests,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // server.close() alone waits for keep-alive sockets and pending delayed answers.
      server.closeAllConnections();
      return closed;
    },
  };
}
