// The environment-token fallback: GH_TOKEN/GITHUB_TOKEN for https://github.com,
// GH_ENTERPRISE_TOKEN/GITHUB_ENTERPRISE_TOKEN for https://$GH_HOST, only when git
// config turns it on and the keychain has nothing; never saved, never for another host.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Query, Target } from '../src/credential.js';
import { envToken, envTokens } from '../src/env-fallback.js';
import { erase, get, store, type HelperOptions } from '../src/helper.js';
import { KeychainUnavailableError } from '../src/store/credential-store.js';
import { IndexedStore, type SecretBackend } from '../src/store/indexed-store.js';
import { MemoryIndex, memoryStore } from '../src/store/memory.js';
import { gitClient } from './support/git-client.js';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { privateKeyring, type PrivateKeyring } from './support/private-keyring.js';
import { keychainDeadlineMs } from './support/timing.js';
import { githubTokens } from './support/tokens.js';

const GITHUB: Target = { protocol: 'https', host: 'github.com' };
const GHE: Target = { protocol: 'https', host: 'ghe.example.com' };

describe('envToken (pure)', () => {
  const env = { GH_TOKEN: 'gh', GITHUB_TOKEN: 'github', GH_HOST: 'GHE.example.com', GH_ENTERPRISE_TOKEN: 'ghe', GITHUB_ENTERPRISE_TOKEN: 'github-ghe' };

  it('github.com: GH_TOKEN, else GITHUB_TOKEN (empty counts as unset); a path changes nothing', () => {
    expect(envToken(GITHUB, env)).toMatchObject({ token: 'gh', source: 'GH_TOKEN' });
    expect(envToken(GITHUB, { ...env, GH_TOKEN: '' })).toMatchObject({ token: 'github', source: 'GITHUB_TOKEN' });
    expect(envToken(GITHUB, { GITHUB_TOKEN: 'github' })).toMatchObject({ token: 'github', source: 'GITHUB_TOKEN' });
    expect(envToken({ ...GITHUB, path: 'org/repo.git' }, env)).toMatchObject({ token: 'gh', source: 'GH_TOKEN' });
    expect(envToken(GITHUB, {})).toBeUndefined();
  });

  it('the GH_HOST host (letter case aside): GH_ENTERPRISE_TOKEN, else GITHUB_ENTERPRISE_TOKEN; never GH_TOKEN', () => {
    expect(envToken(GHE, env)).toMatchObject({ token: 'ghe', source: 'GH_ENTERPRISE_TOKEN' });
    expect(envToken(GHE, { ...env, GH_ENTERPRISE_TOKEN: '' })).toMatchObject({ token: 'github-ghe', source: 'GITHUB_ENTERPRISE_TOKEN' });
    expect(envToken(GHE, { GH_HOST: 'ghe.example.com', GH_TOKEN: 'gh', GITHUB_TOKEN: 'github' })).toBeUndefined();
    expect(envToken(GHE, { ...env, GH_HOST: undefined })).toBeUndefined();
  });

  it('never an enterprise token for github.com, even when GH_HOST names it', () => {
    expect(envToken(GITHUB, { GH_HOST: 'github.com', GH_ENTERPRISE_TOKEN: 'ghe' })).toBeUndefined();
    expect(envToken(GITHUB, { GH_HOST: 'GitHub.com', GH_ENTERPRISE_TOKEN: 'ghe', GH_TOKEN: 'gh' })).toMatchObject({ token: 'gh', source: 'GH_TOKEN' });
  });

  it.each([
    ['http', { protocol: 'http', host: 'github.com' }],
    ['a port', { protocol: 'https', host: 'github.com:443' }],
    ['another port', { protocol: 'https', host: 'github.com:8443' }],
    ['a port on the GH_HOST host', { protocol: 'https', host: 'ghe.example.com:8443' }],
    ['http to the GH_HOST host', { protocol: 'http', host: 'ghe.example.com' }],
    ['a suffix domain', { protocol: 'https', host: 'github.com.evil.example' }],
    ['a subdomain', { protocol: 'https', host: 'api.github.com' }],
    ['a trailing dot', { protocol: 'https', host: 'github.com.' }],
    ['another host', { protocol: 'https', host: 'gitlab.com' }],
    ['ssh', { protocol: 'ssh', host: 'github.com' }],
  ])('never for %s', (_label, target) => {
    expect(envTokens(target, env)).toEqual([]);
  });

  it('lists every token for a host, for store to recognise', () => {
    expect(envTokens(GITHUB, env).map((t) => t.source)).toEqual(['GH_TOKEN', 'GITHUB_TOKEN']);
  });
});

