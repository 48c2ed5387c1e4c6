// The command line's conventions: one registry feeding dispatch, usage, help and the
// man page; a typo typed by a person gets exit 2 and a suggestion, while git's own
// future actions stay silent; the version is package.json's.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { commandHelp, editDistance, suggestion, topUsage } from '../src/cli-help.js';
import { manPage } from '../src/cli-man.js';
import { COMMANDS } from '../src/cli-registry.js';
import { parseCommandArgs } from '../src/cli-spec.js';
import { main } from '../src/cli.js';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { runOnTerminal } from './support/pty.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** main() with a stdin that is (or is not) a terminal, output captured. */
async function run(argv: string[], { tty }: { tty: boolean }) {
  const stdin = Object.assign(Readable.from([]), { isTTY: tty });
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdin, stdout: async (t) => void (stdout += t), stderr: (t) => void (stderr += t), env: testHome() });
  return { code, stdout, stderr };
}

describe('did you mean', () => {
  it('counts a swap of two adjacent letters as one edit', () => {
    expect(editDistance('lgoin', 'login')).toBe(1);
    expect(editDistance('login', 'login')).toBe(0);
    expect(editDistance('', 'list')).toBe(4);
    expect(editDistance('stauts', 'status')).toBe(1);
  });

  it('suggests the nearest command only when it is close', () => {
    const names = COMMANDS.map((c) => c.name);
    expect(suggestion('lgoin', names)).toBe('login');
    expect(suggestion('stauts', names)).toBe('status');
    expect(suggestion('tokn', names)).toBe('token');
    expect(suggestion('doc', names)).toBe('doctor');
    expect(suggestion('auth', names)).toBeUndefined();
    expect(suggestion('x', names)).toBeUndefined();
  });
});

describe('unknown commands', () => {
  it('typed by a person at a terminal: one line with the suggestion and what to type, exit 2', async () => {
    const result = await run(['lgoin'], { tty: true });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`git-credential-pat: unknown command 'lgoin' (did you mean 'login'?); see 'git-credential-pat --help'\n`);
  });

  it('with a second argument or a flag, whoever typed it: exit 2 (git never passes either)', async () => {
    for (const argv of [['auth', 'status'], ['-v'], ['--bogus'], ['lgoin', '--host', 'x']]) {
      const result = await run(argv, { tty: false });
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(/^git-credential-pat: unknown (command|option) '[^']+'.*; see 'git-credential-pat --help'\n$/);
    }
  });

  it("git's way (one word, no terminal on stdin): silent, exit 0, as the protocol requires", async () => {
    expect(await run(['capability'], { tty: false })).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(await run(['lgoin'], { tty: false })).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('the real program: git runs a future action silently; a person on a real terminal gets exit 2', async () => {
    const fromGit = await runHelper(['frobnicate'], request({ protocol: 'https', host: 'example.com' }), testHome());
    expect(fromGit).toMatchObject({ code: 0, stdout: '', stderr: '' });
    const typed = await runOnTerminal([process.execPath, HELPER, 'lgoin'], [], testHome());
    expect(typed.code).toBe(2);
    expect(typed.screen).toContain("unknown command 'lgoin' (did you mean 'login'?)");
    expect(typed.screen).toContain("see 'git-credential-pat --help'");
    expect(typed.screen).not.toContain('usage:');
  });

  it('run by git itself with an action it does not know: silent', () => {
    const env = { ...process.env, ...testHome() };
    // git runs a helper through the shell with its action appended and its own pipe on
    // stdin; this helper passes an action from a newer git instead of `get`.
    const helper = `!f() { "${process.execPath}" "${HELPER}" frobnicate; }; f`;
    const result = spawnSync('git', ['-c', `credential.helper=${helper}`, 'credential', 'fill'], { input: 'url=https://nobody.example.invalid\n\n', env, encoding: 'utf8' });
    // Nothing answered, so git itself gives up (no prompt allowed); our helper said nothing.
    expect(result.status).not.toBe(0);
    expect(result.stderr).not.toMatch(/git-credential-pat|unknown command|usage:/);
  });
});

describe('help', () => {
  it('help CMD and CMD --help print the same text, generated from the spec', async () => {
    for (const entry of COMMANDS) {
      const viaHelp = await run(['help', entry.name], { tty: false });
      const viaFlag = await run([entry.name, '--help'], { tty: false });
      expect(viaHelp).toEqual({ code: 0, stdout: commandHelp(entry.name, await entry.load()), stderr: '' });
      expect(viaFlag).toEqual(viaHelp);
      expect(viaHelp.stdout).toMatch(new RegExp(`^usage: git-credential-pat ${entry.name}`));
      expect(viaHelp.stdout).toContain('\nOptions:\n');
      expect(viaHelp.stdout).toContain('\nExamples:\n');
    }
  });

  it('every option in a spec is in its help and is accepted by its parser', async () => {
    for (const entry of COMMANDS) {
      const spec = await entry.load();
      const help = commandHelp(entry.name, spec);
      for (const [name, option] of Object.entries(spec.options)) {
        expect(help, `${entry.name} --${name}`).toContain(`--${name}`);
        const args = option.type === 'string' ? [`--${name}`, 'value'] : [`--${name}`];
        expect(parseCommandArgs(spec, [...args, ...(spec.arguments ?? []).map(() => 'arg')]).values, `${entry.name} --${name}`).toHaveProperty(name);
      }
    }
  });

  it('the usage lists every command once, and commands with --json document their fields', async () => {
    const usage = topUsage();
    for (const entry of COMMANDS) expect(usage.match(new RegExp(`^  ${entry.name} `, 'gm'))).toHaveLength(1);
    for (const name of ['list', 'status', 'doctor', 'login']) {
      const spec = await COMMANDS.find((c) => c.name === name)!.load();
      expect(spec.options, name).toHaveProperty('json');
      expect(spec.json?.fields.length, name).toBeGreaterThan(0);
      expect(commandHelp(name, spec)).toContain('With --json, prints');
    }
  });

  it('help with nothing: the usage on stdout, exit 0; with an unknown name: exit 2', async () => {
    expect(await run(['help'], { tty: false })).toEqual({ code: 0, stdout: topUsage(), stderr: '' });
    expect(await run(['--help'], { tty: false })).toEqual({ code: 0, stdout: topUsage(), stderr: '' });
    expect(await run(['help', 'help'], { tty: false })).toEqual({ code: 0, stdout: topUsage(), stderr: '' });
    expect((await run(['help', 'login', 'extra'], { tty: false })).code).toBe(2);
    const unknown = await run(['help', 'lgoin'], { tty: false });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^git-credential-pat: unknown command 'lgoin' \(did you mean 'login'\?\)/);
  });

  it("gh's spellings: --hostname for --host, --user for token's --username", async () => {
    const status = (await COMMANDS.find((c) => c.name === 'status')!.load()) as Parameters<typeof parseCommandArgs>[0];
    expect(parseCommandArgs(status, ['--hostname', 'ghe.example.com']).values).toEqual({ host: 'ghe.example.com' });
    expect(parseCommandArgs(status, ['--hostname=ghe.example.com']).values).toEqual({ host: 'ghe.example.com' });
    // After `--` nothing is an option: a positional is refused, not renamed.
    expect(() => parseCommandArgs(status, ['--', '--hostname'])).toThrow(/unexpected argument '--hostname'/i);
  });
});

