// The logic of get/store/erase, over the in-memory store. The same behaviours are
// checked again against the real keychain in helper-process.test.ts.
import { describe, expect, it } from 'vitest';
import { credentialOf, queryOf, serviceName } from '../src/credential.js';
import { erase, get, store } from '../src/helper.js';
import { parseAttributes } from '../src/protocol.js';
import type { CredentialStore } from '../src/store/credential-store.js';
import { memoryStore } from '../src/store/memory.js';

const attrs = (pairs: Record<string, string>) =>
  parseAttributes(Buffer.from(Object.entries(pairs).map(([k, v]) => `${k}=${v}\n`).join('')));
const q = (pairs: Record<string, string>) => {
  const query = queryOf(attrs(pairs));
  if (!query) throw new Error('no query');
  return query;
};
async function put(s: CredentialStore, pairs: Record<string, string>) {
  const credential = credentialOf(attrs(pairs));
  if (!credential) throw new Error('no credential');
  await store(s, credential);
}
const https = (host: string, extra: Record<string, string> = {}) => ({ protocol: 'https', host, ...extra });

describe('get', () => {
  it('finds nothing in an empty store', async () => {
    expect((await get(memoryStore(), q(https('example.com')))).answer).toBeUndefined();
  });

  it('returns what was stored, ignoring the case of the host', async () => {
    const s = memoryStore();
    await put(s, https('Example.COM', { username: 'alice', password: 'pw' }));
    expect((await get(s, q(https('example.com')))).answer).toEqual({ username: 'alice', secret: { password: 'pw' } });
  });

  it.each([
    ['another protocol', { protocol: 'http', host: 'example.com' }],
    ['another port', https('example.com:8443')],
    ['a sub-domain look-alike', https('example.com.evil.example')],
    ['a trailing dot', https('example.com.')],
    ['a CR-suffixed host', https('example.com\r')],
    ['another username', https('example.com', { username: 'mallory' })],
  ])('never answers for %s', async (_label, request) => {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'alice', password: 'pw' }));
    expect((await get(s, q(request))).answer).toBeUndefined();
  });

  it('keeps ports apart', async () => {
    const s = memoryStore();
    await put(s, https('example.com:8443', { username: 'a', password: 'on-8443' }));
    await put(s, https('example.com', { username: 'a', password: 'on-443' }));
    expect((await get(s, q(https('example.com:8443')))).answer?.secret.password).toBe('on-8443');
    expect((await get(s, q(https('example.com')))).answer?.secret.password).toBe('on-443');
  });

  it('keeps several users of one host apart, and without a username answers with the most recently stored', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'alice', password: 'pa' }));
    await put(s, https('example.com', { username: 'bob', password: 'pb' }));
    expect((await get(s, q(https('example.com', { username: 'alice' })))).answer?.secret.password).toBe('pa');
    expect((await get(s, q(https('example.com', { username: 'bob' })))).answer?.secret.password).toBe('pb');
    expect((await get(s, q(https('example.com')))).answer?.username).toBe('bob');
    await put(s, https('example.com', { username: 'alice', password: 'pa2' }));
    expect((await get(s, q(https('example.com')))).answer?.username).toBe('alice');
  });

  it('returns an empty username and password as present and empty', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { username: '', password: '' }));
    expect((await get(s, q(https('example.com')))).answer).toEqual({ username: '', secret: { password: '' } });
  });

  it('serves a path-specific credential only for its path, and prefers it to a host-wide one', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { path: 'org/one.git', username: 'u', password: 'one' }));
    expect((await get(s, q(https('example.com')))).answer).toBeUndefined();
    expect((await get(s, q(https('example.com', { path: 'org/two.git' })))).answer).toBeUndefined();
    await put(s, https('example.com', { username: 'u', password: 'wide' }));
    expect((await get(s, q(https('example.com', { path: 'org/one.git' })))).answer?.secret.password).toBe('one');
    expect((await get(s, q(https('example.com', { path: 'org/two.git' })))).answer?.secret.password).toBe('wide');
    expect((await get(s, q(https('example.com')))).answer?.secret.password).toBe('wide');
  });

  it('returns the expiry and refresh token stored with a password', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'u', password: 'p', password_expiry_utc: '2000000000', oauth_refresh_token: 'r' }));
    expect((await get(s, q(https('example.com')))).answer).toEqual({
      username: 'u',
      secret: { password: 'p', passwordExpiryUtc: 2000000000, oauthRefreshToken: 'r' },
    });
  });

  it('has no target without a protocol, or without both host and path', () => {
    expect(queryOf(attrs({ host: 'example.com' }))).toBeUndefined();
    expect(queryOf(attrs({ protocol: 'https' }))).toBeUndefined();
    expect(queryOf(attrs({ protocol: 'cert', path: '/home/u/cert.p12' }))?.target).toEqual({ protocol: 'cert', host: '', path: '/home/u/cert.p12' });
  });
});