describe('other forges\' CI tokens (pure)', () => {
  const GITLAB: Target = { protocol: 'https', host: 'gitlab.com' };
  const GITEA: Target = { protocol: 'https', host: 'gitea.com' };
  const CI_SERVER: Target = { protocol: 'https', host: 'gitlab.corp.example:8443' };
  const ci = { GITLAB_CI: 'true', CI_SERVER_FQDN: 'gitlab.corp.example:8443', CI_SERVER_HOST: 'gitlab.corp.example', CI_JOB_TOKEN: 'job', GITLAB_TOKEN: 'glpat' };

  it('GITLAB_TOKEN: gitlab.com and $GITLAB_HOST (a host or an https URL), as oauth2', () => {
    expect(envTokens(GITLAB, { GITLAB_TOKEN: 'glpat' })).toEqual([{ token: 'glpat', source: 'GITLAB_TOKEN', defaultUsername: 'oauth2', forge: 'GitLab' }]);
    for (const value of ['gitlab.example.org', 'https://GitLab.example.org/', 'https://gitlab.example.org:443']) {
      expect(envToken({ protocol: 'https', host: 'gitlab.example.org' }, { GITLAB_TOKEN: 'glpat', GITLAB_HOST: value })?.source).toBe('GITLAB_TOKEN');
    }
    expect(envToken({ protocol: 'https', host: 'gitlab.example.org' }, { GITLAB_TOKEN: 'glpat', GITLAB_HOST: 'http://gitlab.example.org' })).toBeUndefined();
    expect(envToken({ protocol: 'https', host: 'gitlab.example.org' }, { GITLAB_TOKEN: 'glpat' })).toBeUndefined();
  });

  it('inside GitLab CI, its server: GITLAB_TOKEN first, then CI_JOB_TOKEN, which only goes with gitlab-ci-token', () => {
    expect(envTokens(CI_SERVER, ci).map((t) => [t.source, t.username ?? null, t.defaultUsername])).toEqual([
      ['GITLAB_TOKEN', null, 'oauth2'],
      ['CI_JOB_TOKEN', 'gitlab-ci-token', 'gitlab-ci-token'],
    ]);
    expect(envToken(CI_SERVER, { ...ci, GITLAB_TOKEN: '' })).toEqual({ token: 'job', source: 'CI_JOB_TOKEN', username: 'gitlab-ci-token', defaultUsername: 'gitlab-ci-token', forge: 'GitLab' });
    expect(envToken(CI_SERVER, { ...ci, GITLAB_TOKEN: '' }, 'someone')).toBeUndefined();
    expect(envToken(CI_SERVER, { ...ci, GITLAB_TOKEN: '' }, 'gitlab-ci-token')?.source).toBe('CI_JOB_TOKEN');
    // Without the port the FQDN names, another server; outside GitLab CI, no job token anywhere.
    expect(envTokens({ protocol: 'https', host: 'gitlab.corp.example' }, ci)).toEqual([]);
    expect(envTokens(CI_SERVER, { ...ci, GITLAB_CI: undefined })).toEqual([]);
    expect(envTokens({ protocol: 'https', host: 'gitlab.corp.example' }, { ...ci, CI_SERVER_FQDN: undefined, CI_SERVER_URL: undefined }).map((t) => t.source)).toEqual(['GITLAB_TOKEN', 'CI_JOB_TOKEN']);
    expect(envTokens(GITLAB, ci).map((t) => t.source)).toEqual(['GITLAB_TOKEN']);
  });

  it('GITEA_TOKEN: gitea.com and the host of $GITEA_SERVER_URL', () => {
    expect(envToken(GITEA, { GITEA_TOKEN: 'tea' })?.source).toBe('GITEA_TOKEN');
    expect(envToken({ protocol: 'https', host: 'git.example.net' }, { GITEA_TOKEN: 'tea', GITEA_SERVER_URL: 'https://git.example.net/' })?.source).toBe('GITEA_TOKEN');
    expect(envToken({ protocol: 'https', host: 'git.example.net' }, { GITEA_TOKEN: 'tea' })).toBeUndefined();
  });

  it("each only for its own forge's hosts", () => {
    const all = { GH_TOKEN: 'gh', GITEA_TOKEN: 'tea', ...ci, GITLAB_HOST: 'gitlab.example.org', GITEA_SERVER_URL: 'https://git.example.net' };
    expect(envTokens(GITHUB, all).map((t) => t.source)).toEqual(['GH_TOKEN']);
    expect(envTokens(GITLAB, all).map((t) => t.token)).toEqual(['glpat']);
    expect(envTokens(GITEA, all).map((t) => t.source)).toEqual(['GITEA_TOKEN']);
    for (const host of ['codeberg.org', 'gitlab.com.evil.example', 'evil.gitlab.com', 'gitea.com:8443', 'bitbucket.org']) {
      expect(envTokens({ protocol: 'https', host }, all), host).toEqual([]);
    }
    expect(envTokens({ protocol: 'http', host: 'gitlab.com' }, all)).toEqual([]);
  });
});

