// import: plain-text tokens into the keychain, and --delete that removes exactly them.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGhHosts, parseGitCredentials, withoutLines } from '../src/plaintext-sources.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { request, runHelper, testHome } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

const OCTO = 'ghp_importedClassicToken00000000000000001';
const REJECTED = 'ghp_importRejectedToken000000000000000002';
const GH_A = 'gho_ghCliAccountOne0000000000000000000003';
const GH_B = 'gho_ghCliAccountTwo0000000000000000000004';

// list reads every item of ours in the keychain, and other files store github.com items too.
const keyring = ownKeyring();
/** A test HOME on this file's keyring. */
const home = (): NodeJS.ProcessEnv => ({ ...testHome(), ...keyring.env });

let api: FakeGitHubApi;
beforeAll(async () => {
  api = await startFakeGitHubApi({ [OCTO]: { login: 'octocat', scopes: ['repo', 'workflow'] }, [GH_A]: { login: 'octocat', scopes: ['repo'] }, [GH_B]: { login: 'hubot', scopes: ['repo'] } });
});
afterAll(async () => {
  await api?.close();
});

const GIT_CREDENTIALS = [
  '# kept by git credential-store',
  `https://octocat:${OCTO}@github.com`,
  '',
  'https://me%40corp.example:p%40ss%3Aw%2Frd@git.corp.example',
  `https://ci:${REJECTED}@github.com`,
  'http://plain:pw@intranet.example:8080/team/repo.git',
  'not a url at all',
  '',
].join('\n');

const HOSTS_YML = `github.com:
    users:
        octocat:
            oauth_token: ${GH_A}
        hubot:
            oauth_token: ${GH_B}
    git_protocol: https
    user: octocat
    oauth_token: ${GH_A}
`;

describe('parsing plain-text sources', () => {
  it('reads git credential-store lines, percent-decoded, skipping comments, blanks and junk', () => {
    const found = parseGitCredentials(GIT_CREDENTIALS);
    expect(found.map(({ lines: _l, ...c }) => c)).toEqual([
      { protocol: 'https', host: 'github.com', username: 'octocat', password: OCTO },
      { protocol: 'https', host: 'git.corp.example', username: 'me@corp.example', password: 'p@ss:w/rd' },
      { protocol: 'https', host: 'github.com', username: 'ci', password: REJECTED },
      { protocol: 'http', host: 'intranet.example:8080', path: 'team/repo.git', username: 'plain', password: 'pw' },
    ]);
  });

  it('reads both accounts of a gh hosts.yml, with every line that holds each token', () => {
    const found = parseGhHosts(HOSTS_YML);
    expect(found.map((c) => [c.host, c.username, c.password, c.lines.length])).toEqual([
      ['github.com', 'octocat', GH_A, 2],
      ['github.com', 'hubot', GH_B, 1],
    ]);
  });

  it('removes exactly the given lines, keeping everything else byte for byte', () => {
    const text = 'a\r\nsecret\nb\n\nsecret\nc';
    expect(withoutLines(text, ['secret'])).toBe('a\r\nb\n\nsecret\nc');
    expect(withoutLines(text, ['secret', 'secret', 'c'])).toBe('a\r\nb\n\n');
  });
});

/** A test HOME whose git config sends github.com's tokens to the fake API (host-scoped, as the tool requires). */
function githubApiAt(url: string): NodeJS.ProcessEnv {
  const env = home();
  execFileSync('git', ['config', '--global', 'credential.https://github.com.patApiUrl', url], { env: { ...process.env, ...env } });
  return env;
}

