// GIT_CREDENTIAL_PAT_TRACE: a line per step, to stderr or a file, and never a secret
// in it, whatever kind of GitHub token passes through; off, it costs nothing and says nothing.
import { existsSync, lstatSync, mkdtempSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAttributes } from '../src/protocol.js';
import { describeRequest, openTrace, redact } from '../src/trace.js';
import { request, runHelper, testHome, uniqueHost, type RunResult } from './support/helper-process.js';
import { githubTokens, refreshToken } from './support/tokens.js';

const TOKENS = githubTokens();

describe('redact', () => {
  it.each(Object.entries(TOKENS))('removes a %s token anywhere in a line, keeping its prefix', (_kind, token) => {
    const prefix = /^(github_pat_|gh[pousr]_)/.exec(token)![1]!;
    expect(redact(`cloning with ${token} now`)).toBe(`cloning with ${prefix}<redacted> now`);
    expect(redact(`https://${token}@github.com/org/repo`)).toBe(`https://${prefix}<redacted>@github.com/org/repo`);
    expect(redact(`username=${token}`)).toBe(`username=${prefix}<redacted>`);
    expect(redact(`${token}${token}`)).not.toContain(token.slice(prefix.length));
  });

  it('redacts password= and oauth_refresh_token= values, spaces and all, up to the next attribute', () => {
    expect(redact('request protocol=https password=hunter2 host=x')).toBe('request protocol=https password=<redacted> host=x');
    expect(redact('password=correct horse battery staple username=bob')).toBe('password=<redacted> username=bob');
    expect(redact('oauth_refresh_token=abc.def')).toBe('oauth_refresh_token=<redacted>');
    expect(redact('PASSWORD=x')).toBe('PASSWORD=<redacted>');
    expect(redact('password=')).toBe('password=<redacted>');
  });

  it('leaves lookalike names alone', () => {
    expect(redact('password_expiry_utc=4102444800')).toBe('password_expiry_utc=4102444800');
    expect(redact('no password here; ghp_ alone; github_pat_')).toBe('no password here; ghp_ alone; github_pat_');
  });

  it('redacts Authorization header values, keeping the scheme', () => {
    expect(redact('Authorization: Bearer eyJhbGciOi.J9.abc')).toBe('Authorization: Bearer <redacted>');
    expect(redact('authorization: token abcdef0123456789')).toBe('authorization: token <redacted>');
    expect(redact('http.extraheader=AUTHORIZATION: basic dXNlcjpwYXNz==')).toBe('http.extraheader=AUTHORIZATION: basic <redacted>');
    expect(redact('"Authorization: Basic dXNlcjpwYXNz", next')).toBe('"Authorization: Basic <redacted>", next');
    expect(redact('Authorization: lonevalue')).toBe('Authorization: <redacted>');
  });

  it('is idempotent and leaves ordinary text as it was', () => {
    const line = `get: request protocol=https host=github.com password=${TOKENS.classic} Authorization: Bearer x ${TOKENS['fine-grained']}`;
    expect(redact(redact(line))).toBe(redact(line));
    const plain = 'get: keychain find git-credential-pat:https://github.com: accounts octocat (3.1 ms)';
    expect(redact(plain)).toBe(plain);
  });
});

describe('describeRequest', () => {
  it('shows every attribute but the secret ones, whatever they look like', () => {
    const attributes = parseAttributes(
      Buffer.from('protocol=https\nhost=example.com\nusername=me\npassword=plain\noauth_refresh_token=r\ncredential=c\nwwwauth[]=Basic realm="x"\npath=a b\n'),
    );
    expect(describeRequest(attributes)).toBe(
      'protocol=https host=example.com username=me password=<redacted> oauth_refresh_token=<redacted> credential=<redacted> wwwauth[]="Basic realm=\\"x\\"" path="a b"',
    );
  });
});