// ---- get/store/erase over the in-memory store ----

const query = (target: Target, extra: Partial<Query> = {}): Query => ({ target, ...extra });

function fallback(env: NodeJS.ProcessEnv, enabled = true) {
  const asked: Target[] = [];
  const options: HelperOptions = {
    env,
    envFallbackEnabled: async (target) => {
      asked.push(target);
      return enabled;
    },
  };
  return { options, asked };
}

/** A keychain that cannot be reached, as on a CI runner. */
const noKeychain: SecretBackend = {
  get: () => Promise.reject(new KeychainUnavailableError('cannot reach the Secret Service')),
  find: () => Promise.reject(new KeychainUnavailableError('cannot reach the Secret Service')),
  set: () => Promise.reject(new KeychainUnavailableError('cannot reach the Secret Service')),
  delete: () => Promise.reject(new KeychainUnavailableError('cannot reach the Secret Service')),
  confirmGone: () => Promise.reject(new KeychainUnavailableError('cannot reach the Secret Service')),
};

describe('get with the fallback (logic)', () => {
  it('answers x-access-token with the token when enabled and nothing is stored', async () => {
    const { options, asked } = fallback({ GH_TOKEN: 'env-token' });
    expect(await get(memoryStore(), query(GITHUB), Date.now(), options)).toEqual({
      answer: { username: 'x-access-token', secret: { password: 'env-token' } },
      notices: [],
    });
    expect(asked).toEqual([GITHUB]);
  });

  it("keeps the request's username (GitHub ignores it), even one the keychain does not know", async () => {
    const s = memoryStore();
    await s.write(GITHUB, 'octocat', { password: 'stored' });
    const { options } = fallback({ GH_TOKEN: 'env-token' });
    expect((await get(s, query(GITHUB, { username: 'hubot' }), Date.now(), options)).answer).toEqual({ username: 'hubot', secret: { password: 'env-token' } });
  });

  it('says nothing when git config does not enable it', async () => {
    const { options, asked } = fallback({ GH_TOKEN: 'env-token' }, false);
    expect((await get(memoryStore(), query(GITHUB), Date.now(), options)).answer).toBeUndefined();
    expect(asked).toHaveLength(1);
    expect((await get(memoryStore(), query(GITHUB), Date.now(), { env: { GH_TOKEN: 'env-token' } })).answer).toBeUndefined();
  });

  it('asks git config only when the keychain has no match and a token is there to offer', async () => {
    const s = memoryStore();
    await s.write(GITHUB, 'octocat', { password: 'stored' });
    const { options, asked } = fallback({ GH_TOKEN: 'env-token', GITHUB_TOKEN: '' });
    expect((await get(s, query(GITHUB), Date.now(), options)).answer?.secret.password).toBe('stored');
    expect((await get(s, query({ protocol: 'https', host: 'example.com' }), Date.now(), options)).answer).toBeUndefined();
    expect((await get(s, query({ protocol: 'http', host: 'github.com' }), Date.now(), options)).answer).toBeUndefined();
    const empty = fallback({ GH_TOKEN: '', GITHUB_TOKEN: '' });
    expect((await get(memoryStore(), query(GITHUB), Date.now(), empty.options)).answer).toBeUndefined();
    expect([...asked, ...empty.asked]).toEqual([]);
  });

  it('stands in for an expired token, whose notice is still given', async () => {
    const s = memoryStore();
    await s.write(GITHUB, 'octocat', { password: 'old', passwordExpiryUtc: 1_000_000 });
    const { options } = fallback({ GH_TOKEN: 'env-token' });
    const result = await get(s, query(GITHUB), Date.now(), options);
    expect(result.answer).toEqual({ username: 'x-access-token', secret: { password: 'env-token' } });
    expect(result.notices[0]).toMatch(/expired/);
  });

  it('answers when the keychain cannot be reached, and otherwise still reports it', async () => {
    const s = new IndexedStore(noKeychain, new MemoryIndex());
    const { options } = fallback({ GH_HOST: 'ghe.example.com', GH_ENTERPRISE_TOKEN: 'ghe-token' });
    expect((await get(s, query(GHE), Date.now(), options)).answer).toEqual({ username: 'x-access-token', secret: { password: 'ghe-token' } });
    await expect(get(s, query(GITHUB), Date.now(), options)).rejects.toBeInstanceOf(KeychainUnavailableError);
    await expect(get(s, query(GHE), Date.now(), fallback({ GH_HOST: 'ghe.example.com', GH_ENTERPRISE_TOKEN: 'ghe-token' }, false).options)).rejects.toBeInstanceOf(
      KeychainUnavailableError,
    );
  });

  it('traces the decision, never the token', async () => {
    const lines: string[] = [];
    const { options } = fallback({ GH_TOKEN: 'env-token-value' });
    await get(memoryStore(), query(GITHUB, { username: 'hubot' }), Date.now(), { ...options, trace: (line) => lines.push(line) });
    expect(lines).toEqual([
      'no item at git-credential-pat:https://github.com',
      'no keychain item matches',
      "answering from GH_TOKEN with the request's username hubot (GitHub ignores the username of a token)",
    ]);
  });
});

