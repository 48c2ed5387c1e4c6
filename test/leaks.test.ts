// Every command and error path, with tracing on, for tokens of every GitHub kind:
// a token may appear only on the helper's stdout in answer to a matching get, and
// on the stdout of `token` for its own host and user. The
// git processes the tool starts record their own argv and environment from /proc.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { request, runHelper, testHome, uniqueHost, type RunResult } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';
import { githubTokens } from './support/tokens.js';

let api: FakeGitHubApi;
// list, status, doctor and logout act on every item of ours in the keychain: only this
// file's tokens are in this one (status must not send other files' tokens anywhere).
const keyring = ownKeyring();
const tokens = githubTokens();
const all = Object.values(tokens);
const REJECTED = 'ghp_rejectedByTheApi0000000000000000000001';

beforeAll(async () => {
  // Most kinds validate; the refresh token and REJECTED do not (401).
  api = await startFakeGitHubApi(
    Object.fromEntries(Object.entries(tokens).filter(([kind]) => kind !== 'refresh').map(([kind, token]) => [token, { login: `login-${kind}`, scopes: ['repo', 'workflow'] }])),
  );
});
afterAll(async () => {
  await api?.close();
});

/** A `git` on PATH that writes its /proc/self/cmdline and environ to a log, then runs the real git. */
function gitSpy(): { dir: string; log: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-spy-'));
  const log = join(dir, 'log');
  mkdirSync(log);
  const spy = join(dir, 'git');
  writeFileSync(spy, `#!/bin/sh\ncat /proc/$$/cmdline > "${log}/$$.cmdline"\ncat /proc/$$/environ > "${log}/$$.environ"\nexec /usr/bin/git "$@"\n`);
  chmodSync(spy, 0o755);
  return { dir, log };
}

describe('no token leaks', () => {
  it('tokens appear only on stdout of a matching get: not in stderr, traces, other output, or any child argv/environ', async () => {
    const spy = gitSpy();
    const trace = join(mkdtempSync(join(tmpdir(), 'gcp-trace-')), 'trace.log');
    const env = { ...testHome(), ...keyring.env, PATH: `${spy.dir}:${process.env.PATH}`, GIT_CREDENTIAL_PAT_TRACE: trace, GIT_CREDENTIAL_PAT_API_URL: api.url };
    const outputs: string[] = [];
    const seen = (result: RunResult, stdoutMayHoldToken = false) => {
      outputs.push(result.stderr);
      if (!stdoutMayHoldToken) outputs.push(result.stdout);
      return result;
    };
    const run = (args: string[], input = '') => runHelper(args, input, env);

    const hosts: string[] = [];
    for (const [kind, token] of Object.entries(tokens)) {
      const host = uniqueHost(kind);
      hosts.push(host);
      // The helper door, as git drives it, with every path: store, matching and
      // non-matching get, erase with a stale password, malformed input, erase.
      seen(await run(['store'], request({ protocol: 'https', host, username: kind, password: token, oauth_refresh_token: tokens.refresh! })));
      const hit = seen(await run(['get'], request({ protocol: 'https', host })), true);
      expect(hit.stdout).toContain(`password=${token}\n`);
      seen(await run(['get'], request({ protocol: 'https', host, username: 'someone-else' })));
      seen(await run(['get'], request({ protocol: 'http', host })));
      seen(await run(['erase'], request({ protocol: 'https', host, password: `${token}x` })));
      seen(await run(['store'], `protocol=https\nhost=${host}\nusername=${kind}\npassword=${token}\nbroken line\n`));
      seen(await run(['store'], `protocol=https\nhost=${host}\nusername=${kind}\npassword=${token}\0\n`));
      seen(await run(['get'], `url=https://${kind}:${token}@${host}/\nhost=evil.example\n`));
      // The management door.
      seen(await run(['login', '--host', host, '--with-token'], `${token}\n`));
      seen(await run(['login', '--host', host, '--with-token', '--username', 'x y'], `${token}\n`));
      seen(await run(['login', '--host', host, '--with-token'], `${token} trailing\n`));
      // token: the one command that prints one, only to stdout, only the asked-for one.
      const printed = seen(await run(['token', '--hostname', host, '--user', kind]), true);
      expect(printed).toMatchObject({ code: 0, stdout: `${token}\n`, stderr: '' });
    }
    for (const args of [['token', '--host', hosts[0]!, '--username', 'someone-else'], ['token', '--host', `other-${hosts[0]!}`], ['token', '--host', hosts[0]!, '--json']]) seen(await run(args));
    seen(await run(['login', '--host', hosts[0]!, '--with-token'], `${REJECTED}\n`));
    seen(await run(['login', '--host', hosts[0]!, '--with-token'], `${REJECTED}\n`).then((r) => r));
    for (const args of [['list'], ['list', '--json'], ['status'], ['status', '--json'], ['doctor', '--online', '--json'], ['doctor'], ['setup'], ['use', 'login-classic', '--host', hosts[0]!], ['logout', '--bogus'], ['logout', '--host', hosts[1]!, '--yes'], ['status', '--host', 'nope.invalid']]) {
      seen(await run(args));
    }
    // An API that is down: the error path of login and status.
    const down = { ...env, GIT_CREDENTIAL_PAT_API_URL: 'http://127.0.0.1:1' };
    seen(await runHelper(['login', '--host', hosts[2]!, '--with-token'], `${tokens.classic}\n`, down));
    seen(await runHelper(['status'], '', down));
    for (const host of hosts) seen(await run(['erase'], request({ protocol: 'https', host })));

    const traced = readFileSync(trace, 'utf8');
    expect(traced.length).toBeGreaterThan(0);
    const children = readdirSync(spy.log).map((f) => readFileSync(join(spy.log, f), 'utf8').replace(/\0/g, ' '));
    expect(children.length).toBeGreaterThan(0);
    for (const token of [...all, REJECTED]) {
      for (const text of [...outputs, traced, ...children]) expect(text.includes(token), 'a token leaked').toBe(false);
    }
  }, 300_000);
});
