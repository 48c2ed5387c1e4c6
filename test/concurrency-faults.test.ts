// Many helpers at once (parallel submodule fetches, IDE background fetches), and a
// Secret Service that dies and comes back.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { HELPER, request, runHelper, testHome, uniqueHost } from './support/helper-process.js';
import { keychainDeadlineMs } from './support/timing.js';

const PROCESSES = 50;

describe('50 processes at once', () => {
  it('store, get and erase on overlapping and distinct credentials: every process succeeds and the end state is exact', async () => {
    const env = testHome();
    const distinct = Array.from({ length: 20 }, (_, i) => ({ host: uniqueHost(`d${i}`), username: `user${i}`, password: `ghp_distinct${i}` }));
    const shared = uniqueHost('shared');
    const sameUser = uniqueHost('same');
    const doomed = Array.from({ length: 10 }, (_, i) => uniqueHost(`doomed${i}`));
    for (const host of doomed) await runHelper(['store'], request({ protocol: 'https', host, username: 'gone', password: 'old' }), env);
    const survivor = uniqueHost('survivor');
    await runHelper(['store'], request({ protocol: 'https', host: survivor, username: 'stay', password: 'kept' }), env);

    const runs = [
      ...distinct.map((c) => runHelper(['store'], request({ protocol: 'https', ...c }), env)),
      ...Array.from({ length: 10 }, (_, i) => runHelper(['store'], request({ protocol: 'https', host: shared, username: `member${i}`, password: `p${i}` }), env)),
      ...Array.from({ length: 5 }, (_, i) => runHelper(['store'], request({ protocol: 'https', host: sameUser, username: 'one', password: `version${i}` }), env)),
      ...doomed.map((host) => runHelper(['erase'], request({ protocol: 'https', host }), env)),
      ...Array.from({ length: 5 }, () => runHelper(['get'], request({ protocol: 'https', host: survivor }), env)),
    ];
    expect(runs).toHaveLength(PROCESSES);
    const results = await Promise.all(runs);
    const failed = results.filter((r) => r.code !== 0 || r.stderr !== '');
    expect(failed.map((r) => `exit ${r.code} after ${Math.round(r.ms)} ms: ${r.stderr}`)).toEqual([]);
    for (const get of results.slice(-5)) expect(get.stdout).toBe('username=stay\npassword=kept\n');

    const get = async (pairs: Record<string, string>) => (await runHelper(['get'], request({ protocol: 'https', ...pairs }), env)).stdout;
    for (const c of distinct) expect(await get({ host: c.host })).toBe(`username=${c.username}\npassword=${c.password}\n`);
    for (let i = 0; i < 10; i++) expect(await get({ host: shared, username: `member${i}` })).toBe(`username=member${i}\npassword=p${i}\n`);
    expect(await get({ host: sameUser })).toMatch(/^username=one\npassword=version[0-4]\n$/);
    for (const host of doomed) expect(await get({ host })).toBe('');

    // The index stayed valid JSON through it all and lists exactly what exists.
    const index = JSON.parse(readFileSync(join(env.XDG_STATE_HOME!, 'git-credential-pat', 'index.json'), 'utf8')) as { items: Array<{ target: { host: string } }> };
    const hosts = index.items.map((r) => r.target.host);
    for (const c of distinct) expect(hosts).toContain(c.host);
    expect(hosts.filter((h) => h === shared)).toHaveLength(10);
    for (const host of doomed) expect(hosts).not.toContain(host);
  }, 120_000);
});

describe('the Secret Service dies and comes back', () => {
  it('fails fast with one line while it is gone, works again once it is back, and loses nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gcp-restart-'));
    const script = join(root, 'run.sh');
    // Inside a private session with a known keyring password: store, kill the daemon
    // by PID, ask (expect a fast one-line failure), start it again unlocked, ask again.
    writeFileSync(
      script,
      `set -u
req() { printf 'protocol=https\\nhost=restart.example.invalid\\n'; }
pid() { dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '{print $2}'; }
printf 'protocol=https\\nhost=restart.example.invalid\\nusername=u\\npassword=survives\\n' | node "$HELPER" store
kill -9 "$(pid)"; sleep 0.3
start=$(date +%s%N)
req | node "$HELPER" get >"$OUT/down.out" 2>"$OUT/down.err"; echo $? >"$OUT/down.code"
echo $(( ($(date +%s%N) - start) / 1000000 )) >"$OUT/down.ms"
# Asking made D-Bus activate a fresh daemon, locked: stop it and start one unlocked,
# as scripts/with-keyring does.
kill -9 "$(pid)" 2>/dev/null; sleep 0.3
printf '%s' "$PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
for i in $(seq 1 50); do req | node "$HELPER" get >"$OUT/up.out" 2>"$OUT/up.err" && [ -s "$OUT/up.out" ] && break; sleep 0.2; done
`,
    );
    const withKeyring = fileURLToPath(new URL('../scripts/with-keyring', import.meta.url));
    const home = testHome();
    const env = {
      ...process.env,
      ...home,
      XDG_DATA_HOME: join(root, 'data'),
      XDG_RUNTIME_DIR: undefined,
      PW: 'restart-test-password',
      HELPER,
      OUT: root,
    };
    // The keyring password goes to with-keyring on a pipe (fd 3), never the environment.
    await new Promise<void>((resolve, reject) => {
      const child = spawn(withKeyring, ['--password-fd', '3', 'bash', script], { env, stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
      (child.stdio[3] as NodeJS.WritableStream).end('restart-test-password');
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error('the restart session hung'));
      }, 60_000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const read = (name: string) => readFileSync(join(root, name), 'utf8');
    expect(read('down.code').trim()).not.toBe('0');
    expect(read('down.out')).toBe('');
    expect(read('down.err')).toMatch(/^git-credential-pat: [^\n]+\n$/);
    expect(Number(read('down.ms'))).toBeLessThan(keychainDeadlineMs(env));
    expect(read('up.out')).toBe('username=u\npassword=survives\n');
    expect(read('up.err')).toBe('');
  });
});
