// Issue 21, unlock and lock: the keyring password reaches gnome-keyring as the bytes
// given (3); two unlocks at once leave one bus and one keyring daemon that lock stops (12);
// lock signals only the daemons it proved are ours (2); a bus socket or folder another
// user could have planted is not trusted (1).
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busConfig } from '../src/private-bus/daemons.js';
import { discoverPrivateBus } from '../src/private-bus/discover.js';
import { busLocation } from '../src/private-bus/location.js';
import { HELPER } from './support/helper-process.js';
import { processRunning } from './support/proc-scan.js';
import { runOnTerminal } from './support/pty.js';
import { runProcess, type ProcessResult } from './support/run-process.js';

type Run = ProcessResult;

const run = (command: string, args: readonly string[], env: NodeJS.ProcessEnv, input: string | Buffer = ''): Promise<Run> =>
  runProcess(command, args, env, { input });

const roots: Array<{ root: string; env: NodeJS.ProcessEnv }> = [];

/** A login of its own: HOME and XDG_RUNTIME_DIR in a fresh folder, no D-Bus session. */
function machine(): { root: string; env: NodeJS.ProcessEnv; cli: (args: readonly string[], input?: string | Buffer) => Promise<Run> } {
  const root = mkdtempSync(join(tmpdir(), 'gcp-unlock-hard-'));
  mkdirSync(join(root, 'home'));
  mkdirSync(join(root, 'run'), { mode: 0o700 });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(root, 'home'), XDG_RUNTIME_DIR: join(root, 'run'), LANG: 'C' };
  roots.push({ root, env });
  return { root, env, cli: (args, input = '') => run(process.execPath, [HELPER, ...args], env, input) };
}

/** Every process whose command line names this folder (the daemons name their bus config or socket). */
function daemonsOf(root: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      if (Number(entry) !== process.pid && (cmdline.includes(root) || environ.includes(`XDG_RUNTIME_DIR=${root}/run`)) && processRunning(Number(entry))) pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

afterAll(async () => {
  for (const { root, env } of roots) {
    await run(process.execPath, [HELPER, 'lock'], env);
    for (const pid of daemonsOf(root)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch (error) {
        // Exited between the listing and the kill (lock had stopped it): nothing left to stop.
        if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
      }
    }
    rmSync(root, { recursive: true, force: true });
  }
});

describe('the keyring password is the bytes given (item 3)', () => {
  it('--password-stdin passes bytes that are not UTF-8 through unchanged: other invalid bytes do not unlock it', async () => {
    const { cli } = machine();
    const created = await cli(['unlock', '--password-stdin'], Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0x0a]));
    expect(created, created.stderr).toMatchObject({ code: 0, stderr: '' });
    expect((await cli(['lock'])).code).toBe(0);
    const other = await cli(['unlock', '--password-stdin'], Buffer.from([0x80, 0x81, 0x82, 0x83, 0x0a]));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/wrong password/);
    const same = await cli(['unlock', '--password-stdin'], Buffer.from([0xff, 0xfe, 0xfd, 0xfc]));
    expect(same, same.stderr).toMatchObject({ code: 0, stderr: '' });
    expect((await cli(['lock'])).code).toBe(0);
  }, 60_000);

  it('a NUL byte, which gnome-keyring would cut the password at, is refused', async () => {
    const { env, cli } = machine();
    const result = await cli(['unlock', '--password-stdin'], Buffer.from('abc\0def\n'));
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^git-credential-pat unlock: the password contains a NUL byte[^\n]*\n$/);
    expect(existsSync(join(env.HOME!, '.local', 'share', 'keyrings', 'login.keyring'))).toBe(false);
  }, 60_000);

  it('on a terminal, a password that is not UTF-8 is refused with a clear error, not folded into U+FFFD', async () => {
    const { env } = machine();
    const typed = Buffer.from([0xff, 0xfe, 0xfd, 0xfc, 0x0d]);
    const result = await runOnTerminal(
      [process.execPath, HELPER, 'unlock'],
      [
        { when: 'New password', send: typed },
        { when: 'The same password again', send: typed },
      ],
      { ...env, DBUS_SESSION_BUS_ADDRESS: undefined, XDG_DATA_HOME: undefined, XDG_STATE_HOME: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: undefined },
      30_000,
    );
    expect(result.screen).toMatch(/not valid UTF-8[^\n]*--password-stdin/);
    expect(result.code).toBe(1);
    expect(existsSync(join(env.HOME!, '.local', 'share', 'keyrings', 'login.keyring'))).toBe(false);
  }, 60_000);
});

