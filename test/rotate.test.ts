// rotate against a loopback GitLab that rotates as GitLab documents (one week without
// expires_at, the old token revoked at once, a second rotate of it revoking the family,
// 403 without the scope, an answer cut off after the rotation), with the real Secret
// Service: every way a rotation can fail leaves the person with a working token, or
// hands the new one to them and to nothing else.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli.js';
import { rotateGitLabToken } from '../src/hosts/gitlab/rotate.js';
import { KeychainUnavailableError, type CredentialStore } from '../src/store/credential-store.js';
import { openKeychainStore } from '../src/store/keychain.js';
import { secretServiceReader } from '../src/store/secret-service-reader.js';
import type { Terminal } from '../src/terminal.js';
import { startGitLabApi, type GitLabApi, type GitLabToken } from './support/forge-apis.js';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { runOnTerminal } from './support/pty.js';
import { ownKeyring, privateKeyring } from './support/private-keyring.js';

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const today = () => isoDay(Date.now());
let api: GitLabApi;
const keyring = ownKeyring();

beforeAll(async () => {
  api = await startGitLabApi({});
});
afterAll(async () => {
  await api?.close();
});

let serial = 0;
/** A fresh GitLab-shaped token, known to the fake. */
function gitlabToken(fields: Partial<GitLabToken> = {}): string {
  const token = `glpat-rotTest${String(++serial).padStart(4, '0')}${Math.random().toString(36).slice(2, 10)}`;
  api.tokens.set(token, { username: 'alice', scopes: ['api', 'read_repository', 'write_repository'], expiresAt: isoDay(Date.now() + 4 * DAY), createdAt: new Date(Date.now() - 86 * DAY).toISOString(), ...fields });
  return token;
}

/** A machine: its own HOME (index, git config) on the file's keyring (or another), one GitLab host. */
async function machine(token: string, keyringEnv: NodeJS.ProcessEnv = keyring.env, host = uniqueHost('gl')) {
  const env: NodeJS.ProcessEnv = { ...testHome(), ...keyringEnv, GIT_CREDENTIAL_PAT_API_TIMEOUT_MS: '3000' };
  // git asks us for every host: login has nothing to warn about.
  execFileSync('git', ['config', '--global', 'credential.helper', 'pat'], { env: { ...process.env, ...env } });
  const run = (args: string[], input = '') => runHelper(args, input, env);
  const login = await runHelper(['login', '--host', host, '--provider', 'gitlab', '--with-token'], `${token}\n`, { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url });
  expect(login.stderr).toBe('');
  expect(login.code).toBe(0);
  const stored = async () => (await run(['get'], request({ protocol: 'https', host }))).stdout;
  /** Without a terminal, rotate needs --json (stdout is then where a refused token would go). */
  const rotate = async (...args: string[]) => {
    const result = await run(['rotate', '--host', host, '--json', ...args]);
    return { ...result, reports: result.stdout === '' ? [] : (JSON.parse(result.stdout) as Report[]) };
  };
  return { env, host, run, stored, rotate };
}

interface Report {
  provider: string;
  host: string;
  username: string;
  result: string;
  expires: string | null;
  scopes: string[] | null;
  verified: boolean;
  detail: string;
  token?: string;
}

const rotateRequests = () => api.requests.filter((r) => r.path.endsWith('/self/rotate')).length;
/** Every token the fake ever gave out or knows. */
const allTokens = () => [...api.tokens.keys()];

function expectNoToken(...texts: string[]) {
  for (const text of texts) for (const token of allTokens()) expect(text).not.toContain(token);
}

/** Every file under the state and config folders: no token may be written to any of them. */
function filesUnder(root: string): string {
  let text = '';
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    text += statSync(path).isDirectory() ? filesUnder(path) : readFileSync(path, 'latin1');
  }
  return text;
}

