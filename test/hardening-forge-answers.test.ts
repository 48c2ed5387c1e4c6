// Issue 21, what a forge sends back and what is shown of stored text: a token stored
// as a username by an older version is redacted wherever a username is shown (4), an
// answer is not read past the size cap (8), and an account name with control
// characters is neither stored nor written to a terminal (9).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiGet } from '../src/hosts/http.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

const LEGACY = 'ghp_storedAsUsernameLegacy0000000000000001';
const GOOD = 'ghp_forgeAnswersGood00000000000000000000002';
const ESCAPING = 'ghp_forgeAnswersEscape000000000000000000003';
const EVIL_LOGIN = 'octo\x1b]0;pwned\x07\x1b[2J\ncat';
let api: FakeGitHubApi;

beforeAll(async () => {
  api = await startFakeGitHubApi({
    [LEGACY]: { login: 'octocat', scopes: ['repo'] },
    [GOOD]: { login: 'octocat', scopes: ['repo', 'workflow'] },
    [ESCAPING]: { login: EVIL_LOGIN, scopes: ['repo'] },
  });
});
afterAll(async () => {
  await api?.close();
});

const keyring = ownKeyring();
const home = (): NodeJS.ProcessEnv => ({ ...testHome(), ...keyring.env });
const git = (env: NodeJS.ProcessEnv, ...args: string[]) => execFileSync('git', args, { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('a token stored as a username by an older version (item 4)', () => {
  it('status, status --json and doctor --online show it redacted, as list does', async () => {
    const env = home();
    const host = uniqueHost('legacy');
    git(env, 'config', '--global', `credential.https://${host}.patApiUrl`, api.url);
    git(env, 'config', '--global', `credential.https://${host}.patProvider`, 'github');
    // What an older version wrote: the token as the item's username attribute.
    const written = spawnSync('secret-tool', ['store', '--label', 'legacy', 'service', `git-credential-pat:https://${host}`, 'username', LEGACY], {
      input: 'x-oauth-basic-password',
      env: { ...process.env, ...env },
    });
    expect(written.status).toBe(0);
    const list = await runHelper(['list'], '', env);
    expect(list.stdout).toContain(host);
    const outputs = [list, await runHelper(['status'], '', env), await runHelper(['status', '--json'], '', env), await runHelper(['doctor', '--online', '--host', host], '', env)];
    for (const result of outputs) {
      expect(`${result.stdout}${result.stderr}`).not.toContain(LEGACY.slice(4, 24));
    }
    expect(outputs[1]!.stdout).toContain(host);
  }, 60_000);
});

describe('an answer larger than the cap (item 8)', () => {
  it('is not read past the cap: the client stops and says so, well before its timeout', async () => {
    let sent = 0;
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => (closed = resolve));
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      // An endless body: only the client can end this.
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) sent += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.on('close', closed);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/user`;
      const result = await apiGet(url, { header: 'authorization', scheme: 'token', secret: GOOD }, 8_000);
      expect(result).toEqual({ kind: 'unreachable', message: expect.stringContaining('larger than 1 MiB') });
      await gone;
      // The cap, plus what the sockets buffer: not the gigabytes the server would send.
      expect(sent).toBeLessThan(64 * 1024 * 1024);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);

  it('a declared Content-Length over the cap is refused before reading', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 * 1024 * 1024 * 1024) });
      res.write('{"login":"x"');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/user`;
      expect(await apiGet(url, undefined, 8_000)).toEqual({ kind: 'unreachable', message: expect.stringContaining('larger than 1 MiB') });
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  }, 30_000);
});

