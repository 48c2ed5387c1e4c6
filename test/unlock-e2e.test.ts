// Issue 13's "done when": a headless machine (no D-Bus session, no
// DBUS_SESSION_BUS_ADDRESS in any git process). `unlock` once, then real git in a
// separate process tree with a clean environment (env -i) stores and gets the token
// with no prompt; `lock` makes get fail fast; the same password serves the same
// token again; a wrong password changes nothing. All the while, every process's
// environment and argv are read for the password.
import { runProcess, type ProcessResult } from './support/run-process.js';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGitServer, type GitServer } from './support/git-server.js';
import { HELPER } from './support/helper-process.js';
import { processRunning, scanProcesses, type ProcScan } from './support/proc-scan.js';
import { startupMs } from './support/timing.js';

const PASSWORD = `keyring-pw-${randomBytes(12).toString('hex')}`;
const TOKEN = `ghp_unlock${randomBytes(15).toString('hex')}`;

let server: GitServer;
let scan: ProcScan;
let root: string;
let home: string;
let bin: string;
const daemonPids = new Set<number>();

type Run = ProcessResult;

const run = (command: string, args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<Run> => runProcess(command, args, env, { input });

/** The session that runs unlock/lock: an SSH login with XDG_RUNTIME_DIR and no D-Bus. */
function loginEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, XDG_RUNTIME_DIR: join(root, 'run'), LANG: 'C' };
}

function cli(args: readonly string[], input = ''): Promise<Run> {
  return run(process.execPath, [HELPER, ...args], loginEnv(), input);
}

