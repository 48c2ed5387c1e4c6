// Issue 11, where a token goes and what is said about it: control characters never
// reach a header or a message (4), git's boolean rules for prompting (6), the guide
// refuses a host that is not host[:port] (7), a token goes only to its own host's API
// (8), an answer without an account is refused, and the header scheme never depends
// on the token's shape.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitBoolean, terminalPromptAllowed } from '../src/git-boolean.js';
import { gitConfig } from '../src/git-config.js';
import { guide, mayGuide } from '../src/guide.js';
import { memoryStore } from '../src/store/memory.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';

const GOOD = 'ghp_hardeningHosts000000000000000000000001';
const OTHER = 'ghp_hardeningHosts000000000000000000000002';
const NAMELESS = 'ghp_hardeningNameless0000000000000000000003';
const DOTTED = 'ghp_dotted.payload.00000000000000000000004';
let api: FakeGitHubApi;

beforeAll(async () => {
  api = await startFakeGitHubApi({
    [GOOD]: { login: 'octocat', scopes: ['repo', 'workflow'] },
    [OTHER]: { login: 'enterprise-me', scopes: ['repo', 'workflow'] },
    [NAMELESS]: { login: '', scopes: ['repo'] },
    [DOTTED]: { login: 'dots', scopes: ['repo', 'workflow'] },
  });
});
afterAll(async () => {
  await api?.close();
});

// status and doctor act on every item of ours in the keychain, not only a HOME's index.
const keyring = ownKeyring();
const home = (): NodeJS.ProcessEnv => ({ ...testHome(), ...keyring.env });

const git = (env: NodeJS.ProcessEnv, ...args: string[]) => execFileSync('git', args, { env: { ...process.env, ...env }, encoding: 'utf8' });

describe('a token with a control character (item 4)', () => {
  it('status --json and doctor --online say it cannot be sent, send nothing, and print none of it', async () => {
    const env = home();
    const host = uniqueHost('cr');
    // git's store file can carry %0d, and store takes it as it is.
    const token = 'ghp_carriage\rReturn0000000000000000000000005';
    git(env, 'config', '--global', `credential.https://${host}.patApiUrl`, api.url);
    await runHelper(['store'], request({ protocol: 'https', host, username: 'me', password: token }), env);
    const before = api.requests.length;
    const status = await runHelper(['status', '--json'], '', env);
    const doctor = await runHelper(['doctor', '--online', '--host', host], '', env);
    expect(api.requests.length).toBe(before);
    for (const output of [status.stdout, status.stderr, doctor.stdout, doctor.stderr]) {
      expect(output).not.toContain('ghp_carriage');
      expect(output).not.toContain('Return0000');
      expect(output).not.toMatch(/invalid header|Headers\.append/i);
    }
    const report = (JSON.parse(status.stdout) as Array<Record<string, unknown>>).find((r) => r.host === host);
    expect(report).toMatchObject({ state: 'unverified', detail: expect.stringContaining('cannot be sent in an HTTP header') });
  });

  it('import of a %0d token from ~/.git-credentials prints none of it', async () => {
    const env = home();
    const host = uniqueHost('cr');
    git(env, 'config', '--global', `credential.https://${host}.patApiUrl`, api.url);
    git(env, 'config', '--global', 'credential.helper', 'store');
    writeFileSync(join(env.HOME!, '.git-credentials'), `https://me:ghp_import%0dCarriage000000000000000000000006@${host}\n`, { mode: 0o600 });
    const result = await runHelper(['import', '--from', 'git-credentials'], '', env);
    expect(`${result.stdout}${result.stderr}`).not.toMatch(/ghp_import|Carriage0000|invalid header/i);
    expect(result.stderr).toContain('cannot be sent in an HTTP header');
  });
});