describe('unlock on a terminal asks again, as passwd does', () => {
  it('a mistyped confirmation asks for both again, and the next matching pair creates and unlocks the keyring', async () => {
    const { env, cli } = machine();
    const result = await runOnTerminal(
      [process.execPath, HELPER, 'unlock'],
      [
        { when: 'New password', send: 'first-try\r' },
        { when: 'The same password again', send: 'frist-try\r' },
        { when: 'New password', send: 'second-try\r' },
        { when: 'The same password again', send: 'second-try\r' },
      ],
      { ...env, DBUS_SESSION_BUS_ADDRESS: undefined, XDG_DATA_HOME: undefined, XDG_STATE_HOME: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: undefined },
      30_000,
    );
    expect(result.screen).toContain('The two passwords differ; try again.');
    expect(result.code, result.screen).toBe(0);
    expect(existsSync(join(env.HOME!, '.local', 'share', 'keyrings', 'login.keyring'))).toBe(true);
    expect((await cli(['lock'])).code).toBe(0);
    // The keyring took the second password.
    const again = await cli(['unlock', '--password-stdin'], 'second-try\n');
    expect(again, again.stderr).toMatchObject({ code: 0 });
    expect((await cli(['lock'])).code).toBe(0);
  }, 60_000);

  it('three mistyped confirmations create nothing', async () => {
    const { env } = machine();
    const pairs = [1, 2, 3].flatMap((n) => [
      { when: 'New password', send: `pw-${n}\r` },
      { when: 'The same password again', send: `pw-${n}x\r` },
    ]);
    const result = await runOnTerminal(
      [process.execPath, HELPER, 'unlock'],
      pairs,
      { ...env, DBUS_SESSION_BUS_ADDRESS: undefined, XDG_DATA_HOME: undefined, XDG_STATE_HOME: undefined, XDG_CONFIG_HOME: undefined, XDG_CACHE_HOME: undefined },
      30_000,
    );
    expect(result.screen).toContain('the two passwords differ; nothing was created');
    expect(result.code).toBe(1);
    expect(existsSync(join(env.HOME!, '.local', 'share', 'keyrings', 'login.keyring'))).toBe(false);
  }, 60_000);
});