describe('store and erase never touch environment tokens (logic)', () => {
  it('store of any environment token for that host is skipped, enabled or not; other tokens are stored', async () => {
    const s = memoryStore();
    const env = { GH_TOKEN: 'gh-token', GITHUB_TOKEN: 'github-token', GH_HOST: 'ghe.example.com', GH_ENTERPRISE_TOKEN: 'ghe-token' };
    const lines: string[] = [];
    for (const [target, password] of [[GITHUB, 'gh-token'], [GITHUB, 'github-token'], [GHE, 'ghe-token']] as const) {
      await store(s, { target, username: 'x-access-token', secret: { password } }, { env, trace: (line) => lines.push(line) });
    }
    expect(await s.list()).toEqual([]);
    expect(lines).toEqual([
      "the password is GH_TOKEN's: not saved to the keychain",
      "the password is GITHUB_TOKEN's: not saved to the keychain",
      "the password is GH_ENTERPRISE_TOKEN's: not saved to the keychain",
    ]);
    // A github.com token stored for another host is that host's business.
    await store(s, { target: GHE, username: 'u', secret: { password: 'gh-token' } }, { env });
    await store(s, { target: GITHUB, username: 'octocat', secret: { password: 'typed' } }, { env });
    expect((await s.list()).map((c) => [c.target.host, c.secret.password])).toEqual([
      ['ghe.example.com', 'gh-token'],
      ['github.com', 'typed'],
    ]);
  });

  it('without a keychain, store of the environment token succeeds quietly, and so does its erase', async () => {
    const s = new IndexedStore(noKeychain, new MemoryIndex());
    const env = { GH_TOKEN: 'gh-token' };
    await store(s, { target: GITHUB, username: 'x-access-token', secret: { password: 'gh-token' } }, { env });
    expect(await erase(s, query(GITHUB, { username: 'x-access-token', password: 'gh-token' }), { env })).toBe(0);
    await expect(erase(s, query(GITHUB, { password: 'other' }), { env })).rejects.toBeInstanceOf(KeychainUnavailableError);
  });

  it('erase of the environment token removes only keychain items that hold it', async () => {
    const s = memoryStore();
    await s.write(GITHUB, 'octocat', { password: 'gh-token' });
    await s.write(GITHUB, 'hubot', { password: 'other' });
    expect(await erase(s, query(GITHUB, { password: 'gh-token' }), { env: { GH_TOKEN: 'gh-token' } })).toBe(1);
    expect((await s.accounts(GITHUB)).map((a) => a.username)).toEqual(['hubot']);
  });
});