/** A separate process tree with nothing but HOME and PATH (cron, another session). */
function cleanTree(script: string): Promise<Run> {
  return run('env', ['-i', `HOME=${home}`, `PATH=${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, 'bash', '-c', script], {});
}

const REQUEST = () => `protocol=https\nhost=${server.host}\n\n`;

/** Whether the process was started for this file: its command line or environment names the file's folder. */
function ofThisRun(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(root) || readFileSync(`/proc/${pid}/environ`, 'utf8').includes(`XDG_RUNTIME_DIR=${join(root, 'run')}`);
  } catch {
    return false;
  }
}

function pidIn(text: string): number {
  const pid = Number(/PID (\d+)/.exec(text)?.[1]);
  expect(pid).toBeGreaterThan(0);
  return pid;
}

beforeAll(async () => {
  scan = scanProcesses(PASSWORD);
  server = await startGitServer({ authorize: (user, pass, repo) => user === 'alice' && pass === TOKEN && repo.startsWith('alice/') });
  await server.createRepo('alice/project.git');
  root = mkdtempSync(join(tmpdir(), 'gcp-unlock-'));
  home = join(root, 'home');
  bin = join(root, 'bin');
  mkdirSync(home);
  mkdirSync(bin);
  mkdirSync(join(root, 'run'), { mode: 0o700 });
  symlinkSync(HELPER, join(bin, 'git-credential-pat'));
  // Everything git needs is in the config file: the process tree gets no variables.
  writeFileSync(
    join(home, '.gitconfig'),
    `[credential]\n\thelper = pat\n[http]\n\tsslCAInfo = ${server.caFile}\n[user]\n\tname = Alice\n\temail = alice@example.test\n[core]\n\taskPass =\n`,
  );
});

afterAll(async () => {
  await cli(['lock']);
  scan?.stop();
  await server?.close();
  // Only a daemon of this file's run: after lock, a recorded PID may already be someone else's (pid_max wraps).
  for (const pid of daemonPids) if (processRunning(pid) && ofThisRun(pid)) process.kill(pid, 'SIGKILL');
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('unlock once, then git just works (issue 13)', () => {
  const socket = () => join(root, 'run', 'git-credential-pat', 'bus');
  const keyringFile = () => join(home, '.local', 'share', 'keyrings', 'login.keyring');

  it('unlock --password-stdin starts a detached private Secret Service and creates the keyring', async () => {
    const result = await cli(['unlock', '--password-stdin'], `${PASSWORD}\n`);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Created and unlocked your login keyring/);
    const pid = pidIn(result.stdout);
    daemonPids.add(pid);
    expect(existsSync(keyringFile())).toBe(true);
    // The fixed per-user socket, in a 0700 folder of ours; and its twin under the
    // state directory for processes without XDG_RUNTIME_DIR.
    const dir = statSync(dirname(socket()));
    expect(dir.mode & 0o777).toBe(0o700);
    expect(dir.uid).toBe(process.getuid!());
    expect(statSync(socket()).isSocket()).toBe(true);
    expect(statSync(join(home, '.local', 'state', 'git-credential-pat', 'run', 'bus')).isSocket()).toBe(true);
    expect(statSync(join(home, '.local', 'state', 'git-credential-pat', 'run')).mode & 0o777).toBe(0o700);
    // Detached: its own session, not a child of the unlock that ended.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').slice(readFileSync(`/proc/${pid}/stat`, 'utf8').lastIndexOf(')') + 2).split(' ');
    const session = Number(stat[3]);
    expect(session).not.toBe(Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[3]));
    expect(processRunning(pid)).toBe(true);
  });

  it('a second unlock says so and changes nothing', async () => {
    const before = [...daemonPids][0]!;
    const result = await cli(['unlock', '--password-stdin'], 'not even read\n');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Already unlocked/);
    expect(pidIn(result.stdout)).toBe(before);
    // The ~/.bash_profile line, `[ -t 0 ] && git-credential-pat unlock --quiet`: silent at every login after the first.
    expect(await cli(['unlock', '--quiet', '--password-stdin'], 'not even read\n')).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('a separate process tree with only HOME and PATH stores, clones and pushes over HTTPS with no prompt', async () => {
    const result = await cleanTree(`set -e
      [ -z "\${DBUS_SESSION_BUS_ADDRESS+set}" ] && [ -z "\${XDG_RUNTIME_DIR+set}" ]
      printf 'protocol=https\\nhost=${server.host}\\nusername=alice\\npassword=${TOKEN}\\n\\n' | git credential approve
      cd "$HOME"
      GIT_TERMINAL_PROMPT=0 git clone -q ${server.url}/alice/project.git work
      cd work
      echo change >change.txt && git add change.txt && git commit -qm change
      GIT_TERMINAL_PROMPT=0 git push -q origin HEAD:main
      printf 'url=${server.url}/alice/project.git\\n\\n' | GIT_TERMINAL_PROMPT=0 git credential fill`);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`protocol=https\nhost=${server.host}\nusername=alice\npassword=${TOKEN}\n`);
    expect(server.authLog.filter((e) => e.ok && e.username === 'alice').length).toBeGreaterThanOrEqual(2);
    expect(server.authLog.some((e) => !e.ok)).toBe(false);
  });

  it('lock stops it; get then fails fast with one line that names unlock', async () => {
    const pid = [...daemonPids][0]!;
    const result = await cli(['lock']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Locked: stopped gnome-keyring-daemon/);
    expect(processRunning(pid)).toBe(false);
    expect(existsSync(socket())).toBe(false);
    const get = await cleanTree(`printf 'protocol=https\\nhost=${server.host}\\n\\n' | git-credential-pat get`);
    expect(get.code).not.toBe(0);
    expect(get.stdout).toBe('');
    expect(get.stderr).toMatch(/^git-credential-pat: [^\n]*git-credential-pat unlock[^\n]*\n$/);
    // Fast: no keychain to wait for. Three start-ups as measured now, on a loaded machine.
    expect(get.ms).toBeLessThan(Math.max(3000, 3 * startupMs()));
  });

  it('unlock with the same password serves the same token', async () => {
    const result = await cli(['unlock', '--password-stdin'], PASSWORD);
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Unlocked your login keyring/);
    daemonPids.add(pidIn(result.stdout));
    const get = await cleanTree(`git-credential-pat get`.replace('get', `get <<'EOF'\n${REQUEST()}EOF`));
    expect(get).toMatchObject({ code: 0, stderr: '', stdout: `username=alice\npassword=${TOKEN}\n` });
  });

  it('doctor reports the unlocked private Secret Service with its PID and socket', async () => {
    const pid = [...daemonPids].at(-1)!;
    const result = await cleanTree('git-credential-pat doctor --json');
    const checks = (JSON.parse(result.stdout) as { checks: Array<{ check: string; level: string; message: string }> }).checks;
    expect(checks.find((c) => c.check === 'secret-service')).toEqual({
      check: 'secret-service',
      level: 'ok',
      message: `your private Secret Service from unlock is unlocked (PID ${pid}, socket ${join(home, '.local', 'state', 'git-credential-pat', 'run', 'bus')})`,
    });
    expect(checks.find((c) => c.check === 'keychain')).toMatchObject({ level: 'ok' });
  });

  it('after lock, doctor reports none with the next step, and setup ends by naming unlock', async () => {
    expect((await cli(['lock'])).code).toBe(0);
    const doctor = await cleanTree('git-credential-pat doctor --json');
    const checks = (JSON.parse(doctor.stdout) as { checks: Array<{ check: string; level: string; message: string; fix?: string }> }).checks;
    expect(checks.find((c) => c.check === 'secret-service')).toMatchObject({ level: 'problem', fix: 'git-credential-pat unlock (once per boot)' });
    const setup = await cleanTree('git-credential-pat setup --host setup-last-step.example');
    expect(setup.code).toBe(0);
    expect(setup.stdout).toMatch(/\nOne step left: this machine has no desktop keyring; run git-credential-pat unlock \(once per boot\)[^\n]*\n$/);
  });

  it('a wrong password: one clear line, exit 1, the keyring file unchanged byte for byte, nothing left running', async () => {
    const before = readFileSync(keyringFile());
    const result = await cli(['unlock', '--password-stdin'], 'not-the-password\n');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^git-credential-pat unlock: wrong password[^\n]*\n$/);
    expect(readFileSync(keyringFile()).equals(before)).toBe(true);
    expect(existsSync(socket())).toBe(false);
    const get = await cleanTree(`printf 'protocol=https\\nhost=${server.host}\\n\\n' | git-credential-pat get`);
    expect(get.stdout).toBe('');
    expect(get.code).not.toBe(0);
  });

  it('no process environment or argv held the password, daemons included', () => {
    scan.stop();
    expect(scan.hits).toEqual([]);
    const daemons = [...scan.seen.values()];
    expect(daemons.some((cmd) => cmd.startsWith('gnome-keyring-daemon'))).toBe(true);
    expect(daemons.some((cmd) => cmd.startsWith('dbus-daemon') && cmd.includes(root))).toBe(true);
    for (const pid of daemonPids) expect(scan.seen.has(pid)).toBe(true);
  });
});

describe('unlock next to another Secret Service, or without gnome-keyring', () => {
  it('a Secret Service already answering on the session bus: says so, starts nothing', async () => {
    const address = process.env.DBUS_SESSION_BUS_ADDRESS;
    if (!address) throw new Error('run the tests under scripts/with-keyring (npm test does)');
    const own = mkdtempSync(join(tmpdir(), 'gcp-unlock-desk-'));
    const result = await run(process.execPath, [HELPER, 'unlock', '--password-stdin'], { PATH: process.env.PATH, HOME: own, DBUS_SESSION_BUS_ADDRESS: address }, 'pw\n');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^A Secret Service already answers on your session bus/);
    expect(existsSync(join(own, '.local', 'state', 'git-credential-pat', 'run'))).toBe(false);
    expect(existsSync(join(own, '.local', 'share', 'keyrings'))).toBe(false);
    rmSync(own, { recursive: true, force: true });
  });

  it('no gnome-keyring-daemon: names the package to install, and leaves nothing running', async () => {
    const own = mkdtempSync(join(tmpdir(), 'gcp-unlock-nogk-'));
    const tools = join(own, 'bin');
    mkdirSync(tools);
    for (const tool of ['dbus-daemon', 'dbus-send']) symlinkSync(`/usr/bin/${tool}`, join(tools, tool));
    chmodSync(tools, 0o755);
    const result = await run(process.execPath, [HELPER, 'unlock', '--password-stdin'], { PATH: tools, HOME: own }, 'pw\n');
    expect(result.code).toBe(1);
    const osRelease = readFileSync('/etc/os-release', 'utf8');
    const expected = /^ID(_LIKE)?=.*(debian|ubuntu)/m.test(osRelease) ? /apt-get install --no-install-recommends gnome-keyring dbus/ : /install/;
    expect(result.stderr).toMatch(/^git-credential-pat unlock: gnome-keyring-daemon is not installed; install it: [^\n]+\n$/);
    expect(result.stderr).toMatch(expected);
    expect(existsSync(join(own, '.local', 'state', 'git-credential-pat', 'run', 'bus'))).toBe(false);
    rmSync(own, { recursive: true, force: true });
  });
});

describe('WSL as far as this machine allows: no systemd, no XDG_RUNTIME_DIR', () => {
  it('unlock puts the bus under the state directory; a clean tree finds it; once locked, the error names Git Credential Manager too', async () => {
    const own = mkdtempSync(join(tmpdir(), 'gcp-unlock-wsl-'));
    const ownBin = join(own, 'bin');
    mkdirSync(ownBin);
    symlinkSync(HELPER, join(ownBin, 'git-credential-pat'));
    const wslHome = join(own, 'home');
    mkdirSync(wslHome);
    writeFileSync(join(wslHome, '.gitconfig'), '[credential]\n\thelper = pat\n');
    const env = { PATH: process.env.PATH, HOME: wslHome, LANG: 'C', WSL_DISTRO_NAME: 'Debian' };
    const tree = (script: string) =>
      run('env', ['-i', `HOME=${wslHome}`, `PATH=${ownBin}:${dirname(process.execPath)}:/usr/bin:/bin`, 'WSL_DISTRO_NAME=Debian', 'bash', '-c', script], {});
    try {
      const unlocked = await run(process.execPath, [HELPER, 'unlock', '--password-stdin'], env, 'wsl-password\n');
      expect(unlocked, unlocked.stderr).toMatchObject({ code: 0, stderr: '' });
      const socket = join(wslHome, '.local', 'state', 'git-credential-pat', 'run', 'bus');
      expect(unlocked.stdout).toContain(`listens on ${socket}`);
      expect(statSync(socket).isSocket()).toBe(true);
      const fill = await tree(`printf 'protocol=https\\nhost=wsl.example.invalid\\nusername=me\\npassword=wsl-token\\n\\n' | git credential approve &&
        printf 'protocol=https\\nhost=wsl.example.invalid\\n\\n' | GIT_TERMINAL_PROMPT=0 git credential fill`);
      expect(fill).toMatchObject({ code: 0, stderr: '', stdout: 'protocol=https\nhost=wsl.example.invalid\nusername=me\npassword=wsl-token\n' });
      expect((await run(process.execPath, [HELPER, 'lock'], env)).code).toBe(0);
      const get = await tree(`printf 'protocol=https\\nhost=wsl.example.invalid\\n\\n' | git-credential-pat get`);
      expect(get.code).not.toBe(0);
      expect(get.stderr).toMatch(/^git-credential-pat: [^\n]*git-credential-pat unlock[^\n]*Git Credential Manager from Windows[^\n]*\n$/);
    } finally {
      await run(process.execPath, [HELPER, 'lock'], env);
      rmSync(own, { recursive: true, force: true });
    }
  });
});
