// setup and doctor against a real git with a test HOME, and the real keychain.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveHelpers, parseConfigDump, storeHelperFile, urlMatches } from '../src/credential-helpers.js';
import { gitClient, type GitClient } from './support/git-client.js';
import { startGitServer, type GitServer } from './support/git-server.js';
import { request, runHelper } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

async function config(client: GitClient): Promise<string> {
  return (await client.git(['config', '--global', '--list'])).stdout;
}

/** A fresh test HOME with git-credential-pat on PATH, and a way to run the tool and git there. */
function home(caFile = '/dev/null') {
  const client = gitClient(caFile);
  const tool = (args: string[], input = '') => runHelper(args, input, client.env);
  const config = async () => (await client.git(['config', '--global', '--list'])).stdout;
  return { client, tool, config };
}

describe('git helper resolution (pure)', () => {
  it("follows git's urlmatch rules", () => {
    expect(urlMatches('https://github.com', 'https://github.com')).toBe(true);
    expect(urlMatches('https://github.com', 'https://GitHub.com/org/repo.git')).toBe(true);
    expect(urlMatches('https://github.com:443', 'https://github.com')).toBe(true);
    expect(urlMatches('https://github.com/org', 'https://github.com/org/repo.git')).toBe(true);
    expect(urlMatches('https://github.com/org', 'https://github.com/organisation/x')).toBe(false);
    expect(urlMatches('https://*.example.com', 'https://git.example.com')).toBe(true);
    expect(urlMatches('https://*.example.com', 'https://example.com')).toBe(false);
    expect(urlMatches('http://github.com', 'https://github.com')).toBe(false);
    expect(urlMatches('https://github.com', 'https://github.com:8443')).toBe(false);
    expect(urlMatches('https://github.com', 'https://github.com.evil.example')).toBe(false);
  });

  it('collects helpers in config order; an empty value resets the list', () => {
    const dump = [
      'global\0file:/h/.gitconfig\0credential.helper\nstore',
      'global\0file:/h/.gitconfig\0credential.https://github.com.helper\n',
      'global\0file:/h/.gitconfig\0credential.https://github.com.helper\npat',
      'global\0file:/h/.gitconfig\0credential.https://gitlab.com.helper\ncache',
      'local\0file:.git/config\0credential.helper\ncache --timeout=60',
      '',
    ].join('\0');
    const entries = parseConfigDump(dump);
    expect(effectiveHelpers(entries, 'https://github.com').map((h) => h.value)).toEqual(['pat', 'cache --timeout=60']);
    expect(effectiveHelpers(entries, 'https://gitlab.com').map((h) => h.value)).toEqual(['store', 'cache', 'cache --timeout=60']);
  });

  it("knows where git's store helper writes", () => {
    expect(storeHelperFile('store', '/h', undefined)).toEqual(['/h/.git-credentials', '/h/.config/git/credentials']);
    expect(storeHelperFile('store --file=~/secrets.txt', '/h', undefined)).toEqual(['/h/secrets.txt']);
    expect(storeHelperFile('cache', '/h', undefined)).toEqual([]);
  });
});