// ---- the real helper, git config and git ----

const TOKEN = githubTokens().classic!;
/** Not shaped like a GitHub token: only the trace's knowledge of the environment can hide it. */
const ENTERPRISE_TOKEN = 'enterprise-secret-4f1c9a7e2b';
const NO_ENV_TOKENS = { GH_TOKEN: undefined, GITHUB_TOKEN: undefined, GH_HOST: undefined, GH_ENTERPRISE_TOKEN: undefined, GITHUB_ENTERPRISE_TOKEN: undefined };

// github.com is one service name for the whole run, and other files store under it:
// this file gets a keyring of its own.
let keyring: PrivateKeyring;
beforeAll(async () => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('run the tests under scripts/with-keyring (npm test does)');
  keyring = await privateKeyring();
}, 30_000);
afterAll(async () => {
  await keyring?.close();
});

function home(config: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...testHome(), ...NO_ENV_TOKENS, ...keyring.env };
  for (const [key, value] of Object.entries(config)) execFileSync('git', ['config', '--global', key, value], { env: { ...process.env, ...env } });
  return env;
}

const GET_GITHUB = request({ protocol: 'https', host: 'github.com' });

function secretToolLookup(service: string, username: string): string | undefined {
  try {
    return execFileSync('secret-tool', ['lookup', 'service', service, 'username', username], { encoding: 'utf8', env: { ...process.env, ...keyring.env } });
  } catch {
    return undefined;
  }
}

