// setup and doctor against a real git with a test HOME, and the real keychain.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { effectiveHelpers, parseConfigDump, storeHelperFile, urlMatches } from '../src/credential-helpers.js';
import { gitClient, type GitClient } from './support/git-client.js';
import { startGitServer, type GitServer } from './support/git-server.js';
import { request, runHelper } from './support/helper-process.js';

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
    const { tool, config } = home();
    const first = await tool(['setup']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toBe('Configured git (global config):\n  git config --global --add credential.https://github.com.helper pat\n');
    const after = await config();
    const second = await tool(['setup']);
    expect(second.stdout).toMatch(/already asks git-credential-pat first.*Nothing changed/);
    expect(await config()).toBe(after);
    expect(after).toContain('credential.https://github.com.helper=pat');
  });

  it('with store configured before: says so; --yes puts this helper first and resets the list, keeping the setting', async () => {
    const { client, tool, config } = home();
    await client.git(['config', '--global', 'credential.helper', 'store']);
    const result = await tool(['setup', '--yes']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/git also runs 'store' \(global config\) for https:\/\/github\.com; 'store' keeps every token it is given in plain text/);
    expect(result.stdout).toContain("git config --global --add credential.https://github.com.helper ''\n");
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
    expect(result.stderr).toContain('run setup --yes to put git-credential-pat first');
    expect((await client.git(['config', '--global', '--get-all', 'credential.helper'])).stdout).toBe('store\npat\n');
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
  it('finds no helper and exits 1; after setup it is ok', async () => {
    const { tool } = home();
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
    const { client, tool } = home();
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
    const { client, tool } = home();
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
    expect(checks).toContainEqual(expect.objectContaining({ check: 'tokens', level: 'ok', message: expect.stringMatching(/^\d+ stored credentials?, \d+ for GitHub \(.*\d+ classic.*\)$/) }));
    await tool(['erase'], request({ protocol: 'https', host: 'github.com', username: 'doctor-test' }));
  });

  it('reports an unreachable keychain with the ways out, and git-credential-pat missing from PATH', async () => {
    const { client, tool } = home();
    await tool(['setup']);
    // A PATH with git and nothing else, whatever this machine has installed globally.
    const bare = join(client.root, 'bare-path');
    mkdirSync(bare);
    symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bare, 'git'));
    const env = { ...client.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', PATH: bare };
    const result = await runHelper(['doctor', '--json'], '', env);
    expect(result.code).toBe(1);
    const checks = (JSON.parse(result.stdout) as { checks: Array<{ check: string; level: string; message: string }> }).checks;
    expect(checks.find((c) => c.check === 'keychain')).toMatchObject({ level: 'problem', message: expect.stringMatching(/scripts\/with-keyring.*credential\.patEnvFallback.*desktop keyring/) });
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

