// Small loopback servers that answer like GitLab, Gitea/Forgejo, Bitbucket Cloud and
// Azure DevOps do for a token (status codes, headers and fields from each forge's
// documentation; see ../shared/FORGES.md), plus the 401 realm each sends to git, which
// login's probe reads. Tokens are only Map keys: never logged or echoed back.
import { randomBytes } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

export interface ForgeApi<T> {
  /** The API root to configure (credential.https://HOST.patApiUrl), e.g. http://127.0.0.1:PORT/api/v4. */
  readonly url: string;
  readonly tokens: Map<string, T>;
  /** Method, path (no query) and which credential header came: never a token. */
  readonly requests: Array<{ method: string; path: string; auth: string | undefined }>;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Sent as it is (an HTML page), instead of JSON. */
  html?: string;
  /** 'cut': the status line, headers and half the body, then the connection closes. 'drop': it closes with no answer at all. */
  fault?: 'cut' | 'drop';
}

type Handler<T> = (req: IncomingMessage, path: string, tokens: Map<string, T>, body: string) => Reply | Promise<Reply>;

async function serve<T>(prefix: string, realm: string, tokens: Record<string, T>, handle: Handler<T>): Promise<ForgeApi<T>> {
  const map = new Map(Object.entries(tokens));
  const requests: ForgeApi<T>['requests'] = [];
  const server = http.createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) if (chunks.length < 64) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '/').split('?')[0]!;
    const auth = req.headers['private-token'] !== undefined ? 'private-token' : req.headers.authorization?.split(' ')[0];
    requests.push({ method: req.method ?? 'GET', path, auth });
    let reply: Reply;
    if (path.endsWith('/info/refs')) reply = { status: 401, headers: { 'WWW-Authenticate': `Basic realm="${realm}"` }, html: 'Unauthorized' };
    else if (!path.startsWith(prefix)) reply = { status: 404, body: { message: '404 Not Found' } };
    else reply = await handle(req, path.slice(prefix.length), map, body);
    if (reply.fault === 'drop') {
      req.socket.destroy();
    } else if (reply.html !== undefined) {
      res.writeHead(reply.status, { 'Content-Type': 'text/html; charset=utf-8', ...reply.headers });
      res.end(reply.html);
    } else {
      const text = JSON.stringify(reply.body ?? {});
      res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)), ...reply.headers });
      if (reply.fault === 'cut') {
        res.write(text.slice(0, Math.floor(text.length / 2)), () => req.socket.destroy());
      } else {
        res.end(text);
      }
    }
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    tokens: map,
    requests,
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

// ---- GitLab: PRIVATE-TOKEN; /personal_access_tokens/self (any scope), /user (read_user, read_api or api),
// POST /personal_access_tokens/self/rotate (api or self_rotate; GL doc/api/personal_access_tokens.md, MR 142664,
// issue 524639): without expires_at the new token lives a week; at most 365 days; the old token is revoked at
// once; rotating a token that was already rotated revokes its whole family, the newest token included.
export interface GitLabToken {
  username: string;
  scopes: string[];
  /** YYYY-MM-DD or null, as GitLab sends expires_at. */
  expiresAt: string | null;
  /** Answered as GitLab's self endpoint shows a revoked token still readable (revoked: true); see `dead` for one that 401s. */
  revoked?: boolean;
  /** ISO time, as created_at; default 2026-01-01. */
  createdAt?: string;
  /** Revoked by a rotation ('rotated') or with its family: every request 401s. */
  dead?: 'rotated' | 'family-revoked';
  /** Tokens rotated from one another share a family. */
  family?: string;
  /** How the rotate endpoint fails for this token: 500 without rotating; 'cut' or 'drop' after rotating. */
  rotateFault?: 500 | 'cut' | 'drop';
}

