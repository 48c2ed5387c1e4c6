// One voice, as people get it: the packed tarball installed into a fresh prefix and
// run from PATH. A closed pipe ends quietly; every usage error is one line with what
// to type; the same things have the same names; network failures are said in words;
// unlock has a quiet form; the help texts and the man page say what happens.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli-registry.js';
import { networkWords } from '../src/hosts/http.js';
import { CONFIG_KEYS } from '../src/settings.js';
import { startFakeGitHubApi, type FakeGitHubApi } from './support/github-api.js';
import { testHome, uniqueHost } from './support/helper-process.js';
import { installPackedPackage } from './support/installed-package.js';
import { ownKeyring } from './support/private-keyring.js';
import { closedPort } from './support/loopback.js';
import { runProcess } from './support/run-process.js';

const CLASSIC = 'ghp_voiceInstalled000000000000000000001';
const SSO = 'ghp_voiceInstalledSso0000000000000000001';

let bin: string;
let api: FakeGitHubApi;
const keyring = ownKeyring();

beforeAll(async () => {
  bin = installPackedPackage('voice');
  api = await startFakeGitHubApi({ [CLASSIC]: { login: 'octocat', scopes: ['repo'] }, [SSO]: { login: 'octocat', status: 403 } });
}, 180_000);

afterAll(async () => {
  await api?.close();
});

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A fresh HOME, the file's own keyring, the installed command first on PATH, and no runtime folder of the machine's. */
function session(): NodeJS.ProcessEnv {
  const home = testHome();
  return { ...process.env, ...home, ...keyring.env, XDG_RUNTIME_DIR: join(home.HOME!, 'run'), PATH: `${bin}:${process.env.PATH}` };
}

/** The installed program, found on PATH; `closeStdout` closes the reading end before it writes a byte, as `| head -0` would. */
async function run(args: readonly string[], env: NodeJS.ProcessEnv, { input = '', closeStdout = false } = {}): Promise<Result> {
  const { code, stdout, stderr } = await runProcess('git-credential-pat', args, env, { input, closeStdout, limitMs: 30_000 });
  return { code, stdout, stderr };
}

const git = (args: string[], env: NodeJS.ProcessEnv) => execFileSync('git', args, { env, encoding: 'utf8' });

/** What Node prints for an error nobody handled. */
const STACK = /Error: write|EPIPE|node:events|node:internal|^\s+at /m;


describe('a closed stdout (item 9)', () => {
  it('every command and every help ends quietly when its reader has gone', async () => {
    const env = session();
    const runs: string[][] = [['--help'], ['help'], ['--version'], ['help', 'get'], ...COMMANDS.map((c) => [c.name, '--help'])];
    for (const args of runs) {
      const result = await run(args, env, { closeStdout: true });
      expect(result.stderr, args.join(' ')).not.toMatch(STACK);
      expect(result.code, args.join(' ')).toBe(0);
    }
  });

  it('setup | head -1, list, doctor and status: the work is done, nothing but their own words on stderr', async () => {
    const env = session();
    const setup = await run(['setup'], env, { closeStdout: true });
    expect(setup).toMatchObject({ code: 0 });
    expect(setup.stderr).not.toMatch(STACK);
    expect(git(['config', '--global', '--get', 'credential.https://github.com.helper'], env).trim()).toBe('pat');
    for (const args of [['list'], ['doctor'], ['status'], ['use']]) {
      const result = await run(args, env, { closeStdout: true });
      expect(result.stderr, args.join(' ')).not.toMatch(STACK);
    }
  });
});

describe('usage errors (item 10)', () => {
  it.each([
    [['--bogus'], "git-credential-pat: unknown option '--bogus'; see 'git-credential-pat --help'"],
    [['lgoin', 'now'], "git-credential-pat: unknown command 'lgoin' (did you mean 'login'?); see 'git-credential-pat --help'"],
    [['version', 'extra'], "git-credential-pat: unexpected argument 'extra'; see 'git-credential-pat --help'"],
    [['help', 'list', 'extra'], "git-credential-pat: unexpected argument 'extra'; see 'git-credential-pat --help'"],
    [['list', '--bogus'], "git-credential-pat list: unknown option '--bogus'; see 'git-credential-pat list --help'"],
    [['status', '-x'], "git-credential-pat status: unknown option '-x'; see 'git-credential-pat status --help'"],
    [['login', '--host'], "git-credential-pat login: option --host needs a value: type --host HOST; see 'git-credential-pat login --help'"],
    [['doctor', '--host', '--online'], "git-credential-pat doctor: option --host needs a value: type --host HOST; see 'git-credential-pat doctor --help'"],
    [['list', 'extra'], "git-credential-pat list: unexpected argument 'extra': this command takes options only; see 'git-credential-pat list --help'"],
    [['use', 'a', 'b'], "git-credential-pat use: unexpected argument 'b': this command takes LOGIN and options; see 'git-credential-pat use --help'"],
    [['setup', '--yes=1'], "git-credential-pat setup: option --yes takes no value: type --yes alone; see 'git-credential-pat setup --help'"],
    [['setup', '--global', '--local'], "git-credential-pat setup: choose one of --global, --local, --system; see 'git-credential-pat setup --help'"],
  ])('%j: one line, exit 2', async (args, line) => {
    const result = await run(args, session());
    expect(result).toEqual({ code: 2, stdout: '', stderr: `${line}\n` });
  });
});