describe('rotate', () => {
  it('replaces the token in place, keeping its lifetime, and checks the new one', async () => {
    const old = gitlabToken();
    const m = await machine(old);
    const before = rotateRequests();
    const { code, screen } = await runOnTerminal([process.execPath, HELPER, 'rotate', '--host', m.host], [], m.env);
    expect(code).toBe(0);
    expect(screen).toContain(`${m.host} (alice): rotated: the new token works until ${isoDay(Date.now() + 90 * DAY)} (90 days), stored in your keychain in place of the old one, which GitLab has revoked`);
    expect(rotateRequests()).toBe(before + 1);
    // The old token's lifetime (86 days ago to 4 days ahead) is sent: never GitLab's one-week default.
    expect(api.rotations.at(-1)).toBe(isoDay(Date.now() + 90 * DAY));
    expect(api.tokens.get(old)!.dead).toBe('rotated');
    const fresh = allTokens().find((t) => api.tokens.get(t)!.family === old && t !== old)!;
    const expiry = Date.parse(`${isoDay(Date.now() + 90 * DAY)}T00:00:00Z`) / 1000;
    expect(await m.stored()).toBe(`username=alice\npassword=${fresh}\npassword_expiry_utc=${expiry}\n`);
    const listed = (JSON.parse((await m.run(['list', '--json'])).stdout) as Array<Record<string, unknown>>).filter((c) => c.host === m.host);
    expect(listed).toEqual([expect.objectContaining({ username: 'alice', scopes: ['api', 'read_repository', 'write_repository'], expires: isoDay(Date.now() + 90 * DAY) })]);
    expectNoToken(screen, filesUnder(m.env.HOME!));
  });

  it('without a known lifetime gives the most GitLab allows; --days and --expires choose', async () => {
    const m = await machine(gitlabToken({ expiresAt: null }));
    expect((await m.rotate()).reports).toEqual([expect.objectContaining({ result: 'rotated', verified: true, expires: isoDay(Date.now() + 365 * DAY) })]);
    expect(api.rotations.at(-1)).toBe(isoDay(Date.now() + 365 * DAY));
    expect((await m.rotate('--days', '30')).code).toBe(0);
    expect(api.rotations.at(-1)).toBe(isoDay(Date.now() + 30 * DAY));
    const before = rotateRequests();
    const far = await m.rotate('--expires', isoDay(Date.now() + 400 * DAY));
    expect(far).toMatchObject({ code: 2, stdout: '' });
    expect(far.stderr).toMatch(/^git-credential-pat rotate: --expires \S+ is more than 365 days ahead/);
    expect((await m.rotate('--days', '0')).code).toBe(2);
    expect(rotateRequests()).toBe(before);
  });

  it('refuses before any request when the scopes it was stored with cannot rotate', async () => {
    const m = await machine(gitlabToken({ scopes: ['read_repository', 'write_repository', 'read_user'] }));
    const requests = api.requests.length;
    const result = await m.rotate();
    expect(result.code).toBe(1);
    expect(result.reports[0]!.detail).toMatch(/only read_repository, write_repository, read_user: GitLab lets a token rotate itself only with api or self_rotate; nothing was sent/);
    expect(result.reports[0]!.detail).toContain(`https://${m.host}/-/user_settings/personal_access_tokens?`);
    expect(api.requests.length).toBe(requests);
  });

  it('the client reads GitLab 403 for a token without the scope as forbidden, nothing rotated', async () => {
    const token = gitlabToken({ scopes: ['read_repository'] });
    const answer = await rotateGitLabToken({ token, apiBase: api.url, timeoutMs: 3000 }, isoDay(Date.now() + 30 * DAY));
    expect(answer).toEqual({ outcome: 'forbidden', message: expect.stringContaining('answered 403 Forbidden: The request requires higher privileges') });
    expect(api.tokens.get(token)!.dead).toBeUndefined();
  });

  it('rotated on another machine: the second machine sends no rotate, so the family lives', async () => {
    const old = gitlabToken();
    const other = await privateKeyring();
    try {
      const a = await machine(old);
      const b = await machine(old, other.env, a.host);
      expect((await a.rotate()).code).toBe(0);
      const requests = rotateRequests();
      const second = await b.rotate();
      expect(second.code).toBe(1);
      expect(second.reports[0]!.detail).toMatch(/GitLab rejects the stored token \(401\): it expired, was revoked, or was already rotated elsewhere .*; it was not rotated$/);
      expect(rotateRequests()).toBe(requests);
      const fresh = /password=(\S+)/.exec(await a.stored())![1]!;
      expect(api.tokens.get(fresh)!.dead).toBeUndefined();
      expect(await b.stored()).toContain(`password=${old}\n`);
    } finally {
      await other.close();
    }
  });

  it('401 on the rotate itself (rotated elsewhere that moment): explains the family, leaves the stored token', async () => {
    const old = gitlabToken();
    const m = await machine(old);
    let elsewhere = '';
    api.beforeRotate = (token) => {
      if (token !== old) return;
      // Another machine rotates the same token between our check and our request.
      elsewhere = gitlabToken({ family: old });
      Object.assign(api.tokens.get(old)!, { family: old, dead: 'rotated' });
    };
    try {
      const result = await m.rotate();
      expect(result.code).toBe(1);
      expect(result.reports[0]!.detail).toMatch(/GitLab refused to rotate the token \(401\): it was most likely rotated already elsewhere .* revoke the whole token family, the newest token too\. The stored token was left as it was; create a new token at https:\/\//);
      expect(await m.stored()).toContain(`password=${old}\n`);
      // The hazard itself, as GitLab has it: the other machine's new token died with the family.
      expect(api.tokens.get(elsewhere)!.dead).toBe('family-revoked');
    } finally {
      api.beforeRotate = undefined;
    }
  });

  it('an answer cut off after GitLab rotated: says the old token is revoked, keeps what is stored, shows no token', async () => {
    const old = gitlabToken({ rotateFault: 'cut' });
    const m = await machine(old);
    const result = await m.rotate();
    expect(result.code).toBe(1);
    expect(result.reports[0]).toMatchObject({ result: 'failed' });
    expect(result.reports[0]!.detail).toMatch(/answered 200 but the answer was cut off .*GitLab rotated the token, which revokes the old one, but the new token never arrived whole\. The stored token no longer works; create a new token at/);
    expect(await m.stored()).toContain(`password=${old}\n`);
    expectNoToken(result.stdout, result.stderr);
  });

  it('no answer at all: asks about the old token to tell whether GitLab rotated', async () => {
    const m = await machine(gitlabToken({ rotateFault: 'drop' }));
    const result = await m.rotate();
    expect(result.code).toBe(1);
    expect(result.reports[0]!.detail).toMatch(/and the stored token is now rejected: GitLab rotated it but its answer with the new token never came/);
  });

  it('any other answer changes nothing: the old token is stored and still works', async () => {
    const old = gitlabToken({ rotateFault: 500 });
    const m = await machine(old);
    const result = await m.rotate();
    expect(result.code).toBe(1);
    expect(result.reports).toEqual([
      expect.objectContaining({ result: 'failed', host: m.host, detail: expect.stringMatching(/answered 500: 500 Internal Server Error\); the stored token is unchanged and still works: try again later$/) }),
    ]);
    expect(api.tokens.get(old)!.dead).toBeUndefined();
    expect(await m.stored()).toContain(`password=${old}\n`);
  });

  it('two rotates at once: one rotates, the other waits, sees the new token and does nothing', async () => {
    const old = gitlabToken();
    const m = await machine(old);
    m.env.GIT_CREDENTIAL_PAT_API_TIMEOUT_MS = '10000';
    const before = rotateRequests();
    // The first rotate is held at GitLab, lock taken, long enough for the second process
    // to start and reach the lock: under a loaded CI a second process could otherwise
    // start only after the first had finished, and rightly rotate the new token.
    let held = false;
    api.beforeRotate = async () => {
      if (held) return;
      held = true;
      await new Promise((resolve) => setTimeout(resolve, 2500));
    };
    const results = await Promise.all([m.rotate(), m.rotate()]).finally(() => {
      api.beforeRotate = undefined;
    });
    const outcomes = results.map((r) => r.reports[0]!.result).sort();
    expect(outcomes).toEqual(['rotated', 'unchanged']);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(rotateRequests()).toBe(before + 1);
    const fresh = /password=(\S+)/.exec(await m.stored())![1]!;
    expect(fresh).not.toBe(old);
    expect(api.tokens.get(fresh)!.dead).toBeUndefined();
  });

  it('without a terminal or --json there is nowhere safe for a refused token: nothing is sent', async () => {
    const m = await machine(gitlabToken());
    const requests = api.requests.length;
    const result = await m.run(['rotate', '--host', m.host]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/not rotated: there is no terminal here to hand the new token to/);
    expect(api.requests.length).toBe(requests);
  });
});