describe('import', () => {
  it('imports from ~/.git-credentials (checking GitHub tokens), and --delete removes only the imported lines', async () => {
    const env = githubApiAt(api.url);
    const file = join(env.HOME!, '.git-credentials');
    writeFileSync(file, GIT_CREDENTIALS);
    chmodSync(file, 0o640);

    const result = await runHelper(['import', '--from', 'git-credentials', '--delete'], '', env);
    expect(result.code).toBe(1); // the rejected token
    expect(result.stdout).toContain(`imported https://github.com octocat (classic personal access token) from ${file}\n`);
    expect(result.stdout).toContain(`imported https://git.corp.example me@corp.example (password) from ${file}\n`);
    expect(result.stdout).toContain(`imported http://intranet.example:8080/team/repo.git plain (password) from ${file}\n`);
    expect(result.stdout).toContain(`removed 3 lines from ${file}\n`);
    expect(result.stderr).toMatch(/not imported: ci on https:\/\/github\.com from \S+: GitHub rejected the token/);
    for (const secret of [OCTO, REJECTED, 'p@ss:w/rd']) expect(result.stdout + result.stderr).not.toContain(secret);

    expect(readFileSync(file, 'utf8')).toBe(['# kept by git credential-store', '', `https://ci:${REJECTED}@github.com`, 'not a url at all', ''].join('\n'));
    expect(statSync(file).mode & 0o777).toBe(0o640);
    const get = async (pairs: Record<string, string>) => (await runHelper(['get'], request(pairs), env)).stdout;
    expect(await get({ protocol: 'https', host: 'git.corp.example' })).toBe('username=me@corp.example\npassword=p@ss:w/rd\n');
    expect(await get({ protocol: 'https', host: 'github.com', username: 'octocat' })).toBe(`username=octocat\npassword=${OCTO}\n`);
    expect(await get({ protocol: 'https', host: 'github.com', username: 'ci' })).toBe('');
    const listed = JSON.parse((await runHelper(['list', '--json'], '', env)).stdout) as Array<{ username: string; login: string | null }>;
    expect(listed.find((c) => c.username === 'octocat')?.login).toBe('octocat');
    for (const [user, host] of [['octocat', 'github.com'], ['me@corp.example', 'git.corp.example']] as const) {
      await runHelper(['erase'], request({ protocol: 'https', host, username: user }), env);
    }
    await runHelper(['erase'], request({ protocol: 'http', host: 'intranet.example:8080', path: 'team/repo.git' }), env);
  });

  it('--delete through a symlinked ~/.git-credentials edits the file it points to, under git\'s .lock, and keeps the link', async () => {
    const env: NodeJS.ProcessEnv = { ...home(), GIT_CREDENTIAL_PAT_API_URL: api.url };
    const dotfiles = join(env.HOME!, 'dotfiles');
    mkdirSync(dotfiles);
    const real = join(dotfiles, 'git-credentials');
    writeFileSync(real, ['# mine', 'https://me:one@one.example', 'https://me:two@two.example', ''].join('\n'));
    chmodSync(real, 0o600);
    const link = join(env.HOME!, '.git-credentials');
    symlinkSync(real, link);

    const result = await runHelper(['import', '--from', 'git-credentials', '--delete', '--no-verify'], '', env);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`removed 2 lines from ${link} (a link to ${real})\n`);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, 'utf8')).toBe('# mine\n');
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(existsSync(`${real}.lock`)).toBe(false);
    for (const host of ['one.example', 'two.example']) await runHelper(['erase'], request({ protocol: 'https', host }), env);
  });

  it('--delete refuses while git holds the .lock, says so, and claims no removal', async () => {
    const env: NodeJS.ProcessEnv = { ...home(), GIT_CREDENTIAL_PAT_API_URL: api.url };
    const file = join(env.HOME!, '.git-credentials');
    const text = ['https://me:three@three.example', ''].join('\n');
    writeFileSync(file, text);
    writeFileSync(`${file}.lock`, '');

    const result = await runHelper(['import', '--from', 'git-credentials', '--delete', '--no-verify'], '', env);
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('removed');
    expect(result.stderr).toMatch(/^not removed from \S+: \S+ is being changed by another process \(\S+\.lock exists; if no git is running, remove it and try again\); the tokens are still there in plain text\n$/);
    expect(result.stderr).not.toContain('three');
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect(existsSync(`${file}.lock`)).toBe(true);
    await runHelper(['erase'], request({ protocol: 'https', host: 'three.example' }), env);
  });

  it("imports both accounts from gh's hosts.yml; without --delete it says how, and the file is untouched", async () => {
    const env = githubApiAt(api.url);
    const dir = join(env.XDG_CONFIG_HOME!, 'gh');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'hosts.yml');
    writeFileSync(file, HOSTS_YML, { mode: 0o600 });
    const result = await runHelper(['import', '--from', 'gh'], '', env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `imported https://github.com octocat (OAuth app token) from ${file}\nimported https://github.com hubot (OAuth app token) from ${file}\n`,
    );
    expect(result.stderr).toContain('run git-credential-pat import --delete to remove those lines');
    expect(readFileSync(file, 'utf8')).toBe(HOSTS_YML);

    const deleted = await runHelper(['import', '--from', 'gh', '--delete'], '', env);
    expect(deleted.code).toBe(0);
    // Both of github.com's accounts went: so does its entry, and gh says it is logged out, not broken.
    expect(readFileSync(file, 'utf8')).toBe('');
    expect(deleted.stdout).toContain('gh is now logged out of github.com');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    for (const user of ['octocat', 'hubot']) await runHelper(['erase'], request({ protocol: 'https', host: 'github.com', username: user }), env);
  });

  it('--no-verify imports without asking GitHub; a bad --from is a usage error', async () => {
    const env: NodeJS.ProcessEnv = { ...home(), GIT_CREDENTIAL_PAT_API_URL: "http://127.0.0.1:1" };
    writeFileSync(join(env.HOME!, '.git-credentials'), `https://ci:${REJECTED}@github.com\n`);
    expect((await runHelper(['import', '--no-verify'], '', env)).code).toBe(0);
    expect((await runHelper(['get'], request({ protocol: 'https', host: 'github.com', username: 'ci' }), env)).stdout).toContain(REJECTED);
    await runHelper(['erase'], request({ protocol: 'https', host: 'github.com', username: 'ci' }), env);
    expect((await runHelper(['import', '--from', 'netrc'], '', env)).code).toBe(2);
  });
});
