// Proves the fake GitHub REST API fixture answers like api.github.com, using
// Node's own fetch so the fixture is tested independently of the tool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { LOAD_MARGIN_MS } from './support/timing.js';

const CLASSIC = 'ghp_classicTokenAAAAAAAAAAAAAAAAAAAAAAAA';
const FINE = 'github_pat_11FINEGRAINED_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const NO_SCOPES = 'ghp_noScopesCCCCCCCCCCCCCCCCCCCCCCCCCCC';
const LIMITED = 'ghp_rateLimitedDDDDDDDDDDDDDDDDDDDDDDDD';
const SSO = 'ghp_ssoEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE';
const BROKEN = 'ghp_serverErrorFFFFFFFFFFFFFFFFFFFFFFFF';
const SLOW = 'ghp_slowGGGGGGGGGGGGGGGGGGGGGGGGGGGGGGG';
const UNKNOWN = 'ghp_unknownHHHHHHHHHHHHHHHHHHHHHHHHHHHH';
const ALL = [CLASSIC, FINE, NO_SCOPES, LIMITED, SSO, BROKEN, SLOW, UNKNOWN];
const DELAY = 300;

let api: FakeGitHubApi;

beforeAll(async () => {
  api = await startFakeGitHubApi({
    [CLASSIC]: { login: 'octocat', scopes: ['repo', 'workflow'], expiration: '2026-12-31 12:00:00 UTC' },
    [FINE]: { login: 'octocat', expiration: '2026-10-07 19:07:53 -0700' },
    [NO_SCOPES]: { login: 'octocat', scopes: [] },
    [LIMITED]: { login: 'octocat', scopes: ['repo'], rateLimited: true },
    [SSO]: { login: 'octocat', scopes: ['repo'], status: 403 },
    [BROKEN]: { login: 'octocat', status: 500 },
    [SLOW]: { login: 'slowpoke', scopes: ['repo'], delayMs: DELAY },
  });
});

afterAll(async () => {
  await api?.close();
});

function getUser(token: string | undefined, opts: { scheme?: string; path?: string } = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (token !== undefined) headers.Authorization = `${opts.scheme ?? 'token'} ${token}`;
  return fetch(`${api.url}${opts.path ?? '/user'}`, { headers });
}