describe('setup', () => {
  it('wires github.com in the global config, prints the git config line, and is idempotent', async () => {
    const { client, tool, config } = home();
    const first = await tool(['setup']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe(
      `Configured git (global config): appended to ${client.env.HOME}/.gitconfig\n  [credential "https://github.com"]\n      helper = pat\ngit now runs: 1. pat\n`,
    );
    const after = await config();
    const second = await tool(['setup']);
    expect(second.stdout).toMatch(/^git already runs git-credential-pat for https:\/\/github\.com .*Nothing changed\.\ngit now runs: 1\. pat\n$/);
    expect(await config()).toBe(after);
    expect(after).toContain('credential.https://github.com.helper=pat');
  });

  it('with store configured before: says so; --yes puts this helper first and resets the list, keeping the setting', async () => {
    const { client, tool, config } = home();
    await client.git(['config', '--global', 'credential.helper', 'store']);
    const result = await tool(['setup', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/git also runs 'store' \(global config\) for https:\/\/github\.com; 'store' keeps every token it is given in plain text/);
    expect(result.stdout).toContain('  [credential "https://github.com"]\n      helper =\n      helper = pat\ngit now runs: 1. pat\n');
    const text = await config();
    expect(text).toContain('credential.helper=store');
    const fill = await client.git(['config', '--get-urlmatch', 'credential.helper', 'https://github.com']);
    expect(fill.stdout.trim()).toBe('pat');
    // Undo takes back exactly what setup added.
    const undo = await tool(['setup', '--undo']);
    expect(undo.code).toBe(0);
    expect(await config()).toBe('credential.helper=store\n');
    expect((await tool(['setup', '--undo'])).code).toBe(1);
  });

  it('without --yes and without a terminal: adds itself after the other helper and says how to go first', async () => {
    const { client, tool } = home();
    await client.git(['config', '--global', 'credential.helper', 'store']);
    const result = await tool(['setup', '--all-hosts']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('run setup --yes to reset the list so that git runs only git-credential-pat');
    expect(result.stdout).toContain('git now runs: 1. store, 2. pat\n');
    expect((await client.git(['config', '--global', '--get-all', 'credential.helper'])).stdout).toBe('store\npat\n');
  });

  it("puts the reset where git reads it last: a '[credential] helper = store' below the URL's section does not survive", async () => {
    // Before the fix the reset went into the existing [credential "https://github.com"]
    // section above `store`, so git still handed store every token, and setup said it was done.
    const { client, tool } = home();
    writeFileSync(join(client.env.HOME!, '.gitconfig'), '[credential "https://github.com"]\n\tusername = octocat\n[credential]\n\thelper = store\n');
    const result = await tool(['setup', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/git now runs: 1\. pat\n$/);
    expect(effectiveHelpers(parseConfigDump((await client.git(['config', '--null', '--show-scope', '--show-origin', '--get-regexp', '^credential\\.'])).stdout), 'https://github.com').map((h) => h.value)).toEqual(['pat']);
    // git itself: a credential that worked goes to us, and nothing is written in plain text.
    const approve = await client.git(['credential', 'approve'], { input: 'protocol=https\nhost=github.com\nusername=setup-order\npassword=ghp_setupOrder\n\n' });
    expect(approve.code, approve.stderr).toBe(0);
    expect(existsSync(join(client.env.HOME!, '.git-credentials'))).toBe(false);
    expect((await tool(['get'], request({ protocol: 'https', host: 'github.com', username: 'setup-order' }))).stdout).toContain('password=ghp_setupOrder\n');
    await tool(['erase'], request({ protocol: 'https', host: 'github.com', username: 'setup-order' }));
    // The user's own settings stay in the file.
    expect(await config(client)).toContain('credential.helper=store');
    expect(await config(client)).toContain('credential.https://github.com.username=octocat');
  });

  it.each([
    ['pat', 'credential.helper'],
    ['git-credential-pat', 'credential.helper'],
    ['/usr/local/bin/git-credential-pat', 'credential.https://github.com.helper'],
    ['!NODE_EXTRA_CA_CERTS= git-credential-pat', 'credential.https://github.com.helper'],
    ['!f() { git-credential-pat "$@"; }; f', 'credential.https://github.com.helper'],
  ])("recognises an existing '%s' (%s) and adds nothing, twice", async (value, key) => {
    const { client, tool } = home();
    await client.git(['config', '--global', key, value]);
    const before = await config(client);
    for (const run of [1, 2]) {
      const result = await tool(['setup']);
      expect(result, `run ${run}`).toMatchObject({ code: 0, stdout: expect.stringMatching(/Nothing changed\.\ngit now runs: 1\. /) });
      expect(await config(client)).toBe(before);
    }
  });

  it('recognises the helper set in another config file (an include) and adds nothing', async () => {
    const { client, tool } = home();
    const included = join(client.root, 'included.gitconfig');
    writeFileSync(included, '[credential]\n\thelper = pat\n');
    await client.git(['config', '--global', 'include.path', included]);
    const before = await config(client);
    expect((await tool(['setup'])).stdout).toContain('Nothing changed');
    expect(await config(client)).toBe(before);
  });

  it('after credential.helper pat with a later store: --yes leaves git running the helper exactly once and no store', async () => {
    const { client, tool } = home();
    await client.git(['config', '--global', '--add', 'credential.helper', 'pat']);
    await client.git(['config', '--global', '--add', 'credential.https://github.com.helper', 'store']);
    for (const run of [1, 2]) {
      const result = await tool(['setup', '--yes']);
      expect(result.code, `run ${run}: ${result.stderr}`).toBe(0);
      expect(result.stdout, `run ${run}`).toMatch(/git now runs: 1\. pat\n$/);
    }
  });

  it('verifies what git runs after writing: a store in a file git reads later fails with exit 1 and the exact fix', async () => {
    const { client, tool } = home();
    const repo = join(client.root, 'repo');
    await client.git(['init', '-q', repo]);
    await client.git(['config', 'credential.helper', 'store'], { cwd: repo });
    const result = await runHelper(['setup', '--yes'], '', { ...client.env, GIT_DIR: join(repo, '.git') });
    expect(result.code).toBe(1);
    expect(result.stdout).not.toContain('git now runs');
    expect(result.stderr).toContain(
      `\ngit-credential-pat setup: git still runs 1. pat (global), 2. store (local) for https://github.com: a config file git reads later overrides the global config. Fix: git config --file ${repo}/.git/config --unset credential.helper '^store$'\n`,
    );
    // The fix it names works.
    execFileSync('git', ['config', '--file', `${repo}/.git/config`, '--unset', 'credential.helper', '^store$'], { env: client.env });
    const again = await runHelper(['setup', '--yes'], '', { ...client.env, GIT_DIR: join(repo, '.git') });
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(/git now runs: 1\. pat\n$/) });
  });

  it('refuses bad arguments', async () => {
    const { tool } = home();
    expect((await tool(['setup', '--global', '--local'])).code).toBe(2);
    expect((await tool(['setup', '--host', 'x.com', '--all-hosts'])).code).toBe(2);
    expect((await tool(['setup', '--host', 'https://x.com'])).code).toBe(2);
  });
});

describe('setup with a real push', () => {
  let server: GitServer;
  const TOKEN = 'ghp_setupEndToEnd000000000000000000000001';
  beforeAll(async () => {
    server = await startGitServer({ authorize: (user, pass) => user === 'alice' && pass === TOKEN });
    await server.createRepo('alice/repo.git');
  });
  afterAll(async () => {
    await server?.close();
  });

  it("after setup --yes over a 'store' helper, git clones with our token and store writes nothing in plain text", async () => {
    const { client, tool } = home(server.caFile);
    await client.git(['config', '--global', 'credential.helper', 'store']);
    expect((await tool(['setup', '--yes', '--host', server.host])).code).toBe(0);
    expect((await tool(['login', '--host', server.host, '--with-token', '--no-verify', '--username', 'alice'], `${TOKEN}\n`)).code).toBe(0);
    const clone = await client.git(['clone', `${server.url}/alice/repo.git`, join(client.root, 'repo')]);
    expect(clone.code, clone.stderr).toBe(0);
    expect(existsSync(join(client.env.HOME!, '.git-credentials'))).toBe(false);
  });
});

describe('doctor', () => {
  // doctor lists every item of ours in the keychain, not only this HOME's index: other
  // files' tokens (an expired one is a problem) must not decide its verdict.
  const keyring = ownKeyring();
  const doctorHome = () => {
    const made = home();
    Object.assign(made.client.env, keyring.env);
    return made;
  };

  it('finds no helper and exits 1; after setup it is ok', async () => {
    const { tool } = doctorHome();
    const before = await tool(['doctor', '--json']);
    expect(before.code).toBe(1);
    const report = JSON.parse(before.stdout) as { checks: Array<{ check: string; level: string; message: string; fix?: string }>; problems: number };
    expect(report.checks.find((c) => c.check === 'git')).toMatchObject({ level: 'ok', message: expect.stringMatching(/^git \d/) });
    expect(report.checks.find((c) => c.check === 'helpers')).toMatchObject({ level: 'problem', fix: 'git-credential-pat setup' });
    expect(report.checks.find((c) => c.check === 'keychain')).toMatchObject({ level: 'ok' });

    await tool(['setup']);
    const after = await tool(['doctor']);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/^ok\s+git \d/m);
    expect(after.stdout).toMatch(/^ok\s+for https:\/\/github\.com git asks git-credential-pat first: 1\. pat \(global\)$/m);
  });

  it('flags a plain-text ~/.git-credentials token and a store --file target, never printing the token', async () => {
    const { client, tool } = doctorHome();
    await tool(['setup']);
    writeFileSync(join(client.env.HOME!, '.git-credentials'), 'https://octocat:ghp_plainTextLeak000000000000000000000001@github.com\n', { mode: 0o600 });
    const other = join(client.root, 'elsewhere.txt');
    writeFileSync(other, 'https://me:ghp_plainTextLeak000000000000000000000002@github.com\n');
    await client.git(['config', '--global', '--add', 'credential.https://gitlab.example.helper', `store --file=${other}`]);
    const result = await tool(['doctor']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`problem  ${client.env.HOME}/.git-credentials holds a token in plain text for github.com`);
    expect(result.stdout).toContain(`problem  ${other} holds a token in plain text for github.com`);
    expect(result.stdout + result.stderr).not.toContain('ghp_plainTextLeak');
  });

  it('warns about store running beside us, useHttpPath, and an expiring token; reports credential.username', async () => {
    const { client, tool } = doctorHome();
    await client.git(['config', '--global', 'credential.helper', 'store']);
    await tool(['setup']);
    await client.git(['config', '--global', 'credential.useHttpPath', 'true']);
    await client.git(['config', '--global', 'credential.https://github.com.username', 'octocat']);
    const soon = Math.floor(Date.now() / 1000) + 2 * 86_400 + 600;
    await tool(['store'], request({ protocol: 'https', host: 'github.com', username: 'doctor-test', password: 'ghp_doctorExpiring', password_expiry_utc: String(soon) }));
    const result = await tool(['doctor', '--json']);
    const checks = (JSON.parse(result.stdout) as { checks: Array<{ check: string; level: string; message: string }> }).checks;
    expect(checks).toContainEqual(expect.objectContaining({ check: 'helpers', level: 'warning', message: expect.stringContaining('asks store before git-credential-pat') }));
    expect(checks).toContainEqual(expect.objectContaining({ check: 'helpers', level: 'warning', message: expect.stringContaining("'store' also runs") }));
    expect(checks).toContainEqual(expect.objectContaining({ check: 'selection', level: 'warning', message: expect.stringContaining('credential.useHttpPath is on') }));
    expect(checks).toContainEqual(expect.objectContaining({ check: 'selection', message: expect.stringContaining('credential.username for https://github.com is octocat') }));
    expect(checks).toContainEqual(expect.objectContaining({ check: 'tokens', level: 'warning', message: 'the token for doctor-test on github.com expires in 2 days' }));
    expect(checks).toContainEqual(expect.objectContaining({ check: 'tokens', level: 'ok', message: expect.stringMatching(/^\d+ stored credentials?; by forge: .*\d+ github.*; by kind: .*\d+ classic/) }));
    await tool(['erase'], request({ protocol: 'https', host: 'github.com', username: 'doctor-test' }));
  });

  it('warns when git runs the helper twice, with the fix', async () => {
    const { client, tool } = doctorHome();
    await client.git(['config', '--global', 'credential.helper', 'pat']);
    await client.git(['config', '--global', 'credential.https://github.com.helper', 'git-credential-pat']);
    const checks = (JSON.parse((await tool(['doctor', '--json'])).stdout) as { checks: Array<{ check: string; level: string; message: string; fix?: string }> }).checks;
    expect(checks).toContainEqual({
      check: 'helpers',
      level: 'warning',
      message: 'git runs git-credential-pat 2 times for https://github.com (credential.helper = pat, global; credential.https://github.com.helper = git-credential-pat, global): every token is stored 2 times and every notice shown 2 times',
      fix: 'git-credential-pat setup --yes (resets the list so git runs it once)',
    });
    expect((await tool(['setup', '--yes'])).stdout).toMatch(/git now runs: 1\. pat\n$/);
    const after = (JSON.parse((await tool(['doctor', '--json'])).stdout) as { checks: Array<{ check: string; level: string }> }).checks;
    expect(after.filter((c) => c.check === 'helpers')).toEqual([expect.objectContaining({ level: 'ok' })]);
  });

  it('reports an unreachable keychain with the ways out, and git-credential-pat missing from PATH', async () => {
    const { client, tool } = doctorHome();
    await tool(['setup']);
    // A PATH with git and nothing else, whatever this machine has installed globally.
    const bare = join(client.root, 'bare-path');
    mkdirSync(bare);
    symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bare, 'git'));
    const env = { ...client.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', PATH: bare };
    const result = await runHelper(['doctor', '--json'], '', env);
    expect(result.code).toBe(1);
    const checks = (JSON.parse(result.stdout) as { checks: Array<{ check: string; level: string; message: string }> }).checks;
    expect(checks.find((c) => c.check === 'keychain')).toMatchObject({ level: 'problem', message: expect.stringMatching(/git-credential-pat unlock.*credential\.patEnvFallback/) });
    expect(checks.find((c) => c.check === 'keychain')!.message).not.toMatch(/with-keyring/);
    expect(checks.find((c) => c.check === 'path')).toMatchObject({ level: 'problem' });
  });
});

describe('help', () => {
  it.each(['setup', 'doctor'])('%s --help shows examples', async (command) => {
    const result = await runHelper([command, '--help'], '');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('Examples:');
  });
});