export interface GitLabApi extends ForgeApi<GitLabToken> {
  /** Awaited when a rotate request arrives, before GitLab looks at its token (another machine acting at that moment). */
  beforeRotate: ((token: string) => Promise<void> | void) | undefined;
  /** Awaited after a rotation took effect and before its answer goes out. */
  beforeRotateAnswer: (() => Promise<void>) | undefined;
  /** expires_at as each rotate request sent it (null when absent). */
  readonly rotations: Array<string | null>;
}

const DAY_MS = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function newGitLabToken(): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `glpat-${Array.from(randomBytes(20), (b) => chars[b % chars.length]).join('')}`;
}

export async function startGitLabApi(tokens: Record<string, GitLabToken>): Promise<GitLabApi> {
  const rotations: Array<string | null> = [];
  let self: GitLabApi | undefined;
  const api = await serve('/api/v4', 'GitLab', tokens, async (req, path, map, body) => {
    const secret = String(req.headers['private-token'] ?? '');
    if (path === '/personal_access_tokens/self/rotate') await self?.beforeRotate?.(secret);
    const token = map.get(secret);
    if (!token || token.dead) {
      // Rotating a token that a rotation already revoked: GitLab revokes the whole family.
      if (token?.dead === 'rotated' && path === '/personal_access_tokens/self/rotate' && req.method === 'POST') {
        for (const other of map.values()) if (other.family !== undefined && other.family === token.family) other.dead = 'family-revoked';
      }
      return { status: 401, body: { message: '401 Unauthorized' } };
    }
    if (path === '/personal_access_tokens/self/rotate' && req.method === 'POST') {
      if (!token.scopes.some((s) => ['api', 'self_rotate'].includes(s))) {
        return { status: 403, body: { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'api self_rotate' } };
      }
      const query = new URL(req.url ?? '/', 'http://fake').searchParams.get('expires_at');
      let sent: string | null = query;
      if (sent === null && body !== '') sent = ((JSON.parse(body) as { expires_at?: unknown }).expires_at as string | undefined) ?? null;
      rotations.push(sent);
      const today = isoDay(Date.now());
      const expiresAt = sent ?? isoDay(Date.now() + 7 * DAY_MS);
      if (!/^\d{4}-\d{2}-\d{2}$/.test(expiresAt) || expiresAt <= today) return { status: 400, body: { message: '400 Bad request - expires_at is invalid' } };
      if (expiresAt > isoDay(Date.now() + 365 * DAY_MS)) return { status: 400, body: { message: { expires_at: ['must be before ' + isoDay(Date.now() + 365 * DAY_MS)] } } };
      if (token.rotateFault === 500) return { status: 500, body: { message: '500 Internal Server Error' } };
      const family = token.family ?? secret;
      token.family = family;
      token.dead = 'rotated';
      const fresh = newGitLabToken();
      const createdAt = new Date().toISOString();
      map.set(fresh, { username: token.username, scopes: [...token.scopes], expiresAt, createdAt, family });
      await self?.beforeRotateAnswer?.();
      const record = { id: 43, name: 'git-credential-pat', revoked: false, created_at: createdAt, scopes: token.scopes, user_id: 7, last_used_at: null, active: true, expires_at: expiresAt, token: fresh };
      return token.rotateFault === undefined ? { status: 200, body: record } : { status: 200, body: record, fault: token.rotateFault };
    }
    if (path === '/personal_access_tokens/self') {
      return {
        status: 200,
        body: {
          id: 42,
          name: 'git-credential-pat',
          revoked: token.revoked ?? false,
          created_at: token.createdAt ?? '2026-01-01T00:00:00.000Z',
          scopes: token.scopes,
          user_id: 7,
          last_used_at: null,
          active: !token.revoked,
          expires_at: token.expiresAt,
        },
      };
    }
    if (path === '/user') {
      if (!token.scopes.some((s) => ['read_user', 'read_api', 'api'].includes(s))) {
        return {
          status: 403,
          body: { error: 'insufficient_scope', error_description: 'The request requires higher privileges than provided by the access token.', scope: 'read_user read_api api' },
        };
      }
      return { status: 200, body: { id: 7, username: token.username, name: token.username, state: 'active', web_url: `https://gitlab.example/${token.username}` } };
    }
    return { status: 404, body: { message: '404 Not Found' } };
  });
  self = Object.assign(api, {
    rotations,
    beforeRotate: undefined as GitLabApi['beforeRotate'],
    beforeRotateAnswer: undefined as GitLabApi['beforeRotateAnswer'],
  });
  return self;
}

