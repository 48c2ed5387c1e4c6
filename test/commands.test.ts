// The management commands as a person runs them: real processes, the real Secret
// Service, and a local server that answers like GitHub's API.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';
import { closedPort } from './support/loopback.js';

const DAY = 86_400_000;
const CLASSIC = 'ghp_classicToken0000000000000000000000001';
const CLASSIC_NO_SCOPES = 'ghp_classicNoScopes000000000000000000000002';
const FINE = 'github_pat_11AAAAAAA0fineGrainedToken_000000000000000000000000000003';
const EXPIRING = 'ghp_expiringSoon000000000000000000000000004';
const SSO = 'ghp_ssoProtected000000000000000000000000005';
const LIMITED = 'ghp_rateLimited0000000000000000000000000006';
const SLOW = 'ghp_slowAnswer00000000000000000000000000007';
const REVOKED = 'ghp_revokedLater00000000000000000000000008';
const ALL_TOKENS = [CLASSIC, CLASSIC_NO_SCOPES, FINE, EXPIRING, SSO, LIMITED, SLOW, REVOKED];

/** GitHub's header format, "2026-12-31 12:00:00 UTC". */
const githubDate = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

let api: FakeGitHubApi;
const now = Date.now();
// list, logout --yes and status act on every item of ours in the keychain, not only a
// HOME's index: the file has a keyring of its own. Its tests still share it, so a
// session looks at its own rows (listed), the others' items being inIndex false.
const keyring = ownKeyring();

beforeAll(async () => {
  api = await startFakeGitHubApi({
    [CLASSIC]: { login: 'octocat', scopes: ['repo', 'workflow', 'read:org'], expiration: githubDate(now + 36 * DAY) },
    [CLASSIC_NO_SCOPES]: { login: 'octocat', scopes: [] },
    [FINE]: { login: 'hubot', expiration: '2030-10-07 19:07:53 -0700' },
    [EXPIRING]: { login: 'soon', scopes: ['repo', 'workflow'], expiration: githubDate(now + 3 * DAY + 3_600_000) },
    [SSO]: { login: 'corp', status: 403 },
    [LIMITED]: { login: 'busy', rateLimited: true },
    [SLOW]: { login: 'slow', delayMs: 3000 },
    [REVOKED]: { login: 'gone', scopes: ['repo', 'workflow'] },
  });
});

afterAll(async () => {
  await api?.close();
});

function session() {
  const env = { ...testHome(), ...keyring.env, GIT_CREDENTIAL_PAT_API_URL: api.url, GIT_CREDENTIAL_PAT_API_TIMEOUT_MS: '1000' };
  // git asks us for every host, as after setup --all-hosts: login has nothing to warn about.
  execFileSync('git', ['config', '--global', 'credential.helper', 'pat'], { env: { ...process.env, ...env } });
  // The variable serves login --host only (which records it for that host); every other
  // command finds the fake API in git config, host by host.
  const { GIT_CREDENTIAL_PAT_API_URL: _forLogin, ...configured } = env;
  const run = (args: string[], input = '') => runHelper(args, input, args[0] === 'login' ? env : configured);
  const login = (token: string, host: string, ...extra: string[]) => run(['login', '--host', host, '--with-token', ...extra], `${token}\n`);
  /** list --json, this session's own credentials (those its index records). */
  const listed = async () => (JSON.parse((await run(['list', '--json'])).stdout) as Array<Record<string, unknown>>).filter((c) => c.inIndex !== false);
  return { env, run, login, listed };
}


function expectNoToken(...texts: string[]) {
  for (const text of texts) for (const token of ALL_TOKENS) expect(text).not.toContain(token);
}