describe('one vocabulary (item 11)', () => {
  it('a token of no known shape is of kind "unknown" and validated "never", in list, list --json and doctor alike', async () => {
    const env = session();
    const host = uniqueHost('voice-generic');
    const stored = await run(['login', '--host', host, '--with-token', '--no-verify', '--username', 'plain'], env, { input: 'no-known-shape-0123456789\n' });
    expect(stored).toMatchObject({ code: 0 });
    const listed = await run(['list'], env);
    expect(listed.stdout).toMatch(new RegExp(`${host}\\s+plain\\s+generic\\s+unknown\\s+-\\s+-\\s+never\\n`));
    expect(listed.stdout).not.toMatch(/\bother\b|not validated/);
    const [json] = JSON.parse((await run(['list', '--json'], env)).stdout) as Array<{ kind: string; validated: string | null }>;
    expect(json).toMatchObject({ kind: 'unknown', validated: null });
    const doctor = JSON.parse((await run(['doctor', '--json'], env)).stdout) as { checks: Array<{ check: string; message: string }> };
    expect(doctor.checks.find((c) => c.check === 'tokens')!.message).toBe('1 stored credential; by forge: 1 generic; by kind: 1 unknown');
  });

  it('doctor --online reports an expired token once, not once from its date and again from the forge', async () => {
    const env = session();
    const host = uniqueHost('voice-expired');
    git(['config', '--global', `credential.https://${host}.patApiUrl`, api.url], env);
    git(['config', '--global', `credential.https://${host}.patProvider`, 'github'], env);
    const past = Math.floor(Date.now() / 1000) - 3 * 86_400;
    const store = await run(['store'], env, { input: `protocol=https\nhost=${host}\nusername=old\npassword=ghp_voiceExpired00000000000000000000001\npassword_expiry_utc=${past}\n\n` });
    expect(store.code).toBe(0);
    const offline = JSON.parse((await run(['doctor', '--json'], env)).stdout) as { checks: Array<{ check: string; level: string; message: string }> };
    expect(offline.checks.filter((c) => c.level === 'problem' && c.message.includes(host))).toHaveLength(1);
    const online = JSON.parse((await run(['doctor', '--online', '--json'], env)).stdout) as { checks: Array<{ check: string; level: string; message: string }> };
    const aboutIt = online.checks.filter((c) => c.level === 'problem' && c.message.includes(host));
    expect(aboutIt).toHaveLength(1);
    expect(aboutIt[0]).toMatchObject({ check: 'online' });
    expect(aboutIt[0]!.message).toMatch(/: expired \(/);
  });
});

describe('failures in words (item 12)', () => {
  it('a refused connection is said in words, not as ECONNREFUSED', async () => {
    const env = session();
    const port = await closedPort();
    const result = await run(['login', '--host', uniqueHost('voice-net'), '--with-token'], { ...env, GIT_CREDENTIAL_PAT_API_URL: `http://127.0.0.1:${port}` }, { input: `${CLASSIC}\n` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^git-credential-pat login: cannot reach 127\\.0\\.0\\.1:${port}: nothing listens there \\(the server is down, or the address or port is wrong\\)\\. Nothing was stored[^\\n]*\\n$`));
    expect(result.stderr).not.toMatch(/E[A-Z]{4,}/);
  });

  it('every system code we know has words, and a certificate failure says which variable fixes it', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']) expect(networkWords(code), code).not.toContain(code);
    expect(networkWords('ENOTFOUND')).toBe('its name does not resolve (no network, a mistyped host, or DNS is down)');
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED']) {
      expect(networkWords(code), code).toMatch(/TLS certificate is not trusted here.*NODE_EXTRA_CA_CERTS/);
    }
    expect(networkWords('ERR_TLS_CERT_ALTNAME_INVALID')).toMatch(/certificate is for another name/);
  });

  it("SAML SSO: the authorisation URL GitHub sends in X-GitHub-SSO, as gh prints it", async () => {
    const env = session();
    const result = await run(['login', '--host', uniqueHost('voice-sso'), '--with-token'], { ...env, GIT_CREDENTIAL_PAT_API_URL: api.url }, { input: `${SSO}\n` });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('authorise the token for it at https://github.com/orgs/x/sso?authorization_request=abc');
    expect(result.stderr).not.toContain(SSO);
  });
});

describe('unlock --quiet (item 13)', () => {
  it('says nothing when a Secret Service already serves; without it, says so', async () => {
    const env = session();
    const loud = await run(['unlock'], env);
    expect(loud).toMatchObject({ code: 0, stderr: '' });
    expect(loud.stdout).toMatch(/already answers/);
    expect(await run(['unlock', '--quiet'], env)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run(['unlock', '-q'], env)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect((await run(['unlock', '--help'], env)).stdout).toContain('[ -t 0 ] && git-credential-pat unlock --quiet');
  });
});

describe('help that says what happens (items 14, 15)', () => {
  it('setup --help promises what setup prints: the file and the lines appended', async () => {
    const env = session();
    const help = (await run(['setup', '--help'], env)).stdout.replace(/\s+/g, ' ');
    expect(help).not.toContain('every change as the git config command');
    expect(help).toContain('It prints the file it changed and the lines it appended there');
    const setup = await run(['setup'], env);
    expect(setup.stdout).toMatch(/^Configured git \(global config\): appended to .*\.gitconfig\n {2}\[credential "https:\/\/github\.com"\]\n {6}helper = pat\n/);
    const undo = await run(['setup', '--undo'], env);
    expect(undo.stdout).toContain('git config --global --unset-all credential.https://github.com.helper');
  });

  it("doctor --help says --online asks each token's forge; status --help says expiring exits 0", async () => {
    const env = session();
    const doctor = (await run(['doctor', '--help'], env)).stdout;
    expect(doctor).toMatch(/--online\s+also ask each stored token's forge whether it is valid/);
    expect(doctor).not.toMatch(/validity with GitHub|ask GitHub whether/);
    const status = (await run(['status', '--help'], env)).stdout.replace(/\s+/g, ' ');
    expect(status).toContain('Exits 0 when every token is valid or expiring');
  });

  it('help get, help store, help erase explain what git runs', async () => {
    const env = session();
    for (const action of ['get', 'store', 'erase']) {
      const result = await run(['help', action], env);
      expect(result, action).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^usage: git-credential-pat get\\|store\\|erase {3}\\(run by git, not by you\\)\\n\\n${action}: `));
    }
  });

  it("doctor advises dropping the 'store' helper only when one is configured", async () => {
    const env = session();
    writeFileSync(join(env.HOME!, '.git-credentials'), `https://octocat:${CLASSIC}@github.com\n`, { mode: 0o600 });
    const fixes = async () => (JSON.parse((await run(['doctor', '--json'], env)).stdout) as { checks: Array<{ check: string; fix?: string }> }).checks.filter((c) => c.check === 'plain-text');
    const without = await fixes();
    expect(without).toHaveLength(1);
    expect(without[0]!.fix).toBe('git-credential-pat import --delete (moves them into the keychain and removes those lines)');
    git(['config', '--global', 'credential.helper', 'store'], env);
    expect((await fixes())[0]!.fix).toContain("then drop the 'store' helper from your git config");
  });

  it('the installed man page: the guide is for every forge; CONFIGURATION lists every key of the table', () => {
    const env = session();
    const page = execFileSync('man', ['git-credential-pat'], { env: { ...env, MANPATH: join(bin, '..', 'share', 'man'), MANPAGER: 'cat', MANWIDTH: '400', LC_ALL: 'C.UTF-8' }, encoding: 'utf8' });
    expect(page).not.toContain('for a GitHub host');
    expect(page).toMatch(/for a forge's host \(GitHub, GitLab, Gitea, Bitbucket, Azure DevOps/);
    const configuration = page.slice(page.indexOf('\nCONFIGURATION\n'), page.indexOf('\nENVIRONMENT\n'));
    for (const { name } of CONFIG_KEYS) expect(configuration, name).toContain(name);
    expect(configuration).toContain('credential.patGuide');
  });
});