describe('version and man page', () => {
  it('--version is package.json version', async () => {
    expect((await runHelper(['--version'], '')).stdout).toBe(`git-credential-pat ${version}\n`);
    expect((await runHelper(['version'], '')).stdout).toBe(`git-credential-pat ${version}\n`);
  });

  it('the built man page is the one the specs render, names every command and option, and man reads it', async () => {
    const built = readFileSync(new URL('../dist/git-credential-pat.1', import.meta.url), 'utf8');
    expect(built).toBe(await manPage());
    const text = execFileSync('man', ['-l', '-P', 'cat', new URL('../dist/git-credential-pat.1', import.meta.url).pathname], { encoding: 'utf8', env: { ...process.env, MANWIDTH: '200', LC_ALL: 'C.UTF-8' } });
    expect(text).toContain(`git-credential-pat ${version}`);
    for (const entry of COMMANDS) {
      expect(text).toContain(`git-credential-pat ${entry.name}`);
      for (const name of Object.keys((await entry.load()).options)) expect(text, `${entry.name} --${name}`).toMatch(new RegExp(`--${name}\\b`));
    }
  });
});

describe('token', () => {
  it('prints the stored token for a host, the one git would get, and nothing else', async () => {
    const env = testHome();
    const host = uniqueHost('token');
    await runHelper(['store'], request({ protocol: 'https', host, username: 'first', password: 'ghp_first' }), env);
    await runHelper(['store'], request({ protocol: 'https', host, username: 'second', password: 'ghp_second' }), env);
    expect(await runHelper(['token', '--host', host], '', env)).toMatchObject({ code: 0, stdout: 'ghp_second\n', stderr: '' });
    expect(await runHelper(['token', '--hostname', host, '--user', 'first'], '', env)).toMatchObject({ code: 0, stdout: 'ghp_first\n', stderr: '' });
    // git's credential.<url>.username routes to an account, as it does for git.
    execFileSync('git', ['config', '--global', `credential.https://${host}.username`, 'first'], { env: { ...process.env, ...env } });
    expect(await runHelper(['token', '--host', host], '', env)).toMatchObject({ code: 0, stdout: 'ghp_first\n' });
    const none = await runHelper(['token', '--host', host, '--username', 'nobody'], '', env);
    expect(none).toMatchObject({ code: 1, stdout: '' });
    expect(none.stderr).toBe(`git-credential-pat token: no token is stored for nobody on ${host}; add one with: git-credential-pat login --host ${host}\n`);
    for (const host2 of [host]) await runHelper(['erase'], request({ protocol: 'https', host: host2 }), env);
  });

  it('never answers from the environment, and never prints an expired token', async () => {
    const env = { ...testHome(), GH_TOKEN: 'ghp_fromTheEnvironment' };
    const host = uniqueHost('expired');
    await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'ghp_old', password_expiry_utc: '1000' }), env);
    const expired = await runHelper(['token', '--host', host], '', env);
    expect(expired.code).toBe(1);
    expect(expired.stdout).toBe('');
    expect(expired.stderr).toMatch(/expired/);
    expect(expired.stderr).not.toContain('ghp_old');
    const github = await runHelper(['token'], '', { ...env, XDG_STATE_HOME: testHome().XDG_STATE_HOME });
    expect(github.stdout).not.toContain('ghp_fromTheEnvironment');
    await runHelper(['erase'], request({ protocol: 'https', host }), env);
  });
});