describe("a forge's account name with control characters (item 9)", () => {
  it('login refuses it with a clear error, stores nothing, and writes no control character', async () => {
    const env = { ...home(), GIT_CREDENTIAL_PAT_API_URL: api.url };
    const host = uniqueHost('esc');
    const result = await runHelper(['login', '--host', host, '--provider', 'github', '--with-token'], `${ESCAPING}\n`, env);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/named the token's account with control characters/);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/[\x1b\x07]/);
    expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe('');
  }, 60_000);

  it('status does not take it over a stored login, and list and status show stored controls spelled out', async () => {
    const env = home();
    const host = uniqueHost('esc');
    git(env, 'config', '--global', `credential.https://${host}.patApiUrl`, api.url);
    git(env, 'config', '--global', `credential.https://${host}.patProvider`, 'github');
    expect((await runHelper(['store'], request({ protocol: 'https', host, username: 'octocat', password: ESCAPING }), env)).code).toBe(0);
    const status = await runHelper(['status'], '', env);
    expect(`${status.stdout}${status.stderr}`).not.toMatch(/[\x1b\x07]/);
    expect(status.stdout).toContain('named the token');
    const index = join(env.XDG_STATE_HOME!, 'git-credential-pat', 'index.json');
    expect(readFileSync(index, 'utf8')).not.toContain('pwned');
    // A row written before this check: its login is shown with its controls spelled out.
    const document = JSON.parse(readFileSync(index, 'utf8')) as { items: Array<{ target: { host: string }; metadata?: unknown }> };
    const row = document.items.find((r) => r.target.host === host)!;
    row.metadata = { provider: 'github', login: EVIL_LOGIN, scopes: ['repo\x1b[31m'], lastValidated: Date.now() };
    writeFileSync(index, JSON.stringify(document));
    expect((await runHelper(['list', '--json'], '', env)).stdout).toContain('octo\\\\x1b]0;pwned');
    api.tokens.set(ESCAPING, { login: 'octocat', scopes: ['repo'] });
    for (const args of [['list'], ['list', '--json'], ['status']]) {
      const shown = await runHelper(args, '', env);
      expect(`${shown.stdout}${shown.stderr}`, args.join(' ')).not.toMatch(/[\x1b\x07]/);
    }
    api.tokens.set(ESCAPING, { login: EVIL_LOGIN, scopes: ['repo'] });
  }, 60_000);
});

describe("a repository's config deciding where a token goes (item 11)", () => {
  const inRepo = (args: string[], env: NodeJS.ProcessEnv, cwd: string) =>
    new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [HELPER, ...args], { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });

  it.each(['.git/config', 'a file .git/config includes'])('patApiUrl and patProvider in %s are refused: status and doctor send the token nowhere', async (where) => {
    const thief = await startFakeGitHubApi({ [GOOD]: { login: 'octocat', scopes: ['repo'] } });
    try {
      const env = home();
      const host = uniqueHost('repo');
      git(env, 'config', '--global', `credential.https://${host}.patApiUrl`, api.url);
      expect((await runHelper(['store'], request({ protocol: 'https', host, username: 'octocat', password: GOOD }), env)).code).toBe(0);
      const repo = join(env.HOME!, 'cloned');
      git(env, 'init', '-q', repo);
      const file = where === '.git/config' ? join(repo, '.git', 'config') : join(repo, '.git', 'evil.cfg');
      if (file.endsWith('evil.cfg')) git(env, '-C', repo, 'config', 'include.path', 'evil.cfg');
      git(env, 'config', '--file', file, `credential.https://${host}.patApiUrl`, thief.url);
      git(env, 'config', '--file', file, `credential.https://${host}.patProvider`, 'gitea');
      for (const args of [['status'], ['status', '--json'], ['doctor', '--online', '--host', host]]) {
        const result = await inRepo(args, env, repo);
        expect(`${result.stdout}${result.stderr}`, args.join(' ')).toMatch(/which a repository can write/);
      }
      expect(thief.requests).toEqual([]);
      // Outside the repository, the person's own setting is used as before.
      const outside = await runHelper(['status', '--json'], '', env);
      expect(outside.stdout).toContain('"state": "valid"');
    } finally {
      await thief.close();
    }
  }, 60_000);
});