describe('openTrace', () => {
  it('is off for unset, empty, 0, false and relative paths', () => {
    for (const setting of [undefined, '', '0', 'false', 'FALSE', 'trace.log', './trace.log']) {
      expect(openTrace(setting, 'get', {})).toBeUndefined();
    }
    expect(existsSync('trace.log')).toBe(false);
  });

  it('appends formatted, redacted lines to a new 0600 file, and scrubs environment tokens whatever their shape', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gcp-trace-')), 'trace.log');
    const trace = openTrace(file, 'store', { GH_TOKEN: 'not-shaped-like-a-token' })!;
    trace(`hello ${TOKENS.oauth}`);
    trace('the environment says not-shaped-like-a-token');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^git-credential-pat trace \d\d:\d\d:\d\d\.\d{3} store: hello gho_<redacted>$/);
    expect(lines[1]).toMatch(/store: the environment says <redacted>$/);
  });

  it('refuses a symlink at the path, and a path it cannot open, without throwing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-trace-'));
    writeFileSync(join(dir, 'victim'), 'untouched\n');
    symlinkSync(join(dir, 'victim'), join(dir, 'trace.log'));
    expect(openTrace(join(dir, 'trace.log'), 'get', {})).toBeUndefined();
    expect(openTrace(join(dir, 'missing', 'trace.log'), 'get', {})).toBeUndefined();
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('untouched\n');
  });
});

// ---- the real helper process, against the real Secret Service ----

beforeAll(() => {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) throw new Error('run the tests under scripts/with-keyring (npm test does)');
});

const TRACE_LINE = /^git-credential-pat trace \d\d:\d\d:\d\d\.\d{3} (get|store|erase): \S.*$/;
const ERROR_LINE = /^git-credential-pat: invalid input from git: [^\n]+$/;

interface Scenario {
  host: string;
  secrets: string[];
  results: Record<string, RunResult>;
}

/** Every path through the door, with a token of one kind as the password and a refresh token beside it. */
async function scenario(env: NodeJS.ProcessEnv, token: string): Promise<Scenario> {
  const host = uniqueHost('trace');
  const refresh = refreshToken();
  const stale = `${token.slice(0, -4)}zzzz`;
  const results: Record<string, RunResult> = {};
  const run = async (name: string, action: string, input: string) => {
    results[name] = await runHelper([action], input, env);
    return results[name]!;
  };
  await run('store', 'store', request({ protocol: 'https', host, username: 'octocat', password: token, oauth_refresh_token: refresh }));
  await run('store again', 'store', request({ protocol: 'https', host, username: 'octocat', password: token }));
  await run('get hit', 'get', request({ protocol: 'https', host, path: 'org/repo.git' }));
  await run('get mismatch', 'get', request({ protocol: 'https', host, username: 'hubot' }));
  await run('get miss', 'get', request({ protocol: 'https', host: uniqueHost('trace-miss') }));
  await run('erase stale', 'erase', request({ protocol: 'https', host, password: stale }));
  await run('erase', 'erase', request({ protocol: 'https', host, username: 'octocat', password: token }));
  await run('get gone', 'get', request({ protocol: 'https', host }));
  await run('malformed', 'store', `protocol=https\nhost=${host}\nusername=octocat\npassword=${token}\n${token}\n`);
  await run('repeated', 'get', `protocol=https\nhost=${host}\npassword=${token}\npassword=${refresh}\n`);

  // A failure says what the helper said (its stderr holds no secret: the tests below check that).
  const said = (name: string) => `${name}: ${results[name]!.stderr.trim()}`;
  expect(results['get hit'], said('get hit')).toMatchObject({ code: 0, stdout: `username=octocat\npassword=${token}\noauth_refresh_token=${refresh}\n` });
  expect(results['get gone'], said('get gone')).toMatchObject({ code: 0, stdout: '' });
  expect(results['malformed']!.code, said('malformed')).toBe(1);
  expect(results['repeated']!.code, said('repeated')).toBe(1);
  return { host, secrets: [token, refresh, stale], results };
}

function expectNoSecret(text: string, secrets: readonly string[]) {
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    // Not even the part after the prefix.
    expect(text).not.toContain(secret.slice(12));
  }
}

/** What a person diagnosing the run needs to see, in order. */
function expectTraceOf(trace: string, host: string) {
  const service = `git-credential-pat:https://${host}`;
  expect(trace).toContain(`store: request protocol=https host=${host} username=octocat password=<redacted> oauth_refresh_token=<redacted>\n`);
  expect(trace).toMatch(new RegExp(`store: keychain set ${service.replace(/\./g, '\\.')} account=octocat: saved \\(\\d+\\.\\d ms\\)\n`));
  expect(trace).toContain(`store: ${service} account=octocat: new item\n`);
  expect(trace).toContain(`store: ${service} account=octocat already holds this credential: unchanged\n`);
  expect(trace).toContain(`get: no item at ${service}/org/repo.git\n`);
  expect(trace).toContain(`get: matched ${service} (host-wide, for a request with a path) account=octocat\n`);
  expect(trace).toContain(`get: no item at ${service} for username hubot: username mismatch (it holds octocat)\n`);
  expect(trace).toContain('get: no keychain item matches\n');
  expect(trace).toContain(`erase: kept ${service} account=octocat: it holds another password\n`);
  expect(trace).toContain(`erase: erased ${service} account=octocat\n`);
  expect(trace).toContain("store: invalid input from git: line 5 has no '='\n");
  expect(trace).toContain("get: invalid input from git: attribute 'password' given more than once\n");
  expect(trace).toMatch(/get: exit 0 \(\d+\.\d ms\)\n/);
  expect(trace).toMatch(/store: exit 1 \(\d+\.\d ms\)\n/);
}

