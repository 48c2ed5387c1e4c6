// gnome-keyring 42 registers each new client from an idle callback; a property
// question or OpenSession handled before that aborts the daemon (GLib-ERROR), losing
// every unlocked session, and a search answers UnknownMethod instead. So every
// connection of ours opens with a search (src/store/dbus/secret-service.ts,
// SecretServiceClient.register). Here, dbus-monitor on a keyring of the file's own
// records each client's first question to the Secret Service while the commands that
// ask one run: unlock beside a running service, doctor, the health question asked when
// a call is slow, list (which reads every collection's items), and git's store, get
// and erase.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretServiceQuestions } from '../src/store/secret-service-questions.js';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';
import { runProcess } from './support/run-process.js';

/** Each client's first method call to org.freedesktop.secrets, from dbus-monitor's text. */
function firstQuestions(monitor: string): Map<string, string> {
  const first = new Map<string, string>();
  for (const line of monitor.split('\n')) {
    if (!line.startsWith('method call ') || !line.includes(' destination=org.freedesktop.secrets ')) continue;
    const sender = / sender=(\S+)/.exec(line)?.[1];
    const member = / member=(\S+)/.exec(line)?.[1];
    if (sender && member && !first.has(sender)) first.set(sender, `${/ interface=([^;\s]+)/.exec(line)?.[1] ?? '?'}.${member}`);
  }
  return first;
}

describe("every client's first question to gnome-keyring is a search", () => {
  const keyring = ownKeyring();
  const dir = mkdtempSync(join(tmpdir(), 'gcp-first-'));
  let monitor: ChildProcess | undefined;
  afterAll(() => {
    monitor?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('unlock, doctor, the health question, list and git store, get, erase', async () => {
    const log = join(dir, 'monitor.txt');
    monitor = spawn('sh', ['-c', `exec dbus-monitor --address "$ADDRESS" "type='method_call'" > "${log}"`], { env: { ...process.env, ADDRESS: keyring.env.DBUS_SESSION_BUS_ADDRESS }, stdio: 'ignore' });
    // dbus-monitor is listening once the bus has seen it ask to become a monitor.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const home = testHome();
    const env = { ...home, ...keyring.env };
    const unlock = await runProcess(process.execPath, [HELPER, 'unlock', '--password-stdin'], { PATH: process.env.PATH, HOME: home.HOME, ...keyring.env }, { input: 'pw\n' });
    expect(unlock.stdout).toMatch(/^A Secret Service already answers on your session bus/);
    const doctor = await runHelper(['doctor'], '', env);
    expect(doctor.stdout).toMatch(/Secret Service/);
    const questions = new SecretServiceQuestions(env);
    try {
      expect(await questions.owner()).toMatchObject({ kind: 'owned' });
      expect(await questions.locked()).toBe(false);
    } finally {
      questions.close();
    }
    const host = uniqueHost('first');
    expect(await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password: 'ghp_first' }), env)).toMatchObject({ code: 0, stderr: '' });
    expect(await runHelper(['get'], request({ protocol: 'https', host }), env)).toMatchObject({ code: 0, stdout: 'username=u\npassword=ghp_first\n' });
    expect((await runHelper(['list'], '', env)).stdout).toContain(host);
    expect(await runHelper(['erase'], request({ protocol: 'https', host, username: 'u' }), env)).toMatchObject({ code: 0, stderr: '' });

    await new Promise((resolve) => setTimeout(resolve, 500));
    monitor.kill('SIGTERM');
    const first = firstQuestions(readFileSync(log, 'utf8'));
    expect(first.size).toBeGreaterThanOrEqual(6);
    expect([...new Set(first.values())]).toEqual(['org.freedesktop.Secret.Service.SearchItems']);
  }, 60_000);
});
