// Accounts that stay consistent, as people get the tool: the packed tarball installed
// into a fresh prefix and found on PATH, real git reading the config the commands
// write, a loopback GitHub API and a keyring of this file's own. Each block is one
// thing a gh or Git Credential Manager user tripped on (issue 22).
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { gitClient, type GitClient } from './support/git-client.js';
import { testHome, uniqueHost } from './support/helper-process.js';
import { installPackedPackage } from './support/installed-package.js';
import { ownKeyring } from './support/private-keyring.js';
import { runOnTerminal } from './support/pty.js';

const OCTOCAT = 'ghp_installedOctocat000000000000000000001';
const OCTOREAD = 'ghp_installedOctoread00000000000000000002';
const OCTOWORK = 'ghp_installedOctowork00000000000000000003';
const HUBOT = 'gho_installedHubot0000000000000000000004';
const REJECTED = 'ghp_installedRejected0000000000000000005';

let api: FakeGitHubApi;
let bin: string;
const keyring = ownKeyring();

beforeAll(async () => {
  bin = installPackedPackage('accounts');
  api = await startFakeGitHubApi({
    [OCTOCAT]: { login: 'octocat', scopes: ['repo', 'workflow'] },
    [OCTOREAD]: { login: 'octoread', scopes: ['repo', 'workflow'] },
    [OCTOWORK]: { login: 'octo-work', scopes: ['repo', 'workflow'] },
    [HUBOT]: { login: 'hubot', scopes: ['repo', 'workflow'] },
  });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** A person's machine: its own HOME and git config, the installed command on PATH. */
function machine(): { client: GitClient; env: NodeJS.ProcessEnv; tool: (args: readonly string[], input?: string, extra?: NodeJS.ProcessEnv) => Promise<Run> } {
  const client = gitClient('');
  const env: NodeJS.ProcessEnv = { ...client.env, ...testHome(), ...keyring.env, PATH: `${bin}:${process.env.PATH}` };
  Object.assign(client.env, env);
  // Asynchronously: the fake API answers from this very process.
  const tool = (args: readonly string[], input = '', extra: NodeJS.ProcessEnv = {}) =>
    new Promise<Run>((resolve) => {
      const child = execFile('git-credential-pat', [...args], { env: { ...env, ...extra }, timeout: 30_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
      );
      child.stdin?.on('error', () => {});
      child.stdin?.end(input);
    });
  return { client, env, tool };
}

/** How many times git itself runs git-credential-pat for a URL, from git's own trace. */
async function helperRuns(client: GitClient, url: string): Promise<number> {
  const saved = client.env.GIT_TRACE;
  client.env.GIT_TRACE = '1';
  const result = await client.git(['credential', 'fill'], { input: `url=${url}\n\n` });
  client.env.GIT_TRACE = saved;
  return result.stderr.split('\n').filter((l) => l.includes("run_command: 'git credential-pat get'")).length;
}

async function fill(client: GitClient, url: string): Promise<string> {
  return (await client.git(['credential', 'fill'], { input: `url=${url}\n\n` })).stdout;
}

/** Logs in to github.com with a token through the loopback API. */
function login(tool: ReturnType<typeof machine>['tool'], token: string, extra: readonly string[] = []) {
  return tool(['login', '--host', 'github.com', '--with-token', ...extra], `${token}\n`, { GIT_CREDENTIAL_PAT_API_URL: api.url });
}

/**
 * Every command line a message suggests, and every option it names on its own (which
 * then must be the running command's), is one the installed CLI accepts: each is run
 * with --help, which the parser refuses (exit 2) for any option the command lacks.
 */
async function expectAdviceAccepted(tool: ReturnType<typeof machine>['tool'], command: string, text: string): Promise<number> {
  let checked = 0;
  for (const line of text.split('\n')) {
    const suggested = [...line.matchAll(/git-credential-pat ([a-z]+)((?: (?:--?[a-z-]+|[A-Z]+|[\w.@:/-]+))*)/g)];
    for (const match of suggested) {
      const args = (match[2] ?? '').trim().split(/\s+/).filter(Boolean);
      const help = await tool([match[1]!, ...args, '--help']);
      expect(help.code, `${match[0]}: ${help.stderr}`).toBe(0);
      checked++;
    }
    const bare = line.replace(/git-credential-pat [a-z]+(?: (?:--?[a-z-]+|[A-Z]+|[\w.@:/-]+))*/g, '');
    for (const option of bare.matchAll(/(?<![\w-])(--[a-z][a-z-]+)(?: ([A-Z]+))?/g)) {
      const help = await tool([command, option[1]!, ...(option[2] ? [option[2]] : []), '--help']);
      expect(help.code, `${command} ${option[0]}: ${help.stderr}`).toBe(0);
      checked++;
    }
  }
  return checked;
}

describe('setup --all-hosts after setup (item 1)', () => {
  it('wires every kind of host, each run once', async () => {
    const { client, tool } = machine();
    expect((await tool(['setup'])).code).toBe(0);
    expect(await helperRuns(client, 'https://gitlab.com/g/r.git')).toBe(0);
    const all = await tool(['setup', '--all-hosts']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).not.toContain('Nothing changed');
    for (const url of [
      'https://github.com/o/r.git',
      'https://ghe.example.com/o/r.git',
      'https://gitlab.com/g/r.git',
      'https://gitlab.example.org/g/r.git',
      'https://codeberg.org/o/r.git',
      'https://gitea.com/o/r.git',
      'https://bitbucket.org/w/r.git',
      'https://dev.azure.com/org/p/_git/r',
      'https://git.example.net:8443/r.git',
    ]) {
      expect(await helperRuns(client, url), url).toBe(1);
    }
    const again = await tool(['setup', '--all-hosts']);
    expect(again.stdout).toMatch(/^git already runs git-credential-pat for every host/);
  });

  it("a host another helper serves is found too, and setup asks before resetting the list", async () => {
    const { client, tool } = machine();
    await client.git(['config', '--global', 'credential.https://gitlab.example.org.helper', 'store']);
    await client.git(['config', '--global', 'credential.helper', 'pat']);
    const all = await tool(['setup', '--all-hosts']);
    expect(all.stderr).toContain("git also runs 'store' (global config) for every host");
    expect(all.stdout).not.toMatch(/^git already runs/);
    expect((await tool(['setup', '--all-hosts', '--yes'])).code).toBe(0);
    expect(await helperRuns(client, 'https://gitlab.example.org/g/r.git')).toBe(1);
  });
});

describe('login checks that git asks git-credential-pat for its host (item 2)', () => {
  it('with no git config: says so with the one command that fixes it, and that command works', async () => {
    const { client, tool } = machine();
    const result = await login(tool, OCTOCAT);
    expect(result.code, result.stderr).toBe(0);
    const [, fix] = /git does not ask git-credential-pat for https:\/\/github\.com[^\n]*Fix: (git-credential-pat [^\n]+)\n/.exec(result.stderr) ?? [];
    expect(fix).toBe('git-credential-pat setup');
    expect(await helperRuns(client, 'https://github.com/o/r.git')).toBe(0);
    expect((await tool(fix!.split(' ').slice(1))).code).toBe(0);
    expect(await fill(client, 'https://github.com/o/r.git')).toContain(`username=octocat\npassword=${OCTOCAT}\n`);
    await tool(['logout', '--host', 'github.com', '--yes']);
  });

  it('another host under a github.com-only setup: names the --host fix; with git wired for it, says nothing', async () => {
    const { client, tool } = machine();
    await tool(['setup']);
    const result = await tool(['login', '--host', 'gitlab.example.org', '--provider', 'generic', '--username', 'me', '--with-token'], 'a-generic-password\n');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('git does not ask git-credential-pat for https://gitlab.example.org');
    expect(result.stderr).toContain('Fix: git-credential-pat setup --host gitlab.example.org\n');
    expect((await tool(['setup', '--host', 'gitlab.example.org'])).code).toBe(0);
    expect(await fill(client, 'https://gitlab.example.org/g/r.git')).toContain('username=me\npassword=a-generic-password\n');
    const again = await tool(['login', '--host', 'gitlab.example.org', '--provider', 'generic', '--username', 'me', '--with-token'], 'a-generic-password\n');
    expect(again.stderr).toBe('');
    await tool(['logout', '--host', 'gitlab.example.org', '--yes']);
  });
});

describe('logout keeps routing true (item 3)', () => {
  it("removes the routing that named the account, says who git uses now, and git gets that account", async () => {
    const { client, tool } = machine();
    await client.git(['config', '--global', 'credential.helper', 'pat']);
    expect((await login(tool, OCTOWORK)).code).toBe(0);
    expect((await login(tool, OCTOCAT)).code).toBe(0);
    expect((await tool(['use', 'octocat'])).code).toBe(0);
    expect((await tool(['use', 'octocat', '--owner', 'acme'])).code).toBe(0);
    expect(await fill(client, 'https://github.com/other/r.git')).toContain('username=octocat\n');

    const out = await tool(['logout', '--host', 'github.com', '--username', 'octocat']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain('git now uses octo-work for github.com');
    const left = await client.git(['config', '--global', '--get-regexp', '^credential\\..*\\.username$']);
    expect(left.stdout).toBe('');
    expect(await fill(client, 'https://github.com/other/r.git')).toContain(`username=octo-work\npassword=${OCTOWORK}\n`);
    expect(await fill(client, 'https://github.com/acme/r.git')).toContain(`username=octo-work\npassword=${OCTOWORK}\n`);
    const doctor = JSON.parse((await tool(['doctor', '--json'])).stdout) as { checks: Array<{ check: string; level: string; message: string }> };
    expect(doctor.checks.filter((c) => c.check === 'selection' && c.level === 'ok' && /octocat/.test(c.message))).toEqual([]);
    // Routing someone set by hand to an account with no token: doctor calls it a problem, with the fix.
    await client.git(['config', '--global', 'credential.https://github.com.username', 'ghost']);
    const stale = JSON.parse((await tool(['doctor', '--json'])).stdout) as { checks: Array<{ check: string; level: string; message: string; fix?: string }> };
    expect(stale.checks).toContainEqual(expect.objectContaining({ check: 'selection', level: 'problem', fix: 'git-credential-pat use --clear (or log in as ghost)' }));
    expect((await tool(['use', '--clear'])).code).toBe(0);
    await tool(['logout', '--host', 'github.com', '--yes']);
  });
});

describe('a new login becomes the account git uses, as with gh (item 4)', () => {
  it('after use octoread, login as octocat switches git to octocat and says how to switch back', async () => {
    const { client, tool } = machine();
    await client.git(['config', '--global', 'credential.helper', 'pat']);
    expect((await login(tool, OCTOREAD)).code).toBe(0);
    expect((await tool(['use', 'octoread'])).code).toBe(0);
    expect((await tool(['use', 'octoread', '--owner', 'read-org'])).code).toBe(0);
    const result = await login(tool, OCTOCAT);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('git now uses octocat for github.com (credential.https://github.com.username named octoread); switch back: git-credential-pat use octoread --host github.com\n');
    expect(result.stdout).toContain('read-org/ repositories still use octoread');
    expect(await fill(client, 'https://github.com/o/r.git')).toContain(`username=octocat\npassword=${OCTOCAT}\n`);
    expect(await fill(client, 'https://github.com/read-org/r.git')).toContain(`username=octoread\npassword=${OCTOREAD}\n`);
    await tool(['logout', '--host', 'github.com', '--yes']);
  });

  it('logging in again to an older account makes it the one git uses', async () => {
    const { client, tool } = machine();
    await client.git(['config', '--global', 'credential.helper', 'pat']);
    await login(tool, OCTOREAD);
    await login(tool, OCTOCAT);
    expect(await fill(client, 'https://github.com/o/r.git')).toContain('username=octocat\n');
    const again = await login(tool, OCTOREAD);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).not.toContain('still uses');
    expect(await fill(client, 'https://github.com/o/r.git')).toContain(`username=octoread\npassword=${OCTOREAD}\n`);
    // With --json, stdout stays JSON; what changed is said on stderr.
    await tool(['use', 'octoread']);
    const json = await login(tool, OCTOCAT, ['--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ username: 'octocat' });
    expect(json.stderr).toContain('git now uses octocat for github.com');
    await tool(['logout', '--host', 'github.com', '--yes']);
  });

  it('use with no account shows the routing, owner rules included; use --clear removes it', async () => {
    const { client, tool } = machine();
    await client.git(['config', '--global', 'credential.helper', 'pat']);
    await login(tool, OCTOREAD);
    await login(tool, OCTOCAT);
    await tool(['use', 'octoread']);
    await tool(['use', 'octocat', '--owner', 'acme']);
    const shown = await tool(['use']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^Routing for https:\/\/github\.com:\n {2}default +octoread .*\n {2}acme\/ +octocat .*\ngit uses octoread when a request names no account/);
    const owner = await tool(['use', '--clear', '--owner', 'acme']);
    expect(owner.stdout).toContain('git config --global --unset-all credential.https://github.com/acme.username\n');
    expect(await fill(client, 'https://github.com/acme/r.git')).toContain('username=octoread\n');
    const cleared = await tool(['use', '--clear']);
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toContain('git now uses octocat for github.com (the most recently stored of 2)');
    expect((await client.git(['config', '--global', '--get-regexp', '^credential\\..*\\.username$'])).stdout).toBe('');
    expect(await fill(client, 'https://github.com/o/r.git')).toContain('username=octocat\n');
    expect((await tool(['use'])).stdout).toContain('no rule: git uses the most recently stored account');
    expect((await tool(['use', '--clear'])).code).toBe(1);
    await tool(['logout', '--host', 'github.com', '--yes']);
  });
});

describe('advice that can be followed (item 5)', () => {
  it('import and status for a Bitbucket token suggest only what the CLI accepts, and --no-verify imports it', async () => {
    const { env, tool } = machine();
    writeFileSync(join(env.HOME!, '.git-credentials'), 'https://me:ATATT3xFfGF0bitbucketToken0001@bitbucket.org\n');
    const imported = await tool(['import', '--from', 'git-credentials']);
    expect(imported.code).toBe(1);
    expect(imported.stderr).toContain('--no-verify');
    expect(await expectAdviceAccepted(tool, 'import', imported.stderr)).toBeGreaterThan(0);
    const unchecked = await tool(['import', '--from', 'git-credentials', '--no-verify']);
    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toContain('imported https://bitbucket.org me');

    const status = await tool(['status']);
    expect(status.stdout).toContain('bitbucket.org');
    expect(await expectAdviceAccepted(tool, 'status', status.stdout + status.stderr)).toBeGreaterThan(0);
    await tool(['logout', '--host', 'bitbucket.org', '--yes']);
  });

  it('import --help says which tokens are checked over the network, and offers --no-verify', async () => {
    const { tool } = machine();
    const help = (await tool(['import', '--help'])).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('GitLab');
    expect(help).toContain('checked over the network');
    expect(help).toContain('--no-verify');
  });
});

describe("import --from gh --delete leaves gh's hosts.yml in a shape gh reads (item 6)", () => {
  function ghFile(env: NodeJS.ProcessEnv, text: string): string {
    const dir = join(env.XDG_CONFIG_HOME!, 'gh');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'hosts.yml');
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  }

  it("one account: the host's entry goes, and import says gh is logged out of it", async () => {
    const { client, env, tool } = machine();
    await client.git(['config', '--global', 'credential.https://github.com.patApiUrl', api.url]);
    const file = ghFile(env, `github.com:\n    users:\n        hubot:\n            oauth_token: ${HUBOT}\n    git_protocol: https\n    user: hubot\n    oauth_token: ${HUBOT}\ngitlab.example.org:\n    user: other\n    git_protocol: ssh\n`);
    const result = await tool(['import', '--from', 'gh', '--delete']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('gh is now logged out of github.com');
    const after = parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(after)).toEqual(['gitlab.example.org']);
    expect(readFileSync(file, 'utf8')).not.toContain(HUBOT);
    await tool(['logout', '--host', 'github.com', '--yes']);
  });

  it('an account stays (its token was not imported): gh switches to it, with its token', async () => {
    const { client, env, tool } = machine();
    await client.git(['config', '--global', 'credential.https://github.com.patApiUrl', api.url]);
    const file = ghFile(env, `github.com:\n    users:\n        octocat:\n            oauth_token: ${OCTOCAT}\n        ci:\n            oauth_token: ${REJECTED}\n    git_protocol: https\n    user: octocat\n    oauth_token: ${OCTOCAT}\n`);
    const result = await tool(['import', '--from', 'gh', '--delete']);
    expect(result.stdout).toContain('gh now uses ci on github.com');
    const after = parseYaml(readFileSync(file, 'utf8')) as Record<string, { users: Record<string, { oauth_token: string }>; user: string; oauth_token: string; git_protocol: string }>;
    expect(after['github.com']).toEqual({ users: { ci: { oauth_token: REJECTED } }, git_protocol: 'https', user: 'ci', oauth_token: REJECTED });
    await tool(['logout', '--host', 'github.com', '--yes']);
  });
});

describe('before the first unlock (item 7)', () => {
  it('list and status say on their first line that the keychain cannot be read, with the fix; exit non-zero; keep every index row', async () => {
    const { env, tool } = machine();
    expect((await tool(['store'], 'protocol=https\nhost=recorded.example.invalid\nusername=kept\npassword=pw-kept\n')).code).toBe(0);
    const index = join(env.XDG_STATE_HOME!, 'git-credential-pat', 'index.json');
    const before = readFileSync(index, 'utf8');
    const locked = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    for (const command of ['list', 'status']) {
      const result = await tool([command], '', locked);
      expect(result.code, command).toBe(1);
      expect(result.stderr.split('\n')[0], command).toMatch(new RegExp(`^git-credential-pat ${command}: the keychain cannot be read: .*git-credential-pat unlock`));
      expect(result.stdout).toBe('');
    }
    expect((await tool(['list'], '', locked)).stderr).toContain('kept on recorded.example.invalid');
    expect(readFileSync(index, 'utf8')).toBe(before);
    expect((await tool(['list'])).stdout).toContain('recorded.example.invalid');

    // With nothing recorded at all, too: an empty list would pass for an empty keychain.
    const fresh = machine();
    const empty = await fresh.tool(['list'], '', locked);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^git-credential-pat list: the keychain cannot be read: [^\n]*unlock/);
    await tool(['logout', '--host', 'recorded.example.invalid', '--yes']);
  });
});

describe('login at a terminal (items 2 and 8)', () => {
  it('retries a bad paste and a rejected token, then offers to wire git for the host and does', async () => {
    const { client, env } = machine();
    const host = uniqueHost('tty');
    const { code, screen } = await runOnTerminal(
      [join(bin, 'git-credential-pat'), 'login', '--host', host],
      [
        { when: 'Paste the token', send: 'not a token\r' },
        { when: 'Try again', send: `${REJECTED}\r` },
        { when: 'Try again', send: `${OCTOCAT}\r` },
        { when: 'Run it now', send: 'y\r' },
      ],
      { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url },
      30_000,
    );
    expect(code, screen).toBe(0);
    expect(screen).toContain('the token contains spaces or line breaks; give only the token itself. Try again.');
    expect(screen).toContain('rejected the token (401 Bad credentials): it is mistyped, expired or revoked. Try again.');
    expect(screen).toContain(`Logged in to ${host} (GitHub) as octocat.`);
    expect(screen).toContain(`git does not ask git-credential-pat for https://${host}`);
    expect(screen).toContain(`Configured git: appended credential.https://${host}.helper = pat`);
    expect(await helperRuns(client, `https://${host}/o/r.git`)).toBe(1);
  });

  it('gives up after the third bad paste, storing nothing', async () => {
    const { env } = machine();
    const host = uniqueHost('tty');
    const { code, screen } = await runOnTerminal(
      [join(bin, 'git-credential-pat'), 'login', '--host', host],
      [
        { when: 'Paste the token', send: `${REJECTED}\r` },
        { when: 'Try again', send: `${REJECTED}\r` },
        { when: 'Try again', send: `${REJECTED}\r` },
      ],
      { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url },
      30_000,
    );
    expect(code).toBe(1);
    expect(screen).toContain('Nothing was stored');
  });
});
