// scripts/with-keyring (the suite's launcher) is built on unlock/lock, and the
// keyring password reaches gnome-keyring-daemon through pipes only: no process it
// starts (the bus, the daemon, the command) has it in its environment or argv.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HELPER } from './support/helper-process.js';
import { processRunning, scanProcesses } from './support/proc-scan.js';

const WITH_KEYRING = fileURLToPath(new URL('../scripts/with-keyring', import.meta.url));
const roots: string[] = [];

afterAll(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function home(): NodeJS.ProcessEnv {
  const root = mkdtempSync(join(tmpdir(), 'gcp-wk-'));
  roots.push(root);
  mkdirSync(join(root, 'run'), { mode: 0o700 });
  return {
    PATH: process.env.PATH,
    HOME: root,
    XDG_DATA_HOME: join(root, 'data'),
    XDG_STATE_HOME: join(root, 'state'),
    XDG_RUNTIME_DIR: join(root, 'run'),
  };
}

function withKeyring(args: readonly string[], env: NodeJS.ProcessEnv, password?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(WITH_KEYRING, [...args], { env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const fd3 = child.stdio[3] as NodeJS.WritableStream;
    fd3.on('error', () => {});
    fd3.end(password ?? '');
    const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('scripts/with-keyring', () => {
  it('never puts the keyring password in any environment or argv, and stops what it started', async () => {
    const password = `wk-pw-${randomBytes(12).toString('hex')}`;
    const env = { ...home(), HELPER };
    const scan = scanProcesses(password);
    const script = `set -e
      printf 'protocol=https\\nhost=wk.example.invalid\\nusername=u\\npassword=p\\n' | node "$HELPER" store
      printf 'protocol=https\\nhost=wk.example.invalid\\n' | node "$HELPER" get
      dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets
      dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.DBus
      sleep 0.2`;
    const result = await withKeyring(['--password-fd', '3', 'bash', '-c', script], env, password);
    scan.stop();
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const [answer, pids] = [result.stdout.slice(0, result.stdout.indexOf('uint32')).trimEnd() + '\n', [...result.stdout.matchAll(/uint32 (\d+)/g)].map((m) => Number(m[1]))];
    expect(answer).toBe('username=u\npassword=p\n');
    expect(pids).toHaveLength(2);
    // Both daemons were read while they ran, and nothing held the password.
    for (const pid of pids) expect(scan.seen.has(pid)).toBe(true);
    expect(scan.hits).toEqual([]);
    // The keyring was really created with that password: gone when the command ended.
    for (const pid of pids) expect(processRunning(pid)).toBe(false);
    const again = await withKeyring(['--password-fd', '3', 'bash', '-c', `printf 'protocol=https\\nhost=wk.example.invalid\\n' | node "$HELPER" get`], env, password);
    expect(again).toMatchObject({ code: 0, stdout: 'username=u\npassword=p\n' });
  });

  it('refuses a password in the environment', async () => {
    const result = await withKeyring(['true'], { ...home(), GIT_CREDENTIAL_PAT_KEYRING_PASSWORD: 'x' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no longer read from the environment.*--password-fd/);
  });

  it('--ephemeral: a throwaway keyring, deleted afterwards with its daemons', async () => {
    const script = `echo "$HOME"; dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets`;
    const result = await withKeyring(['--ephemeral', 'bash', '-c', script], { PATH: process.env.PATH });
    expect(result.code).toBe(0);
    const [tmpHome, line] = result.stdout.split('\n');
    const pid = Number(/uint32 (\d+)/.exec(line ?? '')?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(processRunning(pid)).toBe(false);
    expect(() => readFileSync(tmpHome!)).toThrow();
  });
});