describe('store', () => {
  it('replaces the password of an existing (protocol, host, path, username) and never touches another user', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'alice', password: 'old' }));
    await put(s, https('example.com', { username: 'bob', password: 'bobs' }));
    await put(s, https('example.com', { username: 'alice', password: 'new' }));
    expect((await s.list()).map((c) => [c.username, c.secret.password]).sort()).toEqual([
      ['alice', 'new'],
      ['bob', 'bobs'],
    ]);
  });

  it('storing the same credential twice is a no-op', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'alice', password: 'pa' }));
    await put(s, https('example.com', { username: 'bob', password: 'pb' }));
    await put(s, https('example.com', { username: 'alice', password: 'pa' }));
    // Unchanged, so not re-stored: bob is still the most recent.
    expect((await get(s, q(https('example.com')))).answer?.username).toBe('bob');
    expect(await s.list()).toHaveLength(2);
  });

  it('a store with a path that the host-wide item answered forks no copy (credential.useHttpPath)', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'alice', password: 'old' }));
    // git got 'old' from the host-wide item for org/r.git, and stores what worked.
    await put(s, https('example.com', { path: 'org/r.git', username: 'alice', password: 'old', password_expiry_utc: '4102444800' }));
    expect(await left(s)).toEqual(['git-credential-pat:https://example.com alice']);
    expect((await s.read({ protocol: 'https', host: 'example.com' }, 'alice'))?.passwordExpiryUtc).toBe(4102444800);
    // Rotated host-wide: the path is answered with the new token.
    await put(s, https('example.com', { username: 'alice', password: 'new' }));
    expect((await get(s, q(https('example.com', { path: 'org/r.git' })))).answer?.secret.password).toBe('new');
    // A different password for a path is that path's own credential.
    await put(s, https('example.com', { path: 'org/r.git', username: 'alice', password: 'repo-only' }));
    expect(await left(s)).toEqual(['git-credential-pat:https://example.com alice', 'git-credential-pat:https://example.com/org/r.git alice']);
  });

  it('rotating the host-wide password reaches path items that were copies of it, and no other', async () => {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'alice', password: 'old' }));
    // Copies forked by earlier versions, and a path with a token of its own.
    await s.write({ protocol: 'https', host: 'example.com', path: 'org/a.git' }, 'alice', { password: 'old' });
    await s.write({ protocol: 'https', host: 'example.com', path: 'org/b.git' }, 'alice', { password: 'own' });
    await s.write({ protocol: 'https', host: 'example.com', path: 'org/a.git' }, 'bob', { password: 'old' });
    await put(s, https('example.com', { username: 'alice', password: 'new' }));
    const passwords = (await s.list()).map((c) => `${c.target.path ?? '-'} ${c.username} ${c.secret.password}`).sort();
    expect(passwords).toEqual(['- alice new', 'org/a.git alice new', 'org/a.git bob old', 'org/b.git alice own']);
  });

  it('stores nothing without a username or a password', () => {
    expect(credentialOf(attrs(https('example.com', { password: 'p' })))).toBeUndefined();
    expect(credentialOf(attrs(https('example.com', { username: 'u' })))).toBeUndefined();
  });

  it('treats an expiry of 0 or garbage as none', () => {
    expect(credentialOf(attrs(https('e.com', { username: 'u', password: 'p', password_expiry_utc: '0' })))?.secret).toEqual({ password: 'p' });
    expect(credentialOf(attrs(https('e.com', { username: 'u', password: 'p', password_expiry_utc: 'soon' })))?.secret).toEqual({ password: 'p' });
  });
});

const left = async (s: CredentialStore) => (await s.list()).map((c) => `${serviceName(c.target)} ${c.username}`).sort();