describe('two unlocks at once (item 12)', () => {
  it('leave one bus and one keyring daemon, and lock stops every daemon they started', async () => {
    for (let round = 0; round < 5; round++) {
      const { root, cli } = machine();
      const password = `pw-round-${round}\n`;
      const results = await Promise.all([cli(['unlock', '--password-stdin'], password), cli(['unlock', '--password-stdin'], password), cli(['unlock', '--password-stdin'], password)]);
      for (const result of results) expect(result.code, result.stderr).toBe(0);
      expect(results.filter((r) => /^Created and unlocked|^Unlocked/.test(r.stdout))).toHaveLength(1);
      const locked = await cli(['lock']);
      expect(locked.code, locked.stderr).toBe(0);
      // Zombies awaiting init's reaping count as gone.
      const deadline = Date.now() + 5000;
      while (daemonsOf(root).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(daemonsOf(root), `round ${round}`).toEqual([]);
    }
  }, 180_000);
});

describe('a bus socket another user could have planted (item 1)', () => {
  const OTHER_UID = 54321;
  const me = process.getuid!();

  /** A runtime folder with our bus folder and a listening socket in it, as unlock leaves it. */
  async function planted(shape: (paths: { runtime: string; dir: string; socket: string }) => void): Promise<NodeJS.ProcessEnv> {
    const { root, env } = machine();
    const runtime = join(root, 'run');
    const dir = join(runtime, 'git-credential-pat');
    mkdirSync(dir, { mode: 0o700 });
    const socket = join(dir, 'bus');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    servers.push(server);
    shape({ runtime, dir, socket });
    return env;
  }
  const servers: Server[] = [];
  afterAll(() => {
    for (const server of servers) server.close();
  });

  it('the door follows only a socket of ours, in a folder of ours, under folders no other user can change', async () => {
    const cases: Array<[string, (p: { runtime: string; dir: string; socket: string }) => void, boolean]> = [
      ['as unlock leaves it', () => undefined, true],
      ['a shared, sticky runtime folder (/tmp)', ({ runtime }) => chmodSync(runtime, 0o1777), true],
      ["a runtime folder another user made", ({ runtime }) => chownSync(runtime, OTHER_UID, OTHER_UID), false],
      ['a runtime folder anyone may write (not sticky)', ({ runtime }) => chmodSync(runtime, 0o777), false],
      ["the bus folder is another user's", ({ dir }) => chownSync(dir, OTHER_UID, OTHER_UID), false],
      ['the bus folder others may enter', ({ dir }) => chmodSync(dir, 0o755), false],
      ["the socket is another user's", ({ socket }) => chownSync(socket, OTHER_UID, OTHER_UID), false],
    ];
    for (const [label, shape, trusted] of cases) {
      const env = await planted(shape);
      const probe: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: env.XDG_RUNTIME_DIR, HOME: env.HOME };
      expect(discoverPrivateBus(probe), label).toBe(trusted);
      if (!trusted) expect(probe.DBUS_SESSION_BUS_ADDRESS, label).toBeUndefined();
    }
  });

  it('the state-folder fallback is judged the same way', async () => {
    const { env } = machine();
    const { dir, socket } = busLocation({ HOME: env.HOME });
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    servers.push(server);
    expect(discoverPrivateBus({ HOME: env.HOME })).toBe(true);
    chmodSync(join(env.HOME!, '.local'), 0o777);
    expect(discoverPrivateBus({ HOME: env.HOME })).toBe(false);
  });

  it('a symlinked runtime folder is used by its real path, so swapping the link later changes nothing', async () => {
    const env = await planted(() => undefined);
    const link = join(env.HOME!, 'runtime-link');
    symlinkSync(env.XDG_RUNTIME_DIR!, link);
    const probe: NodeJS.ProcessEnv = { XDG_RUNTIME_DIR: link };
    expect(discoverPrivateBus(probe)).toBe(true);
    expect(probe.DBUS_SESSION_BUS_ADDRESS).toBe(`unix:path=${realpathSync(env.XDG_RUNTIME_DIR!)}/git-credential-pat/bus`);
  });

  it('unlock, lock and doctor refuse a planted socket, and unlock will not build in a folder another user controls', async () => {
    const env = await planted(({ runtime }) => chownSync(runtime, OTHER_UID, OTHER_UID));
    const cli = (args: string[], input = '') => run(process.execPath, [HELPER, ...args], env, input);
    for (const args of [['unlock', '--password-stdin'], ['lock']]) {
      const result = await cli(args, 'pw\n');
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr, args.join(' ')).toMatch(/not trusted: .*belongs to another user \(uid 54321\)/);
    }
    const doctor = await cli(['doctor']);
    expect(doctor.stdout + doctor.stderr).toMatch(/not trusted/);
    rmSync(join(env.XDG_RUNTIME_DIR!, 'git-credential-pat'), { recursive: true, force: true });
    const fresh = await cli(['unlock', '--password-stdin'], 'pw\n');
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toMatch(/cannot hold the keyring's bus socket: .*belongs to another user/);
    expect(me).toBeGreaterThanOrEqual(0);
  }, 60_000);
});

describe('lock across PID namespaces (item 2)', () => {
  const unshareWorks = spawnSync('unshare', ['-Urpf', '--mount-proc', 'true']).status === 0;

  it.skipIf(!unshareWorks)('a bus in another PID namespace: lock signals no bystander of the same number, keeps the socket, and does not say Locked', async () => {
    const { root, env, cli } = machine();
    const { dir, socket } = busLocation(env);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dir, 'bus.conf'), busConfig([socket]), { mode: 0o600 });
    // A bystander here whose PID the bus in the other namespace will report as its own.
    const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
    const number = bystander.pid!;
    const inner = spawn(
      'unshare',
      ['-Urpf', '--mount-proc', 'bash', '-c', `echo ${number - 1} > /proc/sys/kernel/ns_last_pid; dbus-daemon --nofork --config-file=${join(dir, 'bus.conf')} --nosyslog & echo $!; wait`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      const innerPid = await new Promise<number>((resolve) => inner.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
      expect(innerPid).toBe(number);
      const deadline = Date.now() + 5000;
      while (!existsSync(socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const locked = await cli(['lock']);
      expect(processRunning(number)).toBe(true);
      expect(locked.stdout).not.toMatch(/Locked/);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toMatch(/names PID \d+, which here is not that daemon: it runs in another PID namespace/);
      expect(existsSync(socket)).toBe(true);
      expect(inner.exitCode).toBeNull();
    } finally {
      bystander.kill('SIGKILL');
      inner.kill('SIGKILL');
      void root;
    }
  }, 60_000);
});