function expectOneLineError(result: { code: number | null; stderr: string }, code: number, pattern: RegExp) {
  expect(result.code).toBe(code);
  expect(result.stderr).toMatch(/^git-credential-pat [a-z]+: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
}

describe('login', () => {
  it('validates a classic token, stores it under its login, and prints a summary', async () => {
    const { run, login } = session();
    const host = uniqueHost('gh');
    const result = await login(CLASSIC, host);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const expires = new Date(now + 36 * DAY).toISOString().slice(0, 10);
    expect(result.stdout).toBe(
      `Logged in to ${host} (GitHub) as octocat.\n` +
        '  token    classic personal access token\n' +
        '  scopes   repo, workflow, read:org\n' +
        `  expires  ${expires} (35 days left)\n` +
        `Stored in your keychain as git-credential-pat:https://${host} (account octocat).\n`,
    );
    // The helper door answers with it, expiry included, offline.
    const got = await run(['get'], request({ protocol: 'https', host }));
    expect(got.stdout).toMatch(new RegExp(`^username=octocat\\npassword=${CLASSIC}\\npassword_expiry_utc=\\d+\\n$`));
    expect(api.requests.filter((r) => r.path.endsWith('/user')).every((r) => r.authScheme?.toLowerCase() === 'token')).toBe(true);
  });

  it('names a fine-grained token as such, with the -0700 expiry form', async () => {
    const { login } = session();
    const host = uniqueHost('gh');
    const result = await login(FINE, host);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('  token    fine-grained personal access token\n');
    expect(result.stdout).toContain('  scopes   fine-grained (permissions not listable)\n');
    expect(result.stdout).toContain('  expires  2030-10-08 (');
    expectNoToken(result.stdout, result.stderr);
  });

  it('warns a classic token without repo and workflow', async () => {
    const { login } = session();
    const result = await login(CLASSIC_NO_SCOPES, uniqueHost('gh'));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      "warning: the token lacks the 'repo' scope: cloning, pulling or pushing private repositories will fail\n" +
        "warning: the token lacks the 'workflow' scope: pushing changes to .github/workflows will fail\n",
    );
  });

  it('--username stores under another name', async () => {
    const { run, login } = session();
    const host = uniqueHost('gh');
    expect((await login(CLASSIC, host, '--username', 'work')).stdout).toContain(`as octocat (stored as work).`);
    expect((await run(['get'], request({ protocol: 'https', host, username: 'work' }))).stdout).toContain(`password=${CLASSIC}\n`);
  });

  it('refuses a token GitHub rejects (401) and stores nothing', async () => {
    const { run, login } = session();
    const host = uniqueHost('gh');
    const result = await login('ghp_notKnownToGitHub00000000000000000000', host);
    expectOneLineError(result, 1, /401 Bad credentials.*Nothing was stored/);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toContain('ghp_notKnownToGitHub');
    expect((await run(['get'], request({ protocol: 'https', host }))).stdout).toBe('');
  });

  it.each([
    ['SAML SSO', SSO, /single sign-on; authorise the token for it at https:\/\/github\.com\/orgs\/x\/sso\?authorization_request=abc\. Nothing was stored/],
    ['a rate limit', LIMITED, /rate limit.*Nothing was stored/],
    ['a slow API', SLOW, /did not answer within 1 s.*Nothing was stored/],
  ])('a 403 or timeout (%s) is not a verdict on the token: clear error, nothing stored', async (_label, token, pattern) => {
    const { run, login } = session();
    const host = uniqueHost('gh');
    const result = await login(token, host);
    expectOneLineError(result, 1, pattern);
    expectNoToken(result.stdout, result.stderr);
    expect((await run(['get'], request({ protocol: 'https', host }))).stdout).toBe('');
  });

  it('a network failure is one clear line; --no-verify stores anyway', async () => {
    const { env, run } = session();
    const host = uniqueHost('gh');
    const port = await closedPort();
    const offline = { ...env, GIT_CREDENTIAL_PAT_API_URL: `http://127.0.0.1:${port}` };
    const failed = await runHelper(['login', '--host', host, '--with-token'], `${CLASSIC}\n`, offline);
    expectOneLineError(failed, 1, new RegExp(`cannot reach 127\\.0\\.0\\.1:${port}: nothing listens there \\(the server is down, or the address or port is wrong\\)\\. Nothing was stored`));
    const stored = await runHelper(['login', '--host', host, '--with-token', '--no-verify', '--username', 'me'], `${CLASSIC}\n`, offline);
    expect(stored).toMatchObject({ code: 0, stderr: '' });
    expect((await run(['get'], request({ protocol: 'https', host }))).stdout).toBe(`username=me\npassword=${CLASSIC}\n`);
  });

  it.each([
    ['an empty token', ['--with-token'], '\n', /the token is empty/],
    ['a token with a space', ['--with-token'], 'ghp_a b\n', /spaces or line breaks/],
    ['a token with a newline inside', ['--with-token'], 'ghp_a\nghp_b\n', /spaces or line breaks/],
    ['a host with a scheme', ['--host', 'https://github.com', '--with-token'], `${CLASSIC}\n`, /--host takes a host name/],
    ['a host with a path', ['--host', 'github.com/org', '--with-token'], `${CLASSIC}\n`, /--host takes a host name/],
    ['an unknown flag', ['--token', 'x'], '', /unknown option '--token'; see 'git-credential-pat login --help'/],
    ['--no-verify without --username', ['--with-token', '--no-verify'], `${CLASSIC}\n`, /--no-verify needs --username/],
    ['no token and no terminal', [], '', /no token given/],
  ])('bad input (%s): usage error, exit 2, nothing stored', async (_label, args, input, pattern) => {
    const { run, listed } = session();
    const result = await run(['login', ...args], input);
    expectOneLineError(result, 2, pattern);
    expectNoToken(result.stderr);
    expect(await listed()).toEqual([]);
  });

  it('refuses a plain-http API URL that is not loopback', async () => {
    const { env } = session();
    const result = await runHelper(['login', '--host', 'github.com', '--with-token'], `${CLASSIC}\n`, { ...env, GIT_CREDENTIAL_PAT_API_URL: 'http://api.example.invalid' });
    expectOneLineError(result, 2, /must use https:\/\//);
  });

  it("reads the API URL from git's credential.<url>.patApiUrl", async () => {
    const { env } = session();
    const host = uniqueHost('ghe');
    const { GIT_CREDENTIAL_PAT_API_URL: _unused, ...withoutEnv } = env;
    execFileSync('git', ['config', '--global', `credential.https://${host}.patApiUrl`, `${api.url}/api/v3`], { env: { ...process.env, ...withoutEnv } });
    const result = await runHelper(['login', '--host', host, '--with-token'], `${CLASSIC}\n`, { ...withoutEnv, GIT_CREDENTIAL_PAT_API_URL: undefined });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`Logged in to ${host} (GitHub) as octocat.`);
    expect(api.requests.some((r) => r.path === '/api/v3/user')).toBe(true);
  });
});