/** The real keychain store of a machine, except that it refuses every write of a token other than `keep`'s: the keychain failing after GitLab rotated. */
function refusingStore(env: NodeJS.ProcessEnv, keep: string): CredentialStore {
  const real = openKeychainStore(env, undefined, secretServiceReader(env));
  return new Proxy(real, {
    get(target, name, receiver) {
      if (name === 'replace' || name === 'write') {
        return async (...args: Parameters<CredentialStore['replace']>) => {
          if (args[2].password !== keep) throw new KeychainUnavailableError('the Secret Service refused the write');
          return name === 'replace' ? target.replace(...args) : target.write(...args);
        };
      }
      const value: unknown = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A terminal that records what each of its ways of talking was given. */
function recordingTerminal() {
  const said: string[] = [];
  const revealed: string[] = [];
  const terminal: Terminal = {
    promptHidden: async () => undefined,
    promptLine: async () => undefined,
    confirm: async () => false,
    progress: (text) => void said.push(text),
    say: (text) => void said.push(text),
    reveal: (text) => (revealed.push(text), true),
  };
  return { terminal, said, revealed };
}

async function rotateInProcess(env: NodeJS.ProcessEnv, args: string[], store: CredentialStore, terminal: Terminal | undefined) {
  let stdout = '';
  let stderr = '';
  const code = await main(['rotate', ...args], {
    stdin: process.stdin,
    stdout: async (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    env,
    openStore: () => store,
    terminal,
  });
  return { code, stdout, stderr };
}

describe('a keychain that refuses the new token after GitLab rotated', () => {
  it('--json with no terminal: the token is in stdout\'s token field and nowhere else; the old one stays stored', async () => {
    const old = gitlabToken();
    const m = await machine(old);
    const result = await rotateInProcess(m.env, ['--host', m.host, '--json'], refusingStore(m.env, old), undefined);
    expect(result.code).toBe(1);
    const [report] = JSON.parse(result.stdout) as Report[];
    const fresh = allTokens().find((t) => api.tokens.get(t)!.family === old && t !== old)!;
    expect(report).toMatchObject({ result: 'not-stored', token: fresh, verified: false });
    expect(report!.detail).toMatch(/GitLab rotated the token for alice on .*: the old token is already revoked, and the keychain refused the new one \(the Secret Service refused the write\)/);
    // The token the person was given works; the old one is revoked, as GitLab does.
    expect(api.tokens.get(fresh)!.dead).toBeUndefined();
    expect(api.tokens.get(old)!.dead).toBe('rotated');
    expect(result.stderr).not.toContain(fresh);
    expect(filesUnder(m.env.HOME!)).not.toContain(fresh);
    expect(await m.stored()).toContain(`password=${old}\n`);
  });

  it('on a terminal: the token goes to the terminal device with the old token declared dead; not to stdout, stderr or spoken lines', async () => {
    const old = gitlabToken();
    const m = await machine(old);
    const { terminal, said, revealed } = recordingTerminal();
    const result = await rotateInProcess(m.env, ['--host', m.host, '--json'], refusingStore(m.env, old), terminal);
    expect(result.code).toBe(1);
    const fresh = allTokens().find((t) => api.tokens.get(t)!.family === old && t !== old)!;
    expect(revealed).toHaveLength(1);
    expect(revealed[0]).toContain(`\n  ${fresh}\n`);
    expect(revealed[0]).toMatch(/the old token is already revoked, and the keychain refused the new one/);
    expect(result.stdout + result.stderr + said.join('')).not.toContain(fresh);
    expect((JSON.parse(result.stdout) as Report[])[0]).toMatchObject({ result: 'not-stored', detail: expect.stringContaining('the new token was shown on the terminal only') });
    expect(filesUnder(m.env.HOME!)).not.toContain(fresh);
  });

  it('a write that reached the keychain and then failed counts as stored: read back, not shown anywhere', async () => {
    const old = gitlabToken();
    const m = await machine(old);
    const real = openKeychainStore(m.env, undefined, secretServiceReader(m.env));
    const failsAfter = new Proxy(real, {
      get(target, name, receiver) {
        if (name === 'replace') {
          return async (...args: Parameters<CredentialStore['replace']>) => {
            await target.replace(...args);
            if (args[2].password !== old) throw new Error('the index could not be written');
          };
        }
        const value: unknown = Reflect.get(target, name, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
    const { terminal, revealed } = recordingTerminal();
    const result = await rotateInProcess(m.env, ['--host', m.host, '--json'], failsAfter, terminal);
    const fresh = allTokens().find((t) => api.tokens.get(t)!.family === old && t !== old)!;
    expect(revealed).toEqual([]);
    expect((JSON.parse(result.stdout) as Report[])[0]).toMatchObject({ result: 'rotated' });
    expect(result.stdout + result.stderr).not.toContain(fresh);
    expect(await m.stored()).toContain(`password=${fresh}\n`);
  });

  it('a keychain that refuses before: nothing is rotated', async () => {
    const old = gitlabToken();
    const m = await machine(old);
    const before = rotateRequests();
    const result = await rotateInProcess(m.env, ['--host', m.host, '--json'], refusingStore(m.env, 'not-the-stored-token'), undefined);
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as Report[])[0]!.detail).toBe('the keychain did not take a write (the Secret Service refused the write); nothing was rotated, the stored token is unchanged');
    expect(rotateRequests()).toBe(before);
    expect(api.tokens.get(old)!.dead).toBeUndefined();
  });
});

describe('the Secret Service dying the moment GitLab rotated', () => {
  it('on a real terminal: the new token is written to the terminal, with the old one declared dead', async () => {
    const own = await privateKeyring();
    const old = gitlabToken();
    const m = await machine(old, own.env);
    api.beforeRotateAnswer = () => own.close();
    try {
      const { code, screen } = await runOnTerminal([process.execPath, HELPER, 'rotate', '--host', m.host], [], m.env, 60_000);
      const fresh = allTokens().find((t) => api.tokens.get(t)!.family === old && t !== old)!;
      expect(code).toBe(1);
      expect(screen).toMatch(/GitLab rotated the token for alice on \S+: the old token is already revoked, and the keychain refused the new one/);
      expect(screen).toContain(`\n  ${fresh}\r\n`);
      expect(api.tokens.get(fresh)!.dead).toBeUndefined();
      expect(filesUnder(m.env.HOME!)).not.toContain(fresh);
    } finally {
      api.beforeRotateAnswer = undefined;
    }
  }, 90_000);
});

describe('expiry reminders name rotate where it works', () => {
  it('get, status and doctor', async () => {
    const rotatable = await machine(gitlabToken());
    const notice = await rotatable.run(['get'], request({ protocol: 'https', host: rotatable.host }));
    expect(notice.stderr).toMatch(new RegExp(`the token for alice on ${rotatable.host.replace(/\./g, '\\.')} expires in 3 days \\(\\S+\\); run: git-credential-pat rotate --host ${rotatable.host.replace(/\./g, '\\.')}\\n`));
    const status = JSON.parse((await rotatable.run(['status', '--host', rotatable.host, '--json'])).stdout) as Array<{ state: string; detail: string }>;
    expect(status).toEqual([expect.objectContaining({ state: 'expiring', detail: expect.stringMatching(new RegExp(`; run: git-credential-pat rotate --host ${rotatable.host.replace(/\./g, '\\.')}$`)) })]);
    const doctor = JSON.parse((await rotatable.run(['doctor', '--json'])).stdout) as { checks: Array<{ message: string; fix?: string }> };
    expect(doctor.checks).toContainEqual(expect.objectContaining({ message: `the token for alice on ${rotatable.host} expires in 3 days`, fix: `git-credential-pat rotate --host ${rotatable.host}` }));

    const fixed = await machine(gitlabToken({ scopes: ['read_repository', 'write_repository', 'read_user'] }));
    const plain = await fixed.run(['get'], request({ protocol: 'https', host: fixed.host }));
    expect(plain.stderr).toMatch(/; create a new one and run: git-credential-pat login --host /);
  });
});

describe('other forges', () => {
  it.each([
    ['github.com', 'GitHub', 'https://github.com/settings/tokens/new?'],
    ['codeberg.org', 'Forgejo', 'https://codeberg.org/user/settings/applications'],
    ['bitbucket.org', 'Bitbucket', 'https://id.atlassian.com/manage-profile/security/api-tokens'],
  ])('%s: says the forge has no self-rotation API and names the token page', async (host, label, page) => {
    const env: NodeJS.ProcessEnv = { ...testHome(), ...keyring.env };
    await runHelper(['store'], request({ protocol: 'https', host, username: 'someone', password: `secret-for-${host}` }), env);
    const result = await runHelper(['rotate', '--host', host, '--json'], '', env);
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toContain(`git-credential-pat rotate: ${label} has no API for a token to rotate itself; create a new token at ${page}`);
    expect(result.stderr).toMatch(new RegExp(` and run: git-credential-pat login --host ${host.replace(/\./g, '\\.')}\\n$`));
    await runHelper(['erase'], request({ protocol: 'https', host, username: 'someone' }), env);
  });
});

describe('rotate --expiring', () => {
  it('rotates what expires within the warning window; quiet when there is nothing to do', async () => {
    const own = await privateKeyring();
    try {
      const soon = gitlabToken();
      const later = gitlabToken({ expiresAt: isoDay(Date.now() + 100 * DAY) });
      const m = await machine(soon, own.env);
      const login = await runHelper(['login', '--host', uniqueHost('gl'), '--provider', 'gitlab', '--with-token'], `${later}\n`, { ...m.env, GIT_CREDENTIAL_PAT_API_URL: api.url });
      expect(login.code).toBe(0);
      const first = await m.run(['rotate', '--expiring', '--json']);
      expect(first.code).toBe(0);
      expect(JSON.parse(first.stdout)).toEqual([expect.objectContaining({ host: m.host, result: 'rotated', verified: true })]);
      expect(api.tokens.get(later)!.dead).toBeUndefined();
      expect(await m.run(['rotate', '--expiring', '--json'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
      expect(await m.run(['rotate', '--expiring'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    } finally {
      await own.close();
    }
  });

  it('exits non-zero when a rotation failed', async () => {
    const own = await privateKeyring();
    try {
      const m = await machine(gitlabToken({ rotateFault: 500 }), own.env);
      const result = await m.run(['rotate', '--expiring', '--json']);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toEqual([expect.objectContaining({ result: 'failed' })]);
    } finally {
      await own.close();
    }
  });
});
