// Every forge end to end: login to each through its loopback API server (answering as
// the forge documents), then the real git asks the helper and gets the token back with
// its expiry; a GitLab token 3 days from expiry warns once a day; each forge's token page.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureDevOps } from '../src/hosts/azure-devops/index.js';
import { bitbucket } from '../src/hosts/bitbucket/index.js';
import { forgejo, gitea } from '../src/hosts/gitea/index.js';
import { generic } from '../src/hosts/generic/index.js';
import { gitlab } from '../src/hosts/gitlab/index.js';
import { gitlabExpiry } from '../src/hosts/gitlab/validate.js';
import { headerSafe } from '../src/hosts/http.js';
import { parseRealm } from '../src/hosts/probe.js';
import { redact } from '../src/trace.js';
import { startAzureApi, startBitbucketApi, startGiteaApi, startGitLabApi, type ForgeApi } from './support/forge-apis.js';
import { gitClient, type GitClient } from './support/git-client.js';
import { runHelper, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

const DAY = 86_400_000;
const GITLAB = 'glpat-e2eGitLabToken0000001';
const GITLAB_ROUTABLE = 'glpat-AbCdEfGhIjKlMnOpQrStUvWxYz012345.01.0z1q2w3e4';
const GITLAB_REPO_ONLY = 'glpat-e2eRepoOnlyToken00002';
const GITEA = '0123456789abcdef0123456789abcdef01234567';
const BITBUCKET = 'ATATT3xFfGF0e2eBitbucketToken0000000000000000000000=ABCD1234';
const AZURE = `${'a1B2c3D4'.repeat(9)}e5F6AZDOw9X0`;
const GENERIC = 'plain-generic-secret-0001';
const ALL = [GITLAB, GITLAB_ROUTABLE, GITLAB_REPO_ONLY, GITEA, BITBUCKET, AZURE, GENERIC];

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const now = Date.now();
/** GitLab tokens die at 00:00 UTC on their date: 4 days ahead leaves 3 whole days. */
const soon = isoDate(now + 4 * DAY);
const later = isoDate(now + 200 * DAY);

let gitlabApi: ForgeApi<unknown>;
let giteaApi: ForgeApi<unknown>;
let bitbucketApi: ForgeApi<unknown>;
let azureApi: ForgeApi<unknown>;
let client: GitClient;
// list and status read every item of ours in the keychain, not only this HOME's index.
const keyring = ownKeyring();

beforeAll(async () => {
  gitlabApi = await startGitLabApi({
    [GITLAB]: { username: 'gitlab-me', scopes: ['read_repository', 'write_repository', 'read_user'], expiresAt: soon },
    [GITLAB_ROUTABLE]: { username: 'gitlab-routable', scopes: ['read_repository', 'write_repository', 'read_user'], expiresAt: later },
    [GITLAB_REPO_ONLY]: { username: 'hidden', scopes: ['read_repository'], expiresAt: later },
  });
  giteaApi = await startGiteaApi({ [GITEA]: { login: 'gitea-me', scopes: ['read:user', 'write:repository'] } });
  bitbucketApi = await startBitbucketApi({ [BITBUCKET]: { email: 'me@example.com', username: 'bb-me' } });
  azureApi = await startAzureApi('my-org', { [AZURE]: { account: 'me@example.com' } });
  client = gitClient('');
  Object.assign(client.env, keyring.env);
  expect((await client.git(['config', '--global', 'credential.helper', 'pat'])).code).toBe(0);
});

afterAll(async () => {
  await Promise.all([gitlabApi, giteaApi, bitbucketApi, azureApi].map((api) => api?.close()));
});

const login = (args: string[], token: string, apiUrl?: string) =>
  runHelper(['login', '--with-token', ...args], `${token}\n`, { ...client.env, ...(apiUrl ? { GIT_CREDENTIAL_PAT_API_URL: apiUrl } : {}) });

/** git passes password_expiry_utc on from 2.41; older git drops it, so ask the helper directly as well. */
const gitKeepsExpiry = (() => {
  const [major = 0, minor = 0] = (/(\d+)\.(\d+)/.exec(execFileSync('git', ['--version'], { encoding: 'utf8' })) ?? []).slice(1).map(Number);
  return major > 2 || (major === 2 && minor >= 41);
})();

/**
 * What the real git hands out for https://HOST (git credential fill asks our helper),
 * checked against what the helper itself answered, expiry included.
 */
async function fill(host: string): Promise<{ stdout: string; stderr: string }> {
  const direct = await runHelper(['get'], `protocol=https\nhost=${host}\n\n`, client.env);
  const viaGit = await client.git(['credential', 'fill'], { input: `protocol=https\nhost=${host}\n\n` });
  const answer = gitKeepsExpiry ? viaGit.stdout : viaGit.stdout.replace(/(password=.*\n)$/, `$1${/password_expiry_utc=\d+\n/.exec(direct.stdout)?.[0] ?? ''}`);
  expect(direct.stdout.replace(/password_expiry_utc=\d+\n/, ''), 'git hands out what the helper answered').toBe(viaGit.stdout.replace(/^protocol=https\nhost=[^\n]*\n/, '').replace(/password_expiry_utc=\d+\n/, ''));
  return { stdout: answer, stderr: `${direct.stderr}${viaGit.stderr}` };
}

function expectNoToken(...texts: string[]) {
  for (const text of texts) for (const token of ALL) expect(text).not.toContain(token);
}

describe('each forge: login through its API, then git gets the token', () => {
  it('GitLab (--provider gitlab): scopes and expiry from the API; git gets password_expiry_utc; 3 days out it warns once a day', async () => {
    const host = uniqueHost('gitlab');
    const result = await login(['--host', host, '--provider', 'gitlab'], GITLAB, gitlabApi.url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${host} (GitLab) as gitlab-me.`);
    expect(result.stdout).toContain('scopes   read_repository, write_repository, read_user');
    expect(result.stdout).toContain(`expires  ${soon} (3 days left)`);
    expect(gitlabApi.requests.filter((r) => r.path.startsWith('/api/v4')).every((r) => r.auth === 'private-token')).toBe(true);
    const expiry = Date.parse(`${soon}T00:00:00Z`) / 1000;

    const first = await fill(host);
    expect(first.stdout).toBe(`protocol=https\nhost=${host}\nusername=gitlab-me\npassword=${GITLAB}\npassword_expiry_utc=${expiry}\n`);
    expect(first.stderr).toContain(`git-credential-pat: the token for gitlab-me on ${host} expires in 3 days (${soon}); create a new one and run: git-credential-pat login --host ${host}`);
    const second = await fill(host);
    expect(second.stdout).toContain(`password=${GITLAB}`);
    expect(second.stderr).toBe('');

    const listed = JSON.parse((await runHelper(['list', '--json'], '', client.env)).stdout) as Array<Record<string, unknown>>;
    expect(listed.find((c) => c.host === host)).toMatchObject({ provider: 'gitlab', host, username: 'gitlab-me', scopes: ['read_repository', 'write_repository', 'read_user'], expires: soon, validated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    const status = JSON.parse((await runHelper(['status', '--json', '--host', host], '', client.env)).stdout) as Array<Record<string, unknown>>;
    expect(status).toEqual([expect.objectContaining({ provider: 'gitlab', host, username: 'gitlab-me', state: 'expiring', scopes: ['read_repository', 'write_repository', 'read_user'], expires: soon })]);
    expectNoToken(result.stdout, result.stderr, first.stderr, second.stderr);
  });

  it('GitLab routable token (two dots) goes in PRIVATE-TOKEN; a token without read_user needs --username', async () => {
    const host = uniqueHost('gitlab');
    const routable = await login(['--host', host, '--provider', 'gitlab'], GITLAB_ROUTABLE, gitlabApi.url);
    expect(routable.code, routable.stderr).toBe(0);
    const repoOnly = uniqueHost('gitlab');
    const refused = await login(['--host', repoOnly, '--provider', 'gitlab'], GITLAB_REPO_ONLY, gitlabApi.url);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('give the git username with --username NAME');
    const named = await login(['--host', repoOnly, '--provider', 'gitlab', '--username', 'me'], GITLAB_REPO_ONLY, gitlabApi.url);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stderr).toContain("warning: the token lacks the 'write_repository' scope: pushing will fail");
    expect((await fill(repoOnly)).stdout).toContain(`username=me\npassword=${GITLAB_REPO_ONLY}\npassword_expiry_utc=`);
    expectNoToken(routable.stdout, routable.stderr, refused.stderr, named.stderr);
  });

  it('Gitea, found by the probe (401 realm "Gitea") and recorded; its tokens never expire, and it says so', async () => {
    const host = uniqueHost('gitea');
    const result = await login(['--host', host], GITEA, giteaApi.url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${host} (Gitea) as gitea-me.`);
    expect(result.stdout).toContain('expires  never (Gitea tokens do not expire)');
    expect(result.stdout).toContain('scopes   not listable');
    expect(giteaApi.requests.filter((r) => r.path.endsWith('/info/refs'))).toHaveLength(1);
    expect((await client.git(['config', '--global', '--get', `credential.https://${host}.patProvider`])).stdout).toBe('gitea\n');
    const got = await fill(host);
    expect(got.stdout).toBe(`protocol=https\nhost=${host}\nusername=gitea-me\npassword=${GITEA}\n`);
    // No shape can catch a Gitea token: status holds it, so its messages redact it by value.
    const status = await runHelper(['status', '--json', '--host', host], '', client.env);
    expect(JSON.parse(status.stdout)).toEqual([expect.objectContaining({ provider: 'gitea', state: 'valid', scopes: null, expires: null })]);
    expectNoToken(result.stdout, result.stderr, got.stderr, status.stdout, status.stderr);
  });

  it('Bitbucket: checked with the account email, stored under the Bitbucket username, expiry from --expires', async () => {
    const host = uniqueHost('bitbucket');
    // Said before the token is read or sent anywhere: a usage error.
    const missing = await login(['--host', host, '--provider', 'bitbucket'], BITBUCKET, bitbucketApi.url);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give it with --username EMAIL');
    const result = await login(['--host', host, '--provider', 'bitbucket', '--username', 'me@example.com', '--expires', later], BITBUCKET, bitbucketApi.url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${host} (Bitbucket) as bb-me.`);
    expect(result.stdout).toContain(`expires  ${later} (`);
    const got = await fill(host);
    expect(got.stdout).toBe(`protocol=https\nhost=${host}\nusername=bb-me\npassword=${BITBUCKET}\npassword_expiry_utc=${Date.parse(`${later}T00:00:00Z`) / 1000}\n`);
    const status = JSON.parse((await runHelper(['status', '--json', '--host', host], '', client.env)).stdout) as Array<Record<string, unknown>>;
    expect(status).toEqual([expect.objectContaining({ provider: 'bitbucket', state: 'valid', expires: later, scopes: null })]);
    expectNoToken(missing.stderr, result.stdout, result.stderr, got.stderr);
  });

  it('Azure DevOps: a bad PAT gets 203 and a sign-in page, which counts as rejected; a good one is stored with --expires', async () => {
    const host = uniqueHost('azure');
    const bad = await login(['--host', host, '--provider', 'azure-devops'], `${'z'.repeat(76)}AZDOzzzz`, azureApi.url);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Azure DevOps rejected the token');
    const result = await login(['--host', host, '--provider', 'azure-devops', '--expires', later], AZURE, azureApi.url);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${host} (Azure DevOps) as me@example.com.`);
    expect((await fill(host)).stdout).toContain(`password=${AZURE}\npassword_expiry_utc=${Date.parse(`${later}T00:00:00Z`) / 1000}\n`);
    expectNoToken(bad.stdout, bad.stderr, result.stdout, result.stderr);
  });

  it('a generic host: stored unvalidated, and list says so', async () => {
    const host = uniqueHost('generic');
    const refused = await login(['--host', host, '--provider', 'generic'], GENERIC);
    expect(refused.code).toBe(2);
    const result = await login(['--host', host, '--provider', 'generic', '--username', 'me', '--expires', later], GENERIC);
    expect(result.code, result.stderr).toBe(0);
    expect((await fill(host)).stdout).toBe(`protocol=https\nhost=${host}\nusername=me\npassword=${GENERIC}\npassword_expiry_utc=${Date.parse(`${later}T00:00:00Z`) / 1000}\n`);
    const listed = await runHelper(['list'], '', client.env);
    expect(listed.stdout).toMatch(new RegExp(`${host}\\s+me\\s+generic\\s+unknown\\s+-\\s+${later} \\(\\d+d\\)\\s+never`));
    const json = JSON.parse((await runHelper(['list', '--json'], '', client.env)).stdout) as Array<Record<string, unknown>>;
    expect(json.find((c) => c.host === host)).toMatchObject({ provider: 'generic', username: 'me', scopes: null, expires: later, validated: null });
  });

  it('--expires is refused where the forge tells the expiry itself, or never expires, and for a past or impossible date', async () => {
    for (const [args, pattern] of [
      [['--provider', 'gitlab', '--expires', later], /GitLab tells each token's expiry itself/],
      [['--provider', 'gitea', '--expires', later], /Gitea tokens never expire/],
      [['--provider', 'generic', '--username', 'me', '--expires', '2020-01-01'], /has already passed/],
      [['--provider', 'generic', '--username', 'me', '--expires', '2030-02-30'], /YYYY-MM-DD/],
      [['--provider', 'nope'], /--provider takes github, gitlab/],
    ] as const) {
      const result = await login(['--host', uniqueHost('bad'), ...args], GENERIC);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(pattern);
    }
  });
});

describe('token pages', () => {
  it('each forge sends the person to the right page, pre-filled where it can be', () => {
    expect(gitlab.tokenPage('gitlab.example.com', 'box')?.url).toBe(
      'https://gitlab.example.com/-/user_settings/personal_access_tokens?name=git-credential-pat%20on%20box&scopes=read_repository,write_repository,read_user',
    );
    expect(gitea.tokenPage('gitea.example.com', 'box')?.url).toBe('https://gitea.example.com/user/settings/applications');
    expect(forgejo.tokenPage('codeberg.org', 'box')?.url).toBe('https://codeberg.org/user/settings/applications');
    expect(bitbucket.tokenPage('bitbucket.org', 'box')?.url).toBe('https://id.atlassian.com/manage-profile/security/api-tokens');
    expect(azureDevOps.tokenPage('my-org.visualstudio.com', 'box')?.url).toBe('https://my-org.visualstudio.com/_usersSettings/tokens');
    expect(generic.tokenPage('git.example.com', 'box')).toBeUndefined();
  });

  it('each forge claims its public hosts by name', () => {
    expect(gitlab.claimsHost('gitlab.com')).toBe(true);
    expect(forgejo.claimsHost('codeberg.org')).toBe(true);
    expect(bitbucket.claimsHost('bitbucket.org')).toBe(true);
    expect(azureDevOps.claimsHost('dev.azure.com') && azureDevOps.claimsHost('my-org.visualstudio.com')).toBe(true);
    expect(gitlab.claimsHost('gitlab.com.evil.example')).toBe(false);
  });
});

describe('redaction of every forge token shape', () => {
  it.each([GITLAB, GITLAB_ROUTABLE, `acme-${GITLAB}`, BITBUCKET, 'ATBB0123456789abcdefABCDEF', AZURE])('%s never survives redact()', (token) => {
    const line = redact(`failed with ${token} in it`);
    expect(line).not.toContain(token);
    expect(line).toContain('<redacted>');
  });
});

describe('pure pieces of the forge clients', () => {
  it('reads the realm of a 401 as the probe does', () => {
    expect(parseRealm('Basic realm="GitLab"')).toBe('GitLab');
    expect(parseRealm('Basic realm="Gitea (Basic Auth)", charset="UTF-8"')).toBe('Gitea (Basic Auth)');
    expect(parseRealm('Bearer')).toBeUndefined();
  });

  it("reads GitLab's expires_at as 00:00 UTC on that date, and nothing else", () => {
    expect(gitlabExpiry('2026-12-31')).toBe(Date.UTC(2026, 11, 31) / 1000);
    for (const bad of [null, undefined, '', '2026-12-31T00:00:00Z', 20261231]) expect(gitlabExpiry(bad)).toBeUndefined();
  });

  it('lets only visible ASCII near a header', () => {
    expect(headerSafe('glpat-abc.01.xyz')).toBe(true);
    for (const bad of ['a\rb', 'a\nb', 'a b', 'a\0b', 'tökén', '']) expect(headerSafe(bad)).toBe(false);
  });
});
