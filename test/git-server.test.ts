// Proves the HTTPS git server fixture works with the real git client, using
// git's built-in `store` helper so the fixture is tested independently of ours.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from './support/git-server.js';

const PASSWORD = 'ghp_correct-horse:battery@staple';
const WRONG = 'ghp_wrong-password-1234';

let server: GitServer;
let tmp: string;
let n = 0;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

// The machine's environment sets GIT_SSL_CAINFO (and may set other GIT_*), so
// the client gets a scratch env instead of an inherited one.
function clientEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: path.join(tmp, 'home'),
    LC_ALL: 'C',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_TERMINAL_PROMPT: '0',
    GIT_SSL_CAINFO: server.caFile,
    GIT_AUTHOR_NAME: 'Test Author',
    GIT_AUTHOR_EMAIL: 'author@example.test',
    GIT_COMMITTER_NAME: 'Test Committer',
    GIT_COMMITTER_EMAIL: 'committer@example.test',
  };
}

function git(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = execFile(
      'git',
      args,
      { cwd: opts.cwd ?? tmp, env: opts.env ?? clientEnv(), timeout: 8_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    // A prompt would block on stdin; closing it makes any such attempt fail fast.
    child.stdin?.end();
  });
}

/** A credential store file holding `password` for alice, and `-c` flags that use it. */
async function storeWith(password: string): Promise<{ file: string; config: string[] }> {
  const file = path.join(tmp, `store-${++n}`);
  const u = new URL(server.url);
  u.username = 'alice';
  u.password = password;
  await writeFile(file, `${u.href.replace(/\/$/, '')}\n`, { mode: 0o600 });
  return { file, config: ['-c', 'credential.helper=', '-c', `credential.helper=store --file=${file}`] };
}

function expectNoPassword(text: string): void {
  expect(text).not.toContain(PASSWORD);
  expect(text).not.toContain(WRONG);
}

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), 'git-server-test-'));
  server = await startGitServer({
    authorize: (user, pass, repo) => user === 'alice' && pass === PASSWORD && repo.startsWith('alice/'),
  });
  await server.createRepo('alice/project.git');
}, 15_000);

afterAll(async () => {
  await server?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

describe('git server fixture', { timeout: 10_000 }, () => {
  it('answers 401 with a Basic challenge when no credentials are sent', async () => {
    const ca = await readFile(server.caFile);
    const res = await new Promise<{ status: number | undefined; auth: string | undefined }>((resolve, reject) => {
      https
        .get(`${server.url}/alice/project.git/info/refs?service=git-upload-pack`, { ca, agent: false }, (r) => {
          r.resume();
          resolve({ status: r.statusCode, auth: r.headers['www-authenticate'] });
        })
        .on('error', reject);
    });
    expect(res).toEqual({ status: 401, auth: 'Basic realm="test"' });
  });

  it('clones with the right credentials', async () => {
    const { config } = await storeWith(PASSWORD);
    const before = server.authLog.length;
    const r = await git([...config, 'clone', `${server.url}/alice/project.git`, 'clone-ok']);
    expect(r.stderr).not.toMatch(/fatal/);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(tmp, 'clone-ok', 'README.md'), 'utf8')).toBe('# alice/project.git\n');
    expect(server.authLog.slice(before)).toContainEqual({ username: 'alice', repoPath: 'alice/project.git', ok: true });
  });

  it('pushes a commit that then exists on the server', async () => {
    const { config } = await storeWith(PASSWORD);
    const dir = path.join(tmp, 'clone-push');
    expect((await git([...config, 'clone', `${server.url}/alice/project.git`, dir])).code).toBe(0);
    await writeFile(path.join(dir, 'hello.txt'), 'hello\n');
    expect((await git(['add', 'hello.txt'], { cwd: dir })).code).toBe(0);
    expect((await git(['commit', '-q', '-m', 'Add hello'], { cwd: dir })).code).toBe(0);
    const push = await git([...config, 'push', 'origin', 'main'], { cwd: dir });
    expect(push.stderr).not.toMatch(/fatal|error/);
    expect(push.code).toBe(0);

    const local = (await git(['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
    const remote = await git(['--git-dir', path.join(server.root, 'alice/project.git'), 'log', '-1', '--format=%H %s', 'main']);
    expect(remote.stdout.trim()).toBe(`${local} Add hello`);
  });

  it('fails the clone, without prompting, on a wrong password', async () => {
    const { file, config } = await storeWith(WRONG);
    const before = server.authLog.length;
    const r = await git([...config, 'clone', `${server.url}/alice/project.git`, 'clone-bad']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Authentication failed/);
    expect(server.authLog.slice(before)).toContainEqual({ username: 'alice', repoPath: 'alice/project.git', ok: false });
    // git tells `store` to erase a rejected credential.
    expect(await readFile(file, 'utf8')).toBe('');
    expectNoPassword(r.stdout + r.stderr);
  });

  it('applies a replaced policy at once (a rotated token)', async () => {
    const { config } = await storeWith(PASSWORD);
    server.setAuthorize(() => false);
    try {
      const r = await git([...config, 'ls-remote', `${server.url}/alice/project.git`]);
      expect(r.code).not.toBe(0);
      expect(server.authLog.at(-1)).toEqual({ username: 'alice', repoPath: 'alice/project.git', ok: false });
    } finally {
      server.setAuthorize((user, pass, repo) => user === 'alice' && pass === PASSWORD && repo.startsWith('alice/'));
    }
  });

  it('keeps passwords out of the auth log', () => {
    expect(server.authLog.length).toBeGreaterThan(0);
    for (const entry of server.authLog) expect(Object.keys(entry).sort()).toEqual(['ok', 'repoPath', 'username']);
    expectNoPassword(JSON.stringify(server.authLog));
  });
});