describe('the helper process', () => {
  it('is off by default: GH_TOKEN set, nothing stored, get prints nothing', async () => {
    const env = { ...home(), GH_TOKEN: TOKEN, GITHUB_TOKEN: TOKEN };
    expect(await runHelper(['get'], GET_GITHUB, env)).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('git config --global credential.patEnvFallback true: get answers x-access-token with GH_TOKEN, else GITHUB_TOKEN', async () => {
    const env = home({ 'credential.patEnvFallback': 'true' });
    expect(await runHelper(['get'], GET_GITHUB, { ...env, GH_TOKEN: TOKEN, GITHUB_TOKEN: 'second' })).toMatchObject({
      code: 0,
      stdout: `username=x-access-token\npassword=${TOKEN}\n`,
      stderr: '',
    });
    expect(await runHelper(['get'], GET_GITHUB, { ...env, GH_TOKEN: '', GITHUB_TOKEN: TOKEN })).toMatchObject({ stdout: `username=x-access-token\npassword=${TOKEN}\n` });
    expect(await runHelper(['get'], request({ protocol: 'https', host: 'github.com', username: 'octocat' }), { ...env, GH_TOKEN: TOKEN })).toMatchObject({
      stdout: `username=octocat\npassword=${TOKEN}\n`,
      stderr: '',
    });
    for (const other of [{ protocol: 'http', host: 'github.com' }, { protocol: 'https', host: 'github.com:443' }, { protocol: 'https', host: uniqueHost() }]) {
      expect(await runHelper(['get'], request(other), { ...env, GH_TOKEN: TOKEN })).toMatchObject({ code: 0, stdout: '', stderr: '' });
    }
  });

  it('per host: credential.https://github.com.patEnvFallback; another host\'s setting does not count; false is off', async () => {
    const perHost = home({ 'credential.https://github.com.patEnvFallback': 'true' });
    expect((await runHelper(['get'], GET_GITHUB, { ...perHost, GH_TOKEN: TOKEN })).stdout).toBe(`username=x-access-token\npassword=${TOKEN}\n`);
    const elsewhere = home({ 'credential.https://ghe.example.com.patEnvFallback': 'true' });
    expect((await runHelper(['get'], GET_GITHUB, { ...elsewhere, GH_TOKEN: TOKEN })).stdout).toBe('');
    const off = home({ 'credential.patEnvFallback': 'true', 'credential.https://github.com.patEnvFallback': 'false' });
    expect((await runHelper(['get'], GET_GITHUB, { ...off, GH_TOKEN: TOKEN })).stdout).toBe('');
    const invalid = home({ 'credential.patEnvFallback': 'maybe' });
    expect(await runHelper(['get'], GET_GITHUB, { ...invalid, GH_TOKEN: TOKEN })).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('GH_HOST: answers that host from GH_ENTERPRISE_TOKEN and no other; a keychain item still wins', async () => {
    const ghHost = uniqueHost('ghe');
    const env = { ...home({ 'credential.patEnvFallback': 'true' }), GH_HOST: ghHost.toUpperCase(), GH_ENTERPRISE_TOKEN: ENTERPRISE_TOKEN, GH_TOKEN: TOKEN };
    expect((await runHelper(['get'], request({ protocol: 'https', host: ghHost }), env)).stdout).toBe(`username=x-access-token\npassword=${ENTERPRISE_TOKEN}\n`);
    expect((await runHelper(['get'], request({ protocol: 'https', host: uniqueHost('ghe') }), env)).stdout).toBe('');
    await runHelper(['store'], request({ protocol: 'https', host: ghHost, username: 'admin', password: 'stored-ghe-token' }), env);
    expect(await runHelper(['get'], request({ protocol: 'https', host: ghHost }), env)).toMatchObject({ stdout: 'username=admin\npassword=stored-ghe-token\n', stderr: '' });
  });

  it('a keychain item for github.com wins over GH_TOKEN', async () => {
    const env = { ...home({ 'credential.patEnvFallback': 'true' }), GH_TOKEN: TOKEN };
    await runHelper(['store'], request({ protocol: 'https', host: 'github.com', username: 'octocat', password: 'ghp_storedInTheKeychain' }), env);
    try {
      expect(await runHelper(['get'], GET_GITHUB, env)).toMatchObject({ stdout: 'username=octocat\npassword=ghp_storedInTheKeychain\n', stderr: '' });
    } finally {
      await runHelper(['erase'], request({ protocol: 'https', host: 'github.com', username: 'octocat' }), env);
    }
  });

  it('store of the environment token leaves the keychain without it; erase leaves the environment alone', async () => {
    const ghHost = uniqueHost('ghe');
    const env = { ...home({ 'credential.patEnvFallback': 'true' }), GH_TOKEN: TOKEN, GH_HOST: ghHost, GITHUB_ENTERPRISE_TOKEN: ENTERPRISE_TOKEN };
    for (const [host, password] of [['github.com', TOKEN], [ghHost, ENTERPRISE_TOKEN]] as const) {
      const store = await runHelper(['store'], request({ protocol: 'https', host, username: 'x-access-token', password }), env);
      expect(store).toMatchObject({ code: 0, stderr: '' });
      expect(secretToolLookup(`git-credential-pat:https://${host}`, 'x-access-token')).toBeUndefined();
      expect((await runHelper(['get'], request({ protocol: 'https', host }), { ...env, GH_TOKEN: undefined, GITHUB_ENTERPRISE_TOKEN: undefined })).stdout).toBe('');
      const erased = await runHelper(['erase'], request({ protocol: 'https', host, username: 'x-access-token', password }), env);
      expect(erased).toMatchObject({ code: 0, stderr: '' });
      expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe(`username=x-access-token\npassword=${password}\n`);
    }
  });

  it('tracing shows the decision and never the environment token, whatever its shape', async () => {
    const ghHost = uniqueHost('ghe');
    const env = {
      ...home({ 'credential.patEnvFallback': 'true' }),
      GH_TOKEN: TOKEN,
      GH_HOST: ghHost,
      GH_ENTERPRISE_TOKEN: ENTERPRISE_TOKEN,
      GIT_CREDENTIAL_PAT_TRACE: '1',
    };
    const results = [
      await runHelper(['get'], GET_GITHUB, env),
      await runHelper(['get'], request({ protocol: 'https', host: ghHost, username: 'admin' }), env),
      await runHelper(['store'], request({ protocol: 'https', host: ghHost, username: 'admin', password: ENTERPRISE_TOKEN }), env),
      await runHelper(['erase'], request({ protocol: 'https', host: 'github.com', username: 'x-access-token', password: TOKEN }), env),
    ];
    expect(results.map((r) => r.stdout)).toEqual([`username=x-access-token\npassword=${TOKEN}\n`, `username=admin\npassword=${ENTERPRISE_TOKEN}\n`, '', '']);
    const trace = results.map((r) => r.stderr).join('');
    expect(trace).not.toContain(TOKEN.slice(4));
    expect(trace).not.toContain(ENTERPRISE_TOKEN);
    expect(trace).toMatch(/get: git config --get-urlmatch credential\.patEnvFallback https:\/\/github\.com: true \(\d+\.\d ms\)\n/);
    expect(trace).toContain('get: answering from GH_TOKEN as x-access-token\n');
    expect(trace).toContain("get: answering from GH_ENTERPRISE_TOKEN with the request's username admin (GitHub ignores the username of a token)\n");
    expect(trace).toContain("store: the password is GH_ENTERPRISE_TOKEN's: not saved to the keychain\n");
    expect(trace).toContain("erase: the password is GH_TOKEN's: only keychain items holding it are erased\n");
  });

  it('without a Secret Service (a CI runner): get answers from GH_TOKEN, store and erase of it stay quiet', async () => {
    const env = { ...home({ 'credential.patEnvFallback': 'true' }), GH_TOKEN: TOKEN, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    expect(await runHelper(['get'], GET_GITHUB, env)).toMatchObject({ code: 0, stdout: `username=x-access-token\npassword=${TOKEN}\n`, stderr: '' });
    const approve = request({ protocol: 'https', host: 'github.com', username: 'x-access-token', password: TOKEN });
    expect(await runHelper(['store'], approve, env)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(await runHelper(['erase'], approve, env)).toMatchObject({ code: 0, stdout: '', stderr: '' });
    // Not enabled, or another host: the keychain's absence is still reported, in one line.
    const off = await runHelper(['get'], GET_GITHUB, { ...env, ...home(), GH_TOKEN: TOKEN, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' });
    expect(off.code).not.toBe(0);
    expect(off.stderr).toMatch(/^git-credential-pat: [^\n]*Secret Service[^\n]*\n$/);
  });

  it('through git: credential fill answers from GH_TOKEN, and approve does not put it in the keychain', async () => {
    const client = gitClient('/dev/null');
    Object.assign(client.env, keyring.env, { GH_TOKEN: TOKEN });
    for (const [key, value] of [['credential.helper', 'pat'], ['credential.patEnvFallback', 'true']]) {
      expect((await client.git(['config', '--global', key!, value!])).code).toBe(0);
    }
    const fill = await client.git(['credential', 'fill'], { input: 'url=https://github.com/octo-org/app.git\n\n' });
    expect(fill).toMatchObject({ code: 0, stderr: '' });
    expect(fill.stdout).toBe(`protocol=https\nhost=github.com\nusername=x-access-token\npassword=${TOKEN}\n`);
    const approve = await client.git(['credential', 'approve'], { input: fill.stdout + '\n' });
    expect(approve).toMatchObject({ code: 0, stderr: '' });
    expect(secretToolLookup('git-credential-pat:https://github.com', 'x-access-token')).toBeUndefined();
    delete client.env.GH_TOKEN;
    const without = await client.git(['credential', 'fill'], { input: 'url=https://github.com/octo-org/app.git\n\n' });
    expect(without.code).not.toBe(0);
    expect(without.stdout).toBe('');
  });
});

describe('CI tokens of other forges, through git', () => {
  it('inside GitLab CI: git gets CI_JOB_TOKEN as gitlab-ci-token for the CI server only; GITLAB_TOKEN for gitlab.com; GITEA_TOKEN for gitea.com', async () => {
    const client = gitClient('/dev/null');
    Object.assign(client.env, keyring.env, { GITLAB_CI: 'true', CI_SERVER_FQDN: 'gitlab.corp.example', CI_JOB_TOKEN: 'job-token-123456', GITLAB_TOKEN: 'glpat-envFallback0001', GITEA_TOKEN: 'tea-token-1234567' });
    for (const [key, value] of [['credential.helper', 'pat'], ['credential.patEnvFallback', 'true']]) {
      expect((await client.git(['config', '--global', key!, value!])).code).toBe(0);
    }
    const fill = (url: string) => client.git(['credential', 'fill'], { input: `url=${url}\n\n` });
    expect((await fill('https://gitlab.com/group/app.git')).stdout).toBe('protocol=https\nhost=gitlab.com\nusername=oauth2\npassword=glpat-envFallback0001\n');
    expect((await fill('https://gitea.com/org/app.git')).stdout).toBe('protocol=https\nhost=gitea.com\nusername=x-access-token\npassword=tea-token-1234567\n');
    delete client.env.GITLAB_TOKEN;
    expect((await fill('https://gitlab.corp.example/group/app.git')).stdout).toBe('protocol=https\nhost=gitlab.corp.example\nusername=gitlab-ci-token\npassword=job-token-123456\n');
    const other = await fill('https://someone@gitlab.corp.example/group/app.git');
    expect(other.code).not.toBe(0);
    expect(other.stdout).toBe('');
    for (const url of ['https://github.com/o/r.git', 'https://codeberg.org/o/r.git', 'https://gitlab.com/g/r.git']) {
      const none = await fill(url);
      expect(none.stdout, url).toBe('');
    }
  });
});

describe('a Secret Service that does not answer', () => {
  it('git still gets the environment token, soon after the keychain timeout, without a word on stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-envfb-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(HELPER, join(bin, 'git-credential-pat'));
    writeFileSync(join(dir, 'request'), 'protocol=https\nhost=github.com\n\n');
    const body = `
      git config --global credential.helper pat && git config --global credential.patEnvFallback true
      SECRETS_PID=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
        org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '{print $2}')
      printf 'protocol=https\\nhost=warmup.invalid\\nusername=u\\npassword=p\\n' | git-credential-pat store
      kill -STOP "$SECRETS_PID"
      start=$(date +%s%N)
      git credential fill <"$DIR/request" >"$DIR/out" 2>"$DIR/err"; echo $? >"$DIR/code"
      echo $(( ($(date +%s%N) - start) / 1000000 )) >"$DIR/ms"
      kill -CONT "$SECRETS_PID"
    `;
    const withKeyring = fileURLToPath(new URL('../scripts/with-keyring', import.meta.url));
    const env = { ...process.env, ...testHome(), ...NO_ENV_TOKENS, GH_TOKEN: TOKEN, DIR: dir, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` };
    await new Promise<void>((resolve, reject) => {
      execFile(withKeyring, ['--ephemeral', 'bash', '-c', body], { env, timeout: 30_000 }, (error) => (error?.killed ? reject(new Error('hung')) : resolve()));
    });
    const read = (name: string) => readFileSync(join(dir, name), 'utf8');
    expect(read('code').trim()).toBe('0');
    expect(read('out')).toBe(`protocol=https\nhost=github.com\nusername=x-access-token\npassword=${TOKEN}\n`);
    expect(read('err')).toBe('');
    // git's own start-up and the fallback's config read come on top of the helper's.
    expect(Number(read('ms'))).toBeLessThan(keychainDeadlineMs(env) + 1000);
  });
});