// ---- Gitea / Forgejo: Authorization: token <t>; /user needs read:user.
export interface GiteaToken {
  login: string;
  scopes: string[];
}

export function startGiteaApi(tokens: Record<string, GiteaToken>): Promise<ForgeApi<GiteaToken>> {
  return serve('/api/v1', 'Gitea', tokens, (req, path, map) => {
    const match = /^token (\S+)$/.exec(req.headers.authorization ?? '');
    const token = match ? map.get(match[1]!) : undefined;
    if (path === '/version') return { status: 200, body: { version: '1.22.0' } };
    if (!token) return { status: 401, body: { message: 'user does not exist [uid: 0, name: ]', url: 'https://gitea.example/api/swagger' } };
    if (path !== '/user') return { status: 404, body: { message: 'The target couldn\'t be found.', url: 'https://gitea.example/api/swagger', errors: [] } };
    if (!token.scopes.includes('read:user') && !token.scopes.includes('write:user')) {
      return { status: 403, body: { message: 'token does not have at least one of required scope(s): [read:user]', url: 'https://gitea.example/api/swagger' } };
    }
    return { status: 200, body: { id: 3, login: token.login, full_name: '', email: `${token.login}@noreply.gitea.example`, username: token.login } };
  });
}

// ---- Bitbucket Cloud: Basic email:api-token on /2.0/user.
export interface BitbucketToken {
  email: string;
  username: string;
}

export function startBitbucketApi(tokens: Record<string, BitbucketToken>): Promise<ForgeApi<BitbucketToken>> {
  return serve('/2.0', 'Atlassian Bitbucket', tokens, (req, path, map) => {
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '');
    const [email, secret] = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(/:(.*)/s) : [];
    const token = secret === undefined ? undefined : map.get(secret);
    if (!token || token.email !== email) return { status: 401, body: { type: 'error', error: { message: 'Unauthorized' } } };
    if (path !== '/user') return { status: 404, body: { type: 'error', error: { message: 'Resource not found' } } };
    return {
      status: 200,
      body: { type: 'user', username: token.username, display_name: token.username, uuid: '{0d0d0d0d-0000-4000-8000-000000000000}', account_id: '557058:00000000', nickname: token.username },
    };
  });
}

// ---- Azure DevOps: Basic :PAT on /{org}/_apis/connectionData; bad PATs get 203 and a sign-in page.
export interface AzureToken {
  account: string;
}

export function startAzureApi(org: string, tokens: Record<string, AzureToken>): Promise<ForgeApi<AzureToken>> {
  return serve(`/${org}`, 'Azure DevOps', tokens, (req, path, map) => {
    const basic = /^Basic (\S+)$/.exec(req.headers.authorization ?? '');
    const secret = basic ? Buffer.from(basic[1]!, 'base64').toString('utf8').split(/:(.*)/s)[1] : undefined;
    const token = secret === undefined ? undefined : map.get(secret);
    if (!token) return { status: 203, html: '<html><head><title>Azure DevOps Services | Sign In</title></head><body>Sign in</body></html>' };
    if (path !== '/_apis/connectionData') return { status: 404, body: { message: 'Page not found.' } };
    return {
      status: 200,
      body: {
        authenticatedUser: { id: 'a1b2', descriptor: 'Microsoft.IdentityModel.Claims.ClaimsIdentity;x', providerDisplayName: token.account, isActive: true, properties: { Account: { $type: 'System.String', $value: token.account } } },
        authorizedUser: { id: 'a1b2', providerDisplayName: token.account },
        instanceId: '00000000-0000-0000-0000-000000000001',
        deploymentType: 'hosted',
      },
    };
  });
}