describe('erase', () => {
  async function seeded() {
    const s = memoryStore();
    await put(s, https('example.com', { username: 'alice', password: 'pa' }));
    await put(s, https('example.com', { username: 'bob', password: 'pb' }));
    await put(s, https('example.com', { path: 'org/r.git', username: 'alice', password: 'pr' }));
    await put(s, https('other.example', { username: 'alice', password: 'po' }));
    return s;
  }

  it('with only protocol and host forgets every user and every path of that host', async () => {
    const s = await seeded();
    expect(await erase(s, q(https('EXAMPLE.com')))).toBe(3);
    expect(await left(s)).toEqual(['git-credential-pat:https://other.example alice']);
  });

  it('with a username forgets only that user', async () => {
    const s = await seeded();
    await erase(s, q(https('example.com', { username: 'bob' })));
    expect(await left(s)).not.toContain('git-credential-pat:https://example.com bob');
    expect(await left(s)).toContain('git-credential-pat:https://example.com alice');
  });

  it('with a password forgets only credentials holding that password', async () => {
    const s = await seeded();
    expect(await erase(s, q(https('example.com', { username: 'alice', password: 'stale' })))).toBe(0);
    expect(await s.list()).toHaveLength(4);
    expect(await erase(s, q(https('example.com', { username: 'alice', password: 'pa' })))).toBe(1);
    expect(await left(s)).toEqual([
      'git-credential-pat:https://example.com bob',
      'git-credential-pat:https://example.com/org/r.git alice',
      'git-credential-pat:https://other.example alice',
    ]);
  });

  it('with a path and no password forgets only that path: the host-wide token stays (as in git\'s store)', async () => {
    const s = await seeded();
    expect(await erase(s, q(https('example.com', { path: 'org/r.git', username: 'alice' })))).toBe(1);
    expect(await left(s)).toEqual([
      'git-credential-pat:https://example.com alice',
      'git-credential-pat:https://example.com bob',
      'git-credential-pat:https://other.example alice',
    ]);
    // A path with nothing of its own forgets nothing, not even what get answers it with.
    expect(await erase(s, q(https('example.com', { path: 'org/other.git' })))).toBe(0);
    expect(await s.list()).toHaveLength(3);
  });

  it('with a path and a password forgets that dead password everywhere on the host, host-wide included', async () => {
    const s = await seeded();
    await s.write({ protocol: 'https', host: 'example.com', path: 'org/copy.git' }, 'alice', { password: 'pa' });
    expect(await erase(s, q(https('example.com', { path: 'org/r.git', username: 'alice', password: 'pa' })))).toBe(2);
    expect(await left(s)).toEqual([
      'git-credential-pat:https://example.com bob',
      'git-credential-pat:https://example.com/org/r.git alice',
      'git-credential-pat:https://other.example alice',
    ]);
  });

  it('removes nothing without a host and path, and succeeds quietly when nothing matches', async () => {
    const s = await seeded();
    expect(queryOf(attrs({ protocol: 'https' }))).toBeUndefined();
    expect(await erase(s, q(https('nothing.example')))).toBe(0);
    expect(await s.list()).toHaveLength(4);
  });
});

describe('serviceName', () => {
  it('names items so a person browsing the keychain sees what they are', () => {
    expect(serviceName({ protocol: 'https', host: 'github.com' })).toBe('git-credential-pat:https://github.com');
    expect(serviceName({ protocol: 'https', host: 'ghe.example:8443', path: 'org/repo.git' })).toBe(
      'git-credential-pat:https://ghe.example:8443/org/repo.git',
    );
  });
});

describe('expiry and metadata', () => {
  const DAY = 86_400;
  const now = Date.UTC(2026, 10, 25, 12) / 1000;
  const target = { protocol: 'https', host: 'github.com' };
  const meta = { login: 'octocat', scopes: ['repo'], expiresAt: now + 30 * DAY };

  it('returns a token expiring within 7 days with a reminder at most once a day', async () => {
    const s = memoryStore();
    await s.write(target, 'octocat', { password: 'ghp_x', passwordExpiryUtc: now + 3 * DAY + 60 });
    const first = await get(s, q(https('github.com')), now * 1000);
    expect(first.answer?.secret.password).toBe('ghp_x');
    expect(first.notices).toEqual([
      'the token for octocat on github.com expires in 3 days (2026-11-28); create a new one and run: git-credential-pat login --host github.com',
    ]);
    expect((await get(s, q(https('github.com')), now * 1000 + 3_600_000)).notices).toEqual([]);
    expect((await get(s, q(https('github.com')), (now + DAY + 1) * 1000)).notices).toHaveLength(1);
  });

  it('does not return an expired token, and says how to renew it', async () => {
    const s = memoryStore();
    await s.write(target, 'octocat', { password: 'ghp_x', passwordExpiryUtc: now - 60 });
    const result = await get(s, q(https('github.com')), now * 1000);
    expect(result.answer).toBeUndefined();
    expect(result.notices[0]).toMatch(/^the token for octocat on github.com expired on 2026-11-25; create a new one and run: git-credential-pat login --host github.com$/);
  });

  it('stays silent for a token far from expiry', async () => {
    const s = memoryStore();
    await s.write(target, 'octocat', { password: 'ghp_x', passwordExpiryUtc: now + 30 * DAY });
    expect(await get(s, q(https('github.com')), now * 1000)).toEqual({
      answer: { username: 'octocat', secret: { password: 'ghp_x', passwordExpiryUtc: now + 30 * DAY } },
      notices: [],
    });
  });

  it('a store from git of the same token keeps its expiry and metadata; a different token drops them', async () => {
    const s = memoryStore();
    await s.write(target, 'octocat', { password: 'ghp_same', passwordExpiryUtc: meta.expiresAt }, meta);
    await put(s, https('github.com', { username: 'octocat', password: 'ghp_same' }));
    expect(await s.read(target, 'octocat')).toEqual({ password: 'ghp_same', passwordExpiryUtc: meta.expiresAt });
    expect(await s.metadata(target, 'octocat')).toEqual(meta);
    await put(s, https('github.com', { username: 'octocat', password: 'ghp_other' }));
    expect(await s.read(target, 'octocat')).toEqual({ password: 'ghp_other' });
    expect(await s.metadata(target, 'octocat')).toBeUndefined();
  });
});
