// scripts/with-keyring --provider keepassxc|kwallet --ephemeral: the command runs
// against that provider (it owns org.freedesktop.secrets on the command's bus, with
// HOME and XDG_* in a throwaway folder), its exit status comes back, and when it ends
// the daemons are gone and the folder deleted.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { processRunning } from './support/proc-scan.js';

const WITH_KEYRING = fileURLToPath(new URL('../scripts/with-keyring', import.meta.url));

// Prints who owns the Secret Service name on the command's bus, and where HOME is.
const REPORT = `set -e
  pid=$(dbus-send --session --print-reply=literal --dest=org.freedesktop.DBus /org/freedesktop/DBus \\
    org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets | awk '{print $2}')
  echo "owner=$(cat /proc/$pid/comm) pid=$pid"
  echo "home=$HOME"
  echo "bus=$DBUS_SESSION_BUS_ADDRESS"
  exit 7`;

function run(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(WITH_KEYRING, [...args], { env: { PATH: process.env.PATH, LANG: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGTERM'), 40_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe('scripts/with-keyring --provider', () => {
  for (const [provider, daemon] of [
    ['keepassxc', 'keepassxc'],
    ['kwallet', 'kwalletd5'],
  ] as const) {
    it(`${provider}: the command's bus is served by ${daemon}; its exit status comes back; nothing is left afterwards`, async () => {
      const result = await run(['--provider', provider, '--ephemeral', 'bash', '-c', REPORT]);
      expect(result.code).toBe(7);
      const owner = /^owner=(\S+) pid=(\d+)$/m.exec(result.stdout);
      expect(owner?.[1]).toBe(daemon);
      const home = /^home=(\S+)$/m.exec(result.stdout)?.[1];
      const bus = /^bus=unix:path=(\S+)$/m.exec(result.stdout)?.[1];
      expect(home).toMatch(new RegExp(`/gcp-${provider}-[^/]+/home$`));
      expect(bus).toBe(home!.replace(/home$/, 'bus'));
      expect(processRunning(Number(owner?.[2]))).toBe(false);
      expect(existsSync(home!.replace(/\/home$/, ''))).toBe(false);
    }, 40_000);
  }

  it('refuses a provider other than gnome-keyring without --ephemeral, and a mode of another provider', async () => {
    const bare = await run(['--provider', 'kwallet', 'true']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/--ephemeral/);
    const wrong = await run(['--provider', 'gnome-keyring', '--no-wallet', '--ephemeral', 'true']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/not a gnome-keyring mode/);
    const crossed = await run(['--provider', 'keepassxc', '--no-wallet', '--ephemeral', 'true']);
    expect(crossed.code).toBe(2);
    expect(crossed.stderr).toMatch(/--no-wallet is not a keepassxc mode/);
  });
});
