// When the keychain cannot be used, get says so in one line soon after its own
// timeout (never D-Bus's 25 s) and exits non-zero, so git moves on to its next helper or its prompt.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { keychainTimeoutMs } from '../src/store/keychain.js';
import { HELPER, request, runHelper, testHome } from './support/helper-process.js';
import { keychainDeadlineMs } from './support/timing.js';

const WITH_KEYRING = fileURLToPath(new URL('../scripts/with-keyring', import.meta.url));
const GET = request({ protocol: 'https', host: 'unreachable.example.invalid' });

function expectOneLineFailure(result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) {
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^git-credential-pat: [^\n]+\n$/);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

/**
 * Runs `script` inside a private D-Bus session with its own unlocked keyring, where
 * $SECRETS_PID is the Secret Service's process, and the helper's `get` after it.
 * The helper's own output goes to files, apart from the D-Bus daemon's chatter.
 */
function inOwnKeyring(script: string, after = ''): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-unavail-'));
  writeFileSync(join(dir, 'request'), GET);
  const body = `
    # Store first: once that worked, the Secret Service owns its bus name for sure.
    printf 'protocol=https\\nhost=unreachable.example.invalid\\nusername=u\\npassword=p\\n' | node "$HELPER" store
    SECRETS_PID=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '{print $2}')
    [ -n "$SECRETS_PID" ] || { echo 'no Secret Service PID' >"$DIR/err"; echo 99 >"$DIR/code"; echo 0 >"$DIR/ms"; : >"$DIR/out"; exit 0; }
    ${script}
    start=$(date +%s%N)
    node "$HELPER" get <"$DIR/request" >"$DIR/out" 2>"$DIR/err"; echo $? >"$DIR/code"
    echo $(( ($(date +%s%N) - start) / 1000000 )) >"$DIR/ms"
    kill -CONT "$SECRETS_PID" 2>/dev/null || true
    ${after}
  `;
  return new Promise((resolve, reject) => {
    execFile(WITH_KEYRING, ['--ephemeral', 'bash', '-c', body], { env: { ...process.env, ...testHome(), HELPER, DIR: dir }, timeout: 30_000 }, (error) => {
      if (error && error.killed) return reject(new Error('the nested keyring session hung'));
      const read = (name: string) => readFileSync(join(dir, name), 'utf8');
      resolve({ code: Number(read('code')), stdout: read('out'), stderr: read('err'), ms: Number(read('ms')) });
    });
  });
}

describe('keychainTimeoutMs', () => {
  it('fails fast on a headless Linux machine and waits for a person where an unlock prompt can show', () => {
    expect(keychainTimeoutMs({}, 'linux')).toBe(2000);
    expect(keychainTimeoutMs({ DISPLAY: ':0' }, 'linux')).toBe(60_000);
    expect(keychainTimeoutMs({ WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).toBe(60_000);
    expect(keychainTimeoutMs({}, 'darwin')).toBe(60_000);
  });
});

describe('keychain unavailable', () => {
  it('no D-Bus session: one line naming the fix, non-zero, fast', async () => {
    const env = { ...testHome(), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const result = await runHelper(['get'], GET, env);
    expectOneLineFailure(result, /Secret Service|D-Bus/);
    expect(result.ms).toBeLessThan(keychainDeadlineMs(env));
  });

  it('a locked keyring that cannot prompt: one line, non-zero, within the keychain timeout', async () => {
    const result = await inOwnKeyring(
      'dbus-send --session --print-reply --dest=org.freedesktop.secrets /org/freedesktop/secrets org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/collection/login >/dev/null',
    );
    expectOneLineFailure(result, /locked/);
    expect(result.ms).toBeLessThan(keychainDeadlineMs(testHome()));
  });

  it('a Secret Service that does not answer: gives up soon after the keychain timeout instead of hanging git', async () => {
    const result = await inOwnKeyring('kill -STOP "$SECRETS_PID"');
    expectOneLineFailure(result, /did not answer/);
    expect(result.ms).toBeLessThan(keychainDeadlineMs(testHome()));
  });

  // Issue 21, item 10: the bus daemon itself stopped: the health questions went unanswered for the one-minute busy limit.
  it('a bus daemon that does not answer: gives up soon after the keychain timeout, saying the bus does not answer', async () => {
    const bus = `BUS_PID=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
      org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.DBus | awk '{print $2}')`;
    const result = await inOwnKeyring(`${bus}; kill -STOP "$BUS_PID"`, 'kill -CONT "$BUS_PID" 2>/dev/null || true');
    // Found through the kernel, as the bus cannot say: stopped, not merely slow.
    expectOneLineFailure(result, /D-Bus session bus did not answer within 2 s: its daemon \(PID \d+\) is stopped,/);
    expect(result.ms).toBeLessThan(keychainDeadlineMs(testHome()));
  });
});