describe('list', () => {
  it('shows every stored credential with kind, scopes and expiry, never the token', async () => {
    const { run, login, listed } = session();
    const host = uniqueHost('gh');
    await login(CLASSIC, host);
    await login(FINE, host);
    await run(['store'], request({ protocol: 'https', host: 'git.example.invalid', username: 'plain', password: 'hunter2-not-github' }));
    const text = await run(['list']);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toMatch(/^HOST\s+USERNAME\s+FORGE\s+KIND\s+SCOPES\s+EXPIRES\s+VALIDATED$/);
    expect(text.stdout).toMatch(new RegExp(`${host}\\s+octocat\\s+github\\s+classic\\s+repo, workflow, read:org\\s+\\d{4}-\\d\\d-\\d\\d \\(35d\\)\\s+\\d{4}-`));
    expect(text.stdout).toMatch(/hubot\s+github\s+fine-grained\s+fine-grained \(permissions not listable\)/);
    expect(text.stdout).toMatch(/git\.example\.invalid\s+plain\s+generic\s+unknown\s+-\s+-\s+never/);
    expectNoToken(text.stdout, text.stderr);
    expect(text.stdout).not.toContain('hunter2');

    const json = await listed();
    expect(json).toHaveLength(3);
    expect(json.find((c) => c.username === 'octocat')).toMatchObject({ host, kind: 'classic', login: 'octocat', scopes: ['repo', 'workflow', 'read:org'], daysLeft: 35, isDefault: false });
    expect(JSON.stringify(json)).not.toContain('hunter2');
  });

  it('drops index rows whose keychain item is gone (the keychain is the truth)', async () => {
    const { env, login, listed } = session();
    const host = uniqueHost('gh');
    await login(CLASSIC, host);
    execFileSync('secret-tool', ['clear', 'service', `git-credential-pat:https://${host}`, 'username', 'octocat'], { env: { ...process.env, ...env } });
    expect(await listed()).toEqual([]);
  });
});

describe('logout', () => {
  it('removes what matches; several need --yes when there is no terminal', async () => {
    const { run, login } = session();
    const host = uniqueHost('gh');
    await login(CLASSIC, host);
    await login(FINE, host);
    expectOneLineError(await run(['logout', '--host', host]), 2, /2 credentials match; add --yes/);
    const one = await run(['logout', '--host', host, '--username', 'hubot']);
    expect(one).toMatchObject({
      code: 0,
      stdout: `Removed hubot on https://${host}\ngit now uses octocat for ${host} (the only account stored); another: git-credential-pat use LOGIN --host ${host}\n`,
      stderr: '',
    });
    expect((await run(['get'], request({ protocol: 'https', host, username: 'hubot' }))).stdout).toBe('');
    expect((await run(['get'], request({ protocol: 'https', host, username: 'octocat' }))).stdout).toContain(CLASSIC);
    await login(FINE, host);
    // Every host: this file's keyring holds nothing of ours afterwards, whoever stored it.
    expect((await run(['logout', '--yes'])).code).toBe(0);
    expect((await run(['list', '--json'])).stdout).toBe('[]\n');
    expectOneLineError(await run(['logout', '--host', host]), 1, /no stored credential matches/);
  });
});