describe("git's boolean rules for prompting (item 6)", () => {
  const spellings = ['', '0', '1', 'true', 'TRUE', 'True', 'yes', 'YES', 'on', 'On', 'false', 'FALSE', 'no', 'No', 'off', 'OFF', '2', '-1', '0x0', '0x1', '010', '00', '1k', '0k', '1K', '1m', '1g', '2g', '1t', ' 1', '1 ', '+1', '-0', 'tru', 'yesno', '1.0', 'never', 'always', ' true', 'true ', '0x', '08', '2147483647', '2147483648', '-2147483647', '-2147483648'];
  const gitSays = (value: string): boolean | undefined => {
    try {
      return execFileSync('git', ['-c', `x.y=${value}`, 'config', '--type=bool', 'x.y'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() === 'true';
    } catch {
      return undefined;
    }
  };

  it.each(spellings)('%j reads as git reads it', (value) => {
    expect(gitBoolean(value)).toBe(gitSays(value));
  });

  it('agrees with git on generated spellings', () => {
    const alphabet = fc.constantFrom(...'0123456789xXkKmMgG+- tTrRuUeEyYsSnNoOfFaAlL'.split(''));
    let count = 0;
    fc.assert(
      fc.property(fc.string({ unit: alphabet, maxLength: 6 }), (value) => {
        count++;
        expect(gitBoolean(value)).toBe(gitSays(value));
      }),
      { numRuns: 60 },
    );
    expect(count).toBe(60);
  });

  it.each(['false', 'no', 'off', 'FALSE', '0', '', 'junk'])('GIT_TERMINAL_PROMPT=%j silences the guide', async (value) => {
    expect(terminalPromptAllowed({ GIT_TERMINAL_PROMPT: value })).toBe(false);
    const env = { ...testHome(), GIT_TERMINAL_PROMPT: value };
    expect(await mayGuide({ target: { protocol: 'https', host: 'github.com' } }, env, gitConfig(env), memoryStore(), () => true)).toBe(false);
  });

  it.each([undefined, 'true', '1', 'yes'])('GIT_TERMINAL_PROMPT=%j lets it ask', async (value) => {
    const env = { ...testHome(), GIT_TERMINAL_PROMPT: value };
    expect(await mayGuide({ target: { protocol: 'https', host: 'github.com' } }, env, gitConfig(env), memoryStore(), () => true)).toBe(true);
  });

  it.each([
    ['interactive =', false],
    ['interactive = off', false],
    ['interactive = No', false],
    ['interactive = 0', false],
    ['interactive = never', false],
    ['interactive', true],
    ['interactive = on', true],
  ] as const)('credential.%s: guide %s', async (line, allowed) => {
    const env: NodeJS.ProcessEnv = { ...testHome(), GIT_TERMINAL_PROMPT: undefined };
    mkdirSync(env.HOME!, { recursive: true });
    writeFileSync(join(env.HOME!, '.gitconfig'), `[credential]\n\t${line}\n`);
    expect(await mayGuide({ target: { protocol: 'https', host: 'github.com' } }, env, gitConfig(env), memoryStore(), () => true)).toBe(allowed);
  });
});

describe('the guide and a host that is not host[:port] (item 7)', () => {
  it.each(['evil.example/x.ghe.com', 'evil.example?x.ghe.com', 'evil.example#.ghe.com', 'me@evil.example.ghe.com', 'evil.example\nx.ghe.com'])('%j: no guide, no token page, nothing sent', async (host) => {
    const env: NodeJS.ProcessEnv = { ...testHome(), GIT_TERMINAL_PROMPT: undefined };
    const store = memoryStore();
    expect(await mayGuide({ target: { protocol: 'https', host } }, env, gitConfig(env), store, () => true)).toBe(false);
    expect(await guide({ target: { protocol: 'https', host } }, { env, store })).toBeUndefined();
  });
});

describe("a token goes only to its own host's API (item 8)", () => {
  it('GIT_CREDENTIAL_PAT_API_URL does not reach status: neither token is sent there, neither item is rewritten', async () => {
    const env = home();
    const hosts = [uniqueHost('one'), uniqueHost('two')];
    for (const [i, host] of hosts.entries()) {
      await runHelper(['store'], request({ protocol: 'https', host, username: `u${i}`, password: [GOOD, OTHER][i]! }), env);
    }
    const before = api.requests.length;
    const result = await runHelper(['status', '--json'], '', { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url, GIT_CREDENTIAL_PAT_API_TIMEOUT_MS: '500' });
    expect(api.requests.length).toBe(before);
    const listed = JSON.parse((await runHelper(['list', '--json'], '', env)).stdout) as Array<Record<string, unknown>>;
    expect(listed.filter((c) => hosts.includes(c.host as string)).map((c) => c.login)).toEqual([null, null]);
    expect(result.stdout).not.toContain('octocat');
  });

  it('an unscoped or wildcard credential.patApiUrl is refused with the fix, and nothing is sent', async () => {
    for (const key of ['credential.patApiUrl', 'credential.https://*.example.invalid.patApiUrl']) {
      const env = home();
      const host = uniqueHost('wide');
      git(env, 'config', '--global', key, api.url);
      await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: GOOD }), env);
      const before = api.requests.length;
      const result = await runHelper(['status', '--json'], '', env);
      expect(api.requests.length).toBe(before);
      expect(result.stdout).toContain(`credential.https://${host}.patApiUrl`);
    }
  });

  it("login --host with GIT_CREDENTIAL_PAT_API_URL records it for that host only; status then asks it for that host's token", async () => {
    const env = home();
    const host = uniqueHost('named');
    const login = await runHelper(['login', '--host', host, '--with-token'], `${GOOD}\n`, { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url });
    expect(login.code, login.stderr).toBe(0);
    expect(git(env, 'config', '--global', '--get', `credential.https://${host}.patApiUrl`).trim()).toBe(api.url);
    const status = await runHelper(['status', '--json'], '', env);
    // The keyring also holds this file's other tests' tokens.
    expect((JSON.parse(status.stdout) as Array<{ host: string }>).filter((r) => r.host === host)).toEqual([expect.objectContaining({ host, login: 'octocat', state: 'valid' })]);
  });
});

describe('what login accepts from the API', () => {
  it('refuses an answer that names no account, and stores nothing', async () => {
    const env = home();
    const host = uniqueHost('nameless');
    const result = await runHelper(['login', '--host', host, '--with-token'], `${NAMELESS}\n`, { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("answered without naming the token's account");
    expect(result.stdout).not.toContain('Logged in');
    expect((await runHelper(['get'], request({ protocol: 'https', host }), env)).stdout).toBe('');
  });

  it('sends a token with dots in it with the scheme GitHub documents (token), not a guessed Bearer', async () => {
    const env = home();
    const host = uniqueHost('dots');
    const before = api.requests.length;
    const result = await runHelper(['login', '--host', host, '--with-token'], `${DOTTED}\n`, { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url });
    expect(result.code, result.stderr).toBe(0);
    expect(api.requests.slice(before).filter((r) => r.path === '/user').map((r) => r.authScheme)).toEqual(['token']);
  });
});