const BAD_CREDENTIALS = { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest', status: '401' };

describe('fake GitHub API', () => {
  it('listens on plain http 127.0.0.1 without a trailing slash', () => {
    expect(api.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers a classic token with the user and GitHub headers', async () => {
    const res = await getUser(CLASSIC);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-oauth-scopes')).toBe('repo, workflow');
    expect(res.headers.get('x-accepted-oauth-scopes')).toBe('');
    expect(res.headers.get('github-authentication-token-expiration')).toBe('2026-12-31 12:00:00 UTC');
    expect(res.headers.get('x-github-media-type')).toBe('github.v3; format=json');
    expect(res.headers.get('x-ratelimit-limit')).toBe('5000');
    expect(res.headers.get('x-ratelimit-remaining')).toBe('4999');
    const body = (await res.json()) as { login: string; id: number; type: string };
    expect(body).toMatchObject({ login: 'octocat', type: 'User' });
    expect(Number.isInteger(body.id)).toBe(true);

    // Same login, different token: the id is a property of the account.
    const again = (await (await getUser(FINE)).json()) as { id: number };
    expect(again.id).toBe(body.id);
  });

  it('accepts Bearer in any case as well as token', async () => {
    for (const scheme of ['Bearer', 'bearer', 'TOKEN', 'token']) {
      const res = await getUser(CLASSIC, { scheme });
      expect(res.status, scheme).toBe(200);
      await res.body?.cancel();
    }
  });

  it('sends no X-OAuth-Scopes for a fine-grained token, an empty one for a scopeless classic token', async () => {
    const fine = await getUser(FINE);
    expect(fine.status).toBe(200);
    expect(fine.headers.has('x-oauth-scopes')).toBe(false);
    expect(fine.headers.get('github-authentication-token-expiration')).toBe('2026-10-07 19:07:53 -0700');
    await fine.body?.cancel();

    const none = await getUser(NO_SCOPES);
    expect(none.headers.has('x-oauth-scopes')).toBe(true);
    expect(none.headers.get('x-oauth-scopes')).toBe('');
    expect(none.headers.has('github-authentication-token-expiration')).toBe(false);
    await none.body?.cancel();
  });

  it('answers unknown, missing, scheme-less and Basic credentials with 401 Bad credentials', async () => {
    for (const [token, scheme] of [
      [UNKNOWN, 'token'],
      [undefined, undefined],
      [CLASSIC, 'Basic'],
    ] as const) {
      const res = await getUser(token, scheme ? { scheme } : {});
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(await res.json()).toEqual(BAD_CREDENTIALS);
    }
    const bare = await fetch(`${api.url}/user`, { headers: { Authorization: CLASSIC } });
    expect(bare.status).toBe(401);
    await bare.body?.cancel();
  });

  it('answers a rate-limited token with 403 and the rate-limit headers', async () => {
    const before = Math.floor(Date.now() / 1000);
    const res = await getUser(LIMITED);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-ratelimit-remaining')).toBe('0');
    const reset = Number(res.headers.get('x-ratelimit-reset'));
    expect(reset).toBeGreaterThanOrEqual(before + 3600);
    expect(reset).toBeLessThanOrEqual(before + 3600 + 5);
    expect(res.headers.has('x-github-sso')).toBe(false);
    expect(await res.json()).toEqual({
      message: 'API rate limit exceeded for user ID 1.',
      documentation_url: 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api',
      status: '403',
    });
  });

  it('answers an SSO-protected token with 403 and X-GitHub-SSO', async () => {
    const res = await getUser(SSO);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-github-sso')).toBe('required; url=https://github.com/orgs/x/sso?authorization_request=abc');
    expect(await res.json()).toEqual({
      message:
        'Resource protected by organization SAML enforcement. You must grant your Personal Access token access to this organization.',
      documentation_url:
        'https://docs.github.com/articles/authenticating-to-a-github-organization-with-saml-single-sign-on/',
      status: '403',
    });
  });

  it('answers a 500 with Server Error', async () => {
    const res = await getUser(BROKEN);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Server Error' });
  });

  it('serves the GitHub Enterprise Server prefix /api/v3', async () => {
    const res = await getUser(CLASSIC, { path: '/api/v3/user' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-oauth-scopes')).toBe('repo, workflow');
    expect(await res.json()).toMatchObject({ login: 'octocat' });

    const bad = await getUser(UNKNOWN, { path: '/api/v3/user' });
    expect(bad.status).toBe(401);
    await bad.body?.cancel();
  });

  it('answers any other path with 404 Not Found', async () => {
    for (const path of ['/', '/users/octocat', '/user/repos', '/api/v3/', '/api/v4/user']) {
      const res = await getUser(CLASSIC, { path });
      expect(res.status, path).toBe(404);
      expect(await res.json()).toEqual({ message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' });
    }
  });

  it('ignores the query string when routing', async () => {
    const res = await getUser(CLASSIC, { path: '/user?per_page=1' });
    expect(res.status).toBe(200);
    await res.body?.cancel();
    expect(api.requests.at(-1)?.path).toBe('/user');
  });

  it('waits delayMs before answering', async () => {
    const start = performance.now();
    const res = await getUser(SLOW);
    expect(res.status).toBe(200);
    expect(performance.now() - start).toBeGreaterThanOrEqual(DELAY);
    expect(await res.json()).toMatchObject({ login: 'slowpoke' });
  });

  it('sees tokens added, changed and removed at run time', async () => {
    const fresh = 'ghp_addedAtRunTimeIIIIIIIIIIIIIIIIIIIIIII';
    api.tokens.set(fresh, { login: 'hubot', scopes: ['read:org'] });
    let res = await getUser(fresh);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-oauth-scopes')).toBe('read:org');
    expect(await res.json()).toMatchObject({ login: 'hubot' });

    api.tokens.set(fresh, { login: 'hubot', status: 500 });
    res = await getUser(fresh);
    expect(res.status).toBe(500);
    await res.body?.cancel();

    api.tokens.delete(fresh);
    res = await getUser(fresh);
    expect(res.status).toBe(401);
    await res.body?.cancel();
  });

  it('records requests without ever storing a token', async () => {
    const res = await getUser(UNKNOWN, { scheme: 'Bearer', path: `/user?access_token=${CLASSIC}` });
    await res.body?.cancel();
    expect(api.requests.at(-1)).toEqual({ method: 'GET', path: '/user', authScheme: 'Bearer', tokenKnown: false });
    expect(api.requests.some((r) => r.tokenKnown && r.authScheme === 'token')).toBe(true);
    expect(api.requests.some((r) => r.authScheme === undefined && !r.tokenKnown)).toBe(true);

    const recorded = JSON.stringify(api.requests);
    for (const token of ALL) expect(recorded).not.toContain(token);
  });
});

describe('close()', () => {
  it('returns promptly while a delayed answer is pending', async () => {
    const SECRET = 'ghp_pendingJJJJJJJJJJJJJJJJJJJJJJJJJJJJJ';
    const PENDING_MS = 20_000;
    const slow = await startFakeGitHubApi({ [SECRET]: { login: 'octocat', delayMs: PENDING_MS } });
    const pending = fetch(`${slow.url}/user`, { headers: { Authorization: `token ${SECRET}` } });
    const outcome = pending.then(
      () => 'answered',
      () => 'failed',
    );
    await expect.poll(() => slow.requests.length).toBe(1);

    const start = performance.now();
    await slow.close();
    // Far below the pending answer's delay, which a close() that waited would take.
    expect(performance.now() - start).toBeLessThan(Math.min(LOAD_MARGIN_MS, PENDING_MS / 4));
    expect(await outcome).toBe('failed');
    expect(JSON.stringify(slow.requests)).not.toContain(SECRET);
  });

  it('returns promptly with an idle keep-alive connection open', async () => {
    const SECRET = 'ghp_keepAliveKKKKKKKKKKKKKKKKKKKKKKKKKKK';
    const idle = await startFakeGitHubApi({ [SECRET]: { login: 'octocat' } });
    const res = await fetch(`${idle.url}/user`, { headers: { Authorization: `token ${SECRET}` } });
    expect(res.status).toBe(200);
    await res.json();

    const start = performance.now();
    await idle.close();
    // Below Node's 5 s keep-alive timeout, which a close() that waited for the idle socket would take.
    expect(performance.now() - start).toBeLessThan(LOAD_MARGIN_MS);
  });
});