describe('tracing to stderr', () => {
  it.each(Object.entries(TOKENS))('a %s token never shows, and get still hands it to git', async (_kind, token) => {
    const { host, secrets, results } = await scenario({ ...testHome(), GIT_CREDENTIAL_PAT_TRACE: '1' }, token);
    const stderr = Object.values(results).map((r) => r.stderr).join('');
    expectNoSecret(stderr, secrets);
    for (const line of stderr.split('\n').slice(0, -1)) expect(line).toMatch(line.includes(' trace ') ? TRACE_LINE : ERROR_LINE);
    expectTraceOf(stderr, host);
  });
});

describe('tracing to a file', () => {
  it.each(Object.entries(TOKENS))('a %s token never shows; stderr stays as it is without tracing', async (_kind, token) => {
    const file = join(mkdtempSync(join(tmpdir(), 'gcp-trace-')), 'trace.log');
    const { host, secrets, results } = await scenario({ ...testHome(), GIT_CREDENTIAL_PAT_TRACE: file }, token);
    for (const [name, result] of Object.entries(results)) {
      if (name === 'malformed' || name === 'repeated') expect(result.stderr).toMatch(/^git-credential-pat: invalid input from git: [^\n]+\n$/);
      else expect(result.stderr, name).toBe('');
    }
    const trace = readFileSync(file, 'utf8');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expectNoSecret(trace, secrets);
    for (const line of trace.split('\n').slice(0, -1)) expect(line).toMatch(TRACE_LINE);
    expectTraceOf(trace, host);
  });

  it('never writes through a symlink planted at the path, nor fails git over a path it cannot open', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-trace-'));
    writeFileSync(join(dir, 'victim'), 'untouched\n');
    symlinkSync(join(dir, 'victim'), join(dir, 'trace.log'));
    const host = uniqueHost('trace');
    for (const path of [join(dir, 'trace.log'), join(dir, 'no-such-dir', 'trace.log'), 'relative.log']) {
      const env = { ...testHome(), GIT_CREDENTIAL_PAT_TRACE: path };
      expect(await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'p' }), env)).toMatchObject({ code: 0, stderr: '' });
      expect(await runHelper(['get'], request({ protocol: 'https', host }), env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=p\n', stderr: '' });
    }
    expect(readFileSync(join(dir, 'victim'), 'utf8')).toBe('untouched\n');
    expect(lstatSync(join(dir, 'trace.log')).isSymbolicLink()).toBe(true);
    expect(existsSync('relative.log')).toBe(false);
  });
});

describe('tracing off', () => {
  it('unset: stderr stays empty on every normal path', async () => {
    const { secrets, results } = await scenario({ ...testHome(), GIT_CREDENTIAL_PAT_TRACE: undefined }, TOKENS.classic!);
    for (const [name, result] of Object.entries(results)) {
      if (name === 'malformed' || name === 'repeated') expect(result.stderr).toMatch(/^git-credential-pat: invalid input from git: [^\n]+\n$/);
      else expect(result.stderr, name).toBe('');
      expectNoSecret(result.stderr, secrets);
    }
  });

  it.each([['empty', ''], ['0', '0'], ['false', 'false']])('%s: off as well', async (_label, setting) => {
    const env = { ...testHome(), GIT_CREDENTIAL_PAT_TRACE: setting };
    const host = uniqueHost('trace-off');
    const token = TOKENS['fine-grained']!;
    expect(await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: token }), env)).toMatchObject({ code: 0, stderr: '' });
    expect(await runHelper(['get'], request({ protocol: 'https', host }), env)).toMatchObject({ code: 0, stdout: `username=u\npassword=${token}\n`, stderr: '' });
    expect(await runHelper(['erase'], request({ protocol: 'https', host }), env)).toMatchObject({ code: 0, stderr: '' });
  });
});
