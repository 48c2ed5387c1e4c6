// A session bus daemon that answers late. Busy (CPU spent on others) it is waited on,
// as a busy Secret Service is: CI once saw 8 of 200 gets at once give up with "the D-Bus
// session bus did not answer within 2 s". Hung (no work at all) it still fails in one
// line, naming what the kernel showed. The late bus is a proxy process in front of a
// real bus (test/support/late-bus.mjs), found the way a real daemon is: by its socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseBusAddress } from '../src/store/dbus/address.js';
import { keychainTimeoutMs } from '../src/store/keychain.js';
import { request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { ownKeyring } from './support/private-keyring.js';
import { keychainDeadlineMs } from './support/timing.js';

const LATE_BUS = fileURLToPath(new URL('./support/late-bus.mjs', import.meta.url));

describe('a session bus that answers late', () => {
  const keyring = ownKeyring();
  const home = testHome();
  const dir = mkdtempSync(join(tmpdir(), 'gcp-late-bus-'));
  const proxies: ChildProcess[] = [];
  afterAll(() => {
    for (const proxy of proxies) proxy.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A proxy to the keyring's bus that holds everything for `holdMs` from its first connection. */
  async function lateBus(mode: 'busy' | 'hung', holdMs: number): Promise<{ address: string; pid: number }> {
    const [upstream] = parseBusAddress(keyring.env.DBUS_SESSION_BUS_ADDRESS);
    if (upstream?.kind !== 'path') throw new Error('the private keyring gave no path address');
    const path = join(dir, `${mode}-bus`);
    const proxy = spawn(process.execPath, [LATE_BUS, path, upstream.path, mode, String(holdMs)], { stdio: ['pipe', 'pipe', 'inherit'] });
    proxies.push(proxy);
    await new Promise<void>((resolve, reject) => {
      proxy.stdout!.once('data', () => resolve());
      proxy.once('exit', (code) => reject(new Error(`late-bus exited (${code})`)));
    });
    return { address: `unix:path=${path}`, pid: proxy.pid! };
  }

  async function stored(): Promise<{ host: string; password: string }> {
    const host = uniqueHost('late-bus');
    const password = `ghp_late${host.slice(9, 17)}`;
    const store = await runHelper(['store'], request({ protocol: 'https', host, username: 'u', password }), { ...home, ...keyring.env });
    expect(store).toMatchObject({ code: 0, stderr: '' });
    return { host, password };
  }

  it('busy past the keychain timeout: get waits for it, and answers', async () => {
    const { host, password } = await stored();
    // Past the quick door's wait and the whole door's first question together.
    const bus = await lateBus('busy', 3 * keychainTimeoutMs(home));
    const get = await runHelper(['get'], request({ protocol: 'https', host }), { ...home, DBUS_SESSION_BUS_ADDRESS: bus.address }, 60_000);
    expect(get).toMatchObject({ code: 0, stderr: '', stdout: `username=u\npassword=${password}\n` });
  }, 90_000);

  it('hung (no work at all): one line naming the daemon the kernel showed, soon after two timeouts', async () => {
    const { host } = await stored();
    const bus = await lateBus('hung', 60_000);
    const started = Date.now();
    const get = await runHelper(['get'], request({ protocol: 'https', host }), { ...home, DBUS_SESSION_BUS_ADDRESS: bus.address }, 60_000);
    const ms = Date.now() - started;
    expect(get.code).not.toBe(0);
    expect(get.stdout).toBe('');
    expect(get.stderr).toBe(
      `git-credential-pat: the D-Bus session bus did not answer within 2 s: its daemon (PID ${bus.pid}) is hung: it did no work while we waited, so the Secret Service cannot be reached; restart the session (log in again)\n`,
    );
    // The quick door's wait, the question's, then a second look at the daemon's work.
    expect(ms).toBeLessThan(keychainDeadlineMs(home) + 2 * keychainTimeoutMs(home));
  }, 90_000);
});