describe('status', () => {
  it('reports valid, expiring, revoked and unverified tokens, keeps them all, and exits non-zero', async () => {
    const { run, login, listed } = session();
    const hosts = { valid: uniqueHost('ok'), soon: uniqueHost('soon'), gone: uniqueHost('gone'), busy: uniqueHost('busy') };
    await login(CLASSIC, hosts.valid);
    await login(EXPIRING, hosts.soon);
    await login(REVOKED, hosts.gone);
    await run(['login', '--host', hosts.busy, '--with-token', '--no-verify', '--username', 'busy'], `${LIMITED}\n`);

    const healthy = await run(['status', '--host', hosts.valid]);
    expect(healthy).toMatchObject({ code: 0, stderr: '' });
    expect(healthy.stdout).toMatch(new RegExp(`${hosts.valid}\\s+octocat\\s+github\\s+valid\\s+octocat, expires`));

    api.tokens.delete(REVOKED);
    const result = await run(['status', '--json']);
    expect(result.code).toBe(1);
    const reports = JSON.parse(result.stdout) as Array<{ host: string; state: string; detail: string }>;
    const state = (host: string) => reports.find((r) => r.host === host)?.state;
    expect(state(hosts.valid)).toBe('valid');
    expect(state(hosts.soon)).toBe('expiring');
    expect(state(hosts.gone)).toBe('revoked');
    expect(state(hosts.busy)).toBe('unverified');
    expectNoToken(result.stdout, result.stderr);
    // Nothing is deleted by status, not even the revoked token.
    expect(await listed()).toHaveLength(4);
    // A 403 never counts against the token: busy is still answered by get.
    expect((await run(['get'], request({ protocol: 'https', host: hosts.busy }))).stdout).toContain(LIMITED);
  });
});

describe('get and store with GitHub metadata', () => {
  it('reminds once a day about a token expiring within 7 days, and withholds an expired one', async () => {
    const { run, login } = session();
    const host = uniqueHost('gh');
    await login(EXPIRING, host);
    const first = await run(['get'], request({ protocol: 'https', host }));
    expect(first.stdout).toContain(`password=${EXPIRING}\n`);
    expect(first.stderr).toBe(`git-credential-pat: the token for soon on ${host} expires in 3 days (${new Date(now + 3 * DAY + 3_600_000).toISOString().slice(0, 10)}); create a new one and run: git-credential-pat login --host ${host}\n`);
    const second = await run(['get'], request({ protocol: 'https', host }));
    expect(second).toMatchObject({ code: 0, stderr: '' });
    expect(second.stdout).toContain(`password=${EXPIRING}\n`);

    const past = Math.floor((now - DAY) / 1000);
    const expiredHost = uniqueHost('gh');
    await run(['store'], request({ protocol: 'https', host: expiredHost, username: 'old', password: 'ghp_expiredToken', password_expiry_utc: String(past) }));
    const expired = await run(['get'], request({ protocol: 'https', host: expiredHost }));
    expect(expired.stdout).toBe('');
    expect(expired.stderr).toMatch(/^git-credential-pat: the token for old on \S+ expired on \d{4}-\d\d-\d\d; create a new one and run: git-credential-pat login --host \S+\n$/);
  });

  it('a store from git of the same token keeps its metadata; a new token drops it', async () => {
    const { run, login, listed } = session();
    const host = uniqueHost('gh');
    await login(CLASSIC, host);
    await run(['store'], request({ protocol: 'https', host, username: 'octocat', password: CLASSIC }));
    expect(await listed()).toEqual([expect.objectContaining({ login: 'octocat', checked: true, daysLeft: 35 })]);
    await run(['store'], request({ protocol: 'https', host, username: 'octocat', password: 'ghp_rotatedByHand' }));
    expect(await listed()).toEqual([expect.objectContaining({ login: null, checked: false, expires: null })]);
  });
});

describe('help and version', () => {
  it.each(['login', 'list', 'logout', 'status', 'use'])('%s --help prints its usage', async (command) => {
    const result = await runHelper([command, '--help'], '');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(new RegExp(`^usage: git-credential-pat ${command}`));
    expect(result.stdout).toContain('\nExamples:\n');
  });

  it('--version', async () => {
    expect((await runHelper(['--version'], '')).stdout).toMatch(/^git-credential-pat \d+\.\d+\.\d+\n$/);
  });
});
